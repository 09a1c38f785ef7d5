package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/logging"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/memlimit"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// Options shape a network of members on one embedded chain.
type Options struct {
	// Members is how many (org1 ... orgN). Default 3.
	Members int
	// BasePort is org1's API port; org i listens on BasePort+i-1 (API) and
	// BasePort+100+i-1 (data exchange). 0 picks free ports.
	BasePort int
	// DataDir holds the chain (DataDir/chain) and each member
	// (DataDir/org1 ...). Starting again on the same directory resumes the
	// same network.
	DataDir string
	// Log is the base logger; each member's lines carry member=<org>.
	Log zerolog.Logger
	// LogConfig is copied into each member's configuration.
	LogConfig logging.Config
	// Messaging tunes every member's batching; zero values are defaults.
	Messaging messaging.Config
	// BlockInterval is the embedded chain's idle block interval; default 1 s.
	BlockInterval time.Duration
	// MemoryLimitMiB is the soft limit on the Go runtime's memory set for
	// the process while the network runs (package memlimit): 0 means
	// DefaultMemoryLimitMiB(Members), negative none. GOMEMLIMIT in the
	// environment, or a limit already in force, wins.
	MemoryLimitMiB int
}

// DefaultMemoryLimitMiB is the soft memory limit of an in-process network
// of members members: 96 MiB each and 32 for the chain. Left to GOGC
// alone, the Go runtime of a busy 3-member network held about twice its
// live heap (~370 MiB for ~180); at this limit (320 MiB for three) `bench
// e2e` confirmed as many messages a second and peaked ~60 MB lower.
func DefaultMemoryLimitMiB(members int) int { return 32 + 96*members }

// Network is a running network.
type Network struct {
	opts    Options
	chain   *embedded.Chain
	members []*Member
	ports   [][2]int
	// unlimit removes the memory limit Start set.
	unlimit func()

	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	runs   []*run
}

// run is one member's Run in the background.
type run struct {
	cancel context.CancelFunc
	done   chan error
}

// Start starts the chain and every member and runs them until Stop (or ctx
// ends).
func Start(ctx context.Context, opts Options) (_ *Network, err error) {
	if opts.Members == 0 {
		opts.Members = 3
	}
	if opts.Members < 1 || opts.Members > 50 {
		return nil, fmt.Errorf("%d members: between 1 and 50", opts.Members)
	}
	if opts.DataDir == "" {
		return nil, errors.New("a network needs a data directory")
	}
	if opts.MemoryLimitMiB == 0 {
		opts.MemoryLimitMiB = DefaultMemoryLimitMiB(opts.Members)
	}
	n := &Network{opts: opts, members: make([]*Member, opts.Members), runs: make([]*run, opts.Members)}
	if n.ports, err = ports(opts.BasePort, opts.Members); err != nil {
		return nil, err
	}
	n.chain, err = embedded.Start(embedded.Config{DataDir: filepath.Join(opts.DataDir, "chain"), BlockInterval: opts.BlockInterval},
		opts.Log.With().Str("component", "embedded-chain").Logger())
	if err != nil {
		return nil, fmt.Errorf("starting the embedded chain: %w", err)
	}
	n.ctx, n.cancel = context.WithCancel(ctx)
	defer func() {
		if err != nil {
			_ = n.Stop()
		}
	}()
	// Set after the deferred Stop, which removes it again if Start fails.
	if set, undo := memlimit.Apply(opts.MemoryLimitMiB); set > 0 {
		n.unlimit = undo
		opts.Log.Info().Int("mib", set).Msg("soft memory limit set for the Go runtime")
	}
	for i := range n.members {
		if err := n.StartMember(i); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// ports lists each member's API and data-exchange ports.
func ports(base, members int) ([][2]int, error) {
	out := make([][2]int, members)
	for i := range out {
		if base != 0 {
			out[i] = [2]int{base + i, base + 100 + i}
			continue
		}
		for j := range 2 {
			p, err := freePort()
			if err != nil {
				return nil, err
			}
			out[i][j] = p
		}
	}
	return out, nil
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the member binds it; tests accept that small chance.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// MemberConfig is member i's (0-based) configuration.
func (n *Network) MemberConfig(i int) (config.Config, error) {
	c := config.Defaults()
	if n.opts.LogConfig != (logging.Config{}) {
		c.Log = n.opts.LogConfig
	}
	c.Messaging = n.opts.Messaging
	c.Messaging.SetDefaults()
	c.Node.Org = fmt.Sprintf("org%d", i+1)
	c.Node.Name = "node1"
	c.Node.DataDir = filepath.Join(n.opts.DataDir, c.Node.Org)
	c.API.Listen = fmt.Sprintf("127.0.0.1:%d", n.ports[i][0])
	c.DataExchange.Listen = fmt.Sprintf("127.0.0.1:%d", n.ports[i][1])
	return c, c.Complete()
}

// StartMember starts member i (0-based), stopped or not yet started.
func (n *Network) StartMember(i int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.runs[i] != nil {
		return fmt.Errorf("member %d is running", i+1)
	}
	cfg, err := n.MemberConfig(i)
	if err != nil {
		return err
	}
	key, err := LoadOrCreateSigningKey(cfg.Chain.KeyFile)
	if err != nil {
		return err
	}
	ch, err := OnEmbedded(n.ctx, n.chain, []string{cfg.Namespaces[0].Name}, crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		return err
	}
	m, err := New(n.ctx, cfg, ch, n.opts.Log.With().Str("member", cfg.Node.Org).Logger())
	if err != nil {
		return fmt.Errorf("member %s: %w", cfg.Node.Org, err)
	}
	ctx, cancel := context.WithCancel(n.ctx)
	r := &run{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- m.Run(ctx) }()
	n.members[i], n.runs[i] = m, r
	return nil
}

// StopMember stops member i and waits for it.
func (n *Network) StopMember(i int) error {
	n.mu.Lock()
	r := n.runs[i]
	n.runs[i] = nil
	n.mu.Unlock()
	if r == nil {
		return nil
	}
	r.cancel()
	return <-r.done
}

// Members are the members, org1 first (a stopped member's entry is its
// last run).
func (n *Network) Members() []*Member {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*Member(nil), n.members...)
}

// Chain is the network's embedded chain.
func (n *Network) Chain() *embedded.Chain { return n.chain }

// Failed returns the first member that stopped on its own, with its error.
func (n *Network) Failed() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, r := range n.runs {
		if r == nil {
			continue
		}
		select {
		case err := <-r.done:
			r.done <- err
			if err != nil {
				return fmt.Errorf("member org%d stopped: %w", i+1, err)
			}
		default:
		}
	}
	return nil
}

// WaitReady waits until every running member has confirmed every member's
// org and node.
func (n *Network) WaitReady(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if err := n.Failed(); err != nil {
			return err
		}
		ready := true
		for i, m := range n.Members() {
			n.mu.Lock()
			running := n.runs[i] != nil
			n.mu.Unlock()
			if running && m.KnownMembers() < len(n.members) {
				ready = false
				break
			}
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Stop stops every member, then the chain.
func (n *Network) Stop() error {
	var errs []error
	for i := range n.runs {
		if err := n.StopMember(i); err != nil {
			errs = append(errs, err)
		}
	}
	if n.cancel != nil {
		n.cancel()
	}
	for _, m := range n.members {
		if m != nil {
			_ = m.Close()
		}
	}
	if n.chain != nil {
		errs = append(errs, n.chain.Close())
	}
	if n.unlimit != nil {
		n.unlimit()
	}
	return errors.Join(errs...)
}

// Done is closed when a member stops on its own (a failure) or the
// network's context ends.
func (n *Network) Done() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for n.Failed() == nil {
			select {
			case <-n.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return done
}
