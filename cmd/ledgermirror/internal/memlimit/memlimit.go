package memlimit

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
)

// MiB is a mebibyte.
const MiB = 1 << 20

// Minimum is the smallest limit Apply sets, in MiB: below it a node's own
// working set would keep the collector running all the time.
const Minimum = 64

// mu serialises Apply and the undo functions it returns (in-process
// networks of tests start and stop one after another).
var mu sync.Mutex

// noLimit is what debug.SetMemoryLimit reports when no limit is in force.
const noLimit = math.MaxInt64

// Apply sets a soft limit of mib MiB on the Go runtime's memory unless one
// is in force already (GOMEMLIMIT in the environment, or an earlier Apply
// not undone); mib <= 0 sets none. It returns whether it set the limit and
// the function that removes it again (a no-op when it did not).
func Apply(mib int) (applied bool, undo func()) {
	undo = func() {}
	if mib <= 0 {
		return false, undo
	}
	mu.Lock()
	defer mu.Unlock()
	if os.Getenv("GOMEMLIMIT") != "" || debug.SetMemoryLimit(-1) != noLimit {
		return false, undo
	}
	debug.SetMemoryLimit(int64(max(mib, Minimum)) * MiB)
	var once sync.Once
	return true, func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			debug.SetMemoryLimit(noLimit)
		})
	}
}
