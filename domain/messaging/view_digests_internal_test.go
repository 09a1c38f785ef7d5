package messaging

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// fixedAggregation is an aggregator view with set digests.
type fixedAggregation struct{ broadcast protocol.Hash }

func (f fixedAggregation) Parked(bool) []catalogue.PinParked   { return nil }
func (f fixedAggregation) Contexts() []aggregator.ContextState { return nil }
func (f fixedAggregation) Digests() (aggregator.Digests, error) {
	return aggregator.Digests{Broadcast: f.broadcast}, nil
}
func (f fixedAggregation) Applied() event.Position { return 0 }

func TestDigestsNeedTheAggregatorToRunHere(t *testing.T) {
	s := &Service{ns: "default", deps: Deps{Aggregation: fixedAggregation{broadcast: protocol.SHA256([]byte("abc"))}}}
	_, err := s.Digests(t.Context(), false)
	require.ErrorIs(t, err, ErrNotReady, "an instance that does not lead the namespace has no current digests")
	assert.Contains(t, err.Error(), "does not run namespace default's aggregator")

	s.led.Store(true)
	d, err := s.Digests(t.Context(), false)
	require.NoError(t, err)
	assert.Equal(t, protocol.SHA256([]byte("abc")), d.Broadcast.Digest)
}
