// Package brokertest gives integration tests the machine's message
// brokers: NATS (LM_NATS_URL, default nats://127.0.0.1:4222, with
// JetStream) and RabbitMQ (LM_AMQP_URL, default
// amqp://guest:guest@127.0.0.1:5672/). Without a reachable broker a test
// is skipped, or fails when LM_REQUIRE_SERVICES=1 (as in CI), like
// pgtest does for Postgres.
package brokertest

import (
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// Defaults and environment switches.
const (
	DefaultNATSURL     = "nats://127.0.0.1:4222"
	DefaultAMQPURL     = "amqp://guest:guest@127.0.0.1:5672/"
	natsEnv            = "LM_NATS_URL"
	amqpEnv            = "LM_AMQP_URL"
	requireServicesEnv = "LM_REQUIRE_SERVICES"
)

// NATS returns the NATS server's URL once it accepts connections.
func NATS(t testing.TB) string {
	t.Helper()
	return reachable(t, "nats", env(natsEnv, DefaultNATSURL))
}

// AMQP returns the RabbitMQ server's URL once it accepts connections.
func AMQP(t testing.TB) string {
	t.Helper()
	return reachable(t, "rabbitmq", env(amqpEnv, DefaultAMQPURL))
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func reachable(t testing.TB, what, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("brokertest: %s url: %v", what, err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 3*time.Second)
	if err != nil {
		if os.Getenv(requireServicesEnv) == "1" {
			t.Fatalf("%s required (%s=1) but unavailable at %s: %v", what, requireServicesEnv, u.Host, err)
		}
		t.Skipf("%s unavailable at %s (set %s=1 to fail instead): %v", what, u.Host, requireServicesEnv, err)
	}
	_ = conn.Close()
	return raw
}
