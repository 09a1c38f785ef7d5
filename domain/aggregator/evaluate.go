package aggregator

import (
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// evaluate decides p's message if it can, and parks p with the first reason
// that applies if it cannot (see the package doc for the order).
func (a *Aggregator) evaluate(p *pin) {
	if !p.log.counted {
		a.park(p, catalogue.ParkWaitingConfirmations, nil, "")
		return
	}
	if p.unit != nil {
		a.evaluateUnit(p.unit)
		return
	}
	switch prev := a.blockerOf(p); {
	case p.ctx == nil:
		a.park(p, catalogue.ParkNotForUs, nil, notForUsDetail(p.log))
	case prev != nil:
		a.park(p, catalogue.ParkBlockedBy, prev, "previous pin on the context")
	default:
		a.park(p, catalogue.ParkWaitingBatch, nil, "batch "+p.log.obs.BatchID.String())
	}
}

// blockerOf returns the undecided pin before p on its context that is not
// part of p's own unit (a unit may hold consecutive pins of one context).
func (a *Aggregator) blockerOf(p *pin) *pin {
	if p.ctx == nil {
		return nil
	}
	prev := p.ctx.previous(p)
	for prev != nil && p.unit != nil && prev.unit == p.unit {
		prev = p.ctx.previous(prev)
	}
	return prev
}

func (a *Aggregator) evaluateUnit(u *unit) {
	if u.decided {
		return
	}
	complete, missing := a.complete(u.log)
	var blocked *pin
	for _, p := range u.pins {
		if a.blockerOf(p) != nil {
			blocked = p
			break
		}
	}
	var barrier *pin
	if complete && blocked == nil {
		barrier = a.barrier(u)
		if barrier == nil {
			a.decide(u)
			return
		}
	}
	for _, p := range u.pins {
		switch prev := a.blockerOf(p); {
		case prev != nil:
			a.park(p, catalogue.ParkBlockedBy, prev, "previous pin on the context")
		case !complete:
			a.park(p, catalogue.ParkWaitingData, nil, missing)
		case p.ctx == nil:
			a.park(p, catalogue.ParkNonceMismatch, nil, "not the next nonce pin of any member on a known context")
		case blocked != nil:
			a.park(p, catalogue.ParkBlockedBy, blocked, "another pin of the same message")
		default:
			a.park(p, catalogue.ParkBlockedBy, barrier, "an earlier definition")
		}
	}
	if barrier != nil && !u.waiting {
		u.waiting = true
		a.waiters = append(a.waiters, u)
	}
}

// barrier returns the pending definition u must wait for, if any. A message
// is judged by the registry and datatypes as of its pin, which are not
// settled while an earlier definition is undecided (its batch is missing,
// say). Waiting for every earlier definition would let one missing batch
// halt the namespace, so u waits only for those that could change its
// judgement: all of them if it uses a datatype or its author was not
// registered before the first pending one; otherwise only those signed by a
// key its author had, since a definition can only change the org whose key
// signed it (or register a new org, which a registered author is not).
func (a *Aggregator) barrier(u *unit) *pin {
	c := a.contexts[a.cdef]
	if c == nil {
		return nil
	}
	first := c.first()
	if first == nil || !first.pos.before(u.pos) || u.log.verdict != "" {
		return nil
	}
	author := u.log.batch.manifest.Author()
	keys := a.registry.keysBefore(author, first.pos)
	if len(keys) == 0 || a.usesDatatype(u) {
		return first
	}
	var blocker *pin
	for _, k := range keys {
		if list := a.pendingDefs[k]; len(list) > 0 && list[0].pos.before(u.pos) &&
			(blocker == nil || list[0].pos.before(blocker.pos)) {
			blocker = list[0]
		}
	}
	return blocker
}

func (a *Aggregator) usesDatatype(u *unit) bool {
	for _, ref := range u.message.Data() {
		if _, ok := a.item(u.log, ref).Datatype(); ok {
			return true
		}
	}
	return false
}

// releaseWaiters re-examines the units the definitions context held back
// once it moved on. Each is looked at again, not just those before its new
// first pin: a unit held by one definition may wait for none now that an
// earlier one registered its author. Those still held register again.
func (a *Aggregator) releaseWaiters() {
	waiters := a.waiters
	a.waiters = nil
	for _, u := range waiters {
		u.waiting = false
		if !u.decided && !u.log.removed {
			for _, p := range u.pins {
				a.enqueue(p)
			}
		}
	}
}

// park records p's reason, emitting PinParked only when it changes.
func (a *Aggregator) park(p *pin, reason catalogue.ParkReason, by *pin, detail string) {
	label, evt := a.parking(p, reason, by, detail)
	if p.parked == label {
		return
	}
	p.parked, p.parkEvt = label, evt
	a.emit(*p.parkEvt)
}

// parking returns the label and event of p parked for reason: the label
// tells a change of reason (or of blocker) from the same one again.
func (a *Aggregator) parking(p *pin, reason catalogue.ParkReason, by *pin, detail string) (string, *catalogue.PinParked) {
	label := string(reason)
	var byRef *catalogue.PinRef
	if by != nil {
		r := by.ref()
		byRef = &r
		label += " " + r.String()
	}
	return label, &catalogue.PinParked{Namespace: a.cfg.Namespace, Pin: p.ref(), Reason: reason, BlockedBy: byRef, Detail: detail}
}

// notForUsDetail is the detail of a not-for-us PinParked.
func notForUsDetail(l *pinLog) string { return "batch " + l.obs.BatchID.String() }

func (a *Aggregator) unpark(p *pin, how catalogue.PinResolution) {
	if p.parked == "" {
		return
	}
	p.parked = ""
	p.parkEvt = nil
	a.emit(catalogue.PinUnparked{Namespace: a.cfg.Namespace, Pin: p.ref(), Resolution: how})
}
