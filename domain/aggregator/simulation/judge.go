package simulation

import (
	"bytes"
	"slices"

	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

type refDecision struct {
	ord       int
	messageID uuid.UUID
}

type refRegistration struct {
	ord    int
	def    definition.Definition
	schema *jsonschema.Schema
}

// decidable: the log has its confirmations; the batch, every data item and
// blob it lists and (private) the group's member list are here; each of the
// message's placed pins is the first undecided pin on its context; and no
// earlier undecided pin on the definitions context could change its
// judgement.
func (r *reference) decidable(l *refLog, i int) bool {
	if r.confirmations > 0 && r.head < l.obs.Location.BlockNumber+r.confirmations {
		return false
	}
	if !l.batch.complete {
		return false
	}
	own := l.owned[i]
	for _, p := range own {
		if p.context.IsZero() {
			continue
		}
		for _, q := range r.byContext[p.context] {
			if q.ord >= p.ord {
				break
			}
			if !q.consumed && !slices.Contains(own, q) {
				return false
			}
		}
	}
	return !r.heldByDefinitions(l, i)
}

// heldByDefinitions: an undecided definition pinned before the message could
// change its judgement if the message uses a datatype, if its author was not
// registered before the first undecided definition, or if the definition's
// log is signed by a key the author has had.
func (r *reference) heldByDefinitions(l *refLog, i int) bool {
	own := l.owned[i]
	var undecided []*refPin
	for _, q := range r.definitions {
		if q.ord >= own[0].ord {
			break
		}
		if !q.consumed && !slices.Contains(own, q) {
			undecided = append(undecided, q)
		}
	}
	if len(undecided) == 0 {
		return false
	}
	if i >= len(l.batch.messages) {
		return true // the batch will be rejected whatever the registry says; keep it simple
	}
	for _, ref := range l.batch.messages[i].Data() {
		if _, typed := l.batch.data[ref.ID].Datatype(); typed {
			return true
		}
	}
	author := l.batch.manifest.Author()
	if orgs, _ := r.registryAt(undecided[0].ord); orgs[author].IsZero() {
		return true
	}
	for _, reg := range r.registrations {
		if reg.ord < own[0].ord && reg.def.Org != nil && reg.def.Org.Org == author {
			for _, q := range undecided {
				if q.log.obs.Signer == reg.def.Org.Key {
					return true
				}
			}
		}
	}
	return false
}

// judge applies the rejection rules in their documented order.
func (r *reference) judge(l *refLog, i int) catalogue.RejectReason {
	if reason := r.verify(l); reason != "" {
		return reason
	}
	m := l.batch.manifest
	msg, author, at := l.batch.messages[i], m.Author(), l.owned[i][0].ord
	orgs, datatypes := r.registryAt(at)
	key, registered := orgs[author]
	if !registered {
		self := r.definitionOf(l, msg)
		if self == nil || self.Org == nil || self.Org.Org != author {
			return catalogue.RejectAuthorNotRegistered
		}
		key = self.Org.Key
	}
	if l.obs.Signer != key || l.obs.Signer != m.Key() {
		return catalogue.RejectWrongSigner
	}
	g, private := m.Group()
	if private && !slices.ContainsFunc(r.groups[g].Members(), func(mb protocol.Member) bool { return mb.Identity == author }) {
		return catalogue.RejectNotGroupMember
	}
	topics := msg.Header().Topics()
	for j, p := range l.owned[i] {
		switch {
		case !private && p.value != protocol.BroadcastContext(r.ns, topics[j]):
			return catalogue.RejectManifestMismatch
		case private && (p.context != protocol.PrivateContext(r.ns, topics[j], g) || p.owner != author):
			return catalogue.RejectNonceMismatch
		}
	}
	for _, d := range r.decisions {
		if d.messageID == msg.ID() && d.ord < at {
			return catalogue.RejectDuplicateMessageID
		}
	}
	for _, ref := range msg.Data() {
		if !validDatatype(l.batch.data[ref.ID], datatypes) {
			return catalogue.RejectDatatypeInvalid
		}
	}
	if msg.Header().Type() == protocol.MessageTypeDefinition {
		def := r.definitionOf(l, msg)
		switch {
		case def == nil:
			return catalogue.RejectInvalidContent
		case def.Org != nil && def.Org.Org != author, def.Node != nil && def.Node.Node.Org() != author:
			return catalogue.RejectWrongSigner
		case def.Org != nil && keyHolder(orgs, def.Org.Key, author):
			return catalogue.RejectWrongSigner
		}
	}
	return ""
}

// keyHolder reports whether key is registered to an org other than author.
func keyHolder(orgs map[protocol.OrgDID]protocol.SigningKey, key protocol.SigningKey, author protocol.OrgDID) bool {
	for org, k := range orgs {
		if k == key && org != author {
			return true
		}
	}
	return false
}

// definitionOf reads a definition message's content: the value of its
// single data item, on the definitions topic alone; nil if the message is no
// valid definition.
func (r *reference) definitionOf(l *refLog, msg protocol.Message) *definition.Definition {
	refs := msg.Data()
	if msg.Header().Type() != protocol.MessageTypeDefinition || len(refs) != 1 ||
		!slices.Equal(msg.Header().Topics(), []string{protocol.DefinitionsTopic}) {
		return nil
	}
	d, err := definition.Parse(l.batch.data[refs[0].ID].Value())
	if err != nil {
		return nil
	}
	return &d
}

func validDatatype(d protocol.Data, datatypes map[string]*jsonschema.Schema) bool {
	ref, ok := d.Datatype()
	if !ok {
		return true
	}
	schema := datatypes[ref.Name()+"/"+ref.Version()]
	if schema == nil {
		return false
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(d.Value()))
	return err == nil && schema.Validate(v) == nil
}

// registryAt is the registry as defined by confirmed definitions pinned
// before ord.
func (r *reference) registryAt(ord int) (map[protocol.OrgDID]protocol.SigningKey, map[string]*jsonschema.Schema) {
	orgs, datatypes := map[protocol.OrgDID]protocol.SigningKey{}, map[string]*jsonschema.Schema{}
	for _, reg := range r.registrations {
		switch {
		case reg.ord >= ord:
		case reg.def.Org != nil:
			orgs[reg.def.Org.Org] = reg.def.Org.Key
		case reg.def.Datatype != nil:
			ref := reg.def.Datatype.Ref
			datatypes[ref.Name()+"/"+ref.Version()] = reg.schema
		}
	}
	return orgs, datatypes
}

// decide records message i of l's decision and consumes its pins.
func (r *reference) decide(l *refLog, i int) {
	reason := r.judge(l, i)
	l.decided[i] = true
	entry := l.batch.manifest.Messages()[i]
	at := l.owned[i][0].ord
	key := DecisionKey{MessageID: entry.ID, BatchID: l.obs.BatchID, Location: l.obs.Location}
	for _, p := range l.owned[i] {
		p.consumed = true
	}
	if reason != "" {
		r.out.Decisions[key] = Decision{Decision: catalogue.DecisionRejected, Reason: reason}
		return
	}
	r.out.Decisions[key] = Decision{Decision: catalogue.DecisionConfirmed, MessageHash: entry.Hash}
	// Only a confirmation holds a message id: a rejected message may be
	// pinned again once what made it fail is fixed.
	r.decisions = append(r.decisions, refDecision{ord: at, messageID: entry.ID})
	for _, p := range l.owned[i] {
		d := r.digests[p.context]
		if d == nil {
			d = &protocol.ContextDigest{}
			r.digests[p.context] = d
		}
		d.Add(entry.Hash)
		log := r.out.Contexts[p.context]
		log.Hashes = append(log.Hashes, entry.Hash)
		log.Digest = d.Digest()
		r.out.Contexts[p.context] = log
	}
	if def := r.definitionOf(l, l.batch.messages[i]); def != nil {
		r.register(at, *def, entry.ID)
	}
}

func (r *reference) register(ord int, def definition.Definition, message uuid.UUID) {
	reg := refRegistration{ord: ord, def: def}
	if def.Datatype != nil {
		reg.schema = must(definition.CompileSchema(def.Datatype.Schema))
	}
	r.registrations = append(r.registrations, reg)
	slices.SortStableFunc(r.registrations, func(a, b refRegistration) int { return a.ord - b.ord })
	var k, v string
	switch {
	case def.Org != nil:
		key := def.Org.Key
		k, v = identityEntry(catalogue.IdentityRegistered{Namespace: r.ns, Kind: catalogue.IdentityOrg,
			Org: def.Org.Org, Key: &key, MessageID: message})
	case def.Node != nil:
		node := def.Node.Node
		k, v = identityEntry(catalogue.IdentityRegistered{Namespace: r.ns, Kind: catalogue.IdentityNode,
			Org: node.Org(), Node: &node, Endpoint: def.Node.Endpoint, TransportKey: def.Node.TransportKey, MessageID: message})
	default:
		dt := def.Datatype
		k, v = datatypeEntry(catalogue.DatatypeDefined{Namespace: r.ns, Name: dt.Ref.Name(), Version: dt.Ref.Version(),
			Schema: dt.Schema, MessageID: message})
	}
	r.out.Registry[k] = v
}
