package aggregator

import (
	"cmp"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// pinPos orders pins as the chain does: block, transaction, log, then the
// pin's index in the log's contexts.
type pinPos struct {
	block uint64
	tx    uint32
	log   uint32
	index uint32
}

func posOf(l catalogue.ChainLocation, index uint32) pinPos {
	return pinPos{block: l.BlockNumber, tx: l.TxIndex, log: l.LogIndex, index: index}
}

func (p pinPos) compare(o pinPos) int {
	if c := cmp.Compare(p.block, o.block); c != 0 {
		return c
	}
	if c := cmp.Compare(p.tx, o.tx); c != 0 {
		return c
	}
	if c := cmp.Compare(p.log, o.log); c != 0 {
		return c
	}
	return cmp.Compare(p.index, o.index)
}

func (p pinPos) before(o pinPos) bool { return p.compare(o) < 0 }

// pinLog is one observed BatchPin log.
type pinLog struct {
	obs     catalogue.PinObserved
	pos     pinPos
	private bool
	key     string // chain/contract, for counting confirmations
	counted bool
	removed bool
	pins    []*pin
	// batch is the received batch bound to this log, nil until one arrives.
	batch *received
	// units are the log's messages, built when batch is bound.
	units []*unit
	// complete is set once everything the batch lists is here and it was
	// verified; verdict is then the batch-wide rejection ("" when none).
	complete bool
	// whole is set when the batch could not be split into messages (its
	// manifest does not parse, or its pin count is not the log's).
	whole   bool
	verdict catalogue.RejectReason
	detail  string
	// missing is the data or blob the log last registered to wait for.
	missing string
}

// pin is one entry of a log's contexts.
type pin struct {
	log   *pinLog
	index uint32
	pos   pinPos
	value protocol.Hash
	// ctx is the context the pin is placed on; nil for a private pin that
	// matched no expected nonce pin.
	ctx *contextState
	// member and nonce say whose nonce pin it is (private pins).
	member protocol.OrgDID
	nonce  uint64
	// spent is the context a pin decided while unplaced was later counted
	// on as member's nonce pin, without being queued there.
	spent *contextState
	// qi is the pin's index in ctx.queue, offset by ctx.base.
	qi   int
	unit *unit
	// decided is set when the pin's unit was decided; prev is the context's
	// digest before, to rewind.
	decided bool
	prev    protocol.ContextDigest
	// parked is the label of the last PinParked emitted, "" when not parked.
	parked string
	// parkEvt is that PinParked, nil when not parked: a pointer because a
	// node holds a pin for every context of every batch in the reorg
	// window and few of them are ever parked (the event is ~200 bytes).
	parkEvt *catalogue.PinParked
	queued  bool
}

func (p *pin) ref() catalogue.PinRef {
	return catalogue.PinRef{Location: p.log.obs.Location, Index: p.index, Value: p.value}
}

// unit is the decision unit: one message of a bound batch and its pins, or,
// when the batch cannot be split into messages, the whole log.
type unit struct {
	log     *pinLog
	pins    []*pin
	pos     pinPos
	message *protocol.Message
	// ids are the message ids a whole-log unit rejects.
	ids     []msgRef
	decided bool
	outcome catalogue.Decision
	waiting bool // registered as a definitions-barrier waiter
}

type msgRef struct {
	id   uuid.UUID
	hash protocol.Hash
}
