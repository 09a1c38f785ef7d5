package e2ebench

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionsValidate(t *testing.T) {
	for name, opts := range map[string]Options{
		"negative messages":      {Messages: -1},
		"too many messages":      {Messages: maxMessages + 1},
		"negative private":       {PrivateMessages: -1},
		"too many topics":        {Topics: maxTopics + 1},
		"payload too big":        {PayloadBytes: maxPayloadBytes + 1},
		"too many senders":       {Senders: maxSenders + 1},
		"negative rate":          {Rate: -1},
		"short paced duration":   {PacedDuration: time.Millisecond},
		"no paced messages":      {Rate: 1, PacedDuration: 500 * time.Millisecond},
		"negative idle":          {IdleMessages: -1},
		"negative idle pause":    {IdlePause: -time.Second},
		"long idle pause":        {IdlePause: time.Minute},
		"short stall":            {Stall: time.Millisecond},
		"paced run too long":     {Rate: maxRate, PacedDuration: maxPaced},
		"idle messages too many": {IdleMessages: 10_001},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), opts, nil)
			assert.ErrorIs(t, err, ErrInvalidOptions)
		})
	}
	opts := Options{}
	opts.setDefaults()
	assert.NoError(t, opts.validate())
	assert.Equal(t, Options{Messages: DefaultMessages, PrivateMessages: DefaultMessages, Topics: DefaultTopics,
		PayloadBytes: DefaultPayloadBytes, Senders: DefaultSenders, Rate: DefaultRate, PacedDuration: DefaultPacedDuration,
		IdleMessages: DefaultIdleMessages, IdlePause: DefaultIdlePause, Stall: DefaultStall}, opts)
	assert.Equal(t, 10_000, opts.pacedMessages())
}

func TestBodyIsTheRequestTheAPIReads(t *testing.T) {
	s, err := newSender("http://127.0.0.1:1", Options{PayloadBytes: 1024, Topics: 10, Senders: 1}, []string{"org2"})
	require.NoError(t, err)
	id := uuid.New()
	var req struct {
		Header struct {
			ID     uuid.UUID `json:"id"`
			Topics []string  `json:"topics"`
		} `json:"header"`
		Data []struct {
			Value json.RawMessage `json:"value"`
		} `json:"data"`
		Group *struct {
			Members []struct {
				Identity string `json:"identity"`
			} `json:"members"`
		} `json:"group"`
	}
	dec := func(b []byte) {
		req.Group = nil
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&req), string(b))
	}

	dec(s.body(id, 123, false))
	assert.Equal(t, id, req.Header.ID)
	assert.Equal(t, []string{"topic-3"}, req.Header.Topics)
	require.Len(t, req.Data, 1)
	assert.Len(t, req.Data[0].Value, 1024, "the value is exactly PayloadBytes")
	assert.True(t, json.Valid(req.Data[0].Value))
	assert.Nil(t, req.Group)

	dec(s.body(id, 7, true))
	require.NotNil(t, req.Group)
	require.Len(t, req.Group.Members, 1)
	assert.Equal(t, "did:lm:org/org2", req.Group.Members[0].Identity)

	small, err := newSender("http://127.0.0.1:1", Options{PayloadBytes: 3, Topics: 1, Senders: 1}, nil)
	require.NoError(t, err)
	dec(small.body(id, 1, false))
	assert.True(t, json.Valid(req.Data[0].Value), "a payload smaller than its frame still is JSON")
}

func TestTrackerCompletesOnTheWholeAudienceOnly(t *testing.T) {
	tr := newTracker()
	ph := tr.newPhase("test", 3, 2)
	start := time.Now()
	a, b := uuid.New(), uuid.New()
	tr.expect(ph, a, start, everyone, 0)
	tr.expect(ph, b, start, privateTo, privateNot)

	tr.confirmed(0, uuid.New(), start) // not ours: ignored
	tr.confirmed(0, a, start.Add(time.Millisecond))
	tr.confirmed(1, a, start.Add(2*time.Millisecond))
	assert.Equal(t, 0, tr.state(ph).done)
	tr.confirmed(2, a, start.Add(5*time.Millisecond))
	st := tr.state(ph)
	assert.Equal(t, 1, st.done)
	assert.Equal(t, []int{1, 1, 1}, st.confirmed)
	assert.Equal(t, []time.Duration{5 * time.Millisecond}, tr.latencies(ph))

	tr.confirmed(0, b, start.Add(time.Millisecond))
	tr.confirmed(1, b, start.Add(3*time.Millisecond))
	assert.Equal(t, 2, tr.state(ph).done)
	assert.NoError(t, tr.err())

	tr.confirmed(2, b, start)
	assert.ErrorContains(t, tr.err(), "org3 confirmed message "+b.String()+", which was not sent to it")
	select {
	case <-tr.failedCh:
	default:
		t.Fatal("a failure closes failedCh")
	}
}

func TestTrackerRefusesDuplicatesAndRejections(t *testing.T) {
	tr := newTracker()
	ph := tr.newPhase("test", 3, 1)
	id := uuid.New()
	tr.expect(ph, id, time.Now(), everyone, 0)
	tr.confirmed(1, id, time.Now())
	tr.confirmed(1, id, time.Now())
	assert.ErrorContains(t, tr.err(), "org2 confirmed message "+id.String()+" twice")

	tr = newTracker()
	tr.rejected(0, uuid.New(), "wrong-signer", "") // not ours
	assert.NoError(t, tr.err())
	ph = tr.newPhase("test", 3, 1)
	tr.expect(ph, id, time.Now(), everyone, 0)
	tr.rejected(2, id, "wrong-signer", "signed by someone else")
	assert.ErrorContains(t, tr.err(), "org3 rejected message "+id.String()+": wrong-signer signed by someone else")
}

func TestPercentile(t *testing.T) {
	assert.Zero(t, percentile(nil, 0.5))
	ds := []time.Duration{5, 1, 4, 2, 3}
	assert.Equal(t, time.Duration(3), percentile(ds, 0.5))
	assert.Equal(t, time.Duration(5), percentile(ds, 0.99))
	assert.Equal(t, time.Duration(1), percentile(ds, 0.01))
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100 - i)
	}
	assert.Equal(t, time.Duration(50), percentile(hundred, 0.5))
	assert.Equal(t, time.Duration(99), percentile(hundred, 0.99))
}
