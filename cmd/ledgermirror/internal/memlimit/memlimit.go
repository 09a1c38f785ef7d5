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

// Apply sets a soft limit of mib MiB (at least Minimum) on the Go runtime's
// memory unless one is in force already (GOMEMLIMIT in the environment, or
// an earlier Apply not undone); mib <= 0 sets none. It returns the limit it
// set in MiB (0 when it set none) and the function that removes it again
// (a no-op when it set none).
func Apply(mib int) (setMiB int, undo func()) {
	undo = func() {}
	if mib <= 0 {
		return 0, undo
	}
	mu.Lock()
	defer mu.Unlock()
	if os.Getenv("GOMEMLIMIT") != "" || debug.SetMemoryLimit(-1) != noLimit {
		return 0, undo
	}
	setMiB = max(mib, Minimum)
	debug.SetMemoryLimit(int64(setMiB) * MiB)
	var once sync.Once
	return setMiB, func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			debug.SetMemoryLimit(noLimit)
		})
	}
}
