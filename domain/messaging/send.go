package messaging

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// submittedIDSpace seeds the id of a message's MessageSubmitted event, so a
// retried request with the same message id is recognised.
var submittedIDSpace = uuid.MustParse("3a7e0f4c-9b1d-4c55-8f0e-2d6b9a41c7e3")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidInput, fmt.Sprintf(format, args...))
}

// Broadcast records a broadcast message and queues it for batching.
func (s *Service) Broadcast(ctx context.Context, req SendRequest) (MessageView, error) {
	if req.Group != nil {
		return MessageView{}, invalidf("group: a broadcast message has no group (send it as private)")
	}
	if err := s.requireRegistered(); err != nil {
		return MessageView{}, err
	}
	return s.send(ctx, protocol.MessageTypeBroadcast, req.Header, req.Data, nil)
}

// Private records a private message to req.Group (the sender always
// included) and queues it for batching.
func (s *Service) Private(ctx context.Context, req SendRequest) (MessageView, error) {
	if req.Group == nil {
		return MessageView{}, invalidf("group: a private message needs a group")
	}
	if err := s.requireRegistered(); err != nil {
		return MessageView{}, err
	}
	group, err := s.resolveGroup(*req.Group)
	if err != nil {
		return MessageView{}, err
	}
	if err := s.knowGroup(ctx, group); err != nil {
		return MessageView{}, err
	}
	return s.send(ctx, protocol.MessageTypePrivate, req.Header, req.Data, &group)
}

// DefineDatatype broadcasts a datatype definition.
func (s *Service) DefineDatatype(ctx context.Context, req DatatypeRequest) (MessageView, error) {
	if err := s.requireRegistered(); err != nil {
		return MessageView{}, err
	}
	ref, err := protocol.NewDatatypeRef(req.Name, req.Version)
	if err != nil {
		return MessageView{}, invalidf("name/version: %v", err)
	}
	if _, err := definition.CompileSchema(req.Schema); err != nil {
		return MessageView{}, invalidf("schema: %v", err)
	}
	return s.sendDefinition(ctx, definition.Definition{Datatype: &definition.Datatype{Ref: ref, Schema: req.Schema}})
}

func (s *Service) requireRegistered() error {
	if !s.Registered() {
		return fmt.Errorf("%w: %s is not registered in namespace %q yet (its org and node definitions are not confirmed)",
			ErrNotReady, s.self.Node, s.ns)
	}
	return nil
}

// sendDefinition sends a definition message on the system topic; it does
// not need the node to be registered (registering is what it is for).
func (s *Service) sendDefinition(ctx context.Context, def definition.Definition) (MessageView, error) {
	value, err := def.Value()
	if err != nil {
		return MessageView{}, invalidf("%v", err)
	}
	return s.send(ctx, protocol.MessageTypeDefinition, RequestHeader{Topics: []string{protocol.DefinitionsTopic}},
		[]DataInput{{Value: value}}, nil)
}

func (s *Service) send(ctx context.Context, typ protocol.MessageType, h RequestHeader, inputs []DataInput, group *protocol.Group) (MessageView, error) {
	if typ != protocol.MessageTypeDefinition {
		for _, t := range h.Topics {
			if t == protocol.DefinitionsTopic {
				return MessageView{}, invalidf("header.topics: %s is reserved for definitions", t)
			}
		}
	}
	items, created, err := s.resolveData(inputs)
	if err != nil {
		return MessageView{}, err
	}
	refs := make([]protocol.DataRef, len(items))
	for i, d := range items {
		refs[i] = d.Ref()
	}
	id := h.ID
	if id == uuid.Nil {
		id = uuid.New()
	}
	fields := protocol.MessageHeaderFields{ID: id, CID: h.CID, Type: typ, TxType: protocol.TxTypeBatchPin,
		Author: s.self.Org, Key: s.self.Key, Created: s.now(), Namespace: s.ns, Topics: h.Topics, Tag: h.Tag}
	if group != nil {
		gh := group.Hash()
		fields.Group = &gh
	}
	msg, err := protocol.BuildMessage(fields, refs)
	if err != nil {
		return MessageView{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	submitted := catalogue.MessageSubmitted{Message: msg, Data: created}
	ev, err := s.deps.Catalogue.Encode(uuid.NewSHA1(submittedIDSpace, id[:]), submitted,
		event.Metadata{Namespace: s.ns, CorrelationID: id.String(), Node: s.self.Node.String()})
	if err != nil {
		return MessageView{}, fmt.Errorf("encoding message %s: %w", id, err)
	}
	res, err := s.deps.Store.Append(ctx, catalogue.MessageStream(id), event.NoStream(), ev)
	if err != nil {
		if errors.Is(err, event.ErrWrongRevision) {
			return MessageView{}, fmt.Errorf("%w: message id %s is already used", ErrConflict, id)
		}
		return MessageView{}, fmt.Errorf("recording message %s: %w", id, err)
	}
	if _, seal := s.applySubmitted(submitted, true, res.LastPosition, true); seal {
		s.pipeline.add(msg, group)
	}
	return s.Message(ctx, id)
}

// resolveData turns a request's data list into data items: existing ones
// by id, new ones from values (checked against their datatype).
func (s *Service) resolveData(inputs []DataInput) (items, created []protocol.Data, err error) {
	if len(inputs) > protocol.MaxMessageData {
		return nil, nil, invalidf("data: at most %d items", protocol.MaxMessageData)
	}
	for i, in := range inputs {
		switch {
		case in.ID != uuid.Nil && len(in.Value) > 0:
			return nil, nil, invalidf("data[%d]: give an existing id or a new value, not both", i)
		case in.ID != uuid.Nil:
			s.mu.Lock()
			d, ok := s.data[in.ID]
			s.mu.Unlock()
			if !ok {
				return nil, nil, invalidf("data[%d].id: no data %s in namespace %q", i, in.ID, s.ns)
			}
			items = append(items, d)
		default:
			d, err := s.newData(uuid.New(), in)
			if err != nil {
				return nil, nil, fmt.Errorf("data[%d]: %w", i, err)
			}
			items, created = append(items, d), append(created, d)
		}
	}
	return items, created, nil
}

// newData builds a data item from a value, checking its datatype.
func (s *Service) newData(id uuid.UUID, in DataInput) (protocol.Data, error) {
	if len(bytes.TrimSpace(in.Value)) == 0 {
		return protocol.Data{}, invalidf("value: missing")
	}
	fields := protocol.DataFields{ID: id, Value: in.Value}
	if in.Datatype != nil {
		ref, err := protocol.NewDatatypeRef(in.Datatype.Name, in.Datatype.Version)
		if err != nil {
			return protocol.Data{}, invalidf("datatype: %v", err)
		}
		if err := s.checkDatatype(ref, in.Value); err != nil {
			return protocol.Data{}, err
		}
		fields.Datatype = &ref
	}
	d, err := protocol.NewData(fields)
	if err != nil {
		return protocol.Data{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return d, nil
}

func (s *Service) checkDatatype(ref protocol.DatatypeRef, value []byte) error {
	schema, ok := s.reg.Datatype(ref)
	if !ok {
		return invalidf("datatype: %s version %s is not defined in namespace %q", ref.Name(), ref.Version(), s.ns)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(value))
	if err != nil {
		return invalidf("value: %v", err)
	}
	if err := schema.Validate(v); err != nil {
		return invalidf("value does not satisfy datatype %s/%s: %v", ref.Name(), ref.Version(), err)
	}
	return nil
}
