package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// wsFrame is a frame a WebSocket client sends:
//
//	{"type":"start","namespace":"default","name":"orders"}
//	{"type":"start","namespace":"default","filter":{"events":["message_confirmed"]},"firstEvent":"oldest"}
//	{"type":"ack","id":"<event id>"}
//
// A start without a name is ephemeral: its filter and options are given
// in the frame and no offset is kept. An ack without id acknowledges the
// oldest event in flight; with namespace and name it goes to that
// subscription, otherwise to whichever stream of the connection has the
// event in flight.
type wsFrame struct {
	Type       string                   `json:"type"`
	Namespace  string                   `json:"namespace,omitempty"`
	Name       string                   `json:"name,omitempty"`
	Filter     *subscription.FilterSpec `json:"filter,omitempty"`
	FirstEvent string                   `json:"firstEvent,omitempty"`
	ReadAhead  int                      `json:"readAhead,omitempty"`
	WithData   bool                     `json:"withData,omitempty"`
	AutoAck    bool                     `json:"autoack,omitempty"`
	ID         string                   `json:"id,omitempty"`
	ackID      uuid.UUID
}

// Frame types.
const (
	wsStart = "start"
	wsAck   = "ack"
)

// parseWSFrame reads and checks one client frame. Errors wrap
// messaging.ErrInvalidInput and say what is wrong.
func parseWSFrame(data []byte) (wsFrame, error) {
	var f wsFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return wsFrame{}, fmt.Errorf("%w: frame: %w", messaging.ErrInvalidInput, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return wsFrame{}, fmt.Errorf("%w: frame: data after the JSON value", messaging.ErrInvalidInput)
	}
	switch f.Type {
	case wsStart:
		if f.Namespace == "" {
			return wsFrame{}, fmt.Errorf("%w: start: namespace is required", messaging.ErrInvalidInput)
		}
		if f.Name != "" && (f.Filter != nil || f.FirstEvent != "" || f.WithData) {
			return wsFrame{}, fmt.Errorf("%w: start: a named subscription has its filter and options already; "+
				"give a name or a filter, not both", messaging.ErrInvalidInput)
		}
		if f.ID != "" {
			return wsFrame{}, fmt.Errorf("%w: start: unexpected id", messaging.ErrInvalidInput)
		}
	case wsAck:
		if f.Filter != nil || f.FirstEvent != "" || f.ReadAhead != 0 || f.WithData || f.AutoAck {
			return wsFrame{}, fmt.Errorf("%w: ack: only id, namespace and name are allowed", messaging.ErrInvalidInput)
		}
		if f.ID != "" {
			id, err := uuid.Parse(f.ID)
			if err != nil {
				return wsFrame{}, fmt.Errorf("%w: ack: id %q is not a UUID", messaging.ErrInvalidInput, truncate(f.ID))
			}
			f.ackID = id
		}
	default:
		return wsFrame{}, fmt.Errorf("%w: frame type %q is not start or ack", messaging.ErrInvalidInput, truncate(f.Type))
	}
	return f, nil
}

// request turns a start frame into a stream request.
func (f wsFrame) request() subscription.StreamRequest {
	req := subscription.StreamRequest{Namespace: f.Namespace, Name: f.Name, AutoAck: f.AutoAck, ReadAhead: f.ReadAhead}
	if f.Name == "" {
		if f.Filter != nil {
			req.Filter = *f.Filter
		}
		req.Options = subscription.OptionsSpec{FirstEvent: f.FirstEvent, ReadAhead: f.ReadAhead, WithData: f.WithData}
	}
	return req
}

// wsError is the frame the server sends for a refused client frame or a
// stream that ended; the connection stays open.
type wsError struct {
	Type      string `json:"type"` // always "protocol_error"
	Code      string `json:"error"`
	Message   string `json:"message"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// wsStarted confirms a start: events follow.
type wsStarted struct {
	Type      string `json:"type"` // always "started"
	Namespace string `json:"namespace"`
	Name      string `json:"name,omitempty"`
}
