package simulation

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// DecisionKey names one decision: a message of a batch as pinned by one log
// (a batch pinned twice is decided once per log).
type DecisionKey struct {
	MessageID uuid.UUID
	BatchID   uuid.UUID
	Location  catalogue.ChainLocation
}

func (k DecisionKey) String() string {
	return fmt.Sprintf("message %s of batch %s at %d/%d/%d", short(k.MessageID[:]), short(k.BatchID[:]),
		k.Location.BlockNumber, k.Location.TxIndex, k.Location.LogIndex)
}

func compareKeys(a, b DecisionKey) int {
	switch {
	case a.Location.Less(b.Location):
		return -1
	case b.Location.Less(a.Location):
		return 1
	}
	if c := bytes.Compare(a.MessageID[:], b.MessageID[:]); c != 0 {
		return c
	}
	return bytes.Compare(a.BatchID[:], b.BatchID[:])
}

// Decision is what stands for a message in the end.
type Decision struct {
	Decision catalogue.Decision
	// Reason is set for rejections.
	Reason catalogue.RejectReason
	// MessageHash is set for confirmations.
	MessageHash protocol.Hash
}

func (d Decision) String() string {
	if d.Decision == catalogue.DecisionRejected {
		return fmt.Sprintf("rejected (%s)", d.Reason)
	}
	return fmt.Sprintf("confirmed (%s)", short(d.MessageHash[:]))
}

// ContextLog is one context's confirmed messages in pin order and the
// running digest after the last.
type ContextLog struct {
	Hashes []protocol.Hash
	Digest protocol.Hash
}

// Outcome is the final result of a run: the confirmed sequence of every
// context, the decision standing for every (message, batch, log), and the
// registry (identities and datatypes, keyed "org <did>", "node <did>",
// "datatype <name>/<version>"). Anomalies are broken invariants Fold noticed
// in an output stream; a correct stream has none.
type Outcome struct {
	Contexts  map[protocol.Hash]ContextLog
	Decisions map[DecisionKey]Decision
	Registry  map[string]string
	Anomalies []string
}

func newOutcome() Outcome {
	return Outcome{Contexts: map[protocol.Hash]ContextLog{}, Decisions: map[DecisionKey]Decision{}, Registry: map[string]string{}}
}

// Scope selects the part of an outcome some members are expected to share.
type Scope struct {
	Name     string
	Context  func(protocol.Hash) bool
	Batch    func(uuid.UUID) bool
	Registry bool
}

// Restrict keeps the contexts and decisions in s (and the registry if s has
// it). Anomalies are kept.
func (o Outcome) Restrict(s Scope) Outcome {
	out := newOutcome()
	for c, l := range o.Contexts {
		if s.Context(c) {
			out.Contexts[c] = l
		}
	}
	for k, d := range o.Decisions {
		if s.Batch(k.BatchID) {
			out.Decisions[k] = d
		}
	}
	if s.Registry {
		maps.Copy(out.Registry, o.Registry)
	}
	out.Anomalies = slices.Clone(o.Anomalies)
	return out
}

// Equal reports whether o and other are the same.
func (o Outcome) Equal(other Outcome) bool { return o.Diff(other) == "" }

// Diff describes the first difference between o ("this") and other, in the
// order anomalies, decisions (chain order), contexts, registry; "" if none.
func (o Outcome) Diff(other Outcome) string { return o.diff(other, false) }

// DiffCompatible is Diff for members that may hold less than each other:
// every context of one must be a prefix of the other's, decisions both made
// must agree, and the registries must be equal.
func (o Outcome) DiffCompatible(other Outcome) string { return o.diff(other, true) }

func (o Outcome) diff(other Outcome, partial bool) string {
	var diffs []string
	note := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if !slices.Equal(o.Anomalies, other.Anomalies) {
		note("anomalies differ: this %q, other %q", o.Anomalies, other.Anomalies)
	}
	keys := slices.SortedFunc(maps.Keys(union(o.Decisions, other.Decisions)), compareKeys)
	for _, k := range keys {
		a, inA := o.Decisions[k]
		b, inB := other.Decisions[k]
		switch {
		case inA && inB && a != b:
			note("%s: %s here, %s in other", k, a, b)
		case partial && (!inA || !inB):
		case !inB:
			note("%s: %s here, undecided in other", k, a)
		case !inA:
			note("%s: undecided here, %s in other", k, b)
		}
	}
	for _, c := range slices.SortedFunc(maps.Keys(union(o.Contexts, other.Contexts)), compareHashes) {
		if d := diffContext(o.Contexts[c], other.Contexts[c], partial); d != "" {
			note("context %s: %s", short(c[:]), d)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(union(o.Registry, other.Registry))) {
		if a, b := o.Registry[k], other.Registry[k]; a != b {
			note("registry %s: %q here, %q in other", k, a, b)
		}
	}
	switch len(diffs) {
	case 0:
		return ""
	case 1:
		return diffs[0]
	}
	return fmt.Sprintf("%s (and %d more differences)", diffs[0], len(diffs)-1)
}

func diffContext(a, b ContextLog, partial bool) string {
	n := min(len(a.Hashes), len(b.Hashes))
	for i := range n {
		if a.Hashes[i] != b.Hashes[i] {
			return fmt.Sprintf("message #%d is %s here, %s in other", i+1, short(a.Hashes[i][:]), short(b.Hashes[i][:]))
		}
	}
	switch {
	case len(a.Hashes) != len(b.Hashes) && !partial:
		return fmt.Sprintf("%d messages here, %d in other", len(a.Hashes), len(b.Hashes))
	case len(a.Hashes) == len(b.Hashes) && a.Digest != b.Digest:
		return fmt.Sprintf("digest %s here, %s in other", short(a.Digest[:]), short(b.Digest[:]))
	}
	return ""
}

// String summarises the outcome for logs.
func (o Outcome) String() string {
	confirmed, rejected := 0, map[catalogue.RejectReason]int{}
	for _, d := range o.Decisions {
		if d.Decision == catalogue.DecisionConfirmed {
			confirmed++
		} else {
			rejected[d.Reason]++
		}
	}
	return fmt.Sprintf("%d contexts, %d confirmed, rejected %v, %d registry entries, %d anomalies",
		len(o.Contexts), confirmed, rejected, len(o.Registry), len(o.Anomalies))
}

func union[K comparable, V any](a, b map[K]V) map[K]bool {
	out := make(map[K]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func compareHashes(a, b protocol.Hash) int { return bytes.Compare(a[:], b[:]) }

func short(b []byte) string { return fmt.Sprintf("%x", b[:min(len(b), 4)]) }
