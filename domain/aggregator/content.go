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
	r := parseReceived(v)
	a.batches[v.BatchID] = append(a.batches[v.BatchID], r)
	if g, ok := r.group(); ok {
		a.byGroup[g] = append(a.byGroup[g], r)
		if gs := a.groups[g]; gs != nil {
			a.discoverFor(r, gs)
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
		for _, l := range a.byBatch[r.raw.BatchID] {
			if l.batch == r {
				a.enqueueLog(l)
			}
		}
	}
	return nil
}

func (a *Aggregator) wake(logs []*pinLog) {
	for _, l := range logs {
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

// bind gives a log its batch and splits it into units: one per message when
// the batch parses and its pin count is the log's, else one for the log.
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
	if r.err != nil || len(r.messages) != len(entries) || pins != len(l.pins) {
		u := &unit{log: l, pins: l.pins, pos: l.pos, ids: r.ids}
		for _, p := range l.pins {
			p.unit = u
		}
		l.units = []*unit{u}
		return
	}
	k := 0
	for i, e := range entries {
		u := &unit{log: l, pos: l.pins[k].pos, message: &r.messages[i], ids: []msgRef{r.ids[i]}}
		for range e.Topics {
			u.pins = append(u.pins, l.pins[k])
			l.pins[k].unit = u
			k++
		}
		l.units = append(l.units, u)
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
	if r.err != nil {
		a.settle(l, catalogue.RejectReason(protocol.RejectionReason(r.err)), r.err.Error())
		return true, ""
	}
	g, private := r.manifest.Group()
	if private != l.private {
		a.settle(l, catalogue.RejectManifestMismatch, "the log's payload reference does not match the batch's kind")
		return true, ""
	}
	if private && a.groups[g] == nil {
		return false, "group " + g.String()
	}
	data := make([]protocol.Data, 0, len(r.list))
	for _, ref := range r.manifest.Data() {
		d, ok := r.data[ref.ID]
		if !ok {
			d, ok = a.separateData(ref)
		}
		if !ok {
			missing := "data " + ref.ID.String()
			if l.missing != missing {
				l.missing = missing
				a.dataWaiter[ref.ID] = append(a.dataWaiter[ref.ID], l)
			}
			return false, missing
		}
		if b, ok := d.Blob(); ok && !a.blobs[b.Hash()] {
			missing := "blob " + b.Hash().String()
			if l.missing != missing {
				l.missing = missing
				a.blobWaiter[b.Hash()] = append(a.blobWaiter[b.Hash()], l)
			}
			return false, missing
		}
		data = append(data, d)
	}
	for _, d := range r.list {
		if !containsData(data, d) {
			data = append(data, d)
		}
	}
	l.data = make(map[uuid.UUID]protocol.Data, len(data))
	for _, d := range data {
		l.data[d.ID()] = d
	}
	if err := protocol.VerifyBatch(l.obs.BatchHash, r.manifest, r.messages, data); err != nil {
		a.settle(l, catalogue.RejectReason(protocol.RejectionReason(err)), err.Error())
		return true, ""
	}
	if len(l.units) == 1 && l.units[0].message == nil {
		a.settle(l, catalogue.RejectManifestMismatch, "the batch's pin count differs from the log's")
		return true, ""
	}
	a.settle(l, "", "")
	return true, ""
}

func (a *Aggregator) settle(l *pinLog, verdict catalogue.RejectReason, detail string) {
	l.complete, l.verdict, l.detail = true, verdict, detail
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

func containsData(list []protocol.Data, d protocol.Data) bool {
	for _, x := range list {
		if x.ID() == d.ID() {
			return true
		}
	}
	return false
}
