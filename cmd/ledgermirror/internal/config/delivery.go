package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// DeliveryConfig is outbound delivery: webhooks and broker bridges. A
// subscription's own options (url, retry) override these.
type DeliveryConfig struct {
	// Throttle bounds each outbound subscription's deliveries per second
	// (default 10000; 0 turns the bound off).
	Throttle *int `yaml:"throttle"`
	// Retry is the back-off of a subscription without options.retry:
	// initial wait (default 1s), longest wait (1m), attempts before a
	// dead letter (6).
	Retry   RetryConfig          `yaml:"retry"`
	Webhook WebhookDeliverConfig `yaml:"webhook"`
	NATS    NATSDeliverConfig    `yaml:"nats"`
	AMQP    AMQPDeliverConfig    `yaml:"amqp"`
}

// RetryConfig is an exponential back-off.
type RetryConfig struct {
	Initial  time.Duration `yaml:"initial"`
	Max      time.Duration `yaml:"max"`
	Attempts int           `yaml:"attempts"`
}

// WebhookDeliverConfig tunes webhook posts.
type WebhookDeliverConfig struct {
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration `yaml:"timeout"`
}

// NATSDeliverConfig is the NATS server of subscriptions without a url, and
// the JetStream stream created when missing.
type NATSDeliverConfig struct {
	// URL default nats://127.0.0.1:4222.
	URL string `yaml:"url"`
	// Stream is the stream created when missing (default LEDGERMIRROR;
	// "-" creates none), capturing Subjects (default ["ledgermirror.>"]).
	Stream   string   `yaml:"stream"`
	Subjects []string `yaml:"subjects"`
}

// AMQPDeliverConfig is the RabbitMQ server of subscriptions without a url.
type AMQPDeliverConfig struct {
	// URL default amqp://guest:guest@127.0.0.1:5672/ (RabbitMQ's own
	// default user, which it only lets in from localhost).
	URL string `yaml:"url"`
}

// Default throttle, per subscription and second.
const defaultThrottle = 10000

// SetDefaults fills unset fields.
func (d *DeliveryConfig) SetDefaults() {
	if d.Throttle == nil {
		t := defaultThrottle
		d.Throttle = &t
	}
	if d.Retry.Initial == 0 {
		d.Retry.Initial = time.Second
	}
	if d.Retry.Max == 0 {
		d.Retry.Max = time.Minute
	}
	if d.Retry.Attempts == 0 {
		d.Retry.Attempts = 6
	}
	if d.Webhook.Timeout == 0 {
		d.Webhook.Timeout = 10 * time.Second
	}
	if d.NATS.URL == "" {
		d.NATS.URL = "nats://127.0.0.1:4222"
	}
	if d.NATS.Stream == "" {
		d.NATS.Stream = "LEDGERMIRROR"
	}
	if len(d.NATS.Subjects) == 0 {
		d.NATS.Subjects = []string{"ledgermirror.>"}
	}
	if d.AMQP.URL == "" {
		d.AMQP.URL = "amqp://guest:guest@127.0.0.1:5672/"
	}
}

// RetryPolicy is the default back-off.
func (d DeliveryConfig) RetryPolicy() subscription.RetryPolicy {
	return subscription.RetryPolicy{Initial: d.Retry.Initial, Max: d.Retry.Max, Attempts: d.Retry.Attempts}
}

// ThrottlePerSecond is the throttle, 0 for none.
func (d DeliveryConfig) ThrottlePerSecond() int {
	if d.Throttle == nil {
		return defaultThrottle
	}
	return *d.Throttle
}

// Validate reports every bad field.
func (d DeliveryConfig) Validate() error {
	var errs []error
	if d.Throttle != nil && *d.Throttle < 0 {
		errs = append(errs, fmt.Errorf("delivery.throttle: %d is negative", *d.Throttle))
	}
	if err := d.RetryPolicy().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("delivery.retry: %w", err))
	}
	if d.Webhook.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("delivery.webhook.timeout: %s is not positive", d.Webhook.Timeout))
	}
	errs = append(errs, brokerURL("delivery.nats.url", d.NATS.URL, "nats", "tls", "ws", "wss"),
		brokerURL("delivery.amqp.url", d.AMQP.URL, "amqp", "amqps"))
	return errors.Join(errs...)
}

func brokerURL(field, raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		return fmt.Errorf("%s: not an absolute %v URL with a host", field, schemes)
	}
	return nil
}
