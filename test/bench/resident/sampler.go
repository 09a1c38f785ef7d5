package resident

import (
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// The runtime metrics a Sampler reads: the heap the last collection found
// live (what a heap profile describes), and all the memory the Go runtime
// has mapped less what it has handed back to the OS, the Go part of the
// anonymous resident set.
const (
	liveHeap     = "/gc/heap/live:bytes"
	goTotal      = "/memory/classes/total:bytes"
	heapReleased = "/memory/classes/heap/released:bytes"
)

// profileGrowth is how much the live heap must have grown past the last
// profile's for a new one to be taken: profiles cost a stop of a few
// milliseconds, and a peak within 10% tells the same story.
const profileGrowth = 1.10

// Peaks are a Sampler's findings.
type Peaks struct {
	// AnonMiB and FileMiB are the highest anonymous and file-backed
	// resident memory seen; they need not have peaked together.
	AnonMiB, FileMiB float64
	// HeapLiveMiB is the largest live Go heap seen after a collection.
	HeapLiveMiB float64
	// GoMiB is the most memory the Go runtime held from the OS (heap,
	// stacks, its own structures; not what it released): the rest of
	// AnonMiB is outside Go, such as SQLite's page caches.
	GoMiB float64
	// HeapProfile is a heap profile taken when the live heap was within
	// 10% of HeapLiveMiB; nil unless asked for.
	HeapProfile []byte
}

// Sampler samples the resident set (and the live heap) until Stop.
type Sampler struct {
	profile    bool
	mu         sync.Mutex
	peaks      Peaks
	profiledAt uint64 // live heap bytes when the kept profile was taken
	metric     []metrics.Sample
	stop, done chan struct{}
	once       sync.Once
}

// Start samples every interval; with heapProfile it keeps a heap profile
// taken near the live heap's peak.
func Start(every time.Duration, heapProfile bool) *Sampler {
	s := &Sampler{profile: heapProfile, stop: make(chan struct{}), done: make(chan struct{}),
		metric: []metrics.Sample{{Name: liveHeap}, {Name: goTotal}, {Name: heapReleased}}}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-tick.C:
			case <-s.stop:
				return
			}
		}
	}()
	return s
}

func (s *Sampler) sample() {
	metrics.Read(s.metric)
	var vals [3]uint64
	for i, m := range s.metric {
		if m.Value.Kind() == metrics.KindUint64 {
			vals[i] = m.Value.Uint64()
		}
	}
	live, held := vals[0], vals[1]-min(vals[1], vals[2])
	var anon, file uint64
	if raw, err := os.ReadFile("/proc/self/status"); err == nil {
		anon, _, _ = statusKB(raw, "RssAnon:")
		file, _, _ = statusKB(raw, "RssFile:")
	}
	var profile []byte
	if s.profile && float64(live) > profileGrowth*float64(s.profiledAt) {
		profile = heapProfile()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peaks.AnonMiB = max(s.peaks.AnonMiB, float64(anon)/1024)
	s.peaks.FileMiB = max(s.peaks.FileMiB, float64(file)/1024)
	s.peaks.HeapLiveMiB = max(s.peaks.HeapLiveMiB, float64(live)/(1<<20))
	s.peaks.GoMiB = max(s.peaks.GoMiB, float64(held)/(1<<20))
	if profile != nil {
		s.peaks.HeapProfile, s.profiledAt = profile, live
	}
}

// Stop stops sampling (once; later calls return the same) and returns the
// peaks.
func (s *Sampler) Stop() Peaks {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.profile && s.peaks.HeapProfile == nil {
		// No collection ever ran, so the live heap was never known: a
		// profile of now, after one, rather than none.
		runtime.GC()
		s.peaks.HeapProfile = heapProfile()
	}
	return s.peaks
}

// heapProfile returns a heap profile as of the last collection, nil if it
// cannot be written.
func heapProfile() []byte {
	var buf bytes.Buffer
	if pprof.Lookup("heap").WriteTo(&buf, 0) != nil {
		return nil
	}
	return buf.Bytes()
}
