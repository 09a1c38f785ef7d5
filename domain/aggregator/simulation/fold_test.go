package simulation

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func at(block uint64) catalogue.ChainLocation {
	return catalogue.ChainLocation{Chain: ChainName, Contract: Contract, BlockNumber: block, BlockHash: "0xab", TxHash: "0xcd"}
}

// confirmedOn builds a MessageConfirmed advancing ctx from digest d.
func confirmedOn(msg, batch uuid.UUID, hash, ctx protocol.Hash, loc catalogue.ChainLocation, d *protocol.ContextDigest) catalogue.MessageConfirmed {
	d.Add(hash)
	return catalogue.MessageConfirmed{Namespace: "default", MessageID: msg, BatchID: batch, MessageHash: hash, Location: loc,
		Contexts: []catalogue.ConfirmedContext{{Context: ctx, Pin: ctx, Count: d.Count(), Digest: d.Digest()}}}
}

func TestFoldAppliesRevocations(t *testing.T) {
	ctx := protocol.BroadcastContext("default", "orders")
	m1, m2, batch := uuid.New(), uuid.New(), uuid.New()
	h1, h2 := protocol.SHA256([]byte("one")), protocol.SHA256([]byte("two"))
	key := protocol.SigningKey{}
	org := must(protocol.NewOrgDID("org1"))

	var before, after protocol.ContextDigest
	first := confirmedOn(m1, batch, h1, ctx, at(5), &before)
	stale := confirmedOn(m2, batch, h2, ctx, at(6), &before)
	again := confirmedOn(m2, batch, h2, ctx, at(9), &after)
	out := Fold([]catalogue.Payload{
		first,
		stale,
		catalogue.IdentityRegistered{Namespace: "default", Kind: catalogue.IdentityOrg, Org: org, Key: &key, MessageID: m2},
		catalogue.DecisionRevoked{Namespace: "default", MessageID: m2, BatchID: batch, Decision: catalogue.DecisionConfirmed,
			Location: at(6), Reason: "reorg"},
		catalogue.DecisionRevoked{Namespace: "default", MessageID: m1, BatchID: batch, Decision: catalogue.DecisionConfirmed,
			Location: at(5), Reason: "reorg"},
		again,
		catalogue.MessageRejected{Namespace: "default", MessageID: m1, BatchID: batch, Reason: catalogue.RejectWrongSigner,
			Location: at(10), Pins: []protocol.Hash{ctx}},
	})
	require.Empty(t, out.Anomalies)
	assert.Equal(t, map[DecisionKey]Decision{
		{m2, batch, at(9)}:  {Decision: catalogue.DecisionConfirmed, MessageHash: h2},
		{m1, batch, at(10)}: {Decision: catalogue.DecisionRejected, Reason: catalogue.RejectWrongSigner},
	}, out.Decisions)
	assert.Equal(t, map[protocol.Hash]ContextLog{ctx: {Hashes: []protocol.Hash{h2}, Digest: after.Digest()}}, out.Contexts)
	assert.Empty(t, out.Registry, "the registration went with its message")
}

func TestFoldReportsBrokenInvariants(t *testing.T) {
	ctx := protocol.BroadcastContext("default", "orders")
	m1, m2, batch := uuid.New(), uuid.New(), uuid.New()
	h1, h2 := protocol.SHA256([]byte("one")), protocol.SHA256([]byte("two"))
	reject := catalogue.MessageRejected{Namespace: "default", MessageID: m1, BatchID: batch,
		Reason: catalogue.RejectWrongSigner, Location: at(3), Pins: []protocol.Hash{ctx}}
	var d protocol.ContextDigest
	gap := confirmedOn(m2, batch, h2, ctx, at(4), &d)
	gap.Contexts[0].Count = 2
	badDigest := confirmedOn(m1, batch, h1, ctx, at(7), new(protocol.ContextDigest))
	badDigest.Contexts[0].Digest = h1
	twice := confirmedOn(m1, batch, h1, protocol.BroadcastContext("default", "audit"), at(8), new(protocol.ContextDigest))
	schema := json.RawMessage(`{"type":"object"}`)

	for name, tc := range map[string]struct {
		outputs []catalogue.Payload
		want    string
	}{
		"decided twice": {[]catalogue.Payload{reject, reject}, "decided again"},
		"revoking nothing": {[]catalogue.Payload{catalogue.DecisionRevoked{Namespace: "default", MessageID: m1,
			BatchID: batch, Decision: catalogue.DecisionConfirmed, Location: at(3), Reason: "reorg"}}, "does not stand"},
		"revoking the other decision": {[]catalogue.Payload{reject, catalogue.DecisionRevoked{Namespace: "default",
			MessageID: m1, BatchID: batch, Decision: catalogue.DecisionConfirmed, Location: at(3), Reason: "reorg"}}, "does not stand"},
		"counts with a gap":       {[]catalogue.Payload{gap}, "has count 2 at place 1"},
		"digest that is wrong":    {[]catalogue.Payload{badDigest}, "claims digest"},
		"message confirmed twice": {[]catalogue.Payload{badDigest, twice}, "confirmed 2 times"},
		"registration by nobody": {[]catalogue.Payload{catalogue.DatatypeDefined{Namespace: "default", Name: "x",
			Version: "1", Schema: schema, MessageID: m2}}, "not confirmed"},
	} {
		t.Run(name, func(t *testing.T) {
			out := Fold(tc.outputs)
			require.NotEmpty(t, out.Anomalies)
			assert.Contains(t, out.Anomalies[0], tc.want)
		})
	}
}

func TestOutcomeDiffAndRestrict(t *testing.T) {
	a, b := protocol.SHA256([]byte("a")), protocol.SHA256([]byte("b"))
	orders, chat := protocol.BroadcastContext("default", "orders"), protocol.BroadcastContext("default", "chat")
	batch, other := uuid.New(), uuid.New()
	long := newOutcome()
	long.Contexts[orders] = ContextLog{Hashes: []protocol.Hash{a, b}, Digest: b}
	long.Contexts[chat] = ContextLog{Hashes: []protocol.Hash{a}, Digest: a}
	long.Decisions[DecisionKey{uuid.New(), batch, at(1)}] = Decision{Decision: catalogue.DecisionConfirmed, MessageHash: a}
	long.Decisions[DecisionKey{uuid.New(), other, at(2)}] = Decision{Decision: catalogue.DecisionConfirmed, MessageHash: b}
	short := newOutcome()
	short.Contexts[orders] = ContextLog{Hashes: []protocol.Hash{a}, Digest: a}

	assert.Equal(t, "", long.Diff(long))
	assert.True(t, long.Equal(long))
	assert.Contains(t, long.Diff(short), "undecided in other")
	assert.Contains(t, long.Diff(short), "more differences")
	assert.Equal(t, "", long.DiffCompatible(short), "a prefix is compatible")
	forked := newOutcome()
	forked.Contexts[orders] = ContextLog{Hashes: []protocol.Hash{b}, Digest: b}
	assert.Contains(t, long.DiffCompatible(forked), "message #1")

	only := long.Restrict(Scope{Context: func(c protocol.Hash) bool { return c == orders },
		Batch: func(id uuid.UUID) bool { return id == batch }})
	assert.Len(t, only.Contexts, 1)
	assert.Len(t, only.Decisions, 1)
}
