package simulation

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Reference decides inputs by the aggregator's documented rules, the slow
// and obvious way: it collects the final state (the logs left after
// removals, in chain order, and all content held), places the private pins,
// then sweeps the logs in chain order deciding every message that is
// decidable until a sweep decides nothing more.
//
// Readings worth knowing: duplicate-message-id counts any earlier-pinned
// decision on the id, rejections included ("already decided"); the chain head
// is the highest ChainCheckpoint; a definition is a definition message on the
// definitions topic alone with one data item. Where the documentation leaves
// a case open the reference picks one reading (the generator avoids all of
// them): a PinObserved that is not after every log present is ignored; the
// first BatchReceived, DataReceived for an id wins; a batch whose manifest
// does not parse is treated as not here; a batch whose pin count differs
// from its log's lends every pin to every message; a message's own pins
// never block each other.
func Reference(cfg aggregator.Config, inputs []catalogue.Payload) Outcome {
	r := collect(cfg, inputs)
	r.prepare()
	for r.sweep() {
	}
	return r.out
}

type refPin struct {
	log      *refLog
	ord      int
	value    protocol.Hash
	context  protocol.Hash // zero when a private pin is not placed
	owner    protocol.OrgDID
	consumed bool
}

type refLog struct {
	obs     catalogue.PinObserved
	pins    []*refPin
	batch   *refBatch
	owned   [][]*refPin // per manifest message
	decided []bool
}

type reference struct {
	ns            string
	confirmations uint64
	head          uint64
	logs          []*refLog
	batches       map[uuid.UUID]*refBatch
	loose         map[uuid.UUID]json.RawMessage // DataReceived by id
	blobs         map[protocol.Hash]bool
	groups        map[protocol.Hash]protocol.Group
	byContext     map[protocol.Hash][]*refPin
	definitions   []*refPin // pins on the definitions context
	decisions     []refDecision
	registrations []refRegistration
	digests       map[protocol.Hash]*protocol.ContextDigest
	out           Outcome
}

func collect(cfg aggregator.Config, inputs []catalogue.Payload) *reference {
	r := &reference{ns: cfg.Namespace, confirmations: cfg.Confirmations, batches: map[uuid.UUID]*refBatch{},
		loose: map[uuid.UUID]json.RawMessage{}, blobs: map[protocol.Hash]bool{}, groups: map[protocol.Hash]protocol.Group{},
		byContext: map[protocol.Hash][]*refPin{}, digests: map[protocol.Hash]*protocol.ContextDigest{}, out: newOutcome()}
	for _, in := range inputs {
		switch p := in.(type) {
		case catalogue.PinObserved:
			if p.Namespace == r.ns && (len(r.logs) == 0 || r.logs[len(r.logs)-1].obs.Location.Less(p.Location)) {
				r.logs = append(r.logs, &refLog{obs: p})
			}
		case catalogue.PinRemoved:
			if p.Namespace == r.ns {
				r.logs = slices.DeleteFunc(r.logs, func(l *refLog) bool { return l.obs.Location == p.Location })
			}
		case catalogue.ChainCheckpoint:
			r.head = max(r.head, p.BlockNumber)
		case catalogue.BatchReceived:
			if _, dup := r.batches[p.BatchID]; !dup && p.Namespace == r.ns {
				if m, err := protocol.UnmarshalManifest(p.Manifest); err == nil {
					r.batches[p.BatchID] = &refBatch{recv: p, manifest: m}
				}
			}
		case catalogue.DataReceived:
			if id, ok := looseID(p.Data); ok && p.Namespace == r.ns && r.loose[id] == nil {
				r.loose[id] = p.Data
			}
		case catalogue.BlobReceived:
			if p.Namespace == r.ns {
				r.blobs[p.Hash] = true
			}
		case catalogue.GroupKnown:
			if p.Namespace == r.ns {
				r.groups[p.Group.Hash()] = p.Group
			}
		}
	}
	return r
}

// looseID reads a data item's id without trusting anything else in it.
func looseID(raw json.RawMessage) (uuid.UUID, bool) {
	var w struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(w.ID)
	return id, err == nil
}

// prepare lays out the pins, places the private ones and gives each message
// its pins.
func (r *reference) prepare() {
	defs := protocol.BroadcastContext(r.ns, protocol.DefinitionsTopic)
	ord := 0
	for _, l := range r.logs {
		for _, v := range l.obs.Contexts {
			p := &refPin{log: l, ord: ord, value: v}
			ord++
			if l.obs.PayloadRef != "" {
				p.context = v
			}
			l.pins = append(l.pins, p)
		}
	}
	r.place()
	for _, b := range r.batches {
		r.load(b)
	}
	for _, l := range r.logs {
		for _, p := range l.pins {
			if !p.context.IsZero() {
				r.byContext[p.context] = append(r.byContext[p.context], p)
			}
			if l.obs.PayloadRef != "" && p.value == defs {
				r.definitions = append(r.definitions, p)
			}
		}
		l.batch = r.batches[l.obs.BatchID]
		if l.batch == nil {
			continue
		}
		entries := l.batch.manifest.Messages()
		l.decided = make([]bool, len(entries))
		l.owned = make([][]*refPin, len(entries))
		next := 0
		for i, e := range entries {
			if next+len(e.Topics) > len(l.pins) {
				next = -1
				break
			}
			l.owned[i] = l.pins[next : next+len(e.Topics)]
			next += len(e.Topics)
		}
		if next != len(l.pins) {
			for i := range l.owned {
				l.owned[i] = l.pins
			}
		}
	}
}

// place walks the private pins in chain order and places each on the
// (context, member) whose next expected nonce pin it equals, over every
// private context known: one some held batch is on, whose group is known.
func (r *reference) place() {
	type slot struct {
		context protocol.Hash
		topic   string
		group   protocol.Hash
		member  protocol.OrgDID
		nonce   uint64
	}
	expected := map[protocol.Hash]*slot{}
	seen := map[protocol.Hash]bool{}
	for _, id := range slices.SortedFunc(maps.Keys(r.batches), compareIDs) {
		m := r.batches[id].manifest
		g, private := m.Group()
		group, known := r.groups[g]
		if !private || !known {
			continue
		}
		for _, e := range m.Messages() {
			for _, t := range e.Topics {
				c := protocol.PrivateContext(r.ns, t, g)
				if seen[c] {
					continue
				}
				seen[c] = true
				for _, member := range group.Members() {
					pin := protocol.NoncePin(r.ns, t, g, member.Identity, 0)
					expected[pin] = &slot{context: c, topic: t, group: g, member: member.Identity}
				}
			}
		}
	}
	for _, l := range r.logs {
		if l.obs.PayloadRef != "" {
			continue
		}
		for _, p := range l.pins {
			s, ok := expected[p.value]
			if !ok {
				continue
			}
			p.context, p.owner = s.context, s.member
			delete(expected, p.value)
			s.nonce++
			expected[protocol.NoncePin(r.ns, s.topic, s.group, s.member, s.nonce)] = s
		}
	}
}

// sweep decides, in chain order, every message that is decidable now.
func (r *reference) sweep() bool {
	changed := false
	for _, l := range r.logs {
		if l.batch == nil {
			continue
		}
		for i := range l.decided {
			if !l.decided[i] && r.decidable(l, i) {
				r.decide(l, i)
				changed = true
			}
		}
	}
	return changed
}

func compareIDs(a, b uuid.UUID) int { return compareHashes(hashOf(a), hashOf(b)) }
