package aggregator

import (
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// contextState is one ordering context: the pins placed on it in chain order
// (decided ones first, while they are inside the reorg window) and its digest.
type contextState struct {
	hash   protocol.Hash
	group  *groupState // nil for broadcast
	topic  string      // "" until a batch names it (broadcast)
	queue  []*pin
	base   int // pins dropped from the front of queue by compaction
	head   int // absolute index of the first undecided pin
	digest protocol.ContextDigest
	// next is each group member's next nonce on a private context.
	next map[protocol.OrgDID]uint64
}

func (c *contextState) at(i int) *pin { return c.queue[i-c.base] }

func (c *contextState) end() int { return c.base + len(c.queue) }

// first returns the first undecided pin, or nil.
func (c *contextState) first() *pin {
	if c.head >= c.end() {
		return nil
	}
	return c.at(c.head)
}

// previous returns the undecided pin before p on its context, or nil when p
// is first.
func (c *contextState) previous(p *pin) *pin {
	if p.qi <= c.head {
		return nil
	}
	return c.at(p.qi - 1)
}

// push appends p, which must come after every pin already queued.
func (c *contextState) push(p *pin) {
	p.ctx = c
	p.qi = c.end()
	c.queue = append(c.queue, p)
}

// sortQueue re-sorts the undecided part after pins observed earlier were
// placed late (a context discovered after its pins were observed).
func (c *contextState) sortQueue() {
	undecided := c.queue[c.head-c.base:]
	slices.SortFunc(undecided, func(a, b *pin) int { return a.pos.compare(b.pos) })
	for i, p := range c.queue {
		p.qi = c.base + i
	}
}

// groupState is a private group this node knows the members of.
type groupState struct {
	hash    protocol.Hash
	members []protocol.OrgDID // sorted, unique
}

func (g *groupState) has(org protocol.OrgDID) bool {
	_, ok := slices.BinarySearchFunc(g.members, org, func(a, b protocol.OrgDID) int {
		if a.String() < b.String() {
			return -1
		}
		if a.String() > b.String() {
			return 1
		}
		return 0
	})
	return ok
}

func newGroupState(g protocol.Group) *groupState {
	var orgs []protocol.OrgDID
	for _, m := range g.Members() {
		// Members are sorted by identity, so equal orgs are adjacent.
		if len(orgs) == 0 || orgs[len(orgs)-1] != m.Identity {
			orgs = append(orgs, m.Identity)
		}
	}
	return &groupState{hash: g.Hash(), members: orgs}
}
