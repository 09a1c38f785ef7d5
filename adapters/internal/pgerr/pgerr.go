// Package pgerr tells the PostgreSQL adapters (event store, read model)
// which server errors mean the database cannot write now for a reason
// outside the program (a full disk, a read-only server), and wraps those
// in event.ErrStorageUnavailable, as sqliteerr does for SQLite.
package pgerr

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// SQLSTATE codes (PostgreSQL, appendix A).
const (
	diskFull              = "53100"
	outOfMemory           = "53200"
	insufficientResources = "53000"
	readOnlyTransaction   = "25006"
	ioError               = "58030"
)

// Classify returns err wrapped in event.ErrStorageUnavailable when the
// server refused to write for lack of space or because it is read-only
// (a standby), and err as it is otherwise (nil stays nil).
func Classify(err error) error {
	if err == nil || errors.Is(err, event.ErrStorageUnavailable) {
		return err
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case diskFull, insufficientResources, outOfMemory:
		return fmt.Errorf("%w: the database server is out of space: %w", event.ErrStorageUnavailable, err)
	case readOnlyTransaction:
		return fmt.Errorf("%w: the database server is read-only: %w", event.ErrStorageUnavailable, err)
	case ioError:
		return fmt.Errorf("%w: the database server's disk failed: %w", event.ErrStorageUnavailable, err)
	}
	return err
}
