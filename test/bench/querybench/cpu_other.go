//go:build !unix

package querybench

import "time"

// cpuTime is unknown here.
func cpuTime() time.Duration { return 0 }
