package network

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/rs/zerolog"

	lmamqp "github.com/ledgermirror/ledgermirror/adapters/broker/amqp"
	lmnats "github.com/ledgermirror/ledgermirror/adapters/broker/nats"
	"github.com/ledgermirror/ledgermirror/adapters/webhook"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// outboundSenders opens a subscription's transport from its options over
// the node's delivery config: the webhook client, or a broker bridge.
func outboundSenders(cfg config.DeliveryConfig, log zerolog.Logger) delivery.Senders {
	hooks := webhook.New(webhook.Config{Timeout: cfg.Webhook.Timeout})
	wlog := watermill.NewSlogLogger(slog.New(zerolog.NewSlogHandler(log.Level(max(log.GetLevel(), zerolog.WarnLevel)))))
	return func(_ context.Context, sub subscription.Subscription) (delivery.Sender, error) {
		switch sub.Transport {
		case subscription.TransportWebhook:
			return webhookSender{client: hooks, url: sub.Options.URL, secret: []byte(sub.Options.Secret)}, nil
		case subscription.TransportNATS, subscription.TransportAMQP:
			subject, err := subscription.ParseSubject(sub.Options.Subject)
			if err != nil {
				return nil, err
			}
			url := sub.Options.URL
			var pub delivery.Sender
			if sub.Transport == subscription.TransportNATS {
				if url == "" {
					url = cfg.NATS.URL
				}
				nc := lmnats.Config{URL: url}
				if cfg.NATS.Stream != "-" {
					nc.Stream, nc.Subjects = cfg.NATS.Stream, cfg.NATS.Subjects
				}
				p, err := lmnats.NewPublisher(nc, wlog)
				if err != nil {
					return nil, err
				}
				pub = delivery.PublisherSender(p, subject)
			} else {
				if url == "" {
					url = cfg.AMQP.URL
				}
				p, err := lmamqp.NewPublisher(lmamqp.Config{URL: url, Exchange: sub.Options.Exchange}, wlog)
				if err != nil {
					return nil, err
				}
				pub = delivery.PublisherSender(p, subject)
			}
			return pub, nil
		}
		return nil, fmt.Errorf("%w: %s is not an outbound transport", subscription.ErrInvalid, sub.Transport)
	}
}

type webhookSender struct {
	client *webhook.Client
	url    string
	secret []byte
}

func (w webhookSender) Send(ctx context.Context, o delivery.Outgoing) error {
	return w.client.Post(ctx, webhook.Request{URL: w.url, Secret: w.secret, EventID: o.ID.String(), Sequence: o.Sequence,
		Type: o.Type, Subscription: o.Subscription, Body: o.Event})
}

// Close leaves the shared client's connections to it: other subscriptions
// use them.
func (webhookSender) Close() error { return nil }

// namespaceNames lists the configured namespaces.
func namespaceNames(cfg config.Config) []string {
	out := make([]string, len(cfg.Namespaces))
	for i, ns := range cfg.Namespaces {
		out[i] = ns.Name
	}
	return out
}
