//go:build integration

package nats_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/broker/brokertest"
	lmnats "github.com/ledgermirror/ledgermirror/adapters/broker/nats"
)

func suffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestPublishToJetStream publishes events through the bridge into a
// stream it creates, reads them back in order with a JetStream consumer,
// and checks that republishing an event id is dropped as a duplicate.
func TestPublishToJetStream(t *testing.T) {
	url := brokertest.NATS(t)
	s := suffix()
	stream, prefix := "LMTEST_"+s, "lmtest."+s
	pub, err := lmnats.NewPublisher(lmnats.Config{URL: url, Stream: stream, Subjects: []string{prefix + ".>"}},
		watermill.NopLogger{})
	require.NoError(t, err)
	conn, err := nats.Connect(url)
	require.NoError(t, err)
	t.Cleanup(func() {
		js, err := conn.JetStream()
		if err == nil {
			_ = js.DeleteStream(stream)
		}
		conn.Close()
	})

	var ids []string
	for i := range 5 {
		msg := message.NewMessage(uuid.NewString(), []byte(`{"n":`+string(rune('0'+i))+`}`))
		ids = append(ids, msg.UUID)
		require.NoError(t, pub.Publish(prefix+".default.message_confirmed", msg))
	}
	again := message.NewMessage(ids[0], []byte(`{"n":0}`))
	require.NoError(t, pub.Publish(prefix+".default.message_confirmed", again), "a duplicate is acknowledged")
	require.NoError(t, pub.Close())

	js, err := conn.JetStream()
	require.NoError(t, err)
	info, err := js.StreamInfo(stream)
	require.NoError(t, err)
	assert.Equal(t, uint64(5), info.State.Msgs, "the duplicate id was dropped")
	sub, err := js.PullSubscribe(prefix+".>", "", nats.BindStream(stream))
	require.NoError(t, err)
	msgs, err := sub.Fetch(5, nats.MaxWait(5*time.Second))
	require.NoError(t, err)
	require.Len(t, msgs, 5)
	for i, m := range msgs {
		assert.Equal(t, prefix+".default.message_confirmed", m.Subject)
		assert.Equal(t, ids[i], m.Header.Get(nats.MsgIdHdr), "in order, with the event id")
		assert.JSONEq(t, `{"n":`+string(rune('0'+i))+`}`, string(m.Data))
	}
}

func TestPublisherRefusesAnUnreachableServer(t *testing.T) {
	_, err := lmnats.NewPublisher(lmnats.Config{URL: "nats://127.0.0.1:1", ConnectTimeout: time.Second}, watermill.NopLogger{})
	assert.Error(t, err)
}
