package aggbench

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// The chain every benchmark batch is pinned on.
const (
	namespace    = "bench"
	chainName    = "ethereum:1337"
	contract     = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
	logsPerBlock = 10
	firstBlock   = 100
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// author is the one org every batch comes from; its first batch registers it.
type author struct {
	org protocol.OrgDID
	key protocol.SigningKey
}

func newAuthor() (author, error) {
	org, err := protocol.NewOrgDID("bench-org")
	if err != nil {
		return author{}, err
	}
	key, err := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	if err != nil {
		return author{}, err
	}
	return author{org: org, key: key}, nil
}

// message is what one message of a batch carries.
type message struct {
	typ   protocol.MessageType
	topic string
	value json.RawMessage
}

// batch is one batch as it reaches the aggregator: the content a peer sent
// and the chain log that pins it.
type batch struct {
	received catalogue.BatchReceived
	pinned   catalogue.PinObserved
}

// registration is the org's definition of itself, in batch 0 at log 0.
func (a author) registration() (batch, error) {
	value, err := definition.Definition{Org: &definition.Org{Org: a.org, Key: a.key}}.Value()
	if err != nil {
		return batch{}, err
	}
	return a.batch(0, []message{{typ: protocol.MessageTypeDefinition, topic: protocol.DefinitionsTopic, value: value}})
}

// broadcast is batch seq (from 1) of one broadcast message per topic.
func (a author) broadcast(seq uint64, topics []string) (batch, error) {
	msgs := make([]message, len(topics))
	for i, t := range topics {
		msgs[i] = message{typ: protocol.MessageTypeBroadcast, topic: t,
			value: fmt.Appendf(nil, `{"invoice":%d,"line":%d,"amount":"%d.00"}`, seq, i, seq%997)}
	}
	return a.batch(seq, msgs)
}

// batch builds batch seq, pinned by log seq: the log's location is a
// function of seq, so batches can be built in any order, in parallel.
func (a author) batch(seq uint64, msgs []message) (batch, error) {
	created := epoch.Add(time.Duration(seq) * time.Millisecond)
	built := make([]protocol.Message, len(msgs))
	data := make([]protocol.Data, len(msgs))
	for i, m := range msgs {
		d, err := protocol.NewData(protocol.DataFields{ID: newID(kindData, seq, i), Value: m.value})
		if err != nil {
			return batch{}, err
		}
		msg, err := protocol.BuildMessage(protocol.MessageHeaderFields{
			ID: newID(kindMessage, seq, i), Type: m.typ, TxType: protocol.TxTypeBatchPin,
			Author: a.org, Key: a.key, Created: created, Namespace: namespace, Topics: []string{m.topic},
		}, []protocol.DataRef{d.Ref()})
		if err != nil {
			return batch{}, err
		}
		built[i], data[i] = msg, d
	}
	manifest, err := protocol.BuildManifest(newID(kindBatch, seq, 0), newID(kindTx, seq, 0), built, data)
	if err != nil {
		return batch{}, err
	}
	pins, err := protocol.BatchPins(manifest, nil)
	if err != nil {
		return batch{}, err
	}
	payloadRef := "bench:" + manifest.ID().String()
	received := catalogue.BatchReceived{Namespace: namespace, BatchID: manifest.ID(), PayloadRef: payloadRef,
		Messages: make([]json.RawMessage, len(built)), Data: make([]json.RawMessage, len(data))}
	if received.Manifest, err = json.Marshal(manifest); err != nil {
		return batch{}, err
	}
	for i := range built {
		if received.Messages[i], err = json.Marshal(built[i]); err != nil {
			return batch{}, err
		}
		if received.Data[i], err = json.Marshal(data[i]); err != nil {
			return batch{}, err
		}
	}
	block := blockOf(seq)
	pinned := catalogue.PinObserved{Namespace: namespace, Signer: a.key, TxID: manifest.TxID(),
		BatchID: manifest.ID(), BatchHash: manifest.Hash(), PayloadRef: payloadRef,
		Contexts: protocol.PinHashes(pins), Timestamp: uint64(created.Unix()),
		Location: catalogue.ChainLocation{Chain: chainName, Contract: contract, BlockNumber: block,
			BlockHash: blockHash(block), TxHash: fmt.Sprintf("0x%064x", seq+1), TxIndex: uint32(seq % logsPerBlock)}}
	return batch{received: received, pinned: pinned}, nil
}

func blockOf(seq uint64) uint64 { return firstBlock + seq/logsPerBlock }

func blockHash(block uint64) string { return fmt.Sprintf("0x%064x", block<<8|0xb) }

// inputs lays batches out as the aggregator's input stream: each batch's
// BatchReceived then its PinObserved, and a ChainCheckpoint after the last
// log of each block. Batches whose index withhold reports true get no
// BatchReceived.
func inputs(batches []batch, withhold func(i int) bool) []catalogue.Payload {
	return inputsFrom(0, batches, withhold)
}

// inputsFrom is inputs for batches that start at seq first.
func inputsFrom(first int, batches []batch, withhold func(i int) bool) []catalogue.Payload {
	out := make([]catalogue.Payload, 0, len(batches)*2+len(batches)/logsPerBlock+1)
	for i, b := range batches {
		if withhold == nil || !withhold(i) {
			out = append(out, b.received)
		}
		out = append(out, b.pinned)
		if seq := uint64(first + i); i == len(batches)-1 || blockOf(seq+1) != blockOf(seq) {
			block := blockOf(seq)
			out = append(out, catalogue.ChainCheckpoint{Chain: chainName, Contract: contract,
				BlockNumber: block, BlockHash: blockHash(block)})
		}
	}
	return out
}

// Kinds of id, so the ids of one batch's parts never collide.
const (
	kindMessage byte = iota + 1
	kindData
	kindBatch
	kindTx
)

// newID is a deterministic v4-shaped UUID, unique per (kind, seq, index).
func newID(kind byte, seq uint64, index int) uuid.UUID {
	var u uuid.UUID
	u[0] = kind
	binary.BigEndian.PutUint16(u[2:], uint16(index))
	binary.BigEndian.PutUint64(u[8:], seq)
	u[6] = 0x40
	u[8] |= 0x80
	return u
}
