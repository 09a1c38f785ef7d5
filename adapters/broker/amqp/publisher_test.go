//go:build integration

package amqp_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lmamqp "github.com/ledgermirror/ledgermirror/adapters/broker/amqp"
	"github.com/ledgermirror/ledgermirror/adapters/broker/brokertest"
)

// TestPublishToATopicExchange publishes through the bridge to an exchange
// it declares; a queue bound with a routing pattern gets the matching
// events, in order, and not the others.
func TestPublishToATopicExchange(t *testing.T) {
	url := brokertest.AMQP(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	exchange := "lmtest-" + hex.EncodeToString(b)

	pub, err := lmamqp.NewPublisher(lmamqp.Config{URL: url, Exchange: exchange}, watermill.NopLogger{})
	require.NoError(t, err)
	defer func() { _ = pub.Close() }()

	conn, err := amqp091.Dial(url)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	ch, err := conn.Channel()
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(exchange, false, false, false)
		_ = ch.ExchangeDelete(exchange, false, false)
	})
	// The first publish declares the exchange; declare it the same way
	// here so the queue can be bound before anything is published.
	require.NoError(t, ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil))
	q, err := ch.QueueDeclare(exchange, false, true, false, false, nil)
	require.NoError(t, err)
	require.NoError(t, ch.QueueBind(q.Name, "ledgermirror.default.*", exchange, false, nil))

	var ids []string
	for i := range 4 {
		msg := message.NewMessage(uuid.NewString(), []byte(`{"i":`+string(rune('0'+i))+`}`))
		ids = append(ids, msg.UUID)
		require.NoError(t, pub.Publish("ledgermirror.default.message_confirmed", msg))
	}
	require.NoError(t, pub.Publish("ledgermirror.other.message_confirmed", message.NewMessage(uuid.NewString(), []byte(`{}`))))

	deliveries, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	require.NoError(t, err)
	for i := range ids {
		select {
		case d := <-deliveries:
			assert.Equal(t, "ledgermirror.default.message_confirmed", d.RoutingKey)
			assert.Equal(t, ids[i], d.Headers["_watermill_message_uuid"], "in order, with the event id")
			assert.Equal(t, amqp091.Persistent, d.DeliveryMode)
			assert.JSONEq(t, `{"i":`+string(rune('0'+i))+`}`, string(d.Body))
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d did not arrive", i)
		}
	}
	select {
	case d := <-deliveries:
		t.Fatalf("an event for another namespace arrived: %s", d.RoutingKey)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestPublisherRefusesNoExchange(t *testing.T) {
	_, err := lmamqp.NewPublisher(lmamqp.Config{URL: "amqp://127.0.0.1:1/"}, watermill.NopLogger{})
	assert.Error(t, err)
}
