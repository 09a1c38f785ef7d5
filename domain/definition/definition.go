package definition

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// ErrInvalidDefinition wraps every reason a definition cannot be read.
var ErrInvalidDefinition = errors.New("invalid definition")

// Kind says what a definition defines.
type Kind string

// Definition kinds.
const (
	KindOrg      Kind = "org"
	KindNode     Kind = "node"
	KindDatatype Kind = "datatype"
)

// Org registers an org and the key its pins are signed with.
type Org struct {
	Org protocol.OrgDID
	Key protocol.SigningKey
}

// Node registers a node of an org and how peers reach it.
type Node struct {
	Node         protocol.NodeDID
	Endpoint     string
	TransportKey string
}

// Datatype registers a JSON schema under a name and version.
type Datatype struct {
	Ref    protocol.DatatypeRef
	Schema json.RawMessage
}

// Definition is one parsed definition: exactly one of its pointers is set.
type Definition struct {
	Org      *Org
	Node     *Node
	Datatype *Datatype
}

// Kind says which one.
func (d Definition) Kind() Kind {
	switch {
	case d.Org != nil:
		return KindOrg
	case d.Node != nil:
		return KindNode
	default:
		return KindDatatype
	}
}

type wire struct {
	Kind         Kind                 `json:"kind"`
	Org          *protocol.OrgDID     `json:"org,omitempty"`
	Key          *protocol.SigningKey `json:"key,omitempty"`
	Node         *protocol.NodeDID    `json:"node,omitempty"`
	Endpoint     string               `json:"endpoint,omitempty"`
	TransportKey string               `json:"transportKey,omitempty"`
	Name         string               `json:"name,omitempty"`
	Version      string               `json:"version,omitempty"`
	Schema       json.RawMessage      `json:"schema,omitempty"`
}

// Parse reads a definition message's data value.
func Parse(value []byte) (Definition, error) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Definition{}, fmt.Errorf("%w: %w", ErrInvalidDefinition, err)
	}
	if dec.More() {
		return Definition{}, fmt.Errorf("%w: trailing data", ErrInvalidDefinition)
	}
	switch w.Kind {
	case KindOrg:
		return parseOrg(w)
	case KindNode:
		return parseNode(w)
	case KindDatatype:
		return parseDatatype(w)
	default:
		return Definition{}, fmt.Errorf("%w: kind %q is not org, node or datatype", ErrInvalidDefinition, w.Kind)
	}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidDefinition, fmt.Sprintf(format, args...))
}

func parseOrg(w wire) (Definition, error) {
	if w.Org == nil || w.Key == nil || w.Key.IsZero() {
		return Definition{}, invalid("an org definition needs org and key")
	}
	if w.Node != nil || w.Endpoint != "" || w.TransportKey != "" || w.Name != "" || w.Version != "" || w.Schema != nil {
		return Definition{}, invalid("an org definition has only org and key")
	}
	return Definition{Org: &Org{Org: *w.Org, Key: *w.Key}}, nil
}

func parseNode(w wire) (Definition, error) {
	if w.Node == nil {
		return Definition{}, invalid("a node definition needs node")
	}
	if w.Org != nil || w.Key != nil || w.Name != "" || w.Version != "" || w.Schema != nil {
		return Definition{}, invalid("a node definition has only node, endpoint and transportKey")
	}
	if err := ValidateEndpoint(w.Endpoint); err != nil {
		return Definition{}, err
	}
	return Definition{Node: &Node{Node: *w.Node, Endpoint: w.Endpoint, TransportKey: w.TransportKey}}, nil
}

func parseDatatype(w wire) (Definition, error) {
	ref, err := protocol.NewDatatypeRef(w.Name, w.Version)
	if err != nil {
		return Definition{}, invalid("%v", err)
	}
	if w.Org != nil || w.Key != nil || w.Node != nil || w.Endpoint != "" || w.TransportKey != "" {
		return Definition{}, invalid("a datatype definition has only name, version and schema")
	}
	if _, err := CompileSchema(w.Schema); err != nil {
		return Definition{}, err
	}
	return Definition{Datatype: &Datatype{Ref: ref, Schema: bytes.Clone(w.Schema)}}, nil
}

// ValidateEndpoint accepts an absolute http(s) URL with a host.
func ValidateEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("endpoint %q is not an http(s) URL", endpoint)
	}
	return nil
}

// CompileSchema compiles a datatype's JSON schema (draft 2020-12 unless it
// says otherwise). Schemas may not load anything from outside: a member that
// could fetch a remote $ref and one that could not would judge data
// differently.
func CompileSchema(raw json.RawMessage) (*jsonschema.Schema, error) {
	if len(raw) == 0 {
		return nil, invalid("a datatype definition needs a schema")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, invalid("schema: %v", err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, invalid("schema must be a JSON object")
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const url = "urn:ledgermirror:datatype"
	if err := c.AddResource(url, doc); err != nil {
		return nil, invalid("schema: %v", err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, invalid("schema: %v", err)
	}
	return s, nil
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schemas may not refer to %s", url)
}

// Value encodes d as a definition message's data value.
func (d Definition) Value() (json.RawMessage, error) {
	var w wire
	switch {
	case d.Org != nil:
		w = wire{Kind: KindOrg, Org: &d.Org.Org, Key: &d.Org.Key}
	case d.Node != nil:
		w = wire{Kind: KindNode, Node: &d.Node.Node, Endpoint: d.Node.Endpoint, TransportKey: d.Node.TransportKey}
	case d.Datatype != nil:
		w = wire{Kind: KindDatatype, Name: d.Datatype.Ref.Name(), Version: d.Datatype.Ref.Version(), Schema: d.Datatype.Schema}
	default:
		return nil, invalid("empty definition")
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDefinition, err)
	}
	if _, err := Parse(b); err != nil {
		return nil, err
	}
	return b, nil
}
