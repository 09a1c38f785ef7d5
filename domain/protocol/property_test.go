package protocol

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Random batches: whatever their shape, a batch the sender builds verifies at
// the receiver after a trip through JSON, and its hashes do not change.
func TestRandomBatchesVerifyAfterJSONRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 200 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			sent := randomBatch(t, rng)
			got := testBatch{
				manifest: roundTrip(t, sent.manifest, UnmarshalManifest),
				messages: roundTripAll(t, sent.messages, UnmarshalMessage),
				data:     roundTripAll(t, sent.data, UnmarshalData),
			}
			rng.Shuffle(len(got.data), func(i, j int) { got.data[i], got.data[j] = got.data[j], got.data[i] })
			require.NoError(t, VerifyBatch(sent.manifest.Hash(), got.manifest, got.messages, got.data))
			assert.Equal(t, sent.manifest.Hash(), got.manifest.Hash())
		})
	}
}

func randomBatch(t *testing.T, rng *rand.Rand) testBatch {
	pool := make([]Data, 1+rng.IntN(6))
	for i := range pool {
		pool[i] = mustData(t, fmt.Sprintf(`{"n":%d,"x":%v}`, i, rng.Float64()*1e30))
	}
	var group *Hash
	if rng.IntN(2) == 0 {
		g := SHA256([]byte(fmt.Sprint(rng.Int())))
		group = &g
	}
	used := map[uuid.UUID]Data{}
	messages := make([]Message, 1+rng.IntN(8))
	for i := range messages {
		f := broadcastFields(t)
		if group != nil {
			f = privateFields(t, *group)
		}
		f.Topics = manyTopics(1 + rng.IntN(3))
		var data []Data
		for _, j := range rng.Perm(len(pool))[:rng.IntN(len(pool)+1)] {
			data = append(data, pool[j])
			used[pool[j].ID()] = pool[j]
		}
		messages[i] = mustMessage(t, f, data...)
	}
	var data []Data
	for _, d := range used {
		data = append(data, d)
	}
	m, err := BuildManifest(uuid.New(), uuid.New(), messages, data)
	require.NoError(t, err)
	return testBatch{manifest: m, messages: messages, data: data}
}

func roundTrip[T any](t *testing.T, v T, parse func([]byte) (T, error)) T {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	back, err := parse(raw)
	require.NoError(t, err)
	return back
}

func roundTripAll[T any](t *testing.T, vs []T, parse func([]byte) (T, error)) []T {
	t.Helper()
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = roundTrip(t, v, parse)
	}
	return out
}
