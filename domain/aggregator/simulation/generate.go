package simulation

import (
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Generate builds a random history from seed: the same seed and options
// always give the same history.
func Generate(seed int64, opts Options) *History {
	g := &generator{b: newBuilder(seed, 0), opts: opts, later: map[int][]*Batch{}}
	g.b.h.Config.Confirmations = uint64(g.b.rng.Intn(3))
	if opts.Confirmations != nil {
		g.b.h.Config.Confirmations = *opts.Confirmations
	}
	if opts.ReorgWindow != 0 {
		g.b.h.Config.ReorgWindow = opts.ReorgWindow
	}
	g.run()
	return g.b.h
}

type generator struct {
	b    *builder
	opts Options
	// later holds batches to pin a second time at a later step.
	later map[int][]*Batch
	now   int
}

func (g *generator) chance(p float64) bool { return !g.opts.Calm && g.b.rng.Float64() < p }

func (g *generator) run() {
	b, rng := g.b, g.b.rng
	members := g.opts.Members
	if members == 0 {
		members = 3 + rng.Intn(5)
	}
	members = max(members, 2) // groups and foreign definitions need two
	for range members {
		b.addOrg()
	}
	for range 2 + rng.Intn(3) {
		b.addGroup(rng.Perm(members)[:2+rng.Intn(members-1)])
	}
	batches := g.opts.Batches
	if batches == 0 {
		batches = 300
	}
	var late []int
	for o := range members {
		switch r := rng.Float64(); {
		case o > 0 && !g.opts.Calm && r < 0.1 && b.h.stats["never-registered"] == 0:
			b.h.stats["never-registered"]++
		case o > 0 && !g.opts.Calm && r < 0.25:
			late = append(late, o)
			b.h.stats["late-registered"]++
		default:
			g.register(o)
		}
	}
	g.pin(b.datatypeDefinition(0, invoiceType, invoiceSchema))
	shipmentAt := batches / 10
	if g.opts.Calm {
		shipmentAt = 0
	}
	for i := range batches {
		if i == shipmentAt {
			g.pin(b.datatypeDefinition(0, shipmentType, shipmentSchema))
		}
		if i == batches/3 {
			for _, o := range late {
				g.register(o)
			}
		}
		if i == batches/2 && !g.opts.Calm {
			g.badDefinitions()
		}
		g.now = i
		for _, bt := range g.later[i] {
			g.pin(bt)
		}
		g.ordinary()
		g.step()
	}
	b.chain.finish(uint64(rng.Intn(int(b.h.Config.Confirmations) + 2)))
	for _, bt := range b.h.Batches {
		if bt.Label != "" {
			b.h.stats[bt.Label]++
		}
	}
}

// register pins an org's self-registration and, usually, its node's.
func (g *generator) register(o int) {
	g.pin(g.b.orgDefinition(o, o, g.b.h.Orgs[o].Key))
	if g.b.rng.Float64() < 0.7 {
		g.pin(g.b.nodeDefinition(o, o))
	}
}

// badDefinitions are definitions that must be rejected.
func (g *generator) badDefinitions() {
	b, n := g.b, len(g.b.h.Orgs)
	g.label(b.definitionBatch(0, []byte(`{"kind":"bogus"}`)), "invalid-definition")
	g.label(b.definitionBatch(0, []byte(`{"kind":"datatype","name":"broken","version":"1.0","schema":{"type":12}}`)), "invalid-schema")
	g.label(b.orgDefinition(0, 1+b.rng.Intn(n-1), b.key()), "foreign-org-definition")
	g.label(b.nodeDefinition(0, 1+b.rng.Intn(n-1)), "foreign-node-definition")
}

func (g *generator) label(bt *Batch, label string) {
	bt.Label = label
	g.pin(bt)
}

func (g *generator) pin(bt *Batch) *logSpec { return g.b.chain.pin(bt) }

// step mines, checkpoints and reorganises at random.
func (g *generator) step() {
	c, rng := &g.b.chain, g.b.rng
	if rng.Float64() < 0.5 {
		c.mine(1 + rng.Intn(4))
		if rng.Float64() < 0.5 {
			c.checkpoint(0)
		}
	}
	if g.chance(0.04) {
		c.reorg(1+rng.Intn(3), func(*logSpec) bool { return rng.Float64() < 0.15 })
	}
}

// ordinary makes one batch of broadcast or private messages, maybe with one
// kind of adversity, and queues its pin.
func (g *generator) ordinary() {
	b, rng := g.b, g.b.rng
	author := rng.Intn(len(b.h.Orgs))
	group := -1
	if rng.Float64() < 0.5 {
		group = g.groupOf(author, true)
	}
	adversity := rng.Float64()
	if g.opts.Calm {
		adversity = 1
	}
	if adversity >= 0.21 && adversity < 0.23 {
		if other := g.groupOf(author, false); other >= 0 {
			group = other
		}
	}
	if adversity >= 0.18 && adversity < 0.21 {
		if bt := g.resend(author, group); bt != nil {
			g.finishBatch(bt, nil)
			return
		}
	}
	var msgs []protocol.Message
	var data []protocol.Data
	for range 1 + rng.Intn(3) {
		var own []protocol.Data
		for range 1 + rng.Intn(2) {
			own = append(own, b.data(g.dataSpec()))
		}
		typ, pool := protocol.MessageTypeBroadcast, broadcastTopics
		if group >= 0 {
			typ, pool = protocol.MessageTypePrivate, privateTopics
		}
		perm := rng.Perm(len(pool))[:1+rng.Intn(3)]
		topics := make([]string, len(perm))
		for i, p := range perm {
			topics[i] = pool[p]
		}
		msgs = append(msgs, b.message(author, group, typ, topics, own))
		data = append(data, own...)
	}
	bt := b.batch(author, group, msgs, data)
	if group >= 0 && !slices.Contains(b.h.Groups[group].Members, author) {
		bt.Label = "not-group-member"
	}
	var spec func(*logSpec)
	switch {
	case adversity < 0.03:
		b.tamperBatch(bt)
	case adversity < 0.05:
		b.tamperPart(bt, false)
	case adversity < 0.06:
		b.tamperPart(bt, true)
	case adversity < 0.10:
		bt.Label = "wrong-signer"
		spec = func(s *logSpec) { s.signer = b.key() }
	case adversity < 0.14:
		if group >= 0 {
			bt.Label = "wrong-nonce"
			spec = func(s *logSpec) { s.nonceOffset = 1<<20 + uint64(rng.Intn(1000)) }
		}
	case adversity < 0.18:
		bt.Label = "pinned-twice"
		at := g.now + 1 + rng.Intn(10)
		g.later[at] = append(g.later[at], bt)
	}
	g.finishBatch(bt, spec)
}

// finishBatch maybe loses the batch on its way to one group member, then pins it.
func (g *generator) finishBatch(bt *Batch, spec func(*logSpec)) {
	if bt.Group >= 0 && g.chance(0.04) {
		var others []int
		for _, m := range bt.Holders {
			if m != bt.Author {
				others = append(others, m)
			}
		}
		if len(others) > 0 {
			lost := others[g.b.rng.Intn(len(others))]
			bt.Holders = slices.DeleteFunc(bt.Holders, func(m int) bool { return m == lost })
			g.b.h.stats["missing-at-a-member"]++
		}
	}
	s := g.pin(bt)
	if spec != nil {
		spec(s)
	}
}

// groupOf picks a group that has author as a member (or, with member false,
// one that does not); -1 if there is none.
func (g *generator) groupOf(author int, member bool) int {
	var fit []int
	for i, grp := range g.b.h.Groups {
		if slices.Contains(grp.Members, author) == member {
			fit = append(fit, i)
		}
	}
	if len(fit) == 0 {
		return -1
	}
	return fit[g.b.rng.Intn(len(fit))]
}

// resend puts a message of an earlier untroubled batch of the same author
// and group into a new batch: the message id comes up twice on the same
// contexts.
func (g *generator) resend(author, group int) *Batch {
	var from []*Batch
	for _, bt := range g.b.h.Batches {
		if bt.Author == author && bt.Group == group && bt.Label == "" &&
			bt.Messages[0].Header().Type() != protocol.MessageTypeDefinition {
			from = append(from, bt)
		}
	}
	if len(from) == 0 {
		return nil
	}
	src := from[g.b.rng.Intn(len(from))]
	msg := src.Messages[g.b.rng.Intn(len(src.Messages))]
	var data []protocol.Data
	for _, ref := range msg.Data() {
		for _, d := range src.Data {
			if d.ID() == ref.ID {
				data = append(data, d)
			}
		}
	}
	bt := g.b.batch(author, group, []protocol.Message{msg}, data)
	bt.Label = "resent-message"
	return bt
}
