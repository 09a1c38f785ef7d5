package kurrentdb

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

var testNames = names{prefix: "lm/"}

// recordOf is what the server hands back for data appended to stream.
func recordOf(stream string, data kurrentdb.EventData, number, pos uint64, created time.Time) *kurrentdb.RecordedEvent {
	return &kurrentdb.RecordedEvent{
		EventID:      data.EventID,
		EventType:    data.EventType,
		ContentType:  "application/json",
		StreamID:     stream,
		EventNumber:  number,
		Position:     kurrentdb.Position{Commit: pos, Prepare: pos},
		CreatedDate:  created,
		Data:         data.Data,
		UserMetadata: data.Metadata,
	}
}

func TestEventRoundTrip(t *testing.T) {
	metas := []event.Metadata{
		{},
		{CorrelationID: "c0ffee", CausationID: "cause-1", Node: "did:lm:org/org1/node1", Namespace: "default"},
		{CorrelationID: `quote " backslash \ newline` + "\n", Namespace: "ünïcödé ✓ <&>"},
	}
	for i, m := range metas {
		p := event.Proposed{ID: uuid.New(), Type: "MessageSubmitted", Version: 3, Data: []byte(`{"a": [1, 2]}`), Metadata: m}
		data, err := toEventData(p)
		require.NoError(t, err)
		assert.Equal(t, p.ID, data.EventID)
		assert.Equal(t, "MessageSubmitted.v3", data.EventType)
		assert.Equal(t, kurrentdb.ContentTypeJson, data.ContentType)
		assert.Equal(t, []byte(p.Data), data.Data, "the body is sent as given")
		assert.True(t, json.Valid(data.Metadata), "metadata is a JSON object")

		created := time.Date(2026, 11, 27, 13, 0, 0, 100, time.FixedZone("x", 3600))
		got, ours, err := testNames.fromRecorded(recordOf("lm/message-1", data, 4, 1234, created))
		require.NoError(t, err)
		require.True(t, ours)
		assert.Equal(t, event.Event{
			ID: p.ID, Stream: "message-1", Revision: 5, Position: 1234, Type: "MessageSubmitted", Version: 3,
			Recorded: created.UTC(), Data: p.Data, Metadata: m,
		}, got, "metadata %d", i)
		assert.Equal(t, time.UTC, got.Recorded.Location())
	}
}

func TestMetadataJSONNames(t *testing.T) {
	data, err := toEventData(event.Proposed{ID: uuid.New(), Type: "T", Version: 1, Data: []byte(`{}`),
		Metadata: event.Metadata{CorrelationID: "c", CausationID: "k", Node: "n", Namespace: "ns"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"correlationId":"c","causationId":"k","node":"n","namespace":"ns"}`, string(data.Metadata))
	data, err = toEventData(event.Proposed{ID: uuid.New(), Type: "T", Version: 1, Data: []byte(`{}`)})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(data.Metadata), "empty fields are left out")
}

func TestFromRecordedOtherStreams(t *testing.T) {
	data, err := toEventData(event.Proposed{ID: uuid.New(), Type: "T", Version: 1, Data: []byte(`{}`)})
	require.NoError(t, err)
	for _, stream := range []string{"$stats-127.0.0.1:2113", "lm#ids/" + uuid.NewString(), "lmx/message-1", "other/lm/x", "lm/"} {
		_, ours, err := testNames.fromRecorded(recordOf(stream, data, 0, 10, time.Now()))
		assert.NoError(t, err, stream)
		assert.False(t, ours, stream)
	}
}

func TestFromRecordedRefusesForeignShapes(t *testing.T) {
	good, err := toEventData(event.Proposed{ID: uuid.New(), Type: "T", Version: 1, Data: []byte(`{}`)})
	require.NoError(t, err)
	cases := map[string]*kurrentdb.RecordedEvent{}
	r := recordOf("lm/s", good, 0, 10, time.Now())
	r.EventType = "T"
	cases["type without version"] = r
	r = recordOf("lm/s", good, 0, 10, time.Now())
	r.UserMetadata = []byte(`not json`)
	cases["metadata not JSON"] = r
	r = recordOf("lm/s", good, 0, 10, time.Now())
	r.Position.Prepare = 9
	cases["commit differs from prepare"] = r
	for name, r := range cases {
		_, ours, err := testNames.fromRecorded(r)
		assert.Error(t, err, name)
		assert.True(t, ours, name)
	}
}

func TestParseTypeVersion(t *testing.T) {
	for _, tc := range []struct {
		in      string
		typ     string
		version int
	}{
		{"MessageSubmitted.v1", "MessageSubmitted", 1},
		{"Pin.v12", "Pin", 12},
		{"A.vB.v2", "A.vB", 2},
	} {
		typ, v, err := parseTypeVersion(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.typ, typ, tc.in)
		assert.Equal(t, tc.version, v, tc.in)
	}
	for _, bad := range []string{"", "Message", ".v1", "Message.v0", "Message.v-1", "Message.v01", "Message.v", "Message.vx"} {
		_, _, err := parseTypeVersion(bad)
		assert.Error(t, err, bad)
	}
}

func TestStreamNames(t *testing.T) {
	assert.Equal(t, "lm/message-1", testNames.stream("message-1"))
	assert.Equal(t, "lm/", testNames.stream(""), "a subscription without stream prefix filters on the store's prefix")
	assert.Equal(t, "lm#ids/", testNames.claimPrefix())
	s, ok := testNames.domain("lm/a/b")
	assert.True(t, ok)
	assert.Equal(t, "a/b", s)
}

func TestStreamState(t *testing.T) {
	assert.Equal(t, kurrentdb.NoStream{}, streamState(0), "a stream read as empty must still be empty")
	assert.Equal(t, kurrentdb.Revision(0), streamState(1), "revision 1 is event number 0")
	assert.Equal(t, kurrentdb.Revision(41), streamState(42))
}

func TestReadStartPoints(t *testing.T) {
	assert.Equal(t, kurrentdb.Start{}, fromStream(0))
	assert.Equal(t, kurrentdb.Revision(3), fromStream(3), "after revision 3 is event number 3 on")
	assert.Equal(t, event.Revision(1), revisionOf(0))
	assert.Equal(t, kurrentdb.Start{}, allPosition(0))
	assert.Equal(t, kurrentdb.Position{Commit: 77, Prepare: 77}, allPosition(77))
	pos, err := position(kurrentdb.Position{Commit: 77, Prepare: 77})
	require.NoError(t, err)
	assert.Equal(t, event.Position(77), pos)
}
