package projector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// The checkpoint name follows the read-model projectors' versions, and
// every index accepts it.
func TestNameNamesTheSources(t *testing.T) {
	assert.Equal(t, projector.Version+"-"+projections.Messages{}.Name()+"-"+projections.Data{}.Name(), projector.Name)
	assert.NoError(t, search.ValidateCheckpointName(projector.Name))
}
