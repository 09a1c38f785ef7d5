package simulation

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Options sizes a generated history. The zero value is the default.
type Options struct {
	// Members is the number of member orgs; 0 picks 3 to 7.
	Members int
	// Batches is the number of ordinary batches (definitions come on top); 0 means 300.
	Batches int
	// Confirmations overrides the random choice of 0 to 2.
	Confirmations *uint64
	// ReorgWindow is the aggregator's; 0 keeps all history (reorgs are at
	// most a few blocks deep, so any window of a few dozen blocks is safe).
	ReorgWindow uint64
	// Calm turns all adversity off: every org registers first, nothing is
	// tampered, mis-signed, mis-nonced, pinned twice, missing or reorged away.
	Calm bool
}

// Org is one member organisation and its only node.
type Org struct {
	DID  protocol.OrgDID
	Node protocol.NodeDID
	Key  protocol.SigningKey
}

// Group is a private group and the indexes of its member orgs.
type Group struct {
	Group   protocol.Group
	Members []int
}

// Batch is one batch as its author built it and as its holders receive it.
type Batch struct {
	Manifest protocol.Manifest
	Messages []protocol.Message
	Data     []protocol.Data
	Author   int
	// Group is the index in History.Groups, -1 for a broadcast batch.
	Group int
	// Delivered is the batch as receivers get it; tampered batches differ
	// from what was pinned.
	Delivered catalogue.BatchReceived
	// Blobs are the blobs the batch's data refers to.
	Blobs []catalogue.BlobReceived
	// Holders are the members that receive the batch.
	Holders []int
	// Label names the adversity the batch carries ("" for none).
	Label string
	// keepData marks Delivered.Data items that must travel inside the batch
	// (altered ones: whether a stray altered item "is" the listed item is not
	// specified).
	keepData map[int]bool
}

// ID is the batch id.
func (b *Batch) ID() uuid.UUID { return b.Manifest.ID() }

// Holds reports whether member receives the batch.
func (b *Batch) Holds(member int) bool { return slices.Contains(b.Holders, member) }

// History is one generated network history.
type History struct {
	Seed    int64
	Config  aggregator.Config
	Orgs    []Org
	Groups  []Group
	Batches []*Batch
	// Chain is every chain event (PinObserved, PinRemoved, ChainCheckpoint) in
	// the order the chain connector emits them; all members see the same.
	Chain []catalogue.Payload

	// anchor maps a batch to the index in Chain of its first PinObserved.
	anchor map[uuid.UUID]int
	// pinned holds the batches with a log on the final chain.
	pinned map[uuid.UUID]bool
	stats  map[string]int
}

// Members is the number of member orgs.
func (h *History) Members() int { return len(h.Orgs) }

// Pinned reports whether the batch has a log on the final chain.
func (h *History) Pinned(id uuid.UUID) bool { return h.pinned[id] }

// Summary is a one-line description for test logs.
func (h *History) Summary() string {
	keys := make([]string, 0, len(h.stats))
	for k := range h.stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, h.stats[k]))
	}
	return fmt.Sprintf("seed %d: %d members, %d groups, %d batches, %d chain events, confirmations %d; %s",
		h.Seed, len(h.Orgs), len(h.Groups), len(h.Batches), len(h.Chain), h.Config.Confirmations, strings.Join(parts, " "))
}

// BroadcastScope covers what every member holds: contexts that are not
// private contexts of any group, broadcast batches, and the registry.
func (h *History) BroadcastScope() Scope {
	private := map[protocol.Hash]bool{}
	for g := range h.Groups {
		for c := range h.groupContexts(g) {
			private[c] = true
		}
	}
	batches := map[uuid.UUID]bool{}
	for _, b := range h.Batches {
		if b.Group < 0 {
			batches[b.ID()] = true
		}
	}
	return Scope{
		Name:     "broadcast",
		Context:  func(c protocol.Hash) bool { return !private[c] },
		Batch:    func(id uuid.UUID) bool { return batches[id] },
		Registry: true,
	}
}

// GroupScope covers one group: its private contexts and its batches.
func (h *History) GroupScope(g int) Scope {
	contexts := h.groupContexts(g)
	batches := map[uuid.UUID]bool{}
	for _, b := range h.Batches {
		if b.Group == g {
			batches[b.ID()] = true
		}
	}
	return Scope{
		Name:    "group " + h.Groups[g].Group.Name(),
		Context: func(c protocol.Hash) bool { return contexts[c] },
		Batch:   func(id uuid.UUID) bool { return batches[id] },
	}
}

func (h *History) groupContexts(g int) map[protocol.Hash]bool {
	out := map[protocol.Hash]bool{}
	for _, t := range privateTopics {
		out[protocol.PrivateContext(h.Config.Namespace, t, h.Groups[g].Group.Hash())] = true
	}
	return out
}

// GroupHolders returns the members holding at least one batch of group g,
// and among them those holding every batch of g pinned on the final chain.
func (h *History) GroupHolders(g int) (holders, full []int) {
	for m := range h.Orgs {
		some, all := false, true
		for _, b := range h.Batches {
			if b.Group != g {
				continue
			}
			if b.Holds(m) {
				some = true
			} else if h.pinned[b.ID()] {
				all = false
			}
		}
		if some {
			holders = append(holders, m)
			if all {
				full = append(full, m)
			}
		}
	}
	return holders, full
}

// Disagreement compares members' outcomes (outcomes[m] is member m's) on
// what they are expected to share and describes the first disagreement, ""
// if there is none. Every member must equal every other on the broadcast
// scope. On a group's scope, two members that both hold every batch of the
// group pinned on the final chain must be equal; any other two holders of
// the group's batches must be compatible (Outcome.DiffCompatible): a member
// that misses a batch stops at it, so what it confirmed is a prefix of what
// the others did.
func (h *History) Disagreement(outcomes []Outcome) string {
	broadcast := h.BroadcastScope()
	for m := 1; m < len(outcomes); m++ {
		if d := outcomes[0].Restrict(broadcast).Diff(outcomes[m].Restrict(broadcast)); d != "" {
			return fmt.Sprintf("broadcast scope, member 0 vs member %d: %s", m, d)
		}
	}
	for g := range h.Groups {
		scope := h.GroupScope(g)
		holders, full := h.GroupHolders(g)
		for i, a := range holders {
			for _, b := range holders[i+1:] {
				oa, ob := outcomes[a].Restrict(scope), outcomes[b].Restrict(scope)
				d, how := oa.DiffCompatible(ob), "compatible"
				if slices.Contains(full, a) && slices.Contains(full, b) {
					d, how = oa.Diff(ob), "equal"
				}
				if d != "" {
					return fmt.Sprintf("%s, member %d vs member %d (should be %s): %s", scope.Name, a, b, how, d)
				}
			}
		}
	}
	return ""
}

// privateTopics and broadcastTopics are the topic pools messages draw from.
var (
	broadcastTopics = []string{"orders", "invoices", "shipments", "audit"}
	privateTopics   = []string{"chat", "terms", "quotes"}
)
