//go:build integration

package storebench

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
)

func TestRunPostgresReportsEveryFigure(t *testing.T) {
	url := pgtest.Require(t) // skips (or fails under LM_REQUIRE_SERVICES=1) without a server
	results, err := Run(context.Background(), Options{Driver: DriverPostgres, URL: url, Events: 1000, SingleEvents: 200}, nil)
	require.NoError(t, err)
	names := []string{NameAppendSingle, NameAppendBatched, NameAppendConcurrent, NameReadAll, NameSubscribeCatch, NameRawInsert, NameAppendRatio}
	require.Len(t, results, len(names))
	for i, r := range results {
		assert.Equal(t, names[i], r.Name)
		assert.Positive(t, r.Value, r.Name)
	}
}
