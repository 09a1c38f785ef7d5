package protocol

import (
	"fmt"

	"github.com/google/uuid"
)

// NonceSource hands out the nonces of an author's private pins. The domain
// declares it; the pinner implements it over its own state.
type NonceSource interface {
	// NextNonce returns the nonce of author's next pin on the private context
	// and consumes it: successive calls for one (context, author) return n,
	// n+1, n+2, ... where n is the number of pins author already made on that
	// context. BatchPins calls it in pin order. An error aborts BatchPins and
	// is returned wrapped; the source must then not count the nonces it handed
	// out in that call as used (or the author's next pins would skip numbers).
	NextNonce(context Hash, author OrgDID) (uint64, error)
}

// NonceSourceFunc adapts a function to NonceSource.
type NonceSourceFunc func(context Hash, author OrgDID) (uint64, error)

// NextNonce calls f.
func (f NonceSourceFunc) NextNonce(context Hash, author OrgDID) (uint64, error) {
	return f(context, author)
}

// Pin is one pin of a batch: a (message, topic) pair, its ordering context and
// what goes on chain for it.
type Pin struct {
	MessageID uuid.UUID
	Topic     string
	// Context is the ordering context (broadcast or private).
	Context Hash
	// Nonce is the author's nonce on Context (private batches only).
	Nonce uint64
	// Hash is the on-chain pin: Context for broadcast, the NoncePin for private.
	Hash Hash
}

// BatchPins returns a batch's pins in on-chain order: one per (message,
// topic), messages in manifest order, each message's topics in order. For a
// broadcast batch the pins are the contexts and nonces may be nil; for a
// private batch each pin draws its nonce from nonces. Batches of unpinned
// messages have no pins; the manifest does not record the txtype, so not
// calling BatchPins for them is the caller's job.
func BatchPins(m Manifest, nonces NonceSource) ([]Pin, error) {
	if len(m.messages) == 0 {
		return nil, fmt.Errorf("%w: manifest not built by NewManifest", ErrInvalidPin)
	}
	group, private := m.Group()
	if private && nonces == nil {
		return nil, fmt.Errorf("%w: private batch %s needs a nonce source", ErrInvalidPin, m.id)
	}
	var pins []Pin
	for _, e := range m.messages {
		for _, topic := range e.Topics {
			p := Pin{MessageID: e.ID, Topic: topic}
			if !private {
				p.Context = BroadcastContext(m.namespace, topic)
				p.Hash = p.Context
				pins = append(pins, p)
				continue
			}
			p.Context = PrivateContext(m.namespace, topic, group)
			nonce, err := nonces.NextNonce(p.Context, m.author)
			if err != nil {
				return nil, fmt.Errorf("%w: nonce for message %s topic %q: %w", ErrInvalidPin, e.ID, topic, err)
			}
			p.Nonce = nonce
			p.Hash = NoncePin(m.namespace, topic, group, m.author, nonce)
			pins = append(pins, p)
		}
	}
	return pins, nil
}

// PinHashes returns the on-chain values of pins, in order: the contexts array
// of the BatchPin event.
func PinHashes(pins []Pin) []Hash {
	out := make([]Hash, len(pins))
	for i, p := range pins {
		out[i] = p.Hash
	}
	return out
}
