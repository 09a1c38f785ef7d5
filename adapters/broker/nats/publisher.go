package nats

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
)

// Config says where to publish.
type Config struct {
	// URL is the NATS server (nats://host:4222).
	URL string
	// Stream, when not empty, is the JetStream stream to create if it is
	// missing, capturing Subjects.
	Stream   string
	Subjects []string
	// ConnectTimeout bounds the connection (default 5s).
	ConnectTimeout time.Duration
}

// NewPublisher connects to cfg.URL and returns a JetStream publisher. The
// publisher's Close closes the connection.
func NewPublisher(cfg Config, logger watermill.LoggerAdapter) (message.Publisher, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	conn, err := nats.Connect(cfg.URL, nats.Name("ledgermirror"), nats.Timeout(cfg.ConnectTimeout),
		nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, fmt.Errorf("nats: connecting to %s: %w", cfg.URL, err)
	}
	if cfg.Stream != "" {
		if err := ensureStream(conn, cfg.Stream, cfg.Subjects); err != nil {
			conn.Close()
			return nil, err
		}
	}
	pub, err := wmnats.NewPublisherWithNatsConn(conn, wmnats.PublisherPublishConfig{
		Marshaler: &wmnats.NATSMarshaler{}, SubjectCalculator: wmnats.DefaultSubjectCalculator,
		JetStream: wmnats.JetStreamConfig{TrackMsgId: true}}, logger)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("nats: %w", err)
	}
	return pub, nil
}

// ensureStream creates the stream when the server has none of that name.
func ensureStream(conn *nats.Conn, name string, subjects []string) error {
	js, err := conn.JetStream()
	if err != nil {
		return fmt.Errorf("nats: jetstream: %w", err)
	}
	if _, err := js.StreamInfo(name); err == nil {
		return nil
	} else if !errors.Is(err, nats.ErrStreamNotFound) {
		return fmt.Errorf("nats: stream %s: %w", name, err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: name, Subjects: subjects}); err != nil &&
		!errors.Is(err, nats.ErrStreamNameAlreadyInUse) {
		return fmt.Errorf("nats: creating stream %s for %v: %w", name, subjects, err)
	}
	return nil
}
