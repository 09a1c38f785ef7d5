package generation

import (
	"math"
	"sync"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// State is where a rebuild is.
type State string

// The states of a rebuild, as Status and the API report them.
const (
	// StateIdle: no rebuild since the node started, and none left over.
	StateIdle State = "idle"
	// StateInterrupted: a rebuild stopped before its swap (the node
	// stopped or crashed, or the rebuild was cancelled); its partial
	// generation is kept and the next rebuild resumes it from its
	// checkpoints. The old generation serves meanwhile.
	StateInterrupted State = "interrupted"
	// StateRunning: the new generation is catching up with the log.
	StateRunning State = "running"
	// StateSwapping: it has caught up; its deferred indexes are being
	// built, then it catches up again and replaces the serving one.
	StateSwapping State = "swapping"
	// StateDone: the rebuilt generation serves.
	StateDone State = "done"
	// StateFailed: the rebuild failed (Error says why); the old
	// generation serves, the partial one is kept for a retry.
	StateFailed State = "failed"
)

// active says whether a rebuild in state s is under way.
func (s State) active() bool { return s == StateRunning || s == StateSwapping }

// Status is a rebuild's progress, a snapshot.
type Status struct {
	State State `json:"state"`
	// Serving is the generation the node reads now.
	Serving uint64 `json:"serving"`
	// Generation is the generation being built (or last built).
	Generation uint64 `json:"generation"`
	// Projection is the projector the rebuild was asked for; empty for
	// all. A generation is rebuilt whole either way (see the package doc).
	Projection string `json:"projection,omitempty"`
	// Resumed says the rebuild continued a partial generation from its
	// checkpoints rather than starting from position 0.
	Resumed bool `json:"resumed,omitempty"`
	// Position is how far the new generation has applied the log (the
	// least position of its projectors), Head the log's last position.
	Position event.Position `json:"position"`
	Head     event.Position `json:"head"`
	// Rate is the recent speed in events per second; ETASeconds the time
	// left at that rate (absent until there is a rate).
	Rate       float64    `json:"rate"`
	ETASeconds *float64   `json:"etaSeconds,omitempty"`
	Started    *time.Time `json:"started,omitempty"`
	Finished   *time.Time `json:"finished,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// rateWindow is the time constant of the rate's moving average: short
// enough to follow a rebuild that slows as its tables grow, long enough
// that one slow commit does not make the ETA jump.
const rateWindow = 5 * time.Second

// progress is a rebuild's status, updated by the rebuild and read by
// anyone; notify (optional) is called with every update.
type progress struct {
	mu     sync.Mutex
	st     Status
	lastAt time.Time
	notify func(Status)
}

func newProgress(st Status, notify func(Status)) *progress {
	return &progress{st: st, notify: notify}
}

func (p *progress) snapshot() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}

func (p *progress) update(f func(st *Status)) {
	p.mu.Lock()
	f(&p.st)
	st := p.st
	p.mu.Unlock()
	if p.notify != nil {
		p.notify(st)
	}
}

// observe records a measurement: the rate is an exponential moving
// average of the positions gained per second, weighted by elapsed time.
func (p *progress) observe(pos, head event.Position, now time.Time) {
	p.update(func(st *Status) {
		if !p.lastAt.IsZero() && now.After(p.lastAt) && pos >= st.Position {
			dt := now.Sub(p.lastAt).Seconds()
			inst := float64(pos-st.Position) / dt
			w := 1 - math.Exp(-dt/rateWindow.Seconds())
			if st.Rate == 0 {
				st.Rate = inst
			} else {
				st.Rate += w * (inst - st.Rate)
			}
		}
		p.lastAt = now
		st.Position, st.Head = pos, head
		st.ETASeconds = nil
		if st.Rate > 0 && head >= pos {
			eta := float64(head-pos) / st.Rate
			st.ETASeconds = &eta
		}
	})
}

func (p *progress) setState(s State) { p.update(func(st *Status) { st.State = s }) }

// finish ends the rebuild in state s (err, if any, is its error).
func (p *progress) finish(s State, err error, now time.Time) {
	p.update(func(st *Status) {
		st.State = s
		st.Finished = &now
		st.ETASeconds = nil
		if err != nil {
			st.Error = err.Error()
		}
	})
}
