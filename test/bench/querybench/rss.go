package querybench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// peakRSSMegabytes is the process's peak resident set (VmHWM), in MiB.
func peakRSSMegabytes() (float64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("reading the peak resident set: %w", err)
	}
	return parseVmHWM(raw)
}

// parseVmHWM reads the "VmHWM:   123456 kB" line of /proc/<pid>/status.
func parseVmHWM(status []byte) (float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmHWM line %q", sc.Text())
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected VmHWM line %q: %w", sc.Text(), err)
		}
		return float64(kb) / 1024, nil
	}
	return 0, fmt.Errorf("no VmHWM line in /proc/self/status")
}

// residentSampler records the peak of the anonymous (the process's own
// memory: Go heap, SQLite caches) and of the file-backed (pages of mapped
// files, such as the event store's and the search index's maps, which the
// kernel can drop) parts of the resident set, which VmHWM adds up.
type residentSampler struct {
	mu             sync.Mutex
	anonKB, fileKB uint64
	stop, done     chan struct{}
	once           sync.Once
}

func startResidentSampler(every time.Duration) *residentSampler {
	s := &residentSampler{stop: make(chan struct{}), done: make(chan struct{})}
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

func (s *residentSampler) sample() {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	anon, file := statusKB(raw, "RssAnon:"), statusKB(raw, "RssFile:")
	s.mu.Lock()
	s.anonKB, s.fileKB = max(s.anonKB, anon), max(s.fileKB, file)
	s.mu.Unlock()
}

// peaks stops the sampler (if it still runs) and returns the peaks in MiB.
func (s *residentSampler) peaks() (anonMiB, fileMiB float64) {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(s.anonKB) / 1024, float64(s.fileKB) / 1024
}

// statusKB reads a "Name:   123 kB" line of /proc/<pid>/status; 0 if absent.
func statusKB(status []byte, name string) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			if f := strings.Fields(rest); len(f) == 2 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb
			}
		}
	}
	return 0
}
