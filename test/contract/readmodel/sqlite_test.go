package readmodel_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/test/contract/readmodel"
)

func TestSQLite(t *testing.T) {
	readmodel.Run(t, func(t *testing.T, tables []*projections.Table) projections.Store {
		cfg := sqlite.Config{Path: filepath.Join(t.TempDir(), "readmodel.db")}
		store, err := sqlite.Open(context.Background(), cfg, tables, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
		require.NoError(t, err)
		return store
	})
}
