package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/leader"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// OutboundConfig tunes outbound delivery.
type OutboundConfig struct {
	// Namespaces are the namespaces whose subscriptions this node serves.
	Namespaces []string
	// Retry is the back-off of a subscription without options.retry.
	Retry subscription.RetryPolicy
	// Throttle bounds each subscription's deliveries per second (0: no
	// bound).
	Throttle int
	// RestartDelay is the wait before a subscription's delivery starts
	// again after it failed (its transport could not be opened, say).
	// Default 5s.
	RestartDelay time.Duration
}

// Changes tells a watcher that subscriptions may have changed
// (subscription.Log implements it).
type Changes interface {
	// Changed returns a channel closed at the next change.
	Changed() <-chan struct{}
}

// Outbound runs the delivery of every outbound subscription (webhook,
// NATS, AMQP): it watches the repository and keeps one worker per
// subscription, started on create, restarted on update, stopped on
// delete. A worker holds the leader role "subscription/<ns>/<name>"
// while it delivers, so with several instances of a member exactly one
// delivers each subscription, on a Watermill router of its own (see
// route). It also redrives dead letters (subscription.Redriver).
type Outbound struct {
	repo    subscription.Repository
	changes Changes
	engine  *Engine
	senders Senders
	elector leader.Elector
	roles   *leader.Roles
	cfg     OutboundConfig
	log     zerolog.Logger
}

var _ subscription.Redriver = (*Outbound)(nil)

// NewOutbound returns the outbound deliverer.
func NewOutbound(repo subscription.Repository, changes Changes, engine *Engine, senders Senders, elector leader.Elector,
	roles *leader.Roles, cfg OutboundConfig, log zerolog.Logger) (*Outbound, error) {
	if err := cfg.Retry.Validate(); err != nil {
		return nil, fmt.Errorf("delivery: default retry: %w", err)
	}
	if cfg.RestartDelay <= 0 {
		cfg.RestartDelay = 5 * time.Second
	}
	return &Outbound{repo: repo, changes: changes, engine: engine, senders: senders, elector: elector, roles: roles,
		cfg: cfg, log: log.With().Str("component", "outbound").Logger()}, nil
}

// version is what makes a worker out of date: another id (deleted and
// created again) or an update.
type version struct {
	id      uuid.UUID
	updated time.Time
}

type worker struct {
	version version
	cancel  context.CancelFunc
	done    chan struct{}
}

// Run keeps the workers in step with the subscriptions until ctx ends
// (nil, after every worker stopped and recorded its offset) or a worker
// lost its leader lease (an error wrapping leader.ErrLost: the member
// stops, and restarts as a follower).
func (o *Outbound) Run(ctx context.Context) error {
	running := map[subKey]*worker{}
	lost := make(chan error, 1)
	defer func() {
		for _, w := range running {
			w.cancel()
		}
		for _, w := range running {
			<-w.done
		}
	}()
	for {
		changed := o.changes.Changed()
		want, err := o.outbound(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for k, w := range running {
			if v, ok := want[k]; !ok || versioned(v).version() != w.version {
				w.cancel()
				<-w.done
				delete(running, k)
			}
		}
		for k, sub := range want {
			if running[k] == nil {
				running[k] = o.start(ctx, sub, lost)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case err := <-lost:
			return err
		case <-changed:
		}
	}
}

// outbound lists the outbound subscriptions of the served namespaces.
func (o *Outbound) outbound(ctx context.Context) (map[subKey]subscription.Subscription, error) {
	out := map[subKey]subscription.Subscription{}
	for _, ns := range o.cfg.Namespaces {
		subs, err := o.repo.List(ctx, ns)
		if err != nil {
			return nil, fmt.Errorf("delivery: listing the subscriptions of %s: %w", ns, err)
		}
		for _, s := range subs {
			if s.Transport.Outbound() {
				out[subKey{ns, s.Name}] = s
			}
		}
	}
	return out, nil
}

type versioned subscription.Subscription

func (s versioned) version() version { return version{id: s.ID, updated: s.Updated} }

// start runs sub's worker: campaign for its role, deliver while it is
// held, and start over after a failure.
func (o *Outbound) start(ctx context.Context, sub subscription.Subscription, lost chan<- error) *worker {
	ctx, cancel := context.WithCancel(ctx)
	w := &worker{version: versioned(sub).version(), cancel: cancel, done: make(chan struct{})}
	role := "subscription/" + sub.Namespace + "/" + sub.Name
	log := o.log.With().Str("namespace", sub.Namespace).Str("subscription", sub.Name).Str("transport", string(sub.Transport)).Logger()
	go func() {
		defer close(w.done)
		for {
			err := leader.Run(ctx, o.elector, role, o.roles, func(ctx context.Context) error { return o.route(ctx, sub, log) })
			switch {
			case ctx.Err() != nil:
				return
			case errors.Is(err, leader.ErrLost):
				select {
				case lost <- err:
				default:
				}
				return
			case err != nil:
				log.Warn().Err(err).Dur("restartIn", o.cfg.RestartDelay).Msg("outbound delivery stopped; restarting")
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(o.cfg.RestartDelay):
			}
		}
	}()
	return w
}
