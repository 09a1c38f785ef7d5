package messaging

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// receivedIDSpace seeds BatchReceived event ids from the content, so the
// same envelope delivered twice is recorded once.
var receivedIDSpace = uuid.MustParse("0c6f9e3d-8a1b-4d27-b5e4-3f7a2c9d1e80")

// receive records a batch a peer sent (from set) or that was fetched from
// shared storage (from nil). Its hashes are not checked here: the
// aggregator checks them against the pin and rejects in pin order.
func (s *Service) receive(ctx context.Context, from *protocol.NodeDID, env Envelope) error {
	var head struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(env.Manifest, &head); err != nil {
		return invalidf("manifest: %v", err)
	}
	batch, err := protocol.ParseID(head.ID)
	if err != nil {
		return invalidf("manifest.id: %v", err)
	}
	if len(env.Group) > 0 {
		g, err := protocol.UnmarshalGroup(env.Group)
		if err != nil {
			return invalidf("group: %v", err)
		}
		if g.Namespace() != s.ns {
			return invalidf("group: it is in namespace %q, the batch in %q", g.Namespace(), s.ns)
		}
		if err := s.knowGroup(ctx, g); err != nil {
			return err
		}
	}
	r := catalogue.BatchReceived{Namespace: s.ns, BatchID: batch, From: from, PayloadRef: env.PayloadRef,
		Manifest: env.Manifest, Messages: env.Messages, Data: env.Data}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	id, err := receivedID(r)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if err := s.append(ctx, catalogue.BatchStream(batch), []uuid.UUID{id}, batch.String(), r); err != nil {
		return err
	}
	s.mu.Lock()
	s.received[batch] = true
	delete(s.missing, batch)
	s.mu.Unlock()
	return nil
}

// receivedID hashes the event's stored JSON, json.Marshal(r) (which
// catalogue.PayloadJSON writes without encoding/json): the ids of batches
// already recorded depend on it.
func receivedID(r catalogue.BatchReceived) (uuid.UUID, error) {
	b, err := catalogue.PayloadJSON(r)
	if err != nil {
		return uuid.Nil, err
	}
	sum := sha256.Sum256(b)
	return uuid.NewSHA1(receivedIDSpace, sum[:]), nil
}

// receiveBlob stores a blob a peer sent and records its arrival.
func (s *Service) receiveBlob(ctx context.Context, hash protocol.Hash, r io.Reader) error {
	got, size, err := s.deps.Blobs.Write(ctx, r, hash)
	if errors.Is(err, ErrBlobMismatch) {
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if err != nil {
		return err
	}
	return s.append(ctx, catalogue.BlobStream(got), []uuid.UUID{uuid.NewSHA1(blobIDSpace, got[:])}, "",
		catalogue.BlobReceived{Namespace: s.ns, Hash: got, Size: size})
}

// fetchLater fetches a broadcast batch from shared storage if it has not
// been pushed to this node FetchDelay after its pin was seen.
func (p *pipeline) fetchLater(batch uuid.UUID, ref string) {
	p.mu.Lock()
	ctx := p.ctx
	key := batch.String()
	if ctx == nil || p.fetches[key] {
		p.mu.Unlock()
		return
	}
	p.fetches[key] = true
	p.mu.Unlock()
	p.wg.Go(func() {
		defer func() {
			p.mu.Lock()
			delete(p.fetches, key)
			p.mu.Unlock()
		}()
		if !sleepCtx(ctx, p.s.cfg.FetchDelay) {
			return
		}
		p.fetch(ctx, batch, ref)
	})
}

// fetch gets a batch from shared storage, retrying with back-off until it
// arrives one way or the other.
func (p *pipeline) fetch(ctx context.Context, batch uuid.UUID, ref string) {
	s := p.s
	retry := s.cfg.RetryMin
	for {
		s.mu.Lock()
		done := s.received[batch]
		s.mu.Unlock()
		if done {
			return
		}
		payload, err := s.deps.Storage.Get(ctx, ref)
		if err == nil {
			var env Envelope
			if err = strictJSON(payload, &env); err != nil {
				s.log.Error("shared storage holds something that is not a batch; the pin stays parked", "batch", batch, "ref", ref, "error", err)
				return
			}
			env.PayloadRef = ref
			env.Namespace = s.ns
			err = s.receive(ctx, nil, env)
			if err == nil || errors.Is(err, ErrInvalidInput) {
				if err != nil {
					s.log.Error("the batch in shared storage is malformed; the pin stays parked", "batch", batch, "ref", ref, "error", err)
				}
				return
			}
		}
		if errors.Is(err, ErrInvalidInput) {
			s.log.Error("cannot fetch batch", "batch", batch, "ref", ref, "error", err)
			return
		}
		s.log.Info("fetching a batch from shared storage failed; retrying", "batch", batch, "ref", ref, "in", retry, "error", err)
		if !sleepCtx(ctx, retry) {
			return
		}
		retry = min(2*retry, s.cfg.RetryMax)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// strictJSON decodes one JSON value with no unknown fields and nothing after.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
