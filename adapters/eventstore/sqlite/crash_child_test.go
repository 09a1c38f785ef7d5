package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// The crash test's child process: TestCrashRecovery runs the test binary
// again with only TestCrashChild selected and these variables set.
const (
	crashPathEnv  = "LM_SQLITE_CRASH_PATH"  // the store file; unset: not a child
	crashRoundEnv = "LM_SQLITE_CRASH_ROUND" // round number, for unique stream names
	crashKillEnv  = "LM_SQLITE_CRASH_KILL"  // "inserted"/"committed": kill itself at that merge stage
	crashMergeAt  = 64                      // id tail merge threshold: merges every few commits
)

// Lines the child prints, one write each. The parent trusts nothing else.
const (
	lineReady     = "READY"
	lineAck       = "ACK "       // + JSON crashAck: Append returned this result
	lineCancelled = "CANCELLED " // + JSON crashAck without result: Append returned ctx.Err()
	lineFailure   = "FAILURE "   // + text: something the child found wrong
)

// crashAck is one acknowledged (or cancelled) append as the child saw it.
type crashAck struct {
	Stream string              `json:"stream"`
	Events []event.Proposed    `json:"events"`
	Result event.AppendResult  `json:"result"`
	Retry  bool                `json:"retry,omitempty"` // a retry of an earlier ack
	orig   *event.AppendResult // the acknowledged result a retry must repeat (child only)
}

// TestCrashChild appends from several goroutines until it is killed. It is a
// helper process, skipped unless TestCrashRecovery started it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashPathEnv)
	if path == "" {
		t.Skip("helper process of TestCrashRecovery")
	}
	round := os.Getenv(crashRoundEnv)
	out := &lineWriter{}
	cfg := Config{Path: path, idMergeAt: crashMergeAt, MaxBatch: 256}
	if stage := os.Getenv(crashKillEnv); stage != "" {
		merges, killAt := 0, 3+rand.IntN(6)
		cfg.hooks = &testHooks{merge: func(at string) error {
			if at == stage {
				if merges++; merges == killAt {
					killSelf()
				}
			}
			return nil
		}}
	}
	s, err := Open(context.Background(), cfg, zerolog.Nop())
	if err != nil {
		out.line(lineFailure + "open: " + err.Error())
		os.Exit(2)
	}
	out.line(lineReady)

	// A parent that died without killing us must not leave us running.
	time.AfterFunc(20*time.Second, func() { os.Exit(3) })
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			crashWorker(s, out, fmt.Sprintf("r%s-w%d", round, g), uint64(g))
		}()
	}
	wg.Wait()
}

// crashWorker mixes appends: exact-revision batches to its own stream, single
// events to shared streams, batches to new streams, retries of its earlier
// acks, and appends with deadlines so short that some give up.
func crashWorker(s *Store, out *lineWriter, name string, seed uint64) {
	rnd := rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))
	own := "own-" + name
	var ownRev event.Revision
	var acked []crashAck
	for i := 0; ; i++ {
		ctx, cancel := context.Background(), context.CancelFunc(func() {})
		a := crashAck{}
		expected := event.Any()
		switch k := rnd.IntN(10); {
		case k < 3:
			a.Stream, a.Events, expected = own, crashEvents(rnd, 1+rnd.IntN(4)), event.Exact(ownRev)
		case k < 5:
			a.Stream, a.Events = "shared-"+strconv.Itoa(rnd.IntN(4)), crashEvents(rnd, 1)
		case k < 7:
			a.Stream, a.Events, expected = "agg-"+name+"-"+strconv.Itoa(i), crashEvents(rnd, 1+rnd.IntN(24)), event.NoStream()
		case k < 8 && len(acked) > 0:
			prev := acked[rnd.IntN(len(acked))]
			a.Stream, a.Events, a.Retry, a.orig = prev.Stream, prev.Events, true, &prev.Result
			expected = event.NoStream() // whatever it says, a retry is a no-op
		default:
			a.Stream, a.Events, expected = "hurried-"+name+"-"+strconv.Itoa(i), crashEvents(rnd, 1+rnd.IntN(3)), event.NoStream()
			ctx, cancel = context.WithTimeout(ctx, time.Duration(rnd.IntN(300))*time.Microsecond)
		}
		res, err := s.Append(ctx, a.Stream, expected, a.Events...)
		cancel()
		switch {
		case err == nil:
			a.Result = res
			if a.Retry != res.Duplicate || (a.Retry && *a.orig != event.AppendResult{
				FirstPosition: res.FirstPosition, LastPosition: res.LastPosition, Revision: res.Revision}) {
				out.line(fmt.Sprintf("%sappend to %s: result %+v, retry of %v", lineFailure, a.Stream, res, a.orig))
			}
			out.line(lineAck + crashJSON(a))
			if !a.Retry {
				acked = append(acked, a)
				if a.Stream == own {
					ownRev = res.Revision
				}
			}
		case errors.Is(err, context.DeadlineExceeded):
			out.line(lineCancelled + crashJSON(a))
		default:
			out.line(fmt.Sprintf("%sappend to %s: %v", lineFailure, a.Stream, err))
			return
		}
	}
}

func crashEvents(rnd *rand.Rand, n int) []event.Proposed {
	out := make([]event.Proposed, n)
	for i := range out {
		p := event.Proposed{ID: uuid.New(), Type: "Crashed", Version: 1 + rnd.IntN(2)}
		body := map[string]any{"n": rnd.Int64(), "pad": strings.Repeat("x", rnd.IntN(300))}
		if rnd.IntN(4) == 0 {
			body["text"] = "quote \" backslash \\ ünïcödé ✓"
		}
		p.Data, _ = json.Marshal(body)
		if rnd.IntN(2) == 0 {
			p.Metadata = event.Metadata{CorrelationID: uuid.NewString(), Node: "did:lm:org/crash/node1"}
		}
		out[i] = p
	}
	return out
}

func crashJSON(a crashAck) string {
	b, err := json.Marshal(a)
	if err != nil {
		panic(err) // a struct of strings, numbers and JSON: cannot happen
	}
	return string(b)
}

// lineWriter writes each line with one write, so a line the parent reads
// whole was printed whole, after what it reports had happened.
type lineWriter struct{ mu sync.Mutex }

func (w *lineWriter) line(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = os.Stdout.Write([]byte(s + "\n"))
}

// killSelf dies as kill -9 would kill the process: no deferred calls, no
// Close, nothing flushed.
func killSelf() {
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		_ = p.Kill()
	}
	select {} // the signal is on its way
}
