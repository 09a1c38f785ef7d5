package aggregator

import (
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// registry is what confirmed definitions registered, each entry at the pin
// position of its definition, so a message is judged by what was pinned
// before it whatever order the aggregator learned things in.
type registry struct {
	orgs      map[protocol.OrgDID][]orgEntry
	datatypes map[string][]datatypeEntry
	owners    map[protocol.SigningKey][]ownerEntry
	// order lists every entry in registration order, to rewind.
	order []registryUndo
}

type orgEntry struct {
	pos pinPos
	key protocol.SigningKey
}

type ownerEntry struct {
	pos pinPos
	org protocol.OrgDID
}

type datatypeEntry struct {
	pos    pinPos
	schema *jsonschema.Schema
}

type registryUndo struct {
	pos      pinPos
	org      protocol.OrgDID
	datatype string
}

func newRegistry() registry {
	return registry{orgs: map[protocol.OrgDID][]orgEntry{}, datatypes: map[string][]datatypeEntry{},
		owners: map[protocol.SigningKey][]ownerEntry{}}
}

func datatypeKey(r protocol.DatatypeRef) string { return r.Name() + "\x00" + r.Version() }

// orgKey returns org's key as registered before pos.
func (r *registry) orgKey(org protocol.OrgDID, pos pinPos) (protocol.SigningKey, bool) {
	entries := r.orgs[org]
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].pos.before(pos) {
			return entries[i].key, true
		}
	}
	return protocol.SigningKey{}, false
}

// keysBefore returns every key org had before pos.
func (r *registry) keysBefore(org protocol.OrgDID, pos pinPos) []protocol.SigningKey {
	var keys []protocol.SigningKey
	for _, e := range r.orgs[org] {
		if e.pos.before(pos) {
			keys = append(keys, e.key)
		}
	}
	return keys
}

// owner returns the org key was registered to before pos. A key belongs to
// one org for good, so a pin's signer names one author.
func (r *registry) owner(key protocol.SigningKey, pos pinPos) (protocol.OrgDID, bool) {
	for _, e := range r.owners[key] {
		if e.pos.before(pos) {
			return e.org, true
		}
	}
	return protocol.OrgDID{}, false
}

// datatype returns the schema registered for ref before pos.
func (r *registry) datatype(ref protocol.DatatypeRef, pos pinPos) *jsonschema.Schema {
	entries := r.datatypes[datatypeKey(ref)]
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].pos.before(pos) {
			return entries[i].schema
		}
	}
	return nil
}

func (r *registry) addOrg(pos pinPos, org protocol.OrgDID, key protocol.SigningKey) {
	r.orgs[org] = append(r.orgs[org], orgEntry{pos: pos, key: key})
	r.owners[key] = append(r.owners[key], ownerEntry{pos: pos, org: org})
	r.order = append(r.order, registryUndo{pos: pos, org: org})
}

func (r *registry) addDatatype(pos pinPos, ref protocol.DatatypeRef, s *jsonschema.Schema) {
	k := datatypeKey(ref)
	r.datatypes[k] = append(r.datatypes[k], datatypeEntry{pos: pos, schema: s})
	r.order = append(r.order, registryUndo{pos: pos, datatype: k})
}

// rewind drops every entry at or after pos. Definitions are decided in pin
// order (they share one context), so those are the newest entries.
func (r *registry) rewind(pos pinPos) {
	for len(r.order) > 0 && !r.order[len(r.order)-1].pos.before(pos) {
		u := r.order[len(r.order)-1]
		r.order = r.order[:len(r.order)-1]
		if u.datatype != "" {
			list := r.datatypes[u.datatype]
			r.datatypes[u.datatype] = list[:len(list)-1]
			continue
		}
		list := r.orgs[u.org]
		key := list[len(list)-1].key
		r.orgs[u.org] = list[:len(list)-1]
		owners := r.owners[key]
		r.owners[key] = owners[:len(owners)-1]
	}
}
