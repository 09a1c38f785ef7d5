package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// Redraw intervals: a terminal line can change often, a log file should
// get a line every few seconds (and one at each change of state).
const (
	barEvery   = 100 * time.Millisecond
	plainEvery = 2 * time.Second
	barWidth   = 30
)

// progressBar shows a command's progress (a rebuild's, a replay's) on w:
// one redrawn line on a terminal, plain lines naming the command otherwise.
type progressBar struct {
	w     io.Writer
	tty   bool
	now   func() time.Time
	label string

	mu        sync.Mutex
	last      time.Time
	lastState generation.State
	drawn     bool
}

// newProgressBar returns a bar whose plain lines start with "label: ".
func newProgressBar(w io.Writer, label string, tty bool, now func() time.Time) *progressBar {
	return &progressBar{w: w, tty: tty, now: now, label: label}
}

// update draws st, unless the last drawing is recent and of the same state.
func (b *progressBar) update(st generation.Status) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	every := plainEvery
	if b.tty {
		every = barEvery
	}
	if st.State == b.lastState && now.Sub(b.last) < every {
		return
	}
	b.last, b.lastState = now, st.State
	if b.tty {
		fmt.Fprintf(b.w, "\r%s\x1b[K", describeProgress(b.label, st, true))
		b.drawn = true
		return
	}
	fmt.Fprintln(b.w, describeProgress(b.label, st, false))
}

// end finishes the bar's line so that what follows starts on its own.
func (b *progressBar) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

// describeProgress is one line of progress: with a bar for a terminal,
// after "label: " otherwise.
func describeProgress(label string, st generation.Status, bar bool) string {
	frac := 1.0
	if st.Head > 0 {
		frac = min(float64(st.Position)/float64(st.Head), 1)
	}
	var sb strings.Builder
	if bar {
		n := int(frac * barWidth)
		sb.WriteString("[" + strings.Repeat("#", n) + strings.Repeat("-", barWidth-n) + "] ")
	} else {
		sb.WriteString(label + ": ")
	}
	fmt.Fprintf(&sb, "%3.0f%%  %d/%d events  %s events/s", frac*100, st.Position, st.Head, humanCount(st.Rate))
	if st.ETASeconds != nil && st.State == generation.StateRunning {
		sb.WriteString("  ETA " + (time.Duration(*st.ETASeconds * float64(time.Second))).Round(time.Second).String())
	}
	switch st.State {
	case generation.StateSwapping:
		sb.WriteString("  building indexes")
	case generation.StateRunning:
	default:
		sb.WriteString("  " + string(st.State))
	}
	return sb.String()
}

// humanCount writes a rate or a count with a k or M suffix.
func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}
