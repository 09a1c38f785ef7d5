package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestOpenRefusesASecondStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.db")
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: path}, zerolog.Nop())
	require.NoError(t, err)
	_, err = s.Append(ctx, "l-1", event.NoStream(), proposed(2)...)
	require.NoError(t, err)

	_, err = Open(ctx, Config{Path: path}, zerolog.Nop())
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), path, "the error names the file")
	assert.Contains(t, err.Error(), path+lockSuffix, "and the lock file")

	// Another spelling of the same file is the same file.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err == nil { // not every platform lets a test make one
		_, err = Open(ctx, Config{Path: filepath.Join(link, "events.db")}, zerolog.Nop())
		assert.ErrorIs(t, err, ErrLocked, "through a symlinked directory")
	}
	_, err = Open(ctx, Config{Path: filepath.Join(dir, ".", "events.db")}, zerolog.Nop())
	assert.ErrorIs(t, err, ErrLocked, "through an unclean path")

	if osLocks {
		// The OS lock alone refuses another open file description, which is
		// what another process has: tested here without the in-process set.
		f, err := os.OpenFile(path+lockSuffix, os.O_RDWR, 0)
		require.NoError(t, err)
		locked, err := tryLock(f)
		require.NoError(t, err)
		assert.False(t, locked, "the flock is held")
		require.NoError(t, f.Close())
	}

	require.NoError(t, s.Close())
	s, err = Open(ctx, Config{Path: path}, zerolog.Nop())
	require.NoError(t, err, "Close releases the lock")
	all, err := s.ReadAll(ctx, 0, 0)
	require.NoError(t, err)
	assert.Len(t, all, 2, "the refused opens changed nothing")
	require.NoError(t, s.Close())
	_, err = os.Stat(path + lockSuffix)
	assert.NoError(t, err, "the lock file stays (removing it would race the next opener)")
}

func TestFailedOpenReleasesTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := Open(context.Background(), Config{Path: path}, zerolog.Nop())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO schema_version (version, name, applied) VALUES (999, 'future.sql', 0)")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	for range 2 {
		_, err = Open(context.Background(), Config{Path: path}, zerolog.Nop())
		require.ErrorContains(t, err, "newer than this binary")
		assert.NotErrorIs(t, err, ErrLocked, "a failed Open let go of the file")
	}
}
