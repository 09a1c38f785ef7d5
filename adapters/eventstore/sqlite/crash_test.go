package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// crashRound is how one round ends: the parent kills the child a random time
// after it opened the store (or, with startup, a random time after it was
// started, up to one and a half times as long as opening took before, so
// often while it opens), or the child kills itself inside a merge of the id
// tail.
type crashRound struct {
	startup    bool
	killWithin time.Duration
	mergeStage string
}

// TestCrashRecovery runs the store in a child process that appends from
// several goroutines and prints every acknowledged append, kills it with
// SIGKILL at a random moment, and checks what a reopened store holds. Rounds
// share one file, so the crashes accumulate.
func TestCrashRecovery(t *testing.T) {
	if os.Getenv(crashPathEnv) != "" {
		t.Skip("this is the child")
	}
	path := filepath.Join(t.TempDir(), "events.db")
	rounds := []crashRound{
		{killWithin: 400 * time.Millisecond},
		{mergeStage: "inserted"}, // killed with the merge written but not committed
		{startup: true},
		{mergeStage: "committed"}, // killed with the merge committed, memory not updated
		{killWithin: 400 * time.Millisecond},
		{killWithin: 100 * time.Millisecond},
	}
	check := &crashCheck{seen: map[event.Position]uuid.UUID{}}
	opening := 100 * time.Millisecond
	for i, r := range rounds {
		if r.startup {
			r.killWithin = opening * 3 / 2
		}
		acks, cancelled, opened := runCrashChild(t, path, i, r)
		if opened > 0 {
			opening = opened
		}
		check.acks = append(check.acks, acks...)
		check.cancelled = append(check.cancelled, cancelled...)
		check.verify(t, path, acks)
		if t.Failed() {
			return
		}
	}
	check.verify(t, path, check.acks) // every ack of every round, retried again
}

// runCrashChild runs one round and returns what the child acknowledged, and
// how long after its start it had the store open (0 if it never did).
func runCrashChild(t *testing.T, path string, round int, r crashRound) (acks, cancelled []crashAck, opened time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), crashPathEnv+"="+path, crashRoundEnv+"="+strconv.Itoa(round), crashKillEnv+"="+r.mergeStage)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	started := time.Now()

	lines := make(chan string, 1024)
	go readLines(stdout, lines)
	kill := func() { _ = cmd.Process.Kill() } // SIGKILL on unix
	var timer *time.Timer
	if r.startup {
		timer = time.AfterFunc(randDuration(r.killWithin), kill)
	} else if r.mergeStage != "" {
		timer = time.AfterFunc(10*time.Second, kill) // the child should have killed itself long before
	}
	for line := range lines {
		switch {
		case line == lineReady:
			opened = time.Since(started)
			if r.mergeStage == "" && !r.startup {
				// The child holds the store: this process may not open it.
				_, err := Open(context.Background(), Config{Path: path}, zerolog.Nop())
				assert.ErrorIs(t, err, ErrLocked, "round %d: Open while the child holds the store", round)
				assert.ErrorContains(t, err, "process "+strconv.Itoa(cmd.Process.Pid), "round %d", round)
				timer = time.AfterFunc(randDuration(r.killWithin), kill)
			}
		case strings.HasPrefix(line, lineAck):
			acks = append(acks, decodeAck(t, line[len(lineAck):]))
		case strings.HasPrefix(line, lineCancelled):
			cancelled = append(cancelled, decodeAck(t, line[len(lineCancelled):]))
		case strings.HasPrefix(line, lineFailure):
			t.Errorf("round %d: child: %s", round, line[len(lineFailure):])
		}
	}
	if timer != nil {
		timer.Stop()
	}
	err = cmd.Wait()
	if status, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); ok && !status.Signaled() {
		t.Errorf("round %d: the child was not killed: %v\n%s", round, err, stderr.String())
	}
	t.Logf("round %d (%+v): child opened the store after %s (0: killed before), %d appends acknowledged, %d gave up",
		round, r, opened.Round(time.Millisecond), len(acks), len(cancelled))
	return acks, cancelled, opened
}

// readLines sends every whole line; a last line cut off by the kill is dropped.
func readLines(r io.Reader, lines chan<- string) {
	defer close(lines)
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		lines <- strings.TrimSuffix(line, "\n")
	}
}

func decodeAck(t *testing.T, s string) crashAck {
	t.Helper()
	var a crashAck
	require.NoError(t, json.Unmarshal([]byte(s), &a), "a whole line from the child is a whole ack")
	return a
}

func randDuration(d time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(d) + 1)) }

// crashCheck is what the parent knows across rounds.
type crashCheck struct {
	acks      []crashAck                   // every ack so far
	cancelled []crashAck                   // appends that returned ctx.Err(): nothing stored
	seen      map[event.Position]uuid.UUID // what earlier reopens read at each position
}

// verify reopens the store (the killed child's lock must be gone) and checks
// it against everything acknowledged so far, then retries the given acks.
func (c *crashCheck) verify(t *testing.T, path string, retry []crashAck) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: path}, zerolog.Nop())
	require.NoError(t, err, "open after kill -9: the lock died with its holder")
	defer func() { assert.NoError(t, s.Close()) }()

	var all []event.Event
	for {
		page, err := s.ReadAll(ctx, event.Position(len(all)), 5000)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
	}
	head, err := s.Head(ctx)
	require.NoError(t, err)
	require.Equal(t, event.Position(len(all)), head, "head is the number of events")
	byID := make(map[uuid.UUID]event.Event, len(all))
	revs := map[string]event.Revision{}
	for i, e := range all {
		require.Equal(t, event.Position(i+1), e.Position, "positions are contiguous from 1")
		_, dup := byID[e.ID]
		require.False(t, dup, "event %s stored twice", e.ID)
		byID[e.ID] = e
		revs[e.Stream]++
		require.Equal(t, revs[e.Stream], e.Revision, "stream %s: revisions are contiguous in position order", e.Stream)
	}
	for pos, id := range c.seen {
		require.Equal(t, id, all[pos-1].ID, "position %d read before reads the same event now", pos)
	}
	for _, e := range all {
		c.seen[e.Position] = e.ID
	}

	for _, a := range c.acks {
		res := a.Result
		require.Equal(t, res.FirstPosition+event.Position(len(a.Events))-1, res.LastPosition, "ack %+v", res)
		for i, p := range a.Events {
			e := all[res.FirstPosition-1+event.Position(i)]
			require.Equal(t, p.ID, e.ID, "acknowledged event at its position")
			assert.Equal(t, a.Stream, e.Stream)
			assert.Equal(t, res.Revision-event.Revision(len(a.Events)-1-i), e.Revision)
			assert.Equal(t, p.Type, e.Type)
			assert.Equal(t, p.Version, e.Version)
			assert.JSONEq(t, string(p.Data), string(e.Data))
			assert.Equal(t, p.Metadata, e.Metadata)
		}
	}
	for _, a := range c.cancelled {
		for _, p := range a.Events {
			_, stored := byID[p.ID]
			assert.False(t, stored, "an append that returned ctx.Err() stored event %s", p.ID)
		}
	}

	// Retry acks concurrently (so they group-commit): each is a no-op that
	// returns the acknowledged result, whatever the expected revision says.
	work := make(chan crashAck)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				res, err := s.Append(ctx, a.Stream, event.NoStream(), a.Events...)
				if assert.NoError(t, err, "retry of an acknowledged append") {
					want := a.Result
					want.Duplicate = true
					assert.Equal(t, want, res, "retry of an acknowledged append")
				}
			}
		}()
	}
	for _, a := range retry {
		work <- a
	}
	close(work)
	wg.Wait()
	after, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, head, after, "retries stored nothing")
	c.checkIDIndex(t, path, head)
}

// checkIDIndex reads the id index's own tables: event_ids holds exactly the
// ids of positions 1..ids_indexed_through.
func (c *crashCheck) checkIDIndex(t *testing.T, path string, head event.Position) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var indexed, through, mismatched int64
	require.NoError(t, db.QueryRow("SELECT ids_indexed_through FROM store_state").Scan(&through))
	require.NoError(t, db.QueryRow("SELECT count(*) FROM event_ids").Scan(&indexed))
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM event_ids i LEFT JOIN events e ON e.position = i.position
		WHERE e.id IS NOT i.id OR i.position > ?`, through).Scan(&mismatched))
	assert.Equal(t, through, indexed)
	assert.Zero(t, mismatched, "event_ids entries point at their events")
	assert.LessOrEqual(t, through, int64(head))
	t.Logf("store: head %d, ids indexed through %d", head, through)
}
