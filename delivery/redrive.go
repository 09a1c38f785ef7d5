package delivery

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Redrive implements subscription.Redriver: one attempt, on a sender of
// its own, outside the subscription's router (so it does not wait behind
// the retries of the event in flight there).
func (o *Outbound) Redrive(ctx context.Context, ns, name string, seq uint64) (subscription.Subscription, error) {
	sub, dl, err := o.repo.DeadLetter(ctx, ns, name, seq)
	if err != nil {
		return subscription.Subscription{}, err
	}
	if !sub.Transport.Outbound() {
		return subscription.Subscription{}, fmt.Errorf("%w: %s is not an outbound transport", subscription.ErrInvalid, sub.Transport)
	}
	d, err := o.engine.Event(ctx, sub, seq)
	if err != nil {
		return subscription.Subscription{}, err
	}
	sender, err := o.senders(ctx, sub)
	if err != nil {
		return subscription.Subscription{}, fmt.Errorf("%w: opening the %s transport: %w", subscription.ErrDeliveryFailed, sub.Transport, err)
	}
	defer func() { _ = sender.Close() }()
	topic := ns + "/" + name
	if err := sender.Send(ctx, Outgoing{Subscription: topic, SubscriptionID: sub.ID, ID: d.ID, Sequence: d.Sequence,
		Type: d.Type, Event: d.Event, Fields: eventFields(d.Event), CorrelationID: d.ID.String()}); err != nil {
		return subscription.Subscription{}, fmt.Errorf("%w: redriving %d: %w", subscription.ErrDeliveryFailed, seq, err)
	}
	return o.repo.RecordRedriven(ctx, ns, name, sub.ID, dl)
}

// Event builds the delivery of the event at seq for sub, as its stream
// would (with its message and data when sub asks for them). ErrNotFound
// when the event list has no such event in the namespace.
func (e *Engine) Event(ctx context.Context, sub subscription.Subscription, seq uint64) (subscription.Delivery, error) {
	q, err := query.Parse(projections.EventsTable.Collection(), url.Values{"sequence": {strconv.FormatUint(seq, 10)},
		query.ParamLimit: {"1"}})
	if err != nil {
		return subscription.Delivery{}, fmt.Errorf("delivery: building the event query: %w", err)
	}
	docs, _, err := e.rm.Find(ctx, projections.EventsTable, sub.Namespace, q)
	if err != nil {
		return subscription.Delivery{}, fmt.Errorf("delivery: reading event %d: %w", seq, err)
	}
	if len(docs) == 0 {
		return subscription.Delivery{}, fmt.Errorf("%w: no event %d in namespace %s", subscription.ErrNotFound, seq, sub.Namespace)
	}
	r, _, err := parseRow(docs[0])
	if err != nil {
		return subscription.Delivery{}, err
	}
	s := e.newStream(sub.Namespace, sub.Name, sub.ID, sub.Filter, 1, sub.Options.WithData, true)
	return s.deliver(ctx, r)
}
