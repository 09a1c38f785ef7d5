package chainbench

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Run measures and returns its figures in a fixed order (NameSimulated, then
// NameGeth if opts.Geth). progress, if not nil, hears what is happening; it
// is called from Run's goroutine only.
func Run(ctx context.Context, opts Options, progress func(string)) ([]Result, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("chainbench: %w: %w", ErrInvalidOptions, err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	var results []Result
	add := func(name string, value float64) {
		results = append(results, Result{Name: name, Value: value, Unit: unitPinsPerSecond})
		progress(fmt.Sprintf("%s = %.6g %s", name, value, unitPinsPerSecond))
	}

	rate, err := runSimulated(ctx, opts, progress)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameSimulated, err)
	}
	add(NameSimulated, rate)
	if opts.Geth {
		rate, err := runGeth(ctx, opts, progress)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", NameGeth, err)
		}
		add(NameGeth, rate)
	}
	return results, nil
}

// client is what both the submitter and the reader need.
type client interface {
	ethereum.TxClient
	ethereum.Client
}

// target is a chain with BatchPin deployed and a funded key.
type target struct {
	client  client
	chainID uint64
	address common.Address
	key     *ecdsa.PrivateKey
	// start is the first block the follower reads (after the deployment).
	start uint64
	// commit seals a block of the pending transactions; nil when the chain
	// mines by itself.
	commit func()
}

type measurement struct {
	opts     Options
	pins     int
	target   target
	progress func(string)
}

// requests builds the pins before the clock starts: unique transaction and
// batch ids, each with its own contexts.
func requests(n, contexts int) []chain.PinRequest {
	reqs := make([]chain.PinRequest, n)
	for i := range reqs {
		batchID := uuid.New()
		ctxs := make([]protocol.Hash, contexts)
		var seed [16]byte
		binary.BigEndian.PutUint64(seed[:8], uint64(i))
		for j := range ctxs {
			binary.BigEndian.PutUint64(seed[8:], uint64(j))
			ctxs[j] = protocol.SHA256(seed[:])
		}
		reqs[i] = chain.PinRequest{Namespace: "default", TxID: uuid.New(), BatchID: batchID,
			BatchHash: protocol.SHA256(batchID[:]), Contexts: ctxs}
	}
	return reqs
}

// run submits m.pins pins from m.opts.Workers goroutines while the follower
// observes them, and returns the pins per second from the first Submit to
// the last observation.
func (m measurement) run(ctx context.Context) (float64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := m.target
	sub, err := ethereum.NewSubmitter(t.client, t.chainID, t.address, t.key)
	if err != nil {
		return 0, err
	}
	reader := ethereum.NewReader(t.client, t.chainID, t.address, zerolog.Nop())
	follower, err := chain.NewFollower(chain.Config{Namespace: "default", StartBlock: t.start}, reader)
	if err != nil {
		return 0, err
	}
	heads, err := reader.SubscribeHeads(ctx)
	if err != nil {
		heads = nil // poll
	}
	reqs := requests(m.pins, m.opts.Contexts)
	want := make(map[uuid.UUID]*chain.PinRequest, len(reqs))
	for i := range reqs {
		want[reqs[i].TxID] = &reqs[i]
	}
	m.progress(fmt.Sprintf("%d pins of %d contexts built; submitting from %d goroutines", m.pins, m.opts.Contexts, m.opts.Workers))

	began := time.Now()
	observed := make(chan followed, 1)
	var followerErr error
	var following sync.WaitGroup
	following.Go(func() {
		f, err := m.follow(ctx, follower, heads, want)
		if err != nil {
			followerErr = err
			cancel(err)
			return
		}
		observed <- f
	})

	// Submit, signalling the committer every CommitEvery transactions.
	commits := make(chan struct{}, m.pins/m.opts.CommitEvery+2)
	var committed sync.WaitGroup
	if t.commit != nil {
		committed.Go(func() {
			for range commits {
				t.commit()
			}
		})
	}
	var next, submitted atomic.Int64
	var submitters sync.WaitGroup
	for range m.opts.Workers {
		submitters.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) || ctx.Err() != nil {
					return
				}
				if _, err := sub.Submit(ctx, reqs[i]); err != nil {
					cancel(fmt.Errorf("submitting pin %d: %w", i, err))
					return
				}
				if n := submitted.Add(1); t.commit != nil && n%int64(m.opts.CommitEvery) == 0 {
					commits <- struct{}{}
				}
			}
		})
	}
	submitters.Wait()
	if t.commit != nil {
		commits <- struct{}{} // the remainder
	}
	close(commits)
	committed.Wait()
	if err := context.Cause(ctx); err != nil {
		following.Wait()
		return 0, err
	}
	m.progress(fmt.Sprintf("%d pins submitted in %s", m.pins, time.Since(began).Round(time.Millisecond)))

	// Whatever did not fit the last block goes into the next.
	ticker := time.NewTicker(200 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case f := <-observed:
			if f.stepErrors > 0 {
				m.progress(fmt.Sprintf("the follower retried %d failed steps (last: %v)", f.stepErrors, f.lastErr))
			}
			elapsed := f.done.Sub(began)
			m.progress(fmt.Sprintf("%d pins observed in %s", m.pins, elapsed.Round(time.Millisecond)))
			return float64(m.pins) / elapsed.Seconds(), nil
		case <-ctx.Done():
			following.Wait()
			if followerErr != nil {
				return 0, followerErr
			}
			return 0, context.Cause(ctx)
		case <-ticker.C:
			if t.commit != nil {
				t.commit()
			}
		}
	}
}

// followed is how following went: when the last pin was observed, and the
// failed steps retried on the way.
type followed struct {
	done       time.Time
	stepErrors int
	lastErr    error
}

// follow steps the follower until every pin in want has been observed,
// checking each once, and returns when the last one was.
func (m measurement) follow(ctx context.Context, f *chain.Follower, heads <-chan chain.Header, want map[uuid.UUID]*chain.PinRequest) (followed, error) {
	seen := make(map[uuid.UUID]bool, len(want))
	lastNew := time.Now()
	stepErrors, lastErr := 0, error(nil)
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		events, more, reorg, err := f.Step(ctx)
		if err != nil {
			// A failed Step changes nothing and the next starts over, as
			// chain.Run retries it: geth, for one, briefly fails eth_getLogs
			// for its newest block while its log index catches up.
			if ctx.Err() != nil {
				return followed{}, context.Cause(ctx)
			}
			stepErrors++
			lastErr = err
			if time.Since(lastNew) > m.opts.Stall {
				return followed{}, fmt.Errorf("observed %d of %d pins; none new for %s; follower: %w", len(seen), len(want), m.opts.Stall, err)
			}
			select {
			case <-ctx.Done():
				return followed{}, context.Cause(ctx)
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		if reorg != nil {
			return followed{}, fmt.Errorf("unexpected reorg to block %d", reorg.Ancestor)
		}
		for _, e := range events {
			p, ok := e.(catalogue.PinObserved)
			if !ok {
				continue
			}
			if err := check(p, want, seen); err != nil {
				return followed{}, err
			}
			lastNew = time.Now()
		}
		if len(seen) == len(want) {
			return followed{done: lastNew, stepErrors: stepErrors, lastErr: lastErr}, nil
		}
		if more {
			continue
		}
		if time.Since(lastNew) > m.opts.Stall {
			return followed{}, fmt.Errorf("observed %d of %d pins; none new for %s", len(seen), len(want), m.opts.Stall)
		}
		poll.Reset(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			return followed{}, context.Cause(ctx)
		case _, ok := <-heads:
			if !ok {
				heads = nil
			}
		case <-poll.C:
		}
	}
}

// check accepts a pin observed for the first time with the batch id, hash
// and contexts it was submitted with.
func check(p catalogue.PinObserved, want map[uuid.UUID]*chain.PinRequest, seen map[uuid.UUID]bool) error {
	req, ok := want[p.TxID]
	switch {
	case !ok:
		return fmt.Errorf("observed a pin of unknown transaction %s", p.TxID)
	case seen[p.TxID]:
		return fmt.Errorf("pin of transaction %s observed twice", p.TxID)
	case p.BatchID != req.BatchID:
		return fmt.Errorf("pin of transaction %s observed with batch %s, submitted with %s", p.TxID, p.BatchID, req.BatchID)
	case p.BatchHash != req.BatchHash || len(p.Contexts) != len(req.Contexts):
		return fmt.Errorf("pin of transaction %s observed with another hash or %d contexts", p.TxID, len(p.Contexts))
	}
	for i := range p.Contexts {
		if p.Contexts[i] != req.Contexts[i] {
			return fmt.Errorf("pin of transaction %s: context %d differs", p.TxID, i)
		}
	}
	seen[p.TxID] = true
	return nil
}

// funds is what the benchmark key holds: plenty.
var funds = new(big.Int).Lsh(big.NewInt(1), 100)
