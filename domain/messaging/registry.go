package messaging

import (
	"slices"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Registry is one namespace's identities and datatypes as the aggregator
// confirmed them, built from IdentityRegistered and DatatypeDefined events.
// It answers "who may I send to" and "is this value valid"; who may pin is
// the aggregator's registry, not this one.
type Registry struct {
	mu        sync.RWMutex
	orgs      map[protocol.OrgDID]protocol.SigningKey
	nodes     map[protocol.NodeDID]Peer
	datatypes map[string]*jsonschema.Schema
}

func newRegistry() *Registry {
	return &Registry{orgs: map[protocol.OrgDID]protocol.SigningKey{}, nodes: map[protocol.NodeDID]Peer{},
		datatypes: map[string]*jsonschema.Schema{}}
}

func datatypeKey(name, version string) string { return name + "\x00" + version }

func (r *Registry) applyIdentity(e catalogue.IdentityRegistered) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e.Kind {
	case catalogue.IdentityOrg:
		r.orgs[e.Org] = *e.Key
	case catalogue.IdentityNode:
		r.nodes[*e.Node] = Peer{Node: *e.Node, Endpoint: e.Endpoint, TransportKey: e.TransportKey}
	}
}

// applyDatatype compiles the schema; the aggregator compiled it with the
// same function before confirming it, so a failure here cannot happen for
// a confirmed definition and the datatype is simply left out.
func (r *Registry) applyDatatype(e catalogue.DatatypeDefined) {
	schema, err := definition.CompileSchema(e.Schema)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.datatypes[datatypeKey(e.Name, e.Version)] = schema
}

// Org returns an org's registered signing key.
func (r *Registry) Org(org protocol.OrgDID) (protocol.SigningKey, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.orgs[org]
	return k, ok
}

// Node returns a registered node.
func (r *Registry) Node(node protocol.NodeDID) (Peer, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.nodes[node]
	return p, ok
}

// NodesOf returns an org's registered nodes, sorted by DID.
func (r *Registry) NodesOf(org protocol.OrgDID) []Peer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []Peer
	for _, p := range r.nodes {
		if p.Node.Org() == org {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Peer) int { return compareStrings(a.Node.String(), b.Node.String()) })
	return out
}

// Nodes returns every registered node, sorted by DID.
func (r *Registry) Nodes() []Peer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Peer, 0, len(r.nodes))
	for _, p := range r.nodes {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Peer) int { return compareStrings(a.Node.String(), b.Node.String()) })
	return out
}

// Orgs returns the registered org DIDs, sorted.
func (r *Registry) Orgs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.orgs))
	for o := range r.orgs {
		out = append(out, o.String())
	}
	slices.Sort(out)
	return out
}

// Datatype returns a confirmed datatype's compiled schema.
func (r *Registry) Datatype(ref protocol.DatatypeRef) (*jsonschema.Schema, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.datatypes[datatypeKey(ref.Name(), ref.Version())]
	return s, ok
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
