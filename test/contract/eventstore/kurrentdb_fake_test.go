package eventstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/kurrentdb"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/kurrentdb/kdbfake"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/test/contract/eventstore"
)

// TestKurrentDBOnFake runs the suite against kdbfake, an in-memory stand-in
// for the gRPC API, all tests on one fake under prefixes of their own. It
// checks the adapter's own logic through the real client; it says nothing
// about how a real KurrentDB behaves (TestKurrentDB does).
func TestKurrentDBOnFake(t *testing.T) {
	fake, err := kdbfake.Start()
	require.NoError(t, err)
	t.Cleanup(fake.Stop)
	eventstore.Run(t, kurrentDBHarness(fake.URL()))
}

func kurrentDBHarness(url string) eventstore.Harness {
	return eventstore.Harness{
		New: func(t *testing.T) (event.Store, func(t *testing.T) event.Store) {
			b := make([]byte, 8)
			_, err := rand.Read(b)
			require.NoError(t, err)
			cfg := kurrentdb.Config{URL: url, StreamPrefix: "lmtest-" + hex.EncodeToString(b) + "/"}
			open := func(t *testing.T) event.Store {
				store, err := kurrentdb.Open(context.Background(), cfg, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
				require.NoError(t, err)
				return store
			}
			return open(t), open
		},
		// $all positions are log offsets: increasing, never contiguous.
		Features: eventstore.Features{PositionGaps: true},
	}
}
