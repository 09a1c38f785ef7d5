package readmodel_test

import (
	"testing"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/test/contract/readmodel"
)

// TestMemstore holds the reference store to the same contract as the SQL
// adapters.
func TestMemstore(t *testing.T) {
	readmodel.Run(t, func(*testing.T, []*projections.Table) projections.Store { return memstore.New() })
}
