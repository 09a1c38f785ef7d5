package querybench

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// The shape of the generated network: every figure of the suite is about a
// log of this shape, so changing a constant changes what the figures mean.
const (
	namespace = "default"
	chainName = "ethereum:1337"
	contract  = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
	// orgs author messages; org0 is the node whose log this is, the others
	// its peers.
	orgs = 20
	// groups are private groups, each of org0 and one peer (org1..orgN).
	groups = 5
	// perBatch messages in each batch, one topic each.
	perBatch = 10
	// topics and tags the messages are spread over (a third have a tag).
	topics = 100
	tags   = 30
	// batchesPerBlock batches are pinned in each block; a ChainCheckpoint
	// follows the block's last one.
	batchesPerBlock = 10
	// vocabulary is the number of distinct words in the data values, which
	// the search phase searches.
	vocabulary = 2000
	// rejectEvery: one message in this many is rejected rather than
	// confirmed (in the rebuild's log; the query phase's are all confirmed).
	rejectEvery = 200
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// workload builds a node's event log, batch by batch, through the event
// catalogue: what org0's own node records when it sends a batch
// (MessageSubmitted with its data, BatchSealed, the operations,
// BatchDispatched, PinSubmitted) and when a peer's batch arrives
// (BatchReceived), then for every batch its PinObserved, a ChainCheckpoint
// per block and the aggregator's decisions (MessageConfirmed, or
// MessageRejected). A third of the batches are org0's own, a fifth are
// private. Everything is a function of the batch's number, so a log is the
// same on every run.
type workload struct {
	cat     *catalogue.Catalogue
	orgs    []protocol.OrgDID
	keys    []protocol.SigningKey
	node    protocol.NodeDID
	groups  []protocol.Group
	words   []string
	rejects bool
}

func newWorkload(rejects bool) (*workload, error) {
	w := &workload{cat: catalogue.Default(), rejects: rejects}
	for i := range orgs {
		org, err := protocol.NewOrgDID(fmt.Sprintf("org%d", i))
		if err != nil {
			return nil, err
		}
		key, err := protocol.ParseSigningKey(fmt.Sprintf("0x%040x", 0xabc000+i))
		if err != nil {
			return nil, err
		}
		w.orgs, w.keys = append(w.orgs, org), append(w.keys, key)
	}
	var err error
	if w.node, err = protocol.NewNodeDID(w.orgs[0], "node0"); err != nil {
		return nil, err
	}
	for g := range groups {
		peer, err := protocol.NewNodeDID(w.orgs[g+1], fmt.Sprintf("node%d", g+1))
		if err != nil {
			return nil, err
		}
		grp, err := protocol.NewGroup(namespace, fmt.Sprintf("group%d", g),
			[]protocol.Member{{Identity: w.orgs[0], Node: w.node}, {Identity: w.orgs[g+1], Node: peer}})
		if err != nil {
			return nil, err
		}
		w.groups = append(w.groups, grp)
	}
	syllables := []string{"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "pra", "dex", "sol", "qua", "fin", "gor", "lux", "bit"}
	for i := range vocabulary {
		var b strings.Builder
		for j := 0; j < 2+i%3; j++ {
			b.WriteString(syllables[(i*7+j*13+i/16)%len(syllables)])
		}
		w.words = append(w.words, fmt.Sprintf("%s%d", b.String(), i))
	}
	return w, nil
}

// genesis is what the log starts with: every org's registration and the
// groups org0 belongs to.
func (w *workload) genesis() ([]proposal, error) {
	var out []proposal
	for i, org := range w.orgs {
		key := w.keys[i]
		p, err := w.encode(newID(kindGenesis, uint64(i), 0), //nolint:gosec // i < orgs

			catalogue.IdentityRegistered{Namespace: namespace, Kind: catalogue.IdentityOrg, Org: org, Key: &key,
				MessageID: newID(kindGenesis, uint64(i), 1)})
		if err != nil {
			return nil, err
		}
		out = append(out, proposal{stream: catalogue.IdentityStream(org.String()), Proposed: p})
	}
	for g, grp := range w.groups {
		p, err := w.encode(newID(kindGenesis, uint64(orgs+g), 0),
			catalogue.GroupKnown{Namespace: namespace, Group: grp})
		if err != nil {
			return nil, err
		}
		out = append(out, proposal{stream: catalogue.GroupStream(grp.Hash()), Proposed: p})
	}
	return out, nil
}

// proposal is an event and the stream it is appended to.
type proposal struct {
	stream string
	event.Proposed
}

func (w *workload) encode(id uuid.UUID, p catalogue.Payload) (event.Proposed, error) {
	return w.cat.Encode(id, p, event.Metadata{Node: w.node.String(), Namespace: namespace})
}

// messageSeq is the number of message i of batch seq, over the whole log.
func messageSeq(seq uint64, i int) uint64 { return seq*perBatch + uint64(i) }

// author is the org that sent batch seq: org0 for a third of them.
func author(seq uint64) int {
	if seq%3 == 0 {
		return 0
	}
	if private(seq) {
		return 1 + int(seq%groups)
	}
	return 1 + int(seq%(orgs-1))
}

func private(seq uint64) bool { return seq%5 == 4 }

// topicOf, tagOf and the value are what the queries and searches select on.
func topicOf(m uint64) string { return fmt.Sprintf("topic-%03d", (m*7+m/13)%topics) }

func tagOf(m uint64) string {
	if m%3 != 0 {
		return ""
	}
	return fmt.Sprintf("tag-%02d", (m/3)%tags)
}

// word picks the n-th word of message m: a few words are common, most rare,
// as in natural text.
func (w *workload) word(m uint64, n int) string {
	h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte{byte(n)}, m))
	r := binary.BigEndian.Uint64(h[:8])
	// Squaring a uniform draw skews it towards the first words.
	f := float64(r>>11) / float64(1<<53)
	return w.words[int(f*f*vocabulary)]
}

// value is message m's one data value, ~200 bytes of JSON.
func (w *workload) value(m uint64) []byte {
	note := make([]string, 12)
	for i := range note {
		note[i] = w.word(m, i)
	}
	return fmt.Appendf(nil, `{"invoice":%d,"customer":%q,"amount":"%d.%02d","note":%q}`,
		m, w.word(m, 99), m%9973, m%100, strings.Join(note, " "))
}

func created(seq uint64) time.Time { return epoch.Add(time.Duration(seq) * 10 * time.Millisecond) }

// searchDoc is message m of batch seq as the search index holds it.
func (w *workload) searchDoc(seq uint64, i int) search.Document {
	m := messageSeq(seq, i)
	typ := "broadcast"
	if private(seq) {
		typ = "private"
	}
	fields := map[string][]string{"author": {w.orgs[author(seq)].String()}, "state": {"confirmed"},
		"topics": {topicOf(m)}, "type": {typ}}
	if t := tagOf(m); t != "" {
		fields["tag"] = []string{t}
	}
	return search.Document{Namespace: namespace, Kind: search.Messages, ID: newID(kindMessage, seq, i).String(),
		Fields: fields, Text: search.FlattenJSON(w.value(m)), Time: created(seq)}
}

// batch returns the events of batch seq with n messages (1..perBatch), in
// log order, with the ChainCheckpoint of its block when it is the block's
// last (or last is set).
func (w *workload) batch(seq uint64, n int, last bool) ([]proposal, error) {
	a := author(seq)
	org, key := w.orgs[a], w.keys[a]
	at := created(seq)
	var group *protocol.Hash
	if private(seq) {
		h := w.groups[(a+groups-1)%groups].Hash()
		group = &h
	}
	msgs := make([]protocol.Message, n)
	data := make([]protocol.Data, n)
	for i := range n {
		m := messageSeq(seq, i)
		d, err := protocol.NewData(protocol.DataFields{ID: newID(kindData, seq, i), Value: w.value(m)})
		if err != nil {
			return nil, err
		}
		typ := protocol.MessageTypeBroadcast
		if group != nil {
			typ = protocol.MessageTypePrivate
		}
		msg, err := protocol.BuildMessage(protocol.MessageHeaderFields{
			ID: newID(kindMessage, seq, i), Type: typ, TxType: protocol.TxTypeBatchPin, Author: org, Key: key,
			Created: at, Namespace: namespace, Group: group, Topics: []string{topicOf(m)}, Tag: tagOf(m),
		}, []protocol.DataRef{d.Ref()})
		if err != nil {
			return nil, err
		}
		msgs[i], data[i] = msg, d
	}
	manifest, err := protocol.BuildManifest(newID(kindBatch, seq, 0), newID(kindTx, seq, 0), msgs, data)
	if err != nil {
		return nil, err
	}
	pins, err := protocol.BatchPins(manifest, protocol.NonceSourceFunc(func(protocol.Hash, protocol.OrgDID) (uint64, error) {
		return seq, nil // any number: the projections do not check nonces
	}))
	if err != nil {
		return nil, err
	}
	hashes := protocol.PinHashes(pins)
	payloadRef := "ipfs:" + manifest.ID().String()
	block := 100 + seq/batchesPerBlock
	loc := catalogue.ChainLocation{Chain: chainName, Contract: contract, BlockNumber: block,
		BlockHash: fmt.Sprintf("0x%064x", block<<8|0xb), TxHash: fmt.Sprintf("0x%064x", seq+1),
		TxIndex: uint32(seq % batchesPerBlock)}

	var out []proposal
	k := 0
	add := func(stream string, p catalogue.Payload) error {
		ev, err := w.encode(newID(kindEvent, seq, k), p)
		k++
		if err != nil {
			return err
		}
		out = append(out, proposal{stream: stream, Proposed: ev})
		return nil
	}
	batchStream := catalogue.BatchStream(manifest.ID())
	if a == 0 {
		for i, msg := range msgs {
			if err := add(catalogue.MessageStream(msg.ID()), catalogue.MessageSubmitted{Message: msg, Data: data[i : i+1]}); err != nil {
				return nil, err
			}
		}
		contexts := make([]protocol.Hash, len(pins))
		for i, p := range pins {
			contexts[i] = p.Context
		}
		if err := add(batchStream, catalogue.BatchSealed{Manifest: manifest, Contexts: contexts, Pins: hashes}); err != nil {
			return nil, err
		}
		dispatched := catalogue.BatchDispatched{Namespace: namespace, BatchID: manifest.ID(), BatchHash: manifest.Hash(), PayloadRef: payloadRef}
		opType, target := "sharedstorage_upload_batch", "ipfs"
		if group != nil {
			g := w.groups[(a+groups-1)%groups]
			dispatched.PayloadRef, opType, target = "", "dataexchange_send_batch", g.Members()[1].Node.String()
			dispatched.Recipients = []protocol.NodeDID{g.Members()[1].Node}
		}
		for _, op := range []struct{ typ, target string }{{opType, target}, {"blockchain_pin_batch", chainName}} {
			opID := newID(kindOperation, seq, len(out))
			if err := add(catalogue.OperationStream(opID), catalogue.OperationRecorded{Namespace: namespace, ID: opID,
				Type: op.typ, BatchID: manifest.ID(), Target: op.target, Status: "succeeded", Attempts: 1,
				Created: at, Updated: at.Add(time.Millisecond)}); err != nil {
				return nil, err
			}
			if op.typ != "blockchain_pin_batch" {
				if err := add(batchStream, dispatched); err != nil {
					return nil, err
				}
			}
		}
		if err := add(batchStream, catalogue.PinSubmitted{Namespace: namespace, BatchID: manifest.ID(), TxID: manifest.TxID(),
			BatchHash: manifest.Hash(), Contexts: hashes, PayloadRef: dispatched.PayloadRef, Signer: key, Chain: chainName,
			TxHash: loc.TxHash, Nonce: seq}); err != nil {
			return nil, err
		}
	} else {
		received := catalogue.BatchReceived{Namespace: namespace, BatchID: manifest.ID(), PayloadRef: payloadRef}
		if received.Manifest, err = manifest.MarshalJSON(); err != nil {
			return nil, err
		}
		for i := range msgs {
			rawMsg, err := msgs[i].MarshalJSON()
			if err != nil {
				return nil, err
			}
			rawData, err := data[i].MarshalJSON()
			if err != nil {
				return nil, err
			}
			received.Messages = append(received.Messages, rawMsg)
			received.Data = append(received.Data, rawData)
		}
		if err := add(batchStream, received); err != nil {
			return nil, err
		}
	}
	chainStream := catalogue.ChainStream(namespace, chainName)
	if err := add(chainStream, catalogue.PinObserved{Namespace: namespace, Location: loc, Signer: key, TxID: manifest.TxID(),
		BatchID: manifest.ID(), BatchHash: manifest.Hash(), PayloadRef: payloadRef, Contexts: hashes,
		Timestamp: uint64(at.Unix())}); err != nil { //nolint:gosec // the epoch is after 1970
		return nil, err
	}
	if last || (seq+1)%batchesPerBlock == 0 {
		if err := add(chainStream, catalogue.ChainCheckpoint{Chain: chainName, Contract: contract, BlockNumber: block,
			BlockHash: loc.BlockHash}); err != nil {
			return nil, err
		}
	}
	aggStream := catalogue.AggregatorStream(namespace)
	for i, msg := range msgs {
		p := pins[i]
		var decision catalogue.Payload = catalogue.MessageConfirmed{Namespace: namespace, MessageID: msg.ID(),
			BatchID: manifest.ID(), MessageHash: msg.Hash(), Location: loc,
			Contexts: []catalogue.ConfirmedContext{{Context: p.Context, Pin: p.Hash, Count: seq + 1,
				Digest: sha256.Sum256(append(p.Context[:], p.Hash[:]...))}}}
		if w.rejects && messageSeq(seq, i)%rejectEvery == rejectEvery-1 {
			decision = catalogue.MessageRejected{Namespace: namespace, MessageID: msg.ID(), BatchID: manifest.ID(),
				Reason: catalogue.RejectWrongSigner, Detail: "signed by another key", Location: loc, Pins: []protocol.Hash{p.Hash}}
		}
		if err := add(aggStream, decision); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Kinds of id, so the ids of one batch's parts never collide.
const (
	kindMessage byte = iota + 1
	kindData
	kindBatch
	kindTx
	kindOperation
	kindEvent
	kindGenesis
)

// newID is a deterministic v4 UUID, unique per (kind, seq, index) and as
// scattered as a random one (ids in insertion order would flatter the
// read model's primary key).
func newID(kind byte, seq uint64, index int) uuid.UUID {
	var in [13]byte
	in[0] = kind
	binary.BigEndian.PutUint64(in[1:], seq)
	binary.BigEndian.PutUint32(in[9:], uint32(index)) //nolint:gosec // indexes are small
	h := sha256.Sum256(in[:])
	var u uuid.UUID
	copy(u[:], h[:16])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}
