package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ledgermirror/ledgermirror/adapters/webhook"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// replaySink receives the replayed events one at a time, in sequence
// order: emit returns once the event is handed over (or cannot be).
type replaySink interface {
	emit(ctx context.Context, e listedEvent) error
	// flush hands over what emit buffered.
	flush() error
}

// ndjsonSink writes each event's JSON on its own line.
type ndjsonSink struct{ w *bufio.Writer }

func newNDJSONSink(w io.Writer) *ndjsonSink { return &ndjsonSink{w: bufio.NewWriterSize(w, 64<<10)} }

func (s *ndjsonSink) emit(_ context.Context, e listedEvent) error {
	if _, err := s.w.Write(e.JSON); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	if err := s.w.WriteByte('\n'); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	return nil
}

func (s *ndjsonSink) flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	return nil
}

// webhookSink posts each event to one URL as a webhook subscription does
// (adapters/webhook: the event JSON as the body, X-LM-Signature over it),
// waiting for a 2xx before the next, and retrying a failure with the
// back-off of retry.
type webhookSink struct {
	client *webhook.Client
	url    string
	secret []byte
	// subscription is the X-LM-Subscription header: "<namespace>/<name>".
	subscription string
	retry        subscription.RetryPolicy
	// note reports a failed attempt that will be retried.
	note func(string)
}

// webhookFailedError is an event the webhook did not take in any attempt.
type webhookFailedError struct {
	url      string
	event    listedEvent
	attempts int
	last     error
}

func (e *webhookFailedError) Error() string {
	return fmt.Sprintf("the webhook %s kept failing: event %d (%s %s) not delivered after %d attempts: %v",
		e.url, e.event.Sequence, e.event.Type, e.event.ID, e.attempts, e.last)
}

func (e *webhookFailedError) Unwrap() error { return e.last }

func (s *webhookSink) emit(ctx context.Context, e listedEvent) error {
	req := webhook.Request{URL: s.url, Secret: s.secret, EventID: e.ID, Sequence: e.Sequence, Type: e.Type,
		Subscription: s.subscription, Body: e.JSON}
	delays := s.retry.Delays()
	for attempt := 0; ; attempt++ {
		err := s.client.Post(ctx, req)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case attempt >= len(delays):
			return &webhookFailedError{url: s.url, event: e, attempts: attempt + 1, last: err}
		}
		wait := delays[attempt]
		s.note(fmt.Sprintf("event %d: attempt %d of %d failed (%v); retrying in %s", e.Sequence, attempt+1, len(delays)+1,
			err, wait))
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

func (s *webhookSink) flush() error {
	s.client.CloseIdle()
	return nil
}
