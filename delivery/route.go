package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// deadLetterTopic is the poison queue's topic; the dead-letter publisher
// records the event in the subscription's stream whatever the topic.
const deadLetterTopic = "lm.deadletters"

// route delivers sub until ctx ends: a Watermill router with one handler
// that reads the subscription through a Subscriber (one event in flight,
// so the next is sent only once the previous was delivered or
// dead-lettered) and hands each event to the transport's Sender. Its
// middleware, outermost first: CorrelationID; the pause gate (a paused
// subscription waits); PoisonQueue (after the last attempt the event is
// recorded as a dead letter and acked); Throttle; Retry (exponential
// back-off).
func (o *Outbound) route(ctx context.Context, sub subscription.Subscription, log zerolog.Logger) error {
	sender, err := o.senders(ctx, sub)
	if err != nil {
		return fmt.Errorf("opening the %s transport: %w", sub.Transport, err)
	}
	defer func() {
		if err := sender.Close(); err != nil {
			log.Debug().Err(err).Msg("closing the transport")
		}
	}()
	wlog := watermill.NewSlogLogger(slog.New(zerolog.NewSlogHandler(log.Level(max(log.GetLevel(), zerolog.WarnLevel)))))
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, wlog)
	if err != nil {
		return err
	}
	policy := sub.Retry(o.cfg.Retry)
	poison, err := middleware.PoisonQueueWithFilter(deadLetters{o: o, sub: sub, attempts: policy.Attempts}, deadLetterTopic,
		// Not when delivery is stopping: the attempt was cut short, and
		// the event is delivered again by whoever delivers next.
		func(error) bool { return ctx.Err() == nil })
	if err != nil {
		return err
	}
	router.AddMiddleware(middleware.CorrelationID, o.pauseGate(sub), poison)
	if o.cfg.Throttle > 0 {
		router.AddMiddleware(middleware.NewThrottle(int64(o.cfg.Throttle), time.Second).Middleware)
	}
	router.AddMiddleware(middleware.Retry{MaxRetries: policy.Attempts - 1, InitialInterval: policy.Initial,
		MaxInterval: policy.Max, Multiplier: 2, Logger: wlog}.Middleware)
	topic := sub.Namespace + "/" + sub.Name
	router.AddConsumerHandler(topic, topic, NewSubscriber(o.engine), func(msg *message.Message) error {
		out, err := outgoing(topic, msg)
		if err != nil {
			return err
		}
		out.SubscriptionID = sub.ID
		return sender.Send(msg.Context(), out)
	})
	log.Info().Str("retry", policy.String()).Msg("outbound delivery started")
	defer log.Info().Msg("outbound delivery stopped")
	return router.Run(ctx)
}

// outgoing reads a Subscriber message.
func outgoing(topic string, msg *message.Message) (Outgoing, error) {
	id, err := uuid.Parse(msg.UUID)
	if err != nil {
		return Outgoing{}, fmt.Errorf("delivery: message id %q: %w", msg.UUID, err)
	}
	seq, err := strconv.ParseUint(msg.Metadata.Get(MetadataSequence), 10, 64)
	if err != nil {
		return Outgoing{}, fmt.Errorf("delivery: message %s sequence: %w", msg.UUID, err)
	}
	corr := middleware.MessageCorrelationID(msg)
	if corr == "" {
		corr = msg.UUID
	}
	return Outgoing{Subscription: topic, ID: id, Sequence: seq, Type: msg.Metadata.Get(MetadataType), Event: []byte(msg.Payload),
		Fields: eventFields(msg.Payload), CorrelationID: corr}, nil
}

// errSuperseded: the subscription the router delivers was deleted or
// created again; its worker is about to be stopped.
var errSuperseded = errors.New("delivery: subscription deleted or re-created")

// pauseGate holds each event while the subscription is paused by a dead
// letter, until it is resumed or that dead letter is redriven.
func (o *Outbound) pauseGate(sub subscription.Subscription) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx := msg.Context()
			for {
				changed := o.changes.Changed()
				cur, err := o.repo.Get(ctx, sub.Namespace, sub.Name)
				if err != nil {
					return nil, err
				}
				if cur.ID != sub.ID {
					return nil, errSuperseded
				}
				if !cur.Paused() {
					return h(msg)
				}
				select {
				case <-changed:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
		}
	}
}

// deadLetters is the poison queue's publisher: it records each message
// it gets as a dead letter of sub.
type deadLetters struct {
	o        *Outbound
	sub      subscription.Subscription
	attempts int
}

func (d deadLetters) Publish(_ string, msgs ...*message.Message) error {
	for _, msg := range msgs {
		out, err := outgoing("", msg)
		if err != nil {
			return err
		}
		after, err := d.o.repo.RecordDeadLetter(msg.Context(), d.sub.Namespace, d.sub.Name, d.sub.ID, subscription.DeadLetter{
			Sequence: out.Sequence, EventID: out.ID, EventType: out.Type, Attempts: d.attempts,
			Error: msg.Metadata.Get(middleware.ReasonForPoisonedKey)})
		if err != nil {
			return fmt.Errorf("recording dead letter %d: %w", out.Sequence, err)
		}
		d.o.log.Warn().Str("namespace", d.sub.Namespace).Str("subscription", d.sub.Name).Uint64("sequence", out.Sequence).
			Str("event", msg.UUID).Str("error", msg.Metadata.Get(middleware.ReasonForPoisonedKey)).Bool("paused", after.Paused()).
			Msg("event dead-lettered")
	}
	return nil
}

func (deadLetters) Close() error { return nil }
