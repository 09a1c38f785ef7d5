package protocol

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// MaxGroupMembers bounds a private group. Every member receives every batch,
// so a group this large is already a broadcast in all but name.
const MaxGroupMembers = 1024

// Member is one recipient of a private group: an org and one of its nodes.
type Member struct {
	Identity OrgDID
	Node     NodeDID
}

// compareMembers orders by identity, then node. DIDs are ASCII, so string
// order here equals the UTF-16 order canonical JSON uses everywhere else.
func compareMembers(a, b Member) int {
	if c := cmp.Compare(a.Identity.String(), b.Identity.String()); c != 0 {
		return c
	}
	return cmp.Compare(a.Node.String(), b.Node.String())
}

type memberJSON struct {
	Identity OrgDID  `json:"identity"`
	Node     NodeDID `json:"node"`
}

// MarshalJSON writes {"identity","node"}.
func (m Member) MarshalJSON() ([]byte, error) { return m.AppendJSON(make([]byte, 0, 128)) }

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (m Member) AppendJSON(dst []byte) ([]byte, error) {
	if m.Identity.IsZero() || m.Node.IsZero() {
		return appendWire(dst, m.marshalWire) // their MarshalText's error
	}
	return m.appendJSON(dst), nil
}

// appendJSON is AppendJSON for a member whose DIDs are set.
func (m Member) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"identity":`...)
	dst = jsonappend.String(dst, m.Identity.String())
	dst = append(dst, `,"node":`...)
	dst = jsonappend.String(dst, m.Node.String())
	return append(dst, '}')
}

// marshalWire is the definition of Member's JSON.
func (m Member) marshalWire() ([]byte, error) { return json.Marshal(memberJSON(m)) }

// UnmarshalJSON reads {"identity","node"}; NewGroup does the rest of the
// checking.
func (m *Member) UnmarshalJSON(raw []byte) error {
	parsed, err := unmarshalMember(raw, false)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}

// Group is a private messaging group: a namespace, a name and a member set.
type Group struct {
	namespace string
	name      string
	members   []Member // sorted, unique
	hash      Hash
}

// groupHashInput is what group.hash covers. The name is always present, even
// when empty, because PROTOCOL.md lists it without an "omit when absent" rule.
// Like dataHashInput, it defines what appendHashInput writes.
type groupHashInput struct {
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Members   []Member `json:"members"`
}

// NewGroup validates the group and computes group.hash. Members are sorted by
// identity then node and duplicates dropped, so any order or repetition of the
// same members gives the same group. Each member's node must belong to that
// member's org. name is "" or follows ValidateName's rule.
func NewGroup(namespace, name string, members []Member) (Group, error) {
	if err := ValidateNamespace(namespace); err != nil {
		return Group{}, fieldCause(ErrInvalidGroup, "namespace", err)
	}
	if name != "" {
		if err := ValidateName(name); err != nil {
			return Group{}, fieldCause(ErrInvalidGroup, "name", err)
		}
	}
	sorted, err := normalizeMembers(members)
	if err != nil {
		return Group{}, err
	}
	g := Group{namespace: namespace, name: name, members: sorted}
	var buf [hashBufferSize]byte
	g.hash = SHA256(g.appendHashInput(buf[:0]))
	return g, nil
}

func normalizeMembers(members []Member) ([]Member, error) {
	if len(members) == 0 {
		return nil, fieldErr(ErrInvalidGroup, "members", "at least one member is required")
	}
	for i, m := range members {
		field := fmt.Sprintf("members[%d]", i)
		switch {
		case m.Identity.IsZero():
			return nil, fieldErr(ErrInvalidGroup, field+".identity", "required")
		case m.Node.IsZero():
			return nil, fieldErr(ErrInvalidGroup, field+".node", "required")
		case m.Node.Org() != m.Identity:
			return nil, fieldErr(ErrInvalidGroup, field+".node", "%s does not belong to %s", m.Node, m.Identity)
		}
	}
	sorted := slices.Clone(members)
	slices.SortFunc(sorted, compareMembers)
	sorted = slices.Compact(sorted)
	if len(sorted) > MaxGroupMembers {
		return nil, fieldErr(ErrInvalidGroup, "members", "%d members, at most %d allowed", len(sorted), MaxGroupMembers)
	}
	return sorted, nil
}

func (g Group) hashInput() groupHashInput {
	return groupHashInput{Namespace: g.namespace, Name: g.name, Members: g.members}
}

// Namespace returns the group's namespace.
func (g Group) Namespace() string { return g.namespace }

// Name returns the group's name ("" if unnamed).
func (g Group) Name() string { return g.name }

// Members returns a copy of the members, sorted and unique.
func (g Group) Members() []Member { return slices.Clone(g.members) }

// Hash returns group.hash.
func (g Group) Hash() Hash { return g.hash }

type groupJSON struct {
	Namespace string   `json:"namespace"`
	Name      *string  `json:"name"`
	Members   []Member `json:"members"`
	Hash      *Hash    `json:"hash,omitempty"`
}

// MarshalJSON writes {"namespace","name","members","hash"}.
func (g Group) MarshalJSON() ([]byte, error) {
	return g.AppendJSON(make([]byte, 0, 256+160*len(g.members)))
}

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (g Group) AppendJSON(dst []byte) ([]byte, error) {
	if len(g.members) == 0 {
		return nil, fieldErr(ErrInvalidGroup, "", "not built by NewGroup")
	}
	start := len(dst)
	dst = append(dst, `{"namespace":`...)
	dst = jsonappend.String(dst, g.namespace)
	dst = append(dst, `,"name":`...)
	dst = jsonappend.String(dst, g.name)
	dst = append(dst, `,"members":[`...)
	for i, m := range g.members {
		if m.Identity.IsZero() || m.Node.IsZero() {
			// Their MarshalText refuses them (NewGroup does too):
			// encoding/json's error.
			return appendWire(dst[:start], g.marshalWire)
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = m.appendJSON(dst)
	}
	dst = append(dst, `],"hash":`...)
	dst = appendHash(dst, g.hash)
	return append(dst, '}'), nil
}

// marshalWire is the definition of Group's JSON.
func (g Group) marshalWire() ([]byte, error) {
	if len(g.members) == 0 {
		return nil, fieldErr(ErrInvalidGroup, "", "not built by NewGroup")
	}
	return json.Marshal(groupJSON{Namespace: g.namespace, Name: &g.name, Members: g.members, Hash: &g.hash})
}

// UnmarshalJSON re-validates a stored or received group; see UnmarshalGroup.
func (g *Group) UnmarshalJSON(raw []byte) error {
	parsed, err := UnmarshalGroup(raw)
	if err != nil {
		return err
	}
	*g = parsed
	return nil
}

// UnmarshalGroup parses and re-validates a group. A carried hash that differs
// from the recomputed one is a *VerifyError with reason group-hash-mismatch.
func UnmarshalGroup(raw []byte) (Group, error) {
	w, err := decodeGroupJSON(raw)
	if err != nil {
		return Group{}, err
	}
	if w.Name == nil {
		return Group{}, fieldErr(ErrInvalidGroup, "name", "required (may be empty)")
	}
	g, err := NewGroup(w.Namespace, *w.Name, w.Members)
	if err != nil {
		return Group{}, err
	}
	if w.Hash != nil && *w.Hash != g.hash {
		return Group{}, mismatch(ReasonGroupHashMismatch, "group", [16]byte{}, *w.Hash, g.hash)
	}
	return g, nil
}
