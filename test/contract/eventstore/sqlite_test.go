package eventstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/test/contract/eventstore"
)

func TestSQLite(t *testing.T) {
	eventstore.Run(t, eventstore.Harness{
		New: func(t *testing.T) (event.Store, func(t *testing.T) event.Store) {
			cfg := sqlite.Config{Path: filepath.Join(t.TempDir(), "events.db")}
			open := func(t *testing.T) event.Store {
				store, err := sqlite.Open(context.Background(), cfg, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
				require.NoError(t, err)
				return store
			}
			return open(t), open
		},
	})
}
