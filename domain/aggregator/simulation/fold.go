package simulation

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

type standing struct {
	decision Decision
	contexts []catalogue.ConfirmedContext
}

type registration struct {
	message    uuid.UUID
	key, value string
	revoked    bool
}

type folder struct {
	standing      map[DecisionKey]standing
	registrations []registration
	anomalies     []string
}

// Fold turns an aggregator's output stream into the decisions that stand at
// its end: a DecisionRevoked cancels the decision it names (and what the
// message registered). It records as anomalies what a correct stream never
// does: deciding a (message, batch, log) that already has a standing
// decision, revoking one that has none, confirming a message id twice, a
// context whose counts are not 1..n, a digest that does not recompute from
// the confirmed hashes, a registration by a message that is not confirmed,
// an output that is no aggregator output.
func Fold(outputs []catalogue.Payload) Outcome {
	f := &folder{standing: map[DecisionKey]standing{}}
	for _, p := range outputs {
		if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer && !v.IsNil() {
			p, _ = v.Elem().Interface().(catalogue.Payload)
		}
		switch e := p.(type) {
		case catalogue.MessageConfirmed:
			f.decide(DecisionKey{e.MessageID, e.BatchID, e.Location},
				standing{Decision{Decision: catalogue.DecisionConfirmed, MessageHash: e.MessageHash}, e.Contexts})
		case catalogue.MessageRejected:
			f.decide(DecisionKey{e.MessageID, e.BatchID, e.Location},
				standing{decision: Decision{Decision: catalogue.DecisionRejected, Reason: e.Reason}})
		case catalogue.DecisionRevoked:
			f.revoke(e)
		case catalogue.IdentityRegistered:
			k, v := identityEntry(e)
			f.registrations = append(f.registrations, registration{message: e.MessageID, key: k, value: v})
		case catalogue.DatatypeDefined:
			k, v := datatypeEntry(e)
			f.registrations = append(f.registrations, registration{message: e.MessageID, key: k, value: v})
		case catalogue.PinParked, catalogue.PinUnparked:
		default:
			f.anomaly("unexpected output %T", p)
		}
	}
	return f.outcome()
}

func (f *folder) anomaly(format string, args ...any) {
	f.anomalies = append(f.anomalies, fmt.Sprintf(format, args...))
}

func (f *folder) decide(k DecisionKey, s standing) {
	if old, ok := f.standing[k]; ok {
		f.anomaly("%s decided again: %s while %s stands", k, s.decision, old.decision)
	}
	f.standing[k] = s
}

func (f *folder) revoke(e catalogue.DecisionRevoked) {
	k := DecisionKey{e.MessageID, e.BatchID, e.Location}
	old, ok := f.standing[k]
	if !ok || old.decision.Decision != e.Decision {
		f.anomaly("%s: revoking a %s decision that does not stand", k, e.Decision)
		return
	}
	delete(f.standing, k)
	if e.Decision != catalogue.DecisionConfirmed {
		return
	}
	for i := range f.registrations {
		if f.registrations[i].message == e.MessageID {
			f.registrations[i].revoked = true
		}
	}
}

type contextEntry struct {
	count   uint64
	message protocol.Hash
	digest  protocol.Hash
	key     DecisionKey
}

func (f *folder) outcome() Outcome {
	out := newOutcome()
	confirmed := map[uuid.UUID][]DecisionKey{}
	entries := map[protocol.Hash][]contextEntry{}
	for _, k := range slices.SortedFunc(maps.Keys(f.standing), compareKeys) {
		s := f.standing[k]
		out.Decisions[k] = s.decision
		if s.decision.Decision != catalogue.DecisionConfirmed {
			continue
		}
		confirmed[k.MessageID] = append(confirmed[k.MessageID], k)
		for _, c := range s.contexts {
			entries[c.Context] = append(entries[c.Context], contextEntry{c.Count, s.decision.MessageHash, c.Digest, k})
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(confirmed), compareIDs) {
		if ks := confirmed[id]; len(ks) > 1 {
			f.anomaly("message %s confirmed %d times (%s, %s)", short(id[:]), len(ks), ks[0], ks[1])
		}
	}
	for _, c := range slices.SortedFunc(maps.Keys(entries), compareHashes) {
		out.Contexts[c] = f.contextLog(c, entries[c])
	}
	for _, r := range f.registrations {
		if r.revoked {
			continue
		}
		if len(confirmed[r.message]) == 0 {
			f.anomaly("%s registered by message %s, which is not confirmed", r.key, short(r.message[:]))
		}
		out.Registry[r.key] = r.value
	}
	out.Anomalies = f.anomalies
	return out
}

func (f *folder) contextLog(c protocol.Hash, es []contextEntry) ContextLog {
	sort.SliceStable(es, func(i, j int) bool { return es[i].count < es[j].count })
	var log ContextLog
	var digest protocol.ContextDigest
	for i, e := range es {
		if e.count != uint64(i+1) {
			f.anomaly("context %s: %s has count %d at place %d", short(c[:]), e.key, e.count, i+1)
		}
		digest.Add(e.message)
		if want := digest.Digest(); e.digest != want {
			f.anomaly("context %s: %s claims digest %s, the hashes give %s", short(c[:]), e.key,
				short(e.digest[:]), short(want[:]))
		}
		log.Hashes = append(log.Hashes, e.message)
	}
	log.Digest = digest.Digest()
	if len(es) > 0 {
		log.Digest = es[len(es)-1].digest
	}
	return log
}

func hashOf(id uuid.UUID) protocol.Hash {
	var h protocol.Hash
	copy(h[:], id[:])
	return h
}

// identityEntry and datatypeEntry are the registry's keys and values, shared
// by Fold and Reference so both describe a registration the same way.
func identityEntry(r catalogue.IdentityRegistered) (string, string) {
	if r.Kind == catalogue.IdentityNode && r.Node != nil {
		return "node " + r.Node.String(), fmt.Sprintf("org=%s endpoint=%s transportKey=%q message=%s",
			r.Org, r.Endpoint, r.TransportKey, r.MessageID)
	}
	key := ""
	if r.Key != nil {
		key = r.Key.String()
	}
	return "org " + r.Org.String(), fmt.Sprintf("key=%s message=%s", key, r.MessageID)
}

func datatypeEntry(d catalogue.DatatypeDefined) (string, string) {
	schema, err := canonicaljson.Canonicalize(d.Schema)
	if err != nil {
		schema = d.Schema
	}
	return "datatype " + d.Name + "/" + d.Version, fmt.Sprintf("schema=%s message=%s", schema, d.MessageID)
}
