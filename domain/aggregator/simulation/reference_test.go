package simulation

import (
	"maps"
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// scene is a hand-built history: orgs registered in the first block, then
// whatever the test pins, one log per block unless it mines itself.
type scene struct {
	t *testing.T
	*builder
}

func newScene(t *testing.T, orgs int, confirmations uint64) *scene {
	s := &scene{t: t, builder: newBuilder(7, confirmations)}
	for range orgs {
		s.addOrg()
	}
	return s
}

func (s *scene) register(orgs ...int) {
	for _, o := range orgs {
		s.chain.pin(s.orgDefinition(o, o, s.h.Orgs[o].Key))
	}
	s.chain.mine(len(orgs))
}

// send pins a batch of one message on topics, alone in a new block.
func (s *scene) send(author, group int, topics ...string) *Batch {
	bt := s.batchOf(author, group, dataSpec{value: `{"n":1}`}, topics...)
	s.pinAlone(bt)
	return bt
}

func (s *scene) batchOf(author, group int, data dataSpec, topics ...string) *Batch {
	typ := protocol.MessageTypeBroadcast
	if group >= 0 {
		typ = protocol.MessageTypePrivate
	}
	d := s.data(data)
	msg := s.message(author, group, typ, topics, []protocol.Data{d})
	return s.batch(author, group, []protocol.Message{msg}, []protocol.Data{d})
}

func (s *scene) pinAlone(bt *Batch) *logSpec {
	spec := s.chain.pin(bt)
	s.chain.mine(1)
	return spec
}

// outcome finishes the chain and runs the reference on member's inputs.
func (s *scene) outcome(member int) Outcome {
	if s.h.Chain == nil {
		s.chain.finish(0)
	}
	return Reference(s.h.Config, s.h.Inputs(member, rand.New(rand.NewSource(1))))
}

// decisions maps each message of bt to its decisions, in chain order.
func decisionsOf(o Outcome, bt *Batch) map[string][]string {
	out := map[string][]string{}
	for _, k := range slices.SortedFunc(maps.Keys(o.Decisions), compareKeys) {
		if k.BatchID == bt.ID() {
			out[k.MessageID.String()] = append(out[k.MessageID.String()], o.Decisions[k].String())
		}
	}
	return out
}

func reasonOf(t *testing.T, o Outcome, bt *Batch) catalogue.RejectReason {
	t.Helper()
	for k, d := range o.Decisions {
		if k.BatchID == bt.ID() {
			if d.Decision == catalogue.DecisionConfirmed {
				return "confirmed"
			}
			return d.Reason
		}
	}
	return "undecided"
}

func TestReferenceConfirmsOneBroadcastMessage(t *testing.T) {
	s := newScene(t, 1, 0)
	s.register(0)
	bt := s.send(0, -1, "orders")
	o := s.outcome(0)

	require.Empty(t, o.Anomalies)
	require.Len(t, o.Decisions, 2, "the org definition and the message")
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, bt))
	orders := o.Contexts[protocol.BroadcastContext("default", "orders")]
	require.Equal(t, []protocol.Hash{bt.Messages[0].Hash()}, orders.Hashes)
	var d protocol.ContextDigest
	d.Add(bt.Messages[0].Hash())
	assert.Equal(t, d.Digest(), orders.Digest)
	assert.Len(t, o.Contexts[protocol.BroadcastContext("default", protocol.DefinitionsTopic)].Hashes, 1)
	assert.Contains(t, o.Registry, "org did:lm:org/org1")
}

func TestReferenceRejectsTamperedBatchesAndMovesOn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(*builder, *Batch)
		want   catalogue.RejectReason
	}{
		{"manifest", func(b *builder, bt *Batch) { b.tamperBatch(bt) }, catalogue.RejectBatchHashMismatch},
		{"data", func(b *builder, bt *Batch) { b.tamperPart(bt, false) }, catalogue.RejectDataHashMismatch},
		{"message", func(b *builder, bt *Batch) { b.tamperPart(bt, true) }, catalogue.RejectMessageHashMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScene(t, 1, 0)
			s.register(0)
			bad := s.batchOf(0, -1, dataSpec{value: `{"n":1}`}, "orders")
			tc.tamper(s.builder, bad)
			s.pinAlone(bad)
			good := s.send(0, -1, "orders")
			o := s.outcome(0)
			assert.Equal(t, tc.want, reasonOf(t, o, bad))
			assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, good), "a rejection frees the context")
			assert.Equal(t, []protocol.Hash{good.Messages[0].Hash()}, o.Contexts[protocol.BroadcastContext("default", "orders")].Hashes)
		})
	}
}

func TestReferenceBlocksBehindAMissingBatch(t *testing.T) {
	s := newScene(t, 2, 0)
	s.register(0, 1)
	g := s.addGroup([]int{0, 1})
	first := s.batchOf(0, g, dataSpec{value: `{"n":1}`}, "chat")
	first.Holders = []int{0} // never reaches org2
	s.pinAlone(first)
	second := s.send(0, g, "chat")
	other := s.send(1, g, "terms")

	full, partial := s.outcome(0), s.outcome(1)
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, full, second))
	assert.Equal(t, catalogue.RejectReason("undecided"), reasonOf(t, partial, second), "blocked behind the missing batch")
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, partial, other), "other contexts go on")
	assert.NotEqual(t, "", full.Diff(partial))
	assert.Equal(t, "", full.DiffCompatible(partial), "the partial view is a prefix of the full one")
}

func TestReferenceWaitsForDefinitionsThatMatter(t *testing.T) {
	s := newScene(t, 3, 0)
	s.register(0, 2)
	s.pinAlone(s.datatypeDefinition(0, invoiceType, invoiceSchema))
	late := s.orgDefinition(1, 1, s.h.Orgs[1].Key)
	late.Holders = []int{1} // a definition stuck on its way to org1's peers
	s.pinAlone(late)
	plain := s.send(0, -1, "orders")
	typed := s.batchOf(0, -1, dataSpec{value: `{"amount":3}`, datatype: &invoiceType}, "audit")
	s.pinAlone(typed)
	unregistered := s.send(1, -1, "shipments")
	rekey := s.orgDefinition(2, 2, s.key()) // org3 changing its key: signed by org3's key
	rekey.Holders = []int{1, 2}
	s.pinAlone(rekey)
	byOrg3 := s.send(2, -1, "audit")

	stuck, full := s.outcome(0), s.outcome(1)
	for _, bt := range []*Batch{plain, typed, unregistered} {
		assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, full, bt))
	}
	assert.Equal(t, catalogue.RejectWrongSigner, reasonOf(t, full, byOrg3), "org3 has a new key by then")
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, stuck, plain),
		"an undecided definition that cannot change the judgement holds nothing up")
	assert.Equal(t, catalogue.RejectReason("undecided"), reasonOf(t, stuck, typed), "uses a datatype")
	assert.Equal(t, catalogue.RejectReason("undecided"), reasonOf(t, stuck, unregistered), "author not registered yet")
	assert.Equal(t, catalogue.RejectReason("undecided"), reasonOf(t, stuck, byOrg3), "the definition is signed with its key")
}

func TestReferenceRejectsDefinitionsOfOthers(t *testing.T) {
	s := newScene(t, 2, 0)
	s.register(0, 1)
	foreignOrg := s.orgDefinition(0, 1, s.key())
	s.pinAlone(foreignOrg)
	foreignNode := s.nodeDefinition(0, 1)
	s.pinAlone(foreignNode)
	stolenKey := s.orgDefinition(0, 0, s.h.Orgs[1].Key)
	s.pinAlone(stolenKey)
	bogus := s.definitionBatch(0, []byte(`{"kind":"bogus"}`))
	s.pinAlone(bogus)
	own := s.nodeDefinition(1, 1)
	s.pinAlone(own)
	o := s.outcome(0)
	assert.Equal(t, catalogue.RejectWrongSigner, reasonOf(t, o, foreignOrg))
	assert.Equal(t, catalogue.RejectWrongSigner, reasonOf(t, o, foreignNode))
	assert.Equal(t, catalogue.RejectWrongSigner, reasonOf(t, o, stolenKey), "a key registered to another org")
	assert.Equal(t, catalogue.RejectInvalidContent, reasonOf(t, o, bogus))
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, own))
	assert.Contains(t, o.Registry, "node did:lm:node/org2/node1")
	assert.NotContains(t, o.Registry, "node did:lm:node/org1/node1")
}

func TestReferenceRegistrationOrder(t *testing.T) {
	s := newScene(t, 2, 0)
	s.register(0)
	early := s.send(1, -1, "orders")
	s.register(1)
	later := s.send(1, -1, "orders")
	o := s.outcome(0)
	assert.Equal(t, catalogue.RejectAuthorNotRegistered, reasonOf(t, o, early))
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, later))
}

func TestReferenceSignersAndNonces(t *testing.T) {
	s := newScene(t, 3, 0)
	s.register(0, 1, 2)
	g := s.addGroup([]int{0, 1})
	forged := s.batchOf(0, -1, dataSpec{value: `{"n":1}`}, "orders")
	s.pinAlone(forged).signer = s.key()
	skipped := s.batchOf(0, g, dataSpec{value: `{"n":1}`}, "chat")
	s.pinAlone(skipped).nonceOffset = 5
	honest := s.send(0, g, "chat")
	outsider := s.send(2, g, "chat")
	o := s.outcome(0)
	assert.Equal(t, catalogue.RejectWrongSigner, reasonOf(t, o, forged))
	assert.Equal(t, catalogue.RejectNonceMismatch, reasonOf(t, o, skipped))
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, honest), "nonce 0 is still owed")
	assert.Equal(t, catalogue.RejectNotGroupMember, reasonOf(t, o, outsider))
}

func TestReferenceDuplicatesAndDatatypes(t *testing.T) {
	s := newScene(t, 1, 0)
	s.register(0)
	s.pinAlone(s.datatypeDefinition(0, invoiceType, invoiceSchema))
	twice := s.send(0, -1, "orders", "audit")
	s.pinAlone(twice)
	valid := s.batchOf(0, -1, dataSpec{value: `{"amount":3}`, datatype: &invoiceType}, "orders")
	invalid := s.batchOf(0, -1, dataSpec{value: `{"amount":"x"}`, datatype: &invoiceType}, "orders")
	ghost := s.batchOf(0, -1, dataSpec{value: `{"amount":3}`, datatype: &ghostType}, "orders")
	for _, bt := range []*Batch{valid, invalid, ghost} {
		s.pinAlone(bt)
	}
	o := s.outcome(0)
	confirmed := Decision{Decision: catalogue.DecisionConfirmed, MessageHash: twice.Messages[0].Hash()}
	duplicate := Decision{Decision: catalogue.DecisionRejected, Reason: catalogue.RejectDuplicateMessageID}
	assert.Equal(t, map[string][]string{twice.Messages[0].ID().String(): {confirmed.String(), duplicate.String()}},
		decisionsOf(o, twice), "the second pin of a batch is a duplicate")
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, valid))
	assert.Equal(t, catalogue.RejectDatatypeInvalid, reasonOf(t, o, invalid))
	assert.Equal(t, catalogue.RejectDatatypeInvalid, reasonOf(t, o, ghost))
	assert.Contains(t, o.Registry, "datatype invoice/1.0")
}

func TestReferenceFollowsReorgs(t *testing.T) {
	s := newScene(t, 1, 0)
	s.register(0)
	dropped := s.send(0, -1, "orders")
	moved := s.send(0, -1, "orders")
	s.chain.reorg(2, func(l *logSpec) bool { return l.batch == dropped })
	s.chain.mine(1)
	o := s.outcome(0)
	assert.Equal(t, catalogue.RejectReason("undecided"), reasonOf(t, o, dropped))
	require.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, moved))
	for k := range o.Decisions {
		if k.BatchID == moved.ID() {
			assert.Greater(t, k.Location.BlockNumber, uint64(3), "decided at its new place")
		}
	}
}

func TestReferenceWaitsForConfirmations(t *testing.T) {
	s := newScene(t, 1, 2)
	s.register(0)
	early := s.send(0, -1, "orders")
	s.chain.mine(0)
	s.chain.mine(0)
	last := s.send(0, -1, "orders")
	o := s.outcome(0)
	assert.Equal(t, catalogue.RejectReason("confirmed"), reasonOf(t, o, early))
	assert.Equal(t, catalogue.RejectReason("undecided"), reasonOf(t, o, last))
}
