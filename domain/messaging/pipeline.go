package messaging

import (
	"context"
	"sync"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// pipeline moves the namespace's own messages out: the sealer groups them
// into batches, the pin worker uploads and pins batches in seal order (a
// private pin's nonce must reach the chain after the one before it), and
// each peer delivery runs as its own operation so a peer that is down
// delays nobody else.
type pipeline struct {
	s *Service

	incoming chan pending
	freed    chan protocol.Hash
	pinWork  chan *ownBatch
	wakeReg  chan struct{}

	mu      sync.Mutex
	ctx     context.Context // set by start
	wakeOps map[string]chan struct{}
	fetches map[string]bool
	wg      sync.WaitGroup
}

// pending is a message waiting to be sealed.
type pending struct {
	msg   protocol.Message
	group *protocol.Group
}

// queue is one (namespace, group) key's messages waiting to be sealed.
type queue struct {
	group    *protocol.Group
	msgs     []protocol.Message
	since    time.Time // when the oldest waiting message arrived
	inflight int       // sealed batches not yet pinned
}

func newPipeline(s *Service) *pipeline {
	return &pipeline{s: s, incoming: make(chan pending, 4096), freed: make(chan protocol.Hash, 64),
		pinWork: make(chan *ownBatch, 1024), wakeReg: make(chan struct{}, 1),
		wakeOps: map[string]chan struct{}{}, fetches: map[string]bool{}}
}

// add queues a recorded message for sealing. It never blocks for long: the
// sealer drains the channel continuously.
func (p *pipeline) add(msg protocol.Message, group *protocol.Group) {
	p.incoming <- pending{msg: msg, group: group}
}

// lead takes the namespace's outbound work over and runs it until ctx
// ends: it resumes what the view says is unfinished (as after a restart,
// or after another instance held the role), then runs the sealer, the pin
// worker and the registration. Batches sealed earlier reach the pin worker
// before any the sealer makes now, and recovered messages are sealed before
// new ones, so nonces and message order hold across the takeover.
func (p *pipeline) lead(ctx context.Context) {
	p.mu.Lock()
	p.ctx = ctx
	p.mu.Unlock()
	work := p.takeOver()
	p.wg.Go(func() { p.pinLoop(ctx) })
	p.wg.Go(func() { p.registerLoop(ctx) })
	p.recover(ctx, work, func() { p.wg.Go(func() { p.seal(ctx, work.unsealed) }) })
}

// wait waits for the pipeline's goroutines after ctx ended.
func (p *pipeline) wait() { p.wg.Wait() }

// seal is the sealer (recovered are sealed first): a message is sealed at once when nothing of its group
// is in flight; otherwise messages gather until the batch is full, the
// pipeline frees up, or the oldest has waited BatchMaxWait.
func (p *pipeline) seal(ctx context.Context, recovered []pending) {
	cfg := p.s.cfg
	queues := map[protocol.Hash]*queue{}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	enqueue := func(m pending) {
		var key protocol.Hash
		if m.group != nil {
			key = m.group.Hash()
		}
		q := queues[key]
		if q == nil {
			q = &queue{group: m.group}
			queues[key] = q
		}
		if len(q.msgs) == 0 {
			q.since = time.Now()
		}
		q.msgs = append(q.msgs, m.msg)
	}
	for _, m := range recovered {
		enqueue(m)
	}
	if len(recovered) > 0 {
		timer.Reset(0)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-p.incoming:
			enqueue(m)
			// Take what else is already here, so a burst becomes one batch.
			for drained := false; !drained; {
				select {
				case m := <-p.incoming:
					enqueue(m)
				default:
					drained = true
				}
			}
		case key := <-p.freed:
			if q := queues[key]; q != nil && q.inflight > 0 {
				q.inflight--
			}
		case <-timer.C:
		}
		next := time.Hour
		for key, q := range queues {
			for len(q.msgs) > 0 && (q.inflight == 0 || len(q.msgs) >= cfg.BatchSize || time.Since(q.since) >= cfg.BatchMaxWait) {
				n := min(len(q.msgs), cfg.BatchSize)
				if !p.sealBatch(ctx, key, q.group, q.msgs[:n]) {
					break // retried on the next wake-up; the messages stay queued
				}
				q.msgs = append(q.msgs[:0:0], q.msgs[n:]...)
				q.since = time.Now()
				q.inflight++
			}
			if len(q.msgs) > 0 {
				next = min(next, max(time.Millisecond, cfg.BatchMaxWait-time.Since(q.since)))
			}
			if len(q.msgs) == 0 && q.inflight == 0 {
				delete(queues, key)
			}
		}
		timer.Reset(next)
	}
}

// sealBatch seals msgs into a batch and hands it to the pin worker. On
// failure (the store is down) it logs and returns false.
func (p *pipeline) sealBatch(ctx context.Context, key protocol.Hash, group *protocol.Group, msgs []protocol.Message) bool {
	b, err := p.s.seal(ctx, group, msgs)
	if err != nil {
		p.s.log.Error("sealing a batch failed; retrying", "messages", len(msgs), "error", err)
		return false
	}
	b.key = key
	select {
	case p.pinWork <- b:
	case <-ctx.Done():
	}
	return true
}

// kickRegistration asks the registration loop to look again.
func (p *pipeline) kickRegistration() {
	select {
	case p.wakeReg <- struct{}{}:
	default:
	}
}
