package deliverybench

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionsValidate(t *testing.T) {
	for name, opts := range map[string]Options{
		"negative events":           {Events: -1},
		"too many events":           {Events: maxEvents + 1},
		"negative outbound events":  {OutboundEvents: -1},
		"more outbound than events": {Events: 10, OutboundEvents: 11},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), opts, nil)
			assert.ErrorIs(t, err, ErrInvalidOptions)
		})
	}
	opts := Options{}
	opts.setDefaults()
	require.NoError(t, opts.validate())
	assert.Equal(t, Options{Events: DefaultEvents, OutboundEvents: DefaultOutboundEvents}, opts)
	small := Options{Events: 50}
	small.setDefaults()
	assert.Equal(t, 50, small.OutboundEvents, "the outbound events default to at most the events")
}

// TestSmallRun runs the suite without NATS on a small log: every figure
// but delivery.nats, positive, with its unit.
func TestSmallRun(t *testing.T) {
	results := runSmall(t, "")
	names := []string{NameWSReplay, NameGoChannel, NameRatio, NameWebhook}
	require.Len(t, results, len(names))
	for i, r := range results {
		assert.Equal(t, names[i], r.Name)
		assert.Positive(t, r.Value, r.Name)
		assert.NotEmpty(t, r.Unit)
	}
	assert.InDelta(t, results[0].Value/results[1].Value, results[2].Value, 1e-9, "the ratio is of the two rates")
}

func runSmall(t *testing.T, natsURL string) []Result {
	t.Helper()
	var lines []string
	results, err := Run(context.Background(), Options{Events: 600, OutboundEvents: 100, NATSURL: natsURL, Dir: t.TempDir()},
		func(s string) { lines = append(lines, s) })
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, NameWSReplay+": replaying 600 events from offset 0")
	}), "%q", lines)
	return results
}

func TestFrameSequence(t *testing.T) {
	seq, err := frameSequence([]byte(`{"id":"x","sequence":4711,"type":"message_confirmed"}`))
	require.NoError(t, err)
	assert.Equal(t, uint64(4711), seq)
	for _, bad := range []string{`{"type":"protocol_error"}`, `{"sequence":"7"}`, `{"sequence":}`} {
		_, err := frameSequence([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestSequenceCheck(t *testing.T) {
	var c sequenceCheck
	require.NoError(t, c.next(3))
	require.NoError(t, c.next(9))
	assert.Error(t, c.next(9))
	assert.Error(t, c.next(4))
	assert.Equal(t, 2, c.n)
}

func TestTallyToleratesARedeliveryOfTheLast(t *testing.T) {
	tl := newTally(2)
	tl.delivered(5)
	tl.delivered(5)
	tl.delivered(8)
	<-tl.done
	n, err := tl.result()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	tl = newTally(5)
	tl.delivered(5)
	tl.delivered(4)
	<-tl.done
	_, err = tl.result()
	assert.Error(t, err)
}
