package sqliteerr_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/ledgermirror/ledgermirror/adapters/internal/sqliteerr"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// TestAReadOnlyDatabaseIsStorageUnavailable writes to a database opened
// read-only: the error is one the node waits out, not a bug.
func TestAReadOnlyDatabaseIsStorageUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	rw, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = rw.Exec("CREATE TABLE t (v INTEGER)")
	require.NoError(t, err)
	require.NoError(t, rw.Close())

	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer func() { _ = ro.Close() }()
	_, err = ro.Exec("INSERT INTO t VALUES (1)")
	require.Error(t, err)
	classified := sqliteerr.Classify(err)
	assert.ErrorIs(t, classified, event.ErrStorageUnavailable)
	assert.Contains(t, classified.Error(), "read-only")
	assert.ErrorIs(t, classified, err, "the cause stays in the chain")
}

func TestOtherErrorsAreLeftAlone(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "y.db"))
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	_, err = db.Exec("SELECT * FROM missing")
	require.Error(t, err)
	assert.NotErrorIs(t, sqliteerr.Classify(err), event.ErrStorageUnavailable, "a bad query is not the disk's fault")
	assert.NoError(t, sqliteerr.Classify(nil))
	plain := errors.New("plain")
	assert.Same(t, plain, sqliteerr.Classify(plain))
}
