package catalogue

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// IdentityKind says what an IdentityRegistered event registers.
type IdentityKind string

// Identity kinds.
const (
	IdentityOrg  IdentityKind = "org"
	IdentityNode IdentityKind = "node"
)

// IdentityRegistered records an org or node definition confirmed on the system
// topic. An org carries its chain signing key; a node its data-exchange
// endpoint and transport public key.
type IdentityRegistered struct {
	Namespace string          `json:"namespace"`
	Kind      IdentityKind    `json:"kind"`
	Org       protocol.OrgDID `json:"org"`
	// Node is set for kind "node".
	Node *protocol.NodeDID `json:"node,omitempty"`
	// Key is the org's signing key (kind "org").
	Key *protocol.SigningKey `json:"key,omitempty"`
	// Endpoint is the node's data-exchange URL (kind "node").
	Endpoint string `json:"endpoint,omitempty"`
	// TransportKey is the node's transport public key or certificate, PEM.
	TransportKey string `json:"transportKey,omitempty"`
	// MessageID is the definition message that registered the identity.
	MessageID uuid.UUID `json:"messageId"`
}

// EventType implements Payload.
func (IdentityRegistered) EventType() string { return "IdentityRegistered" }

// Validate implements Payload.
func (r IdentityRegistered) Validate() error {
	if err := firstError(requireNamespace(r.Namespace), requireOrg("org", r.Org), requireID("messageId", r.MessageID)); err != nil {
		return err
	}
	switch r.Kind {
	case IdentityOrg:
		if r.Key == nil || r.Key.IsZero() {
			return invalid("key", "an org needs its signing key")
		}
		if r.Node != nil || r.Endpoint != "" || r.TransportKey != "" {
			return invalid("kind", "an org has no node, endpoint or transport key")
		}
	case IdentityNode:
		if r.Node == nil || r.Node.IsZero() || r.Node.Org() != r.Org {
			return invalid("node", "a node needs a node DID under its org")
		}
		if u, err := url.Parse(r.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("endpoint", "%q is not an http(s) URL", r.Endpoint)
		}
		if r.Key != nil {
			return invalid("key", "a node has no signing key; its org does")
		}
	default:
		return invalid("kind", "%q is not org or node", r.Kind)
	}
	return nil
}

// DatatypeDefined records a datatype definition confirmed on the system topic:
// data that names {name, version} must satisfy Schema.
type DatatypeDefined struct {
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Version   string          `json:"version"`
	Schema    json.RawMessage `json:"schema"`
	MessageID uuid.UUID       `json:"messageId"`
}

// EventType implements Payload.
func (DatatypeDefined) EventType() string { return "DatatypeDefined" }

// Validate implements Payload.
func (d DatatypeDefined) Validate() error {
	if _, err := protocol.NewDatatypeRef(d.Name, d.Version); err != nil {
		return invalid("name/version", "%v", err)
	}
	return firstError(requireNamespace(d.Namespace), requireObject("schema", d.Schema), requireID("messageId", d.MessageID))
}

// DataStored records a data item this node accepted from an application.
type DataStored struct {
	Namespace string        `json:"namespace"`
	Data      protocol.Data `json:"data"`
}

// EventType implements Payload.
func (DataStored) EventType() string { return "DataStored" }

// Validate implements Payload. protocol.Data validates itself when decoded;
// the zero value is what a missing "data" member leaves.
func (d DataStored) Validate() error {
	return firstError(requireNamespace(d.Namespace), requireID("data.id", d.Data.ID()))
}

// MessageSubmitted records a message an application sent through this node.
// Data holds the items the request created inline (values given with the
// message rather than stored before), so one append records the whole
// request.
type MessageSubmitted struct {
	Message protocol.Message `json:"message"`
	Data    []protocol.Data  `json:"data,omitempty"`
}

// EventType implements Payload.
func (MessageSubmitted) EventType() string { return "MessageSubmitted" }

// Validate implements Payload.
func (m MessageSubmitted) Validate() error {
	for i, d := range m.Data {
		if d.ID() == uuid.Nil { // the name is only formatted for the error
			return requireID(fmt.Sprintf("data[%d].id", i), d.ID())
		}
	}
	return requireID("message.header.id", m.Message.ID())
}
