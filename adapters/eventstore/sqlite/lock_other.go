//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlite

import "os"

// osLocks: on this platform there is no flock, so only the in-process check
// applies. Two processes opening one store file here are not refused, and
// must not happen: run one node per data directory.
const osLocks = false

// tryLock is the fallback where there is no flock: the lock file is created
// (so the layout is the same on every platform) but not locked.
func tryLock(*os.File) (bool, error) { return true, nil }
