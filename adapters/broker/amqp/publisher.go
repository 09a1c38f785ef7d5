package amqp

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	wmamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Config says where to publish.
type Config struct {
	// URL is the broker (amqp://user:password@host:5672/vhost).
	URL string
	// Exchange is the topic exchange published to.
	Exchange string
}

// NewPublisher connects to cfg.URL and returns a publisher to
// cfg.Exchange; the topic given to Publish is the routing key. The
// publisher's Close closes the connection.
func NewPublisher(cfg Config, logger watermill.LoggerAdapter) (message.Publisher, error) {
	if cfg.Exchange == "" {
		return nil, fmt.Errorf("amqp: no exchange")
	}
	pub, err := wmamqp.NewPublisher(wmamqp.Config{
		Connection: wmamqp.ConnectionConfig{AmqpURI: cfg.URL, Reconnect: wmamqp.DefaultReconnectConfig()},
		Marshaler:  wmamqp.DefaultMarshaler{},
		Exchange: wmamqp.ExchangeConfig{GenerateName: wmamqp.GenerateExchangeNameConstant(cfg.Exchange), Type: "topic",
			Durable: true},
		Publish: wmamqp.PublishConfig{GenerateRoutingKey: func(topic string) string { return topic },
			ConfirmDelivery: true, ChannelPoolSize: 1},
		TopologyBuilder: &wmamqp.DefaultTopologyBuilder{},
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("amqp: connecting: %w", err)
	}
	return pub, nil
}
