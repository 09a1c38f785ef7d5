// Package chain is the contract suite every Ethereum-family chain passes
// with the chain adapter: submitted pins are observed with the right fields
// and signer, in chain order; a follower restored from its events resumes
// without gap or repeat; confirmations hold pins back; two submitters sharing
// a key do not clash; a node that goes down and comes back loses nothing;
// a transaction sent again, pending or mined, changes nothing; one prepared
// and never sent leaves no gap in the key's nonces, and sent late is
// refused as ErrNonceTaken; and, where the chain can be forked, a reorg
// removes and re-observes.
package chain

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Env is one chain with BatchPin deployed.
type Env struct {
	Reader chain.Chain
	// NewSubmitter returns a submitter signing with the env's funded key;
	// each call gives an independent one (another process of the member).
	NewSubmitter func(t *testing.T) chain.Submitter
	// Mine makes the chain produce a block containing what was submitted,
	// and returns once it is the head.
	Mine func(t *testing.T)
	// Restart stops the node and starts it again, keeping the chain (nil
	// if the chain cannot).
	Restart func(t *testing.T)
	// Fork replaces the chain above the block with the given hash by a new,
	// longer branch without the newer transactions (nil if unsupported).
	Fork func(t *testing.T, parentHash string)
}

// Harness builds an Env per test.
type Harness struct {
	New func(t *testing.T) Env
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Run("SubmittedPinsAreObservedInOrder", func(t *testing.T) { testObserved(t, h) })
	t.Run("RestoredFollowerResumes", func(t *testing.T) { testRestore(t, h) })
	t.Run("ConfirmationsHoldPinsBack", func(t *testing.T) { testConfirmations(t, h) })
	t.Run("SharedKeyDoesNotClash", func(t *testing.T) { testSharedKey(t, h) })
	t.Run("NodeDownThenUp", func(t *testing.T) { testRestart(t, h) })
	t.Run("SendIsIdempotent", func(t *testing.T) { testResend(t, h) })
	t.Run("UnsentTransactionLeavesNoGap", func(t *testing.T) { testUnsent(t, h) })
	t.Run("ReorgRemovesAndReobserves", func(t *testing.T) { testReorg(t, h) })
}

func request(contexts int) chain.PinRequest {
	id := uuid.New()
	ctxs := make([]protocol.Hash, contexts)
	for i := range ctxs {
		ctxs[i] = protocol.SHA256([]byte{byte(i), byte(contexts)})
	}
	return chain.PinRequest{Namespace: "default", TxID: uuid.New(), BatchID: id, BatchHash: protocol.SHA256(id[:]),
		PayloadRef: "shared:" + id.String(), Contexts: ctxs}
}

func submit(t *testing.T, s chain.Submitter, req chain.PinRequest) chain.Submission {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := chain.Submit(ctx, s, req)
	require.NoError(t, err)
	return res
}

func follower(t *testing.T, env Env, confirmations uint64) *chain.Follower {
	t.Helper()
	f, err := chain.NewFollower(chain.Config{Namespace: "default", Confirmations: confirmations}, env.Reader)
	require.NoError(t, err)
	return f
}

// drain steps f until it has caught up, returning what it emitted.
func drain(t *testing.T, f *chain.Follower) []catalogue.Payload {
	t.Helper()
	var all []catalogue.Payload
	for range 1000 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		events, more, _, err := f.Step(ctx)
		cancel()
		require.NoError(t, err)
		for _, e := range events {
			require.NoError(t, e.Validate(), e.EventType())
		}
		all = append(all, events...)
		if !more {
			return all
		}
	}
	t.Fatal("the follower never caught up")
	return nil
}

func observed(events []catalogue.Payload) []catalogue.PinObserved {
	var out []catalogue.PinObserved
	for _, e := range events {
		if p, ok := e.(catalogue.PinObserved); ok {
			out = append(out, p)
		}
	}
	return out
}

func batchIDs(obs []catalogue.PinObserved) []uuid.UUID {
	ids := make([]uuid.UUID, len(obs))
	for i, o := range obs {
		ids[i] = o.BatchID
	}
	return ids
}

func testObserved(t *testing.T, h Harness) {
	env := h.New(t)
	s := env.NewSubmitter(t)
	reqs := []chain.PinRequest{request(10), request(1), request(3)}
	var subs []chain.Submission
	for _, r := range reqs {
		subs = append(subs, submit(t, s, r))
	}
	env.Mine(t)
	obs := observed(drain(t, follower(t, env, 0)))
	require.Len(t, obs, 3)
	for i, o := range obs {
		r := reqs[i]
		assert.Equal(t, r.BatchID, o.BatchID)
		assert.Equal(t, r.TxID, o.TxID)
		assert.Equal(t, r.BatchHash, o.BatchHash)
		assert.Equal(t, r.PayloadRef, o.PayloadRef)
		assert.Equal(t, r.Contexts, o.Contexts)
		assert.Equal(t, s.Signer(), o.Signer)
		assert.Equal(t, subs[i].TxHash, o.Location.TxHash)
		assert.Equal(t, env.Reader.Name(), o.Location.Chain)
		if i > 0 {
			assert.True(t, obs[i-1].Location.Less(o.Location), "chain order")
		}
	}
}

func testRestore(t *testing.T, h Harness) {
	env := h.New(t)
	s := env.NewSubmitter(t)
	first := submit(t, s, request(2))
	env.Mine(t)
	f := follower(t, env, 0)
	before := drain(t, f)
	require.Len(t, observed(before), 1)
	assert.Equal(t, first.TxHash, observed(before)[0].Location.TxHash)

	second := request(2)
	submit(t, s, second)
	env.Mine(t)
	g := follower(t, env, 0)
	for _, e := range before {
		g.Restore(e)
	}
	after := observed(drain(t, g))
	assert.Equal(t, []uuid.UUID{second.BatchID}, batchIDs(after), "nothing missed, nothing twice")
}

func testConfirmations(t *testing.T, h Harness) {
	env := h.New(t)
	s := env.NewSubmitter(t)
	req := request(1)
	submit(t, s, req)
	env.Mine(t)
	// Where the pin landed and where the head is, read by an unconfirmed
	// follower (some chains add blocks of their own).
	obs := observed(drain(t, follower(t, env, 0)))
	require.Len(t, obs, 1)
	pinned := obs[0].Location.BlockNumber
	head, err := env.Reader.Head(context.Background())
	require.NoError(t, err)
	confirmations := head.Number - pinned + 2
	f := follower(t, env, confirmations)
	for range 4 {
		head, err := env.Reader.Head(context.Background())
		require.NoError(t, err)
		got := observed(drain(t, f))
		if head.Number >= pinned+confirmations {
			assert.Equal(t, []uuid.UUID{req.BatchID}, batchIDs(got), "head %d, pin %d, %d confirmations", head.Number, pinned, confirmations)
			return
		}
		assert.Empty(t, got, "head %d, pin %d, %d confirmations", head.Number, pinned, confirmations)
		env.Mine(t)
	}
	t.Fatal("the pin never got its confirmations")
}

func testSharedKey(t *testing.T, h Harness) {
	env := h.New(t)
	a, b := env.NewSubmitter(t), env.NewSubmitter(t)
	want := map[uuid.UUID]bool{}
	done := make(chan []chain.PinRequest, 2)
	for _, s := range []chain.Submitter{a, b} {
		go func() {
			var sent []chain.PinRequest
			for range 5 {
				r := request(2)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := chain.Submit(ctx, s, r)
				cancel()
				if err != nil {
					break
				}
				sent = append(sent, r)
			}
			done <- sent
		}()
	}
	for range 2 {
		for _, r := range <-done {
			want[r.BatchID] = true
		}
	}
	require.Len(t, want, 10, "every submission succeeded")
	env.Mine(t)
	obs := observed(drain(t, follower(t, env, 0)))
	got := map[uuid.UUID]bool{}
	for _, o := range obs {
		got[o.BatchID] = true
	}
	assert.Equal(t, want, got)
}

func testRestart(t *testing.T, h Harness) {
	env := h.New(t)
	if env.Restart == nil {
		t.Skip("this chain cannot be restarted in place")
	}
	s := env.NewSubmitter(t)
	before := request(1)
	submit(t, s, before)
	env.Mine(t)
	f := follower(t, env, 0)
	require.Len(t, observed(drain(t, f)), 1)
	env.Restart(t)
	after := request(1)
	submit(t, s, after)
	env.Mine(t)
	assert.Equal(t, []uuid.UUID{after.BatchID}, batchIDs(observed(drain(t, f))))
}

func testReorg(t *testing.T, h Harness) {
	env := h.New(t)
	if env.Fork == nil {
		t.Skip("this chain cannot be forked on demand")
	}
	s := env.NewSubmitter(t)
	ctx := context.Background()
	parent, err := env.Reader.Head(ctx)
	require.NoError(t, err)
	gone := request(1)
	submit(t, s, gone)
	env.Mine(t)
	f := follower(t, env, 0)
	require.Equal(t, []uuid.UUID{gone.BatchID}, batchIDs(observed(drain(t, f))))

	env.Fork(t, parent.Hash)
	events := drain(t, f)
	var removed []catalogue.PinRemoved
	for _, e := range events {
		if r, ok := e.(catalogue.PinRemoved); ok {
			removed = append(removed, r)
		}
	}
	require.Len(t, removed, 1)
	assert.Equal(t, "reorg", removed[0].Reason)

	// The same pin mined again on the new branch is observed again.
	again := submit(t, s, gone)
	env.Mine(t)
	obs := observed(drain(t, f))
	require.Len(t, obs, 1)
	assert.Equal(t, again.TxHash, obs[0].Location.TxHash)
}

// testResend sends one prepared transaction again while pending, once
// mined, and from another submitter of the key (a restarted process
// sending what it recorded): each is a success, and the chain holds the
// pin once.
func testResend(t *testing.T, h Harness) {
	env := h.New(t)
	s := env.NewSubmitter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := request(2)
	signed, err := s.Prepare(ctx, req)
	require.NoError(t, err)
	require.NotEmpty(t, signed.Raw)
	require.NoError(t, s.Send(ctx, signed))
	require.NoError(t, s.Send(ctx, signed), "sent again while pending")
	env.Mine(t)
	require.NoError(t, s.Send(ctx, signed), "sent again once mined")
	require.NoError(t, env.NewSubmitter(t).Send(ctx, signed), "sent again by another process")
	env.Mine(t)
	obs := observed(drain(t, follower(t, env, 0)))
	require.Len(t, obs, 1)
	assert.Equal(t, req.BatchID, obs[0].BatchID)
	assert.Equal(t, signed.TxHash, obs[0].Location.TxHash)
}

// testUnsent prepares a transaction and does not send it (the process died
// before recording it): the next transaction takes its nonce and is mined;
// the first, sent late, is refused.
func testUnsent(t *testing.T, h Harness) {
	env := h.New(t)
	s := env.NewSubmitter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	unsent, err := s.Prepare(ctx, request(1))
	require.NoError(t, err)
	req := request(1)
	next, err := s.Prepare(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, unsent.Nonce, next.Nonce, "Prepare reserves no nonce")
	require.NoError(t, s.Send(ctx, next))
	env.Mine(t)
	assert.Equal(t, []uuid.UUID{req.BatchID}, batchIDs(observed(drain(t, follower(t, env, 0)))))
	assert.ErrorIs(t, s.Send(ctx, unsent), chain.ErrNonceTaken)
}
