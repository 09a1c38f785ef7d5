package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// ErrLocked is returned (wrapped, with the path) by Open when another Store
// has the same file open, in this process or in another. The store's single
// writer keeps the head, the stream revisions and the unindexed tail of event
// ids in memory, so two writers on one file would assign the same positions
// and let the same event id in twice.
var ErrLocked = errors.New("event store is locked by another open store")

// lockSuffix names the lock file beside the database: <path>.lock.
const lockSuffix = ".lock"

// storeLock is a Store's exclusive claim on its file, held from Open to Close.
//
// It is taken twice over. A process-wide set of open paths refuses a second
// Store in this process on any platform. An advisory flock on <path>.lock
// refuses other processes on platforms that have flock (see lock_flock.go);
// the kernel drops it when the holder exits however it exits, kill -9
// included, so a crashed node never blocks its restart. The lock is on a file
// of its own, never the database: SQLite uses POSIX record locks on the
// database, and closing any descriptor of that file in this process would
// silently drop them.
type storeLock struct {
	key  string   // canonical path of the database, the open-set key
	file *os.File // the lock file, nil where there is no OS lock
}

// openPaths is the process-wide set of database files a Store has open. It
// is package state because what it guards is process-wide: flock alone does
// not reliably refuse a second lock from the same process on every file
// system (NFS emulates it with POSIX locks, which a process never conflicts
// with itself on).
var openPaths = struct {
	sync.Mutex
	m map[string]struct{}
}{m: map[string]struct{}{}}

// lockStore claims path for one Store. It fails with an error wrapping
// ErrLocked if the path is taken.
func lockStore(path string) (*storeLock, error) {
	key, err := canonicalPath(path)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	lockPath := path + lockSuffix
	openPaths.Lock()
	defer openPaths.Unlock()
	if _, taken := openPaths.m[key]; taken {
		return nil, fmt.Errorf("%w: a Store in this process has it open (lock file %s)", ErrLocked, lockPath)
	}
	f, err := lockFile(lockPath)
	if err != nil {
		return nil, err
	}
	openPaths.m[key] = struct{}{}
	return &storeLock{key: key, file: f}, nil
}

// release gives the path up. The lock file stays: removing it would let the
// next opener lock a new file while a third still holds the removed one.
func (l *storeLock) release() error {
	if l == nil {
		return nil
	}
	var err error
	if l.file != nil {
		err = l.file.Close() // closing the descriptor drops the flock
	}
	openPaths.Lock()
	delete(openPaths.m, l.key)
	openPaths.Unlock()
	return err
}

// lockFile opens (creating) the lock file and takes the OS lock without
// waiting. The holder's pid is written into it for the error message of the
// next one who tries; it is only a hint, the lock is what counts.
func lockFile(lockPath string) (*os.File, error) {
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	locked, err := tryLock(f)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	if !locked {
		holder := "another process"
		if b, rerr := os.ReadFile(lockPath); rerr == nil {
			if pid, perr := strconv.Atoi(string(bytes.TrimSpace(b))); perr == nil && pid > 0 {
				holder = "process " + strconv.Itoa(pid)
			}
		}
		_ = f.Close()
		return nil, fmt.Errorf("%w: %s has it open (lock file %s)", ErrLocked, holder, lockPath)
	}
	if !osLocks {
		return f, nil
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// canonicalPath names the database file the same way however it was reached
// (relative path, symlinked directory), so the in-process check cannot be
// dodged by spelling the path differently.
func canonicalPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		return resolved, nil
	}
	// The file does not exist yet; its directory does (Open creates it first).
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return abs, nil //nolint:nilerr // best effort: the unresolved absolute path still works as a key
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}
