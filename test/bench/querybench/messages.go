package querybench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/projections"
)

// ReadModel is the read model RunMessages fills and queries: a new, empty read
// model of any adapter, opened with every projection's table
// (projections.Tables) and its secondary indexes deferred (both adapters'
// Config.DeferIndexes), as a rebuild fills one.
type ReadModel interface {
	projections.Store
	// BuildIndexes creates the deferred indexes once the rows are in.
	BuildIndexes(ctx context.Context) error
}

// MessagesOptions says how much of the messages phase to run; zero fields
// take Options' defaults.
type MessagesOptions struct {
	// Messages in the read model, all confirmed (default 1,000,000).
	Messages int
	// Requests of the GET /messages mix (default 5,000), sent by Clients
	// concurrent clients (default 2).
	Requests int
	Clients  int
	// CountRequests of the mix with count=true, measured apart (default
	// 200).
	CountRequests int
}

// SetDefaults fills the zero fields.
func (o *MessagesOptions) SetDefaults() {
	if o.Messages == 0 {
		o.Messages = DefaultMessages
	}
	if o.Requests == 0 {
		o.Requests = DefaultRequests
	}
	if o.Clients == 0 {
		o.Clients = DefaultClients
	}
	if o.CountRequests == 0 {
		o.CountRequests = DefaultCountRequests
	}
}

// Validate reports every field out of range, after SetDefaults.
func (o MessagesOptions) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(o.Messages >= 1 && o.Messages <= maxMessages, "messages %d: must be between 1 and %d", o.Messages, maxMessages)
	check(o.Requests >= 1 && o.Requests <= maxRequests, "requests %d: must be between 1 and %d", o.Requests, maxRequests)
	check(o.Clients >= 1 && o.Clients <= maxClients, "clients %d: must be between 1 and %d", o.Clients, maxClients)
	check(o.CountRequests >= 1 && o.CountRequests <= maxRequests, "count requests %d: must be between 1 and %d", o.CountRequests, maxRequests)
	return errors.Join(errs...)
}

// RunMessages is the messages phase of Run on a read model of the caller's
// (bench query's is SQLite, bench store --driver postgres's is Postgres):
// it projects opts.Messages confirmed messages into rm, builds its indexes,
// serves it through the real API (api.New with WithReadModel) on a
// loopback port and measures the GET /messages mix. It returns
// query.messages.p50_ms, query.messages.p99_ms and
// query.messages.count.p99_ms, in that order. progress, if not nil, hears
// what is happening, from RunMessages' goroutine only. rm stays the
// caller's to close and remove.
func RunMessages(ctx context.Context, rm ReadModel, opts MessagesOptions, progress func(string)) ([]Result, error) {
	opts.SetDefaults()
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("querybench: %w: %w", ErrInvalidOptions, err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	f, err := fillReadModel(ctx, rm, opts.Messages, progress)
	if err != nil {
		return nil, fmt.Errorf("%s: filling the read model: %w", NameMessagesP99, err)
	}
	p50, p99, countP99, err := queries(ctx, f, opts, progress)
	if err != nil {
		return nil, err
	}
	return []Result{
		{Name: NameMessagesP50, Value: ms(p50), Unit: unitMilliseconds},
		{Name: NameMessagesP99, Value: ms(p99), Unit: unitMilliseconds},
		{Name: NameMessagesCount, Value: ms(countP99), Unit: unitMilliseconds},
	}, nil
}

// queries measures the HTTP mix, then the same mix with count=true.
func queries(ctx context.Context, f *filled, opts MessagesOptions, progress func(string)) (p50, p99, countP99 time.Duration, err error) {
	w, err := newWorkload(false)
	if err != nil {
		return 0, 0, 0, err
	}
	srv, err := startServer(f, opts.Clients)
	if err != nil {
		return 0, 0, 0, err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()
	if _, err := srv.measure(ctx, w.queryMix(f, warmUp, false), opts.Clients); err != nil {
		return 0, 0, 0, fmt.Errorf("%s: warming up: %w", NameMessagesP99, err)
	}
	progress(fmt.Sprintf("%s: %d requests from %d clients", NameMessagesP99, opts.Requests, opts.Clients))
	took, err := srv.measure(ctx, w.queryMix(f, opts.Requests, false), opts.Clients)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %w", NameMessagesP99, err)
	}
	p50, p99 = percentile(took, 0.5), percentile(took, 0.99)
	progress(fmt.Sprintf("%s: %d requests with count=true", NameMessagesCount, opts.CountRequests))
	counted, err := srv.measure(ctx, w.queryMix(f, opts.CountRequests, true), opts.Clients)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %w", NameMessagesCount, err)
	}
	return p50, p99, percentile(counted, 0.99), nil
}
