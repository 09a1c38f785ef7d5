package protocol

import (
	"fmt"
	"strings"
)

const (
	orgDIDPrefix  = "did:lm:org/"
	nodeDIDPrefix = "did:lm:node/"
)

// OrgDID identifies a member organisation: did:lm:org/<name>. The zero value
// is "no org" and is rejected wherever an org is required.
//
// It holds the whole DID text rather than the name because the text is what
// gets hashed and compared, for every message and group member; the name is
// the suffix.
type OrgDID struct{ did string }

// NewOrgDID builds the DID of the org called name (ValidateName's rule).
func NewOrgDID(name string) (OrgDID, error) {
	if err := ValidateName(name); err != nil {
		return OrgDID{}, fmt.Errorf("%w: org name: %w", ErrInvalidIdentity, err)
	}
	return OrgDID{did: orgDIDPrefix + name}, nil
}

// ParseOrgDID reads "did:lm:org/<name>". The prefix is case-sensitive: a DID is
// hashed as text, so only one spelling can be valid.
func ParseOrgDID(s string) (OrgDID, error) {
	name, ok := strings.CutPrefix(s, orgDIDPrefix)
	if !ok {
		return OrgDID{}, fmt.Errorf("%w: %q does not start with %q", ErrInvalidIdentity, truncate(s), orgDIDPrefix)
	}
	if err := ValidateName(name); err != nil {
		return OrgDID{}, fmt.Errorf("%w: org name: %w", ErrInvalidIdentity, err)
	}
	return OrgDID{did: s}, nil
}

// Name returns the org's name.
func (d OrgDID) Name() string {
	if d.IsZero() {
		return ""
	}
	return d.did[len(orgDIDPrefix):]
}

// IsZero reports whether d is the zero value.
func (d OrgDID) IsZero() bool { return d.did == "" }

// String returns the DID, or "" for the zero value.
func (d OrgDID) String() string { return d.did }

// MarshalText refuses the zero value so that an unset DID is never written.
func (d OrgDID) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, fmt.Errorf("%w: empty org DID", ErrInvalidIdentity)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseOrgDID's rules.
func (d *OrgDID) UnmarshalText(b []byte) error {
	parsed, err := ParseOrgDID(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// NodeDID identifies a node of an org: did:lm:node/<org>/<name>. The zero value
// is "no node". Like OrgDID, it holds its DID text.
type NodeDID struct {
	org OrgDID
	did string
}

// NewNodeDID builds the DID of org's node called name (ValidateName's rule).
func NewNodeDID(org OrgDID, name string) (NodeDID, error) {
	if org.IsZero() {
		return NodeDID{}, fmt.Errorf("%w: node needs an org", ErrInvalidIdentity)
	}
	if err := ValidateName(name); err != nil {
		return NodeDID{}, fmt.Errorf("%w: node name: %w", ErrInvalidIdentity, err)
	}
	return NodeDID{org: org, did: nodeDIDPrefix + org.Name() + "/" + name}, nil
}

// ParseNodeDID reads "did:lm:node/<org>/<name>". Names cannot contain '/', so
// the split is unambiguous.
func ParseNodeDID(s string) (NodeDID, error) {
	rest, ok := strings.CutPrefix(s, nodeDIDPrefix)
	if !ok {
		return NodeDID{}, fmt.Errorf("%w: %q does not start with %q", ErrInvalidIdentity, truncate(s), nodeDIDPrefix)
	}
	orgName, name, ok := strings.Cut(rest, "/")
	if !ok {
		return NodeDID{}, fmt.Errorf("%w: %q is not %s<org>/<name>", ErrInvalidIdentity, truncate(s), nodeDIDPrefix)
	}
	org, err := NewOrgDID(orgName)
	if err != nil {
		return NodeDID{}, err
	}
	if err := ValidateName(name); err != nil {
		return NodeDID{}, fmt.Errorf("%w: node name: %w", ErrInvalidIdentity, err)
	}
	return NodeDID{org: org, did: s}, nil
}

// Org returns the org that owns the node.
func (d NodeDID) Org() OrgDID { return d.org }

// Name returns the node's name within its org.
func (d NodeDID) Name() string {
	if d.IsZero() {
		return ""
	}
	return d.did[len(nodeDIDPrefix)+len(d.org.Name())+1:]
}

// IsZero reports whether d is the zero value.
func (d NodeDID) IsZero() bool { return d.did == "" }

// String returns the DID, or "" for the zero value.
func (d NodeDID) String() string { return d.did }

// MarshalText refuses the zero value so that an unset DID is never written.
func (d NodeDID) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, fmt.Errorf("%w: empty node DID", ErrInvalidIdentity)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseNodeDID's rules.
func (d *NodeDID) UnmarshalText(b []byte) error {
	parsed, err := ParseNodeDID(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
