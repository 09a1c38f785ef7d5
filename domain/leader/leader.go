package leader

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// ErrLost is returned by Run when the lease ended while this instance did
// the role's work.
var ErrLost = errors.New("lost the lease on a singleton role")

// ErrClosed is returned by Campaign after the elector was closed.
var ErrClosed = errors.New("leader: elector closed")

// Elector grants roles to one instance at a time. Implementations are
// safe for concurrent use.
type Elector interface {
	// Campaign waits until this instance holds role, and returns its
	// lease. Several campaigns for one role in one process are granted
	// one at a time too. It returns ctx's error if ctx ends first, and
	// ErrClosed after Close.
	Campaign(ctx context.Context, role string) (Lease, error)
	// Instance names this instance (as GET /status shows it).
	Instance() string
	// Close releases every lease and ends every campaign.
	Close() error
}

// Lease is a role held by this instance.
type Lease interface {
	// Lost is closed when the lease ends without Release: the database
	// could not be reached for longer than the lease allows, or the
	// elector was closed. Another instance may hold the role by then.
	Lost() <-chan struct{}
	// Release gives the role up (another instance may take it). It is
	// idempotent and never blocks for long.
	Release() error
}

// Roles records which roles this instance holds, for status pages.
type Roles struct {
	mu   sync.Mutex
	held map[string]time.Time
	want map[string]bool
}

// NewRoles returns an empty record.
func NewRoles() *Roles { return &Roles{held: map[string]time.Time{}, want: map[string]bool{}} }

// RoleStatus is one role as this instance sees it.
type RoleStatus struct {
	Role string `json:"role"`
	// Leader is true when this instance holds the role.
	Leader bool `json:"leader"`
	// Since is when it took the role (zero while it campaigns).
	Since time.Time `json:"since,omitzero"`
}

// Snapshot lists the roles this instance holds or campaigns for, sorted.
func (r *Roles) Snapshot() []RoleStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]RoleStatus, 0, len(r.want))
	for role := range r.want {
		since, ok := r.held[role]
		out = append(out, RoleStatus{Role: role, Leader: ok, Since: since})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Role < out[j].Role })
	return out
}

func (r *Roles) campaigning(role string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.want[role] = true
}

func (r *Roles) set(role string, held bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if held {
		r.held[role] = time.Now().UTC()
		return
	}
	delete(r.held, role)
}

func (r *Roles) done(role string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.want, role)
	delete(r.held, role)
}

// Run campaigns for role and, once granted, runs work under the lease
// (see Hold). It returns nil when ctx ends first. roles, when not nil,
// records the role.
func Run(ctx context.Context, e Elector, role string, roles *Roles, work func(context.Context) error) error {
	if roles != nil {
		roles.campaigning(role)
		defer roles.done(role)
	}
	lease, err := e.Campaign(ctx, role)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("campaigning for %s: %w", role, err)
	}
	return hold(ctx, e, role, lease, roles, work)
}

// Hold runs work under lease, a grant of role, with a context that ends
// when ctx does or the lease is lost, and releases the lease when work
// returns. It returns nil when ctx ended, work's error if work failed, and
// an error wrapping ErrLost if the lease was lost (whatever work returned
// then). work that returns nil before ctx ends gives the role up.
func Hold(ctx context.Context, e Elector, role string, lease Lease, roles *Roles, work func(context.Context) error) error {
	if roles != nil {
		roles.campaigning(role)
		defer roles.done(role)
	}
	return hold(ctx, e, role, lease, roles, work)
}

func hold(ctx context.Context, e Elector, role string, lease Lease, roles *Roles, work func(context.Context) error) error {
	defer func() { _ = lease.Release() }()
	if roles != nil {
		roles.set(role, true)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lost := make(chan struct{})
	go func() {
		select {
		case <-lease.Lost():
			close(lost)
			cancel()
		case <-wctx.Done():
		}
	}()
	err := work(wctx)
	cancel()
	select {
	case <-lost:
		return fmt.Errorf("%w: %s (held by instance %s)", ErrLost, role, e.Instance())
	default:
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
