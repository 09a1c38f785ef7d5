package aggregator

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Aggregator is one namespace's decision maker. It is not safe for concurrent
// use; the Runner owns it.
type Aggregator struct {
	cfg  Config
	cdef protocol.Hash // the definitions context

	// logs are the observed logs still inside the reorg window, in chain
	// order; compacted is the block at and below which logs were dropped.
	logs      []*pinLog
	last      pinPos // position of the newest log not removed
	observed  bool
	compacted uint64
	sinceGC   int
	heads     map[string]uint64
	uncounted []*pinLog
	byBatch   map[uuid.UUID][]*pinLog

	contexts map[protocol.Hash]*contextState
	groups   map[protocol.Hash]*groupState
	// expect maps the next nonce pin of every (private context, member) to
	// them; unplaced holds private pins that matched none, in chain order.
	expect   map[protocol.Hash]expectation
	unplaced map[protocol.Hash][]*pin
	// cold and coldBatch index the frozen logs (cold.go) by pin value and
	// batch id; toFreeze are logs compaction may freeze later.
	cold      map[protocol.Hash]*coldLog
	coldBatch map[uuid.UUID]*coldLog
	toFreeze  []*pinLog

	batches    map[uuid.UUID][]*received
	byGroup    map[protocol.Hash][]*received // private batches of unknown groups, in arrival order
	dataByID   map[uuid.UUID][]protocol.Data
	dataWaiter map[uuid.UUID][]*pinLog
	blobs      map[protocol.Hash]bool
	blobWaiter map[protocol.Hash][]*pinLog

	registry  registry
	confirmed confirmedIDs
	waiters   []*unit // units blocked by the definitions context
	// pendingDefs lists the undecided pins on the definitions context by
	// signer, in chain order.
	pendingDefs map[protocol.SigningKey][]*pin
	topicCtx    map[string]protocol.Hash
	lastKey     string
	// source gives back batches compaction released (nil: never release).
	source   ContentSource
	released map[uuid.UUID]bool

	work []*pin
	out  []catalogue.Payload
}

type expectation struct {
	ctx    *contextState
	member protocol.OrgDID
}

// New returns an aggregator with no history.
func New(cfg Config) (*Aggregator, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Aggregator{
		cfg:         cfg,
		cdef:        protocol.BroadcastContext(cfg.Namespace, protocol.DefinitionsTopic),
		heads:       map[string]uint64{},
		byBatch:     map[uuid.UUID][]*pinLog{},
		contexts:    map[protocol.Hash]*contextState{},
		groups:      map[protocol.Hash]*groupState{},
		expect:      map[protocol.Hash]expectation{},
		unplaced:    map[protocol.Hash][]*pin{},
		cold:        map[protocol.Hash]*coldLog{},
		coldBatch:   map[uuid.UUID]*coldLog{},
		batches:     map[uuid.UUID][]*received{},
		byGroup:     map[protocol.Hash][]*received{},
		dataByID:    map[uuid.UUID][]protocol.Data{},
		dataWaiter:  map[uuid.UUID][]*pinLog{},
		blobs:       map[protocol.Hash]bool{},
		blobWaiter:  map[protocol.Hash][]*pinLog{},
		registry:    newRegistry(),
		confirmed:   newConfirmedIDs(),
		pendingDefs: map[protocol.SigningKey][]*pin{},
		topicCtx:    map[string]protocol.Hash{},
		released:    map[uuid.UUID]bool{},
	}, nil
}

// Apply feeds one input and returns the events it decides, in the order they
// were decided. The same inputs in the same order always give the same
// outputs. Payloads that are not inputs, and inputs of other namespaces, give
// nothing. An input that cannot be used returns an error wrapping
// ErrInputIgnored (or ErrReorgTooDeep) and changes nothing.
func (a *Aggregator) Apply(p catalogue.Payload) ([]catalogue.Payload, error) {
	a.out = nil
	var err error
	switch v := p.(type) {
	case catalogue.PinObserved:
		err = a.observe(v)
	case catalogue.PinRemoved:
		err = a.remove(v)
	case catalogue.ChainCheckpoint:
		a.checkpoint(v)
	case catalogue.BatchReceived:
		err = a.receiveBatch(v)
	case catalogue.DataReceived:
		err = a.receiveData(v)
	case catalogue.BlobReceived:
		err = a.receiveBlob(v)
	case catalogue.GroupKnown:
		err = a.learnGroup(v)
	}
	if err != nil {
		return nil, err
	}
	a.drain()
	a.maybeCompact()
	out := a.out
	a.out = nil
	return out, nil
}

func ignored(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInputIgnored, fmt.Sprintf(format, args...))
}

func (a *Aggregator) emit(p catalogue.Payload) { a.out = append(a.out, p) }

func (a *Aggregator) enqueue(p *pin) {
	if !p.queued && !p.decided {
		p.queued = true
		a.work = append(a.work, p)
	}
}

func (a *Aggregator) enqueueLog(l *pinLog) {
	for _, p := range l.pins {
		a.enqueue(p)
	}
}

// drain evaluates queued pins until nothing more can move. Work is FIFO so
// a log's pins are looked at in order and earlier ones are decided first.
func (a *Aggregator) drain() {
	for i := 0; i < len(a.work); i++ {
		p := a.work[i]
		a.work[i] = nil
		p.queued = false
		if !p.decided && !p.log.removed {
			a.evaluate(p)
		}
	}
	a.work = a.work[:0]
}
