package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
)

// parseRow reads what the filter and the stream need of an events-table
// document (a projections.EventDoc).
func parseRow(doc json.RawMessage) (row, subscription.EventFields, error) {
	var d struct {
		ID        uuid.UUID `json:"id"`
		Sequence  uint64    `json:"sequence"`
		Type      string    `json:"type"`
		Reference string    `json:"reference"`
		Topics    []string  `json:"topics"`
		Tag       string    `json:"tag"`
		Author    string    `json:"author"`
		Group     string    `json:"group"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return row{}, subscription.EventFields{}, fmt.Errorf("delivery: stored event document: %w", err)
	}
	r := row{seq: d.Sequence, id: d.ID, typ: d.Type, doc: doc}
	if d.Type == subscription.EventMessageConfirmed || d.Type == subscription.EventMessageRejected ||
		d.Type == subscription.EventMessageDecisionRevoked {
		r.ref = d.Reference
	}
	return r, subscription.EventFields{Type: d.Type, Topics: d.Topics, Tag: d.Tag, Author: d.Author, Group: d.Group}, nil
}

// message reads a message event's message document; nil when the read
// model does not have it.
func (s *stream) message(ctx context.Context, ref string) (json.RawMessage, error) {
	id, err := uuid.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("delivery: message event with reference %q: %w", ref, err)
	}
	doc, found, err := s.e.rm.Get(ctx, projections.MessagesTable, s.ns, [16]byte(id))
	if err != nil || !found {
		return nil, err
	}
	return doc, nil
}

// messageType is a message's type, for filters on it.
func (s *stream) messageType(ctx context.Context, ref string) (string, error) {
	doc, err := s.message(ctx, ref)
	if err != nil || doc == nil {
		return "", err
	}
	var m struct {
		Header struct {
			Type string `json:"type"`
		} `json:"header"`
	}
	if err := json.Unmarshal(doc, &m); err != nil {
		return "", fmt.Errorf("delivery: stored message %s: %w", ref, err)
	}
	return m.Header.Type, nil
}

// deliver builds what the transport sends: the event document with the
// subscription it came through and, with withData, its message and the
// message's data items.
func (s *stream) deliver(ctx context.Context, r row) (subscription.Delivery, error) {
	ref, err := json.Marshal(struct {
		Namespace string     `json:"namespace"`
		Name      string     `json:"name,omitempty"`
		ID        *uuid.UUID `json:"id,omitempty"`
	}{Namespace: s.ns, Name: s.name, ID: optionalID(s.id)})
	if err != nil {
		return subscription.Delivery{}, err
	}
	doc := bytes.TrimRight(r.doc, " \t\r\n")
	if len(doc) < 2 || doc[len(doc)-1] != '}' {
		return subscription.Delivery{}, fmt.Errorf("delivery: event %d: stored document is not an object", r.seq)
	}
	out := make([]byte, 0, len(doc)+len(ref)+32)
	out = append(out, doc[:len(doc)-1]...)
	out = append(out, `,"subscription":`...)
	out = append(out, ref...)
	if s.withData && r.ref != "" {
		if out, err = s.appendData(ctx, out, r.ref); err != nil {
			return subscription.Delivery{}, err
		}
	}
	out = append(out, '}')
	return subscription.Delivery{ID: r.id, Sequence: r.seq, Type: r.typ, Event: out}, nil
}

// appendData adds "message" and "data" members for a message event.
func (s *stream) appendData(ctx context.Context, out []byte, ref string) ([]byte, error) {
	msg, err := s.message(ctx, ref)
	if err != nil || msg == nil {
		return out, err
	}
	var m struct {
		Data []protocol.DataRef `json:"data"`
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, fmt.Errorf("delivery: stored message %s: %w", ref, err)
	}
	out = append(out, `,"message":`...)
	out = append(out, msg...)
	out = append(out, `,"data":[`...)
	n := 0
	for _, d := range m.Data {
		doc, found, err := s.e.rm.Get(ctx, projections.DataTable, s.ns, [16]byte(d.ID))
		if err != nil {
			return nil, fmt.Errorf("delivery: data item %s: %w", d.ID, err)
		}
		if !found {
			continue
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, doc...)
		n++
	}
	return append(out, ']'), nil
}

func optionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
