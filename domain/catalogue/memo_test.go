package catalogue_test

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// countingCatalogue registers renamed at v2 with an upcaster from v1 that
// counts its calls: one per decode of a v1 event.
func countingCatalogue(calls *atomic.Int32) *catalogue.Catalogue {
	cat := catalogue.New()
	cat.Register(renamed{}, 2)
	cat.RegisterUpcaster("Renamed", 1, func(in json.RawMessage) (json.RawMessage, error) {
		calls.Add(1)
		var v1 struct {
			Why string `json:"why"`
		}
		if err := json.Unmarshal(in, &v1); err != nil {
			return nil, err
		}
		return json.Marshal(renamed{Reason: v1.Why})
	})
	return cat
}

// decodeConcurrently decodes ev from many goroutines at once.
func decodeConcurrently(cat *catalogue.Catalogue, ev event.Event) ([]catalogue.Payload, []error) {
	const readers = 16
	payloads, errs := make([]catalogue.Payload, readers), make([]error, readers)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			payloads[i], errs[i] = cat.Decode(ev)
		}()
	}
	start.Done()
	wg.Wait()
	return payloads, errs
}

func TestDecodeWithAMemoDecodesOnceForAllReaders(t *testing.T) {
	var calls atomic.Int32
	cat := countingCatalogue(&calls)
	ev := event.Event{ID: uuid.New(), Type: "Renamed", Version: 1, Data: []byte(`{"why":"because"}`), Memo: &event.Memo{}}

	payloads, errs := decodeConcurrently(cat, ev)
	for i := range payloads {
		require.NoError(t, errs[i])
		assert.Equal(t, renamed{Reason: "because"}, payloads[i])
	}
	assert.Equal(t, int32(1), calls.Load(), "upcast and decoded once")

	_, err := cat.Decode(ev.WithoutMemo())
	require.NoError(t, err)
	assert.Equal(t, int32(2), calls.Load(), "without a Memo every read decodes")
}

func TestDecodeWithAMemoRemembersTheError(t *testing.T) {
	var calls atomic.Int32
	cat := countingCatalogue(&calls)
	ev := event.Event{ID: uuid.New(), Type: "Renamed", Version: 1, Data: []byte(`{"why":""}`), Memo: &event.Memo{}}

	payloads, errs := decodeConcurrently(cat, ev)
	for i := range errs {
		assert.Nil(t, payloads[i])
		assert.ErrorIs(t, errs[i], catalogue.ErrMalformedEvent, "Validate's verdict, for every reader")
		var de *catalogue.DecodeError
		if assert.ErrorAs(t, errs[i], &de) {
			assert.Equal(t, ev.ID, de.ID)
		}
	}
	assert.Equal(t, int32(1), calls.Load())
}

func TestAnotherCatalogueDoesNotGetAMemoisedPayload(t *testing.T) {
	var calls atomic.Int32
	first := countingCatalogue(&calls)
	other := catalogue.New() // knows no types at all
	ev := event.Event{ID: uuid.New(), Type: "Renamed", Version: 1, Data: []byte(`{"why":"x"}`), Memo: &event.Memo{}}

	_, err := first.Decode(ev)
	require.NoError(t, err)
	_, err = other.Decode(ev)
	assert.ErrorIs(t, err, catalogue.ErrUnknownEventType, "decoded by its own catalogue")
	p, err := first.Decode(ev)
	require.NoError(t, err)
	assert.Equal(t, renamed{Reason: "x"}, p)
	assert.Equal(t, int32(1), calls.Load())
}
