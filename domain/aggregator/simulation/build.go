package simulation

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// builder makes the protocol values of a history. Generate drives it at
// random; the package's tests drive it by hand.
type builder struct {
	rng   *rand.Rand
	h     *History
	clock time.Time
	chain chainBuilder
}

func newBuilder(seed int64, confirmations uint64) *builder {
	b := &builder{
		rng:   rand.New(rand.NewSource(seed)),
		clock: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		h: &History{Seed: seed, Config: aggregator.Config{Namespace: "default", Confirmations: confirmations,
			ReorgWindow: aggregator.Unlimited}, anchor: map[uuid.UUID]int{}, pinned: map[uuid.UUID]bool{},
			stats: map[string]int{}},
	}
	b.chain = chainBuilder{b: b, nextBlock: 1}
	return b
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("simulation: building a value: %v", err))
	}
	return v
}

// readerFunc lets uuid draw its bytes from the history's random source.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func (b *builder) bytes(n int) []byte {
	out := make([]byte, n)
	for i := 0; i < n; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], b.rng.Uint64())
		copy(out[i:], w[:])
	}
	return out
}

func (b *builder) id() uuid.UUID {
	return must(uuid.NewRandomFromReader(readerFunc(func(p []byte) (int, error) { return copy(p, b.bytes(len(p))), nil })))
}

func (b *builder) chainHash() string { return "0x" + hex.EncodeToString(b.bytes(32)) }

func (b *builder) key() protocol.SigningKey {
	var addr [protocol.SigningKeySize]byte
	copy(addr[:], b.bytes(protocol.SigningKeySize))
	addr[0] |= 1 // never the zero address
	return must(protocol.NewSigningKey(addr))
}

func (b *builder) addOrg() int {
	n := len(b.h.Orgs) + 1
	org := must(protocol.NewOrgDID(fmt.Sprintf("org%d", n)))
	b.h.Orgs = append(b.h.Orgs, Org{DID: org, Node: must(protocol.NewNodeDID(org, "node1")), Key: b.key()})
	return n - 1
}

func (b *builder) addGroup(members []int) int {
	members = slices.Sorted(slices.Values(members))
	ms := make([]protocol.Member, len(members))
	for i, m := range members {
		ms[i] = protocol.Member{Identity: b.h.Orgs[m].DID, Node: b.h.Orgs[m].Node}
	}
	name := fmt.Sprintf("g%d", len(b.h.Groups)+1)
	b.h.Groups = append(b.h.Groups, Group{Group: must(protocol.NewGroup(b.h.Config.Namespace, name, ms)), Members: members})
	return len(b.h.Groups) - 1
}

// dataSpec describes one data item; a nil value with blob set is blob-only.
type dataSpec struct {
	value    string
	blob     bool
	datatype *protocol.DatatypeRef
}

func (b *builder) data(s dataSpec) protocol.Data {
	f := protocol.DataFields{ID: b.id(), Datatype: s.datatype}
	if s.value != "" {
		f.Value = json.RawMessage(s.value)
	}
	if s.blob {
		content := b.bytes(16 + b.rng.Intn(48))
		ref := must(protocol.NewBlobRef(protocol.SHA256(content), int64(len(content)), fmt.Sprintf("file-%d.bin", b.rng.Intn(1000))))
		f.Blob = &ref
	}
	return must(protocol.NewData(f))
}

func (b *builder) message(author, group int, typ protocol.MessageType, topics []string, data []protocol.Data) protocol.Message {
	b.clock = b.clock.Add(time.Second)
	f := protocol.MessageHeaderFields{ID: b.id(), Type: typ, TxType: protocol.TxTypeBatchPin,
		Author: b.h.Orgs[author].DID, Key: b.h.Orgs[author].Key, Created: b.clock,
		Namespace: b.h.Config.Namespace, Topics: topics}
	if group >= 0 {
		g := b.h.Groups[group].Group.Hash()
		f.Group = &g
	}
	refs := make([]protocol.DataRef, len(data))
	for i, d := range data {
		refs[i] = d.Ref()
	}
	return must(protocol.BuildMessage(f, refs))
}

// batch seals messages into a batch delivered as built to the author, the
// group's members (private) or everyone (broadcast).
func (b *builder) batch(author, group int, msgs []protocol.Message, data []protocol.Data) *Batch {
	m := must(protocol.BuildManifest(b.id(), b.id(), msgs, data))
	bt := &Batch{Manifest: m, Messages: msgs, Data: data, Author: author, Group: group, keepData: map[int]bool{}}
	bt.Delivered = delivered(b.h.Config.Namespace, m, msgs, data)
	if group < 0 {
		bt.Delivered.PayloadRef = payloadRef(m)
		for i := range b.h.Orgs {
			bt.Holders = append(bt.Holders, i)
		}
	} else {
		node := b.h.Orgs[author].Node
		bt.Delivered.From = &node
		bt.Holders = slices.Clone(b.h.Groups[group].Members)
		if !slices.Contains(bt.Holders, author) {
			bt.Holders = append(bt.Holders, author)
		}
	}
	for _, d := range data {
		if blob, ok := d.Blob(); ok {
			bt.Blobs = append(bt.Blobs, catalogue.BlobReceived{Namespace: b.h.Config.Namespace, Hash: blob.Hash(), Size: blob.Size()})
		}
	}
	b.h.Batches = append(b.h.Batches, bt)
	return bt
}

func payloadRef(m protocol.Manifest) string { return "local:" + m.Hash().String() }

func delivered(ns string, m protocol.Manifest, msgs []protocol.Message, data []protocol.Data) catalogue.BatchReceived {
	r := catalogue.BatchReceived{Namespace: ns, BatchID: m.ID(), Manifest: must(json.Marshal(m))}
	for _, msg := range msgs {
		r.Messages = append(r.Messages, must(json.Marshal(msg)))
	}
	r.Data = []json.RawMessage{}
	for _, d := range data {
		r.Data = append(r.Data, must(json.Marshal(d)))
	}
	return r
}

// definitionBatch is a broadcast batch of one definition message whose
// single data item carries value.
func (b *builder) definitionBatch(author int, value json.RawMessage) *Batch {
	d := b.data(dataSpec{value: string(value)})
	msg := b.message(author, -1, protocol.MessageTypeDefinition, []string{protocol.DefinitionsTopic}, []protocol.Data{d})
	return b.batch(author, -1, []protocol.Message{msg}, []protocol.Data{d})
}

func (b *builder) orgDefinition(author, registers int, key protocol.SigningKey) *Batch {
	def := definition.Definition{Org: &definition.Org{Org: b.h.Orgs[registers].DID, Key: key}}
	return b.definitionBatch(author, must(def.Value()))
}

func (b *builder) nodeDefinition(author, node int) *Batch {
	o := b.h.Orgs[node]
	def := definition.Definition{Node: &definition.Node{Node: o.Node,
		Endpoint: fmt.Sprintf("https://%s.example:5100", o.DID.Name()), TransportKey: "-----BEGIN PUBLIC KEY-----" + o.DID.Name()}}
	return b.definitionBatch(author, must(def.Value()))
}

func (b *builder) datatypeDefinition(author int, ref protocol.DatatypeRef, schema string) *Batch {
	def := definition.Definition{Datatype: &definition.Datatype{Ref: ref, Schema: json.RawMessage(schema)}}
	return b.definitionBatch(author, must(def.Value()))
}

// tamperBatch delivers a batch rebuilt around one altered data value, so the
// delivered manifest no longer hashes to the pinned one (batch-hash-mismatch).
func (b *builder) tamperBatch(bt *Batch) {
	data := slices.Clone(bt.Data)
	i := b.rng.Intn(len(data))
	old := data[i]
	f := protocol.DataFields{ID: old.ID(), Value: json.RawMessage(fmt.Sprintf(`{"forged":%d}`, b.rng.Intn(1e6)))}
	if blob, ok := old.Blob(); ok {
		f.Blob = &blob
	}
	data[i] = must(protocol.NewData(f))
	msgs := make([]protocol.Message, len(bt.Messages))
	for j, msg := range bt.Messages {
		h := msg.Header()
		refs := msg.Data()
		for k := range refs {
			if refs[k].ID == old.ID() {
				refs[k] = data[i].Ref()
			}
		}
		fields := protocol.MessageHeaderFields{ID: h.ID(), Type: h.Type(), TxType: h.TxType(), Author: h.Author(),
			Key: h.Key(), Created: h.Created().Time(), Namespace: h.Namespace(), Topics: h.Topics()}
		if g, ok := h.Group(); ok {
			fields.Group = &g
		}
		msgs[j] = must(protocol.BuildMessage(fields, refs))
	}
	m := bt.Manifest
	forged := must(protocol.BuildManifest(m.ID(), m.TxID(), msgs, data))
	r := delivered(m.Namespace(), forged, msgs, data)
	r.From, r.PayloadRef = bt.Delivered.From, bt.Delivered.PayloadRef
	bt.Delivered = r
	bt.Label = "tampered-batch"
	for k := range data {
		bt.keepData[k] = true
	}
}

// tamperPart alters one data item (or message) inside an otherwise intact
// batch, keeping its claimed hash: data-hash-mismatch (message-hash-mismatch).
func (b *builder) tamperPart(bt *Batch, message bool) {
	parts, field, label := bt.Delivered.Data, "value", "tampered-data"
	if message {
		parts, field, label = bt.Delivered.Messages, "header", "tampered-message"
	}
	i := b.rng.Intn(len(parts))
	var obj map[string]json.RawMessage
	must(0, json.Unmarshal(parts[i], &obj))
	if message {
		var header map[string]json.RawMessage
		must(0, json.Unmarshal(obj[field], &header))
		header["tag"] = json.RawMessage(`"forged"`)
		obj[field] = must(json.Marshal(header))
	} else {
		obj[field] = json.RawMessage(fmt.Sprintf(`{"forged":%d}`, b.rng.Intn(1e6)))
	}
	parts = slices.Clone(parts)
	parts[i] = must(json.Marshal(obj))
	if message {
		bt.Delivered.Messages = parts
	} else {
		bt.Delivered.Data = parts
		bt.keepData[i] = true
	}
	bt.Label = label
}
