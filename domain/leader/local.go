package leader

import (
	"context"
	"sync"
)

// Local grants roles within one process: a member with a single instance
// holds every role (campaigns for one role wait for each other). Its
// leases are never lost, except by Close.
type Local struct {
	name string

	mu     sync.Mutex
	held   map[string]chan struct{} // closed when the holder releases
	closed chan struct{}
	once   sync.Once
}

var _ Elector = (*Local)(nil)

// NewLocal returns a local elector for the instance name.
func NewLocal(name string) *Local {
	return &Local{name: name, held: map[string]chan struct{}{}, closed: make(chan struct{})}
}

// Instance implements Elector.
func (l *Local) Instance() string { return l.name }

// Campaign implements Elector.
func (l *Local) Campaign(ctx context.Context, role string) (Lease, error) {
	for {
		l.mu.Lock()
		select {
		case <-l.closed:
			l.mu.Unlock()
			return nil, ErrClosed
		default:
		}
		busy, ok := l.held[role]
		if !ok {
			released := make(chan struct{})
			l.held[role] = released
			l.mu.Unlock()
			return &localLease{l: l, role: role, released: released}, nil
		}
		l.mu.Unlock()
		select {
		case <-busy:
		case <-l.closed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close implements Elector: every lease is lost.
func (l *Local) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

type localLease struct {
	l        *Local
	role     string
	released chan struct{}
	once     sync.Once
}

func (le *localLease) Lost() <-chan struct{} { return le.l.closed }

func (le *localLease) Release() error {
	le.once.Do(func() {
		le.l.mu.Lock()
		defer le.l.mu.Unlock()
		delete(le.l.held, le.role)
		close(le.released)
	})
	return nil
}
