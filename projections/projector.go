package projections

import (
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Projector turns events into rows of its tables. Apply must be
// deterministic: the same events in the same order give the same rows.
type Projector interface {
	// Name is the projector's checkpoint key, with its version
	// ("messages.v1"): a projector whose output changes gets a new name,
	// which makes it rebuild from position 0.
	Name() string
	// Tables are the tables it writes.
	Tables() []*Table
	// Types are the event types it reads; others are not decoded for it.
	Types() []string
	// Apply projects one event (decoded as p) within tx.
	Apply(tx Tx, ev event.Event, p catalogue.Payload) error
}
