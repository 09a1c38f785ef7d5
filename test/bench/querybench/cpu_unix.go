//go:build unix

package querybench

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far,
// or 0 if the system cannot say.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
