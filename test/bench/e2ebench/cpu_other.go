//go:build !unix

package e2ebench

import "time"

// cpuTime is unknown here.
func cpuTime() time.Duration { return 0 }
