package aggregator

import (
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// decide judges a unit whose pins are all first on their contexts and records
// the decision: digests, events, registrations, and the pins it frees.
func (a *Aggregator) decide(u *unit) {
	v := a.judge(u)
	u.decided = true
	l := u.log
	if v.reason == "" {
		a.confirm(u, v.def)
	} else {
		for _, p := range u.pins {
			if p.ctx != nil {
				p.prev = p.ctx.digest
			}
		}
		u.outcome = catalogue.DecisionRejected
		values := make([]protocol.Hash, len(u.pins))
		for i, p := range u.pins {
			values[i] = p.value
		}
		for _, id := range u.ids {
			a.emit(catalogue.MessageRejected{Namespace: a.cfg.Namespace, MessageID: id.id, BatchID: l.obs.BatchID,
				Reason: v.reason, Detail: v.detail, Location: l.obs.Location, Pins: values})
		}
	}
	how := catalogue.PinConfirmed
	if v.reason != "" {
		how = catalogue.PinRejected
	}
	definitionsMoved := false
	for _, p := range u.pins {
		p.decided = true
		a.unpark(p, how)
		c := p.ctx
		if c == nil {
			// It stays in the unplaced index: a context discovered later
			// must still count it among its author's nonce pins.
			continue
		}
		c.head = p.qi + 1
		if next := c.first(); next != nil {
			a.enqueue(next)
		}
		if c.hash == a.cdef {
			a.dropPendingDef(p)
			definitionsMoved = true
		}
	}
	if definitionsMoved {
		a.releaseWaiters()
	}
	if a.source != nil {
		a.releaseDecided(l)
	}
}

func (a *Aggregator) confirm(u *unit, def *definition.Definition) {
	l := u.log
	msg := u.message
	contexts := make([]catalogue.ConfirmedContext, len(u.pins))
	for i, p := range u.pins {
		c := p.ctx
		p.prev = c.digest
		c.digest.Add(msg.Hash())
		contexts[i] = catalogue.ConfirmedContext{Context: c.hash, Pin: p.value, Count: c.digest.Count(), Digest: c.digest.Digest()}
		if c.topic == "" {
			c.topic = msg.Header().Topics()[i]
		}
	}
	u.outcome = catalogue.DecisionConfirmed
	a.confirmed.add(msg.ID(), confirmedEntry{pos: u.pos, batch: l.obs.BatchID})
	a.emit(catalogue.MessageConfirmed{Namespace: a.cfg.Namespace, MessageID: msg.ID(), BatchID: l.obs.BatchID,
		MessageHash: msg.Hash(), Location: l.obs.Location, Contexts: contexts})
	if def != nil {
		a.register(u, *def)
	}
}

// register applies a confirmed definition at its message's pin position.
func (a *Aggregator) register(u *unit, def definition.Definition) {
	id := u.message.ID()
	switch {
	case def.Org != nil:
		a.registry.addOrg(u.pos, def.Org.Org, def.Org.Key)
		key := def.Org.Key
		a.emit(catalogue.IdentityRegistered{Namespace: a.cfg.Namespace, Kind: catalogue.IdentityOrg, Org: def.Org.Org,
			Key: &key, MessageID: id})
	case def.Node != nil:
		node := def.Node.Node
		a.emit(catalogue.IdentityRegistered{Namespace: a.cfg.Namespace, Kind: catalogue.IdentityNode, Org: node.Org(),
			Node: &node, Endpoint: def.Node.Endpoint, TransportKey: def.Node.TransportKey, MessageID: id})
	case def.Datatype != nil:
		// Parse compiled it already; it compiles the same way again.
		schema, err := definition.CompileSchema(def.Datatype.Schema)
		if err != nil {
			return
		}
		a.registry.addDatatype(u.pos, def.Datatype.Ref, schema)
		a.emit(catalogue.DatatypeDefined{Namespace: a.cfg.Namespace, Name: def.Datatype.Ref.Name(),
			Version: def.Datatype.Ref.Version(), Schema: def.Datatype.Schema, MessageID: id})
	}
}

func (a *Aggregator) dropUnplaced(p *pin) {
	list := a.unplaced[p.value]
	for i, q := range list {
		if q == p {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(a.unplaced, p.value)
	} else {
		a.unplaced[p.value] = list
	}
}

func (a *Aggregator) dropPendingDef(p *pin) {
	signer := p.log.obs.Signer
	list := slices.DeleteFunc(a.pendingDefs[signer], func(q *pin) bool { return q == p })
	if len(list) == 0 {
		delete(a.pendingDefs, signer)
	} else {
		a.pendingDefs[signer] = list
	}
}
