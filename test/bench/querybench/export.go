package querybench

import (
	"context"
	"fmt"

	"github.com/ledgermirror/ledgermirror/api"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// LogNamespace is the one namespace of the generated log.
const LogNamespace = namespace

// FillReadModel projects a log of messages messages, all confirmed, into
// rm (empty, its indexes deferred) with the real projectors and runner,
// then builds rm's indexes, as the messages phase does: every message has
// one message_confirmed event in the event list. It returns the position
// of the log's last event, which rm is caught up to. It is for other
// suites that need a node's read model of realistic shape (the delivery
// suite replays its event list). progress, if not nil, hears how it goes.
func FillReadModel(ctx context.Context, rm ReadModel, messages int, progress func(string)) (event.Position, error) {
	if messages < 1 || messages > maxMessages {
		return 0, fmt.Errorf("querybench: %w: messages %d: must be between 1 and %d", ErrInvalidOptions, messages, maxMessages)
	}
	if progress == nil {
		progress = func(string) {}
	}
	f, err := fillReadModel(ctx, rm, messages, progress)
	if err != nil {
		return 0, err
	}
	return f.head, nil
}

// ReadOnlyBackend is an api.Backend with no node behind it: a server
// built on it serves a read model (collections, subscriptions, event
// streams) and answers everything that needs a node with LM10503.
func ReadOnlyBackend() api.Backend { return readOnly{} }
