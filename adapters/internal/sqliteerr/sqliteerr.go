// Package sqliteerr tells the SQLite adapters (event store, read model)
// which SQLite failures come from outside the program: a full disk, a
// read-only file, an I/O error. Those are wrapped in
// event.ErrStorageUnavailable, so that the API answers them clearly and
// background writers wait for the disk instead of stopping the node.
package sqliteerr

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Classify returns err wrapped in event.ErrStorageUnavailable when SQLite
// failed for lack of space, write permission or a working disk, and err as
// it is otherwise (nil stays nil).
func Classify(err error) error {
	if err == nil || errors.Is(err, event.ErrStorageUnavailable) {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: the disk is full: %w", event.ErrStorageUnavailable, err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%w: the database is read-only: %w", event.ErrStorageUnavailable, err)
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("%w: the disk failed: %w", event.ErrStorageUnavailable, err)
	}
	return err
}
