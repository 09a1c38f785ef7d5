//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlite

import (
	"errors"
	"os"
	"syscall"
)

// osLocks: on this platform the lock also refuses other processes.
const osLocks = true

// tryLock takes an exclusive flock on f without waiting: false if another
// open file description holds it (another process, or another descriptor in
// this one). The kernel releases it when the descriptor is closed or the
// process exits, however it exits.
func tryLock(f *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}
