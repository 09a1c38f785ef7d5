package search_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	searchport "github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/test/contract/search"
)

func TestBleve(t *testing.T) {
	search.Run(t, func(t *testing.T) searchport.Index {
		idx, err := bleve.Open(t.TempDir(), bleve.Config{})
		require.NoError(t, err)
		return idx
	})
}
