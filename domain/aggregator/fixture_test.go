package aggregator_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

const ns = "default"

// net is a tiny hand-driven network: orgs with keys, a chain position
// counter and helpers that build real batches and logs.
type net struct {
	t      *testing.T
	agg    *aggregator.Aggregator
	block  uint64
	out    []catalogue.Payload
	nonces map[string]uint64
	// inputs are every input applied, in order.
	inputs []catalogue.Payload
}

type org struct {
	did protocol.OrgDID
	key protocol.SigningKey
}

func newNet(t *testing.T, cfg aggregator.Config) *net {
	cfg.Namespace = ns
	a, err := aggregator.New(cfg)
	require.NoError(t, err)
	return &net{t: t, agg: a, nonces: map[string]uint64{}}
}

func newOrg(t *testing.T, name string, keyByte byte) org {
	did, err := protocol.NewOrgDID(name)
	require.NoError(t, err)
	var addr [protocol.SigningKeySize]byte
	addr[0], addr[19] = keyByte, 1
	key, err := protocol.NewSigningKey(addr)
	require.NoError(t, err)
	return org{did: did, key: key}
}

type batch struct {
	received catalogue.BatchReceived
	manifest protocol.Manifest
	messages []protocol.Message
}

// message builds a message of o on topics with one JSON data item.
func (n *net) message(o org, typ protocol.MessageType, group *protocol.Hash, value string, topics ...string) (protocol.Message, protocol.Data) {
	d, err := protocol.NewData(protocol.DataFields{ID: uuid.New(), Value: json.RawMessage(value)})
	require.NoError(n.t, err)
	m, err := protocol.BuildMessage(protocol.MessageHeaderFields{ID: uuid.New(), Type: typ, TxType: protocol.TxTypeBatchPin,
		Author: o.did, Key: o.key, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Namespace: ns, Group: group,
		Topics: topics}, []protocol.DataRef{d.Ref()})
	require.NoError(n.t, err)
	return m, d
}

func (n *net) batch(msgs []protocol.Message, data []protocol.Data) batch {
	m, err := protocol.BuildManifest(uuid.New(), uuid.New(), msgs, data)
	require.NoError(n.t, err)
	raw := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		require.NoError(n.t, err)
		return b
	}
	r := catalogue.BatchReceived{Namespace: ns, BatchID: m.ID(), Manifest: raw(m)}
	for _, msg := range msgs {
		r.Messages = append(r.Messages, raw(msg))
	}
	for _, d := range data {
		r.Data = append(r.Data, raw(d))
	}
	return batch{received: r, manifest: m, messages: msgs}
}

func (n *net) broadcast(o org, topics ...string) batch {
	m, d := n.message(o, protocol.MessageTypeBroadcast, nil, `{"n":1}`, topics...)
	return n.batch([]protocol.Message{m}, []protocol.Data{d})
}

func (n *net) registration(o org) batch {
	v, err := definition.Definition{Org: &definition.Org{Org: o.did, Key: o.key}}.Value()
	require.NoError(n.t, err)
	m, d := n.message(o, protocol.MessageTypeDefinition, nil, string(v), protocol.DefinitionsTopic)
	return n.batch([]protocol.Message{m}, []protocol.Data{d})
}

// pin builds the log that pins b, signed by signer, in the next block.
func (n *net) pin(b batch, signer protocol.SigningKey) catalogue.PinObserved {
	n.block++
	group, private := b.manifest.Group()
	pins, err := protocol.BatchPins(b.manifest, protocol.NonceSourceFunc(func(c protocol.Hash, a protocol.OrgDID) (uint64, error) {
		k := c.String() + a.String()
		v := n.nonces[k]
		n.nonces[k] = v + 1
		return v, nil
	}))
	require.NoError(n.t, err)
	_ = group
	ref := "local:" + b.manifest.ID().String()
	if private {
		ref = ""
	}
	return catalogue.PinObserved{Namespace: ns, Location: n.loc(n.block), Signer: signer, TxID: b.manifest.TxID(),
		BatchID: b.manifest.ID(), BatchHash: b.manifest.Hash(), PayloadRef: ref, Contexts: protocol.PinHashes(pins)}
}

func (n *net) loc(block uint64) catalogue.ChainLocation {
	return catalogue.ChainLocation{Chain: "ethereum:1337", Contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
		BlockNumber: block, BlockHash: fmt.Sprintf("0x%064x", block), TxHash: fmt.Sprintf("0x%064x", block+1<<32)}
}

func (n *net) apply(inputs ...catalogue.Payload) []catalogue.Payload {
	var out []catalogue.Payload
	for _, in := range inputs {
		n.inputs = append(n.inputs, in)
		o, err := n.agg.Apply(in)
		require.NoError(n.t, err)
		out = append(out, o...)
	}
	n.out = append(n.out, out...)
	return out
}

// advance moves the chain head blocks past the last block and applies it
// often enough for compaction to run (aggregator.CompactEvery inputs).
func (n *net) advance(blocks uint64) {
	n.block += blocks
	loc := n.loc(n.block)
	for range aggregator.CompactEvery {
		n.apply(catalogue.ChainCheckpoint{Chain: loc.Chain, Contract: loc.Contract, BlockNumber: n.block, BlockHash: loc.BlockHash})
	}
}

// register confirms o's org definition.
func (n *net) register(o org) {
	b := n.registration(o)
	out := n.apply(b.received, n.pin(b, o.key))
	require.Len(n.t, only[catalogue.IdentityRegistered](out), 1, "registration of %s: %v", o.did, out)
}

func only[T catalogue.Payload](out []catalogue.Payload) []T {
	var r []T
	for _, p := range out {
		if v, ok := p.(T); ok {
			r = append(r, v)
		}
	}
	return r
}

func (n *net) group(name string, orgs ...org) protocol.Group {
	var members []protocol.Member
	for _, o := range orgs {
		node, err := protocol.NewNodeDID(o.did, "node1")
		require.NoError(n.t, err)
		members = append(members, protocol.Member{Identity: o.did, Node: node})
	}
	g, err := protocol.NewGroup(ns, name, members)
	require.NoError(n.t, err)
	return g
}

func (n *net) private(o org, g protocol.Group, topics ...string) batch {
	h := g.Hash()
	m, d := n.message(o, protocol.MessageTypePrivate, &h, `{"secret":true}`, topics...)
	return n.batch([]protocol.Message{m}, []protocol.Data{d})
}

func newID() uuid.UUID { return uuid.New() }

func headerOf(o org, topics ...string) protocol.MessageHeaderFields {
	return protocol.MessageHeaderFields{ID: uuid.New(), Type: protocol.MessageTypeBroadcast, TxType: protocol.TxTypeBatchPin,
		Author: o.did, Key: o.key, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Namespace: ns, Topics: topics}
}
