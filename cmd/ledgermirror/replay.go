package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/adapters/webhook"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// replayOptions are replay's flags.
type replayOptions struct {
	from, to     uint64
	toSet        bool
	namespace    string
	api          string
	filter       subscription.FilterSpec
	webhook      string
	secret       string
	secretFile   string
	subscription string
	stdout       bool
	timeout      time.Duration
	retry        subscription.RetryPolicy
}

func newReplayCommand(a *app) *cobra.Command {
	var o replayOptions
	cmd := &cobra.Command{
		Use:   "replay --from POS [--to POS] (--stdout | --to-webhook URL --secret S)",
		Short: "Re-emit a running node's app-facing events from a position, to stdout or a webhook",
		Long: "Reads the app-facing event list (GET /api/v1/namespaces/{ns}/events, the JSON GET\n" +
			"/events/{sequence} returns) of the node at --api, from sequence --from to --to (both included;\n" +
			"without --to, up to the newest event when the replay starts), and re-emits the events that\n" +
			"pass the filter, in sequence order. It only reads: the node's store is not changed, and no\n" +
			"subscription's offset moves. --stdout writes one JSON event per line. --to-webhook posts each\n" +
			"event as a webhook subscription does (X-LM-Signature: sha256=HMAC of the body under --secret,\n" +
			"X-LM-Event-Id, X-LM-Sequence, X-LM-Event-Type, X-LM-Subscription: <namespace>/<--subscription>),\n" +
			"one at a time, retrying a failure with back-off; when the webhook keeps failing it stops and says\n" +
			"from where to run again. Filters: --events lists types; --topics, --tag, --author and --group are\n" +
			"regular expressions (RE2, unanchored), as in a subscription's filter.\n" +
			"Progress goes to stderr: a bar with rate and ETA on a terminal, a line every few seconds otherwise.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := o.validate(cmd)
			if err != nil {
				return &usageError{err}
			}
			sink, err := o.sink(a)
			if err != nil {
				return err
			}
			return runReplay(cmd.Context(), a, o, flt, sink)
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&o.from, "from", 0, "first sequence (event-store position) to replay (required; 0: the beginning)")
	f.Uint64Var(&o.to, "to", 0, "last sequence to replay (default: the newest event when the replay starts)")
	f.StringVar(&o.namespace, "namespace", "default", "namespace whose events are replayed")
	f.StringVar(&o.api, "api", "http://127.0.0.1:5000", "the node's API (scheme, host and port)")
	f.StringSliceVar(&o.filter.Events, "events", nil, "event types to replay, comma-separated (default: all): "+
		strings.Join(subscription.EventTypes(), ", "))
	f.StringVar(&o.filter.Topics, "topics", "", "regular expression one of a message's topics must match")
	f.StringVar(&o.filter.Tag, "tag", "", "regular expression a message's tag must match")
	f.StringVar(&o.filter.Author, "author", "", "regular expression a message's author DID must match")
	f.StringVar(&o.filter.Group, "group", "", "regular expression a message's group hash (hex) must match")
	f.BoolVar(&o.stdout, "stdout", false, "write the events to stdout, one JSON object per line")
	f.StringVar(&o.webhook, "to-webhook", "", "post the events to this http(s) URL")
	f.StringVar(&o.secret, "secret", "", "--to-webhook: the HMAC secret the posts are signed with")
	f.StringVar(&o.secretFile, "secret-file", "", "--to-webhook: read the secret from this file instead (kept out of ps)")
	f.StringVar(&o.subscription, "subscription", "replay", "--to-webhook: the name in X-LM-Subscription")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "bound of one request, to the node or to the webhook")
	f.DurationVar(&o.retry.Initial, "retry-initial", time.Second, "wait after the first failed attempt; each next wait doubles")
	f.DurationVar(&o.retry.Max, "retry-max", 30*time.Second, "longest wait between attempts")
	f.IntVar(&o.retry.Attempts, "retry-attempts", 8, "attempts per event (and per read of the node) before giving up")
	return cmd
}

// validate checks the flags and compiles the filter.
func (o *replayOptions) validate(cmd *cobra.Command) (subscription.Filter, error) {
	fl := cmd.Flags()
	if !fl.Changed("from") {
		return subscription.Filter{}, errors.New("--from is required (0 replays from the beginning)")
	}
	o.toSet = fl.Changed("to")
	if o.toSet && o.to < o.from {
		return subscription.Filter{}, fmt.Errorf("--to %d is before --from %d", o.to, o.from)
	}
	if o.stdout == (o.webhook != "") {
		return subscription.Filter{}, errors.New("say where the events go: either --stdout or --to-webhook URL")
	}
	if err := checkHTTPURL("--api", o.api); err != nil {
		return subscription.Filter{}, err
	}
	if o.namespace == "" {
		return subscription.Filter{}, errors.New("--namespace must not be empty")
	}
	if o.stdout {
		for _, name := range []string{"secret", "secret-file", "subscription"} {
			if fl.Changed(name) {
				return subscription.Filter{}, fmt.Errorf("--%s goes with --to-webhook, not --stdout", name)
			}
		}
	} else {
		if err := checkHTTPURL("--to-webhook", o.webhook); err != nil {
			return subscription.Filter{}, err
		}
		if (o.secret == "") == (o.secretFile == "") {
			return subscription.Filter{}, errors.New("--to-webhook needs the secret the posts are signed with: --secret or --secret-file")
		}
		if o.subscription == "" {
			return subscription.Filter{}, errors.New("--subscription must not be empty")
		}
	}
	if o.timeout <= 0 {
		return subscription.Filter{}, fmt.Errorf("--timeout %s is not positive", o.timeout)
	}
	if err := o.retry.Validate(); err != nil {
		return subscription.Filter{}, fmt.Errorf("--retry-*: %w", err)
	}
	return subscription.NewFilter(o.filter)
}

// checkHTTPURL refuses anything but an absolute http(s) URL with a host.
func checkHTTPURL(flag, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s %q: %w", flag, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q: not an http:// or https:// URL with a host", flag, raw)
	}
	return nil
}

// sink builds where the events go; the secret file is read here.
func (o *replayOptions) sink(a *app) (replaySink, error) {
	if o.stdout {
		return newNDJSONSink(a.stdout), nil
	}
	secret := []byte(o.secret)
	if o.secretFile != "" {
		b, err := os.ReadFile(o.secretFile)
		if err != nil {
			return nil, &usageError{fmt.Errorf("--secret-file: %w", err)}
		}
		if secret = []byte(strings.TrimRight(string(b), "\r\n")); len(secret) == 0 {
			return nil, &usageError{fmt.Errorf("--secret-file %s is empty", o.secretFile)}
		}
	}
	return &webhookSink{client: webhook.New(webhook.Config{Timeout: o.timeout}), url: o.webhook, secret: secret,
		subscription: o.namespace + "/" + o.subscription, retry: o.retry,
		note: func(msg string) { fmt.Fprintf(a.stderr, "replay: %s\n", msg) }}, nil
}

// replayResult is what a replay did.
type replayResult struct {
	// Read counts the events read, Emitted those that passed the filter
	// and were handed over.
	Read, Emitted int
	// Next is the first sequence not dealt with yet (where a replay that
	// stopped can go on); End where the replay stops (--to, or the newest
	// event at start).
	Next, End uint64
	// Empty says the namespace had no event.
	Empty bool
}

func runReplay(ctx context.Context, a *app, o replayOptions, flt subscription.Filter, sink replaySink) error {
	var to *uint64
	if o.toSet {
		to = &o.to
	}
	src := newEventSource(o.api, o.namespace, o.filter.Events, o.timeout, o.retry)
	bar := newProgressBar(a.stderr, "replay", isTerminal(a.stderr), time.Now)
	if ws, ok := sink.(*webhookSink); ok {
		// A retry note starts its own line rather than being drawn over.
		note := ws.note
		ws.note = func(msg string) { bar.end(); note(msg) }
	}
	started := time.Now()
	res, err := replay(ctx, src, flt, sink, o.from, to, bar.update)
	bar.end()
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("replay interrupted (%d events emitted); run again with --from %d to go on", res.Emitted, res.Next)
	case err != nil:
		return fmt.Errorf("replay stopped (%d events emitted): %w; run again with --from %d to go on", res.Emitted, err, res.Next)
	case res.Empty:
		fmt.Fprintf(a.stderr, "replay: namespace %s has no event yet: nothing to replay\n", o.namespace)
		return nil
	case o.from > res.End:
		fmt.Fprintf(a.stderr, "replay: nothing to replay: --from %d is after the last sequence %d\n", o.from, res.End)
		return nil
	}
	fmt.Fprintf(a.stderr, "replay: %d events emitted of %d read, sequences %d to %d, in %s\n",
		res.Emitted, res.Read, o.from, res.End, time.Since(started).Round(time.Millisecond))
	return nil
}

// replay reads src from sequence from to *to (both included; nil: the
// newest event now) and emits what flt passes into sink, reporting
// progress as a rebuild does (Position: the last sequence dealt with,
// Head: where the replay stops).
func replay(ctx context.Context, src *eventSource, flt subscription.Filter, sink replaySink, from uint64, to *uint64,
	progress func(generation.Status),
) (replayResult, error) {
	res := replayResult{Next: from}
	head, ok, err := src.head(ctx)
	if err != nil || !ok {
		res.Empty = err == nil
		return res, err
	}
	res.End = head
	if to != nil && *to < head {
		res.End = *to
	}
	started, last := time.Now(), from
	report := func(state generation.State) {
		st := generation.Status{State: state, Position: event.Position(last), Head: event.Position(res.End)}
		if secs := time.Since(started).Seconds(); secs > 0 && last > from {
			st.Rate = float64(last-from) / secs
			eta := float64(res.End-last) / st.Rate
			st.ETASeconds = &eta
		}
		progress(st)
	}
	report(generation.StateRunning)
	for next := from; next <= res.End; {
		page, err := src.page(ctx, next)
		if err != nil {
			return res, errors.Join(err, sink.flush())
		}
		for _, e := range page {
			if e.Sequence > res.End {
				break
			}
			res.Read++
			// Everything before e is dealt with.
			res.Next = e.Sequence
			if flt.Matches(e.Fields) {
				if err := sink.emit(ctx, e); err != nil {
					return res, errors.Join(err, sink.flush())
				}
				res.Emitted++
			}
			last, next, res.Next = e.Sequence, e.Sequence+1, e.Sequence+1
		}
		report(generation.StateRunning)
		if len(page) < src.pageSize || page[len(page)-1].Sequence >= res.End {
			break
		}
	}
	last = res.End
	report(generation.StateDone)
	return res, sink.flush()
}
