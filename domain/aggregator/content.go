package aggregator

import (
	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func (a *Aggregator) receiveBatch(v catalogue.BatchReceived) error {
	if v.Namespace != a.cfg.Namespace {
		return nil
	}
	if err := v.Validate(); err != nil {
		return ignored("batch received: %v", err)
	}
	// The copies released earlier come back first, so copies stay in
	// arrival order whatever was released.
	if err := a.restore(v.BatchID); err != nil {
		return err
	}
	// The log that pins it may be frozen (cold.go).
	a.thawBatch(v.BatchID)
	r := parseReceived(v)
	a.batches[v.BatchID] = append(a.batches[v.BatchID], r)
	if g, ok := r.group(); ok {
		if gs := a.groups[g]; gs != nil {
			a.discoverFor(r, gs)
		} else {
			a.byGroup[g] = append(a.byGroup[g], r)
		}
	}
	for _, l := range a.byBatch[v.BatchID] {
		if l.removed || l.units != nil && anyDecided(l.units) {
			continue
		}
		if l.batch == nil || !l.batch.matches(l) && r.matches(l) {
			a.bind(l, r)
			a.enqueueLog(l)
		}
	}
	return nil
}

func anyDecided(units []*unit) bool {
	for _, u := range units {
		if u.decided {
			return true
		}
	}
	return false
}

// group returns the private group a parsed manifest names.
func (r *received) group() (protocol.Hash, bool) {
	if r.manifest.ID() == uuid.Nil {
		return protocol.Hash{}, false
	}
	return r.manifest.Group()
}

// discoverFor makes the private contexts of a batch's topics known.
func (a *Aggregator) discoverFor(r *received, g *groupState) {
	for _, e := range r.manifest.Messages() {
		for _, topic := range e.Topics {
			a.discover(topic, g)
		}
	}
}

func (a *Aggregator) receiveData(v catalogue.DataReceived) error {
	if v.Namespace != a.cfg.Namespace {
		return nil
	}
	if err := v.Validate(); err != nil {
		return ignored("data received: %v", err)
	}
	d, err := protocol.UnmarshalData(v.Data)
	if err != nil {
		// A copy that does not parse can never be the item a manifest lists.
		return ignored("data received: %v", err)
	}
	a.dataByID[d.ID()] = append(a.dataByID[d.ID()], d)
	a.wake(a.dataWaiter[d.ID()])
	delete(a.dataWaiter, d.ID())
	return nil
}

func (a *Aggregator) receiveBlob(v catalogue.BlobReceived) error {
	if v.Namespace != a.cfg.Namespace {
		return nil
	}
	if err := v.Validate(); err != nil {
		return ignored("blob received: %v", err)
	}
	a.blobs[v.Hash] = true
	a.wake(a.blobWaiter[v.Hash])
	delete(a.blobWaiter, v.Hash)
	return nil
}

func (a *Aggregator) learnGroup(v catalogue.GroupKnown) error {
	if v.Namespace != a.cfg.Namespace {
		return nil
	}
	if err := v.Validate(); err != nil {
		return ignored("group known: %v", err)
	}
	h := v.Group.Hash()
	if a.groups[h] != nil {
		return nil
	}
	g := newGroupState(v.Group)
	a.groups[h] = g
	for _, r := range a.byGroup[h] {
		a.discoverFor(r, g)
	}
	for _, r := range a.byGroup[h] {
		for _, l := range a.byBatch[r.batchID] {
			if l.batch == r {
				a.enqueueLog(l)
			}
		}
	}
	delete(a.byGroup, h)
	return nil
}

// wake re-examines logs that waited for an item that just arrived. Their
// registration is spent, so whatever they still miss (the copy that came
// may not be the listed one) is registered afresh.
func (a *Aggregator) wake(logs []*pinLog) {
	for _, l := range logs {
		l.missing = ""
		if !l.removed {
			a.enqueueLog(l)
		}
	}
}

// pickBatch chooses which received copy a log uses: the first that matches
// its pinned hash, else the first received.
func (a *Aggregator) pickBatch(l *pinLog) *received {
	copies := a.batches[l.obs.BatchID]
	for _, r := range copies {
		if r.matches(l) {
			return r
		}
	}
	if len(copies) > 0 {
		return copies[0]
	}
	return nil
}

// bind gives a log its batch and splits it into units: one per manifest
// message when the manifest parses and its pin count is the log's (even if
// a message or data item does not parse: the batch is then rejected, message
// by message, each in its turn on its contexts), else one for the log.
func (a *Aggregator) bind(l *pinLog, r *received) {
	for _, p := range l.pins {
		p.unit = nil
	}
	l.batch, l.units, l.complete, l.verdict, l.detail, l.missing = r, nil, false, "", "", ""
	entries := r.manifest.Messages()
	pins := 0
	for _, e := range entries {
		pins += len(e.Topics)
	}
	l.whole = r.manifest.ID() == uuid.Nil || pins != len(l.pins)
	if l.whole {
		u := &unit{log: l, pins: l.pins, pos: l.pos, ids: r.ids}
		for _, p := range l.pins {
			p.unit = u
		}
		l.units = []*unit{u}
		return
	}
	// Messages that did not all parse are never judged (the batch's
	// verdict rejects them), so they are not paired with the manifest.
	parsed := r.err == nil && len(r.messages) == len(entries)
	k := 0
	units := make([]unit, len(entries))
	l.units = make([]*unit, len(entries))
	for i, e := range entries {
		u := &units[i]
		*u = unit{log: l, pos: l.pins[k].pos, ids: r.ids[i : i+1 : i+1], pins: l.pins[k : k+len(e.Topics) : k+len(e.Topics)]}
		if parsed {
			u.message = &r.messages[i]
		}
		for range e.Topics {
			l.pins[k].unit = u
			k++
		}
		l.units[i] = u
	}
}

// complete reports whether everything the log's batch lists is here, and
// verifies the batch the first time it is. What is missing is registered so
// its arrival wakes the log.
func (a *Aggregator) complete(l *pinLog) (bool, string) {
	if l.complete {
		return true, ""
	}
	r := l.batch
	// A private batch waits for its group's member list whatever else is
	// wrong with it: until then its contexts are unknown, and deciding it
	// early would leave its pins out of its author's nonce count.
	g, private := r.group()
	if private && a.groups[g] == nil {
		return false, "group " + g.String()
	}
	if r.err != nil {
		a.settle(l, catalogue.RejectReason(protocol.RejectionReason(r.err)), r.err.Error())
		return true, ""
	}
	missing := ""
	data, _ := orderedData(r.manifest, r.list, func(ref protocol.DataRef) (protocol.Data, bool) {
		d, ok := a.dataItem(r, ref)
		if !ok {
			missing = a.await(l, "data "+ref.ID.String(), func() { a.dataWaiter[ref.ID] = append(a.dataWaiter[ref.ID], l) })
			return d, false
		}
		if b, ok := d.Blob(); ok && !a.blobs[b.Hash()] {
			missing = a.await(l, "blob "+b.Hash().String(), func() { a.blobWaiter[b.Hash()] = append(a.blobWaiter[b.Hash()], l) })
			return d, false
		}
		return d, true
	})
	if missing != "" {
		return false, missing
	}
	var err error
	if r.manifest.Hash() == l.obs.BatchHash && r.selfContained {
		err = r.contentErr
	} else {
		err = protocol.VerifyBatch(l.obs.BatchHash, r.manifest, r.messages, data)
	}
	if err != nil {
		a.settle(l, catalogue.RejectReason(protocol.RejectionReason(err)), err.Error())
		return true, ""
	}
	if l.whole {
		a.settle(l, catalogue.RejectManifestMismatch, "the batch's pin count differs from the log's")
		return true, ""
	}
	if private != l.private {
		a.settle(l, catalogue.RejectManifestMismatch, "the log's payload reference does not match the batch's kind")
		return true, ""
	}
	a.settle(l, "", "")
	return true, ""
}

func (a *Aggregator) settle(l *pinLog, verdict catalogue.RejectReason, detail string) {
	l.complete, l.verdict, l.detail = true, verdict, detail
}

// dataItem finds a listed item: in the batch, else a separately received
// copy with the listed hash.
func (a *Aggregator) dataItem(r *received, ref protocol.DataRef) (protocol.Data, bool) {
	if d, ok := r.data[ref.ID]; ok {
		return d, true
	}
	return a.separateData(ref)
}

// item returns a data item of a complete log's batch.
func (a *Aggregator) item(l *pinLog, ref protocol.DataRef) protocol.Data {
	d, _ := a.dataItem(l.batch, ref)
	return d
}

// separateData finds a separately received copy of a listed item with the
// listed hash; copies with another hash are not that item.
func (a *Aggregator) separateData(ref protocol.DataRef) (protocol.Data, bool) {
	for _, d := range a.dataByID[ref.ID] {
		if d.Hash() == ref.Hash {
			return d, true
		}
	}
	return protocol.Data{}, false
}

// await registers l to be woken when what is missing arrives, once per
// missing item however often l is looked at meanwhile.
func (a *Aggregator) await(l *pinLog, missing string, register func()) string {
	if l.missing != missing {
		l.missing = missing
		register()
	}
	return missing
}
