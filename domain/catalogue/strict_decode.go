package catalogue

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
)

// The payloads that dominate decoding (BatchReceived, hundreds of KiB, and
// the per-message MessageSubmitted and BatchSealed) are read by hand rather
// than by encoding/json, which walks every byte of them twice with its
// table-driven scanner and copies each json.RawMessage member on its own.
// They accept exactly what encoding/json with DisallowUnknownFields accepts
// into a zero payload, with the same result (decode_diff_test.go compares
// the two over mutated inputs):
//
//   - a key matches a field exactly or case-insensitively (fieldNames), any
//     other key is an error;
//   - a repeated key is decoded again, over the first;
//   - null leaves a string or an UnmarshalText value alone, sets a pointer
//     or slice to nil, and is handed to an UnmarshalJSON like any value;
//   - a value of the wrong kind is an error; an UnmarshalJSON or
//     UnmarshalText error is the value's.
//
// The error texts differ from encoding/json's; no caller reads them.

// strictPayload is a payload type with a hand-written decoder.
type strictPayload interface {
	// decodeStrict decodes text, one validated JSON value without white
	// space around it, into the zero payload. A json.RawMessage it keeps
	// aliases text when readOnly says nobody changes text afterwards.
	decodeStrict(text []byte, readOnly bool) error
}

var strictPayloadType = reflect.TypeFor[strictPayload]()

// fieldsOf reads T's member names from its struct tags, so that the known
// keys cannot drift from the struct.
func fieldsOf[T any]() *fieldNames {
	return shapeOf(reflect.TypeFor[T]()).names
}

// readObject calls member for each member of the object text, by field
// name. A null text leaves the payload as it is, as encoding/json does.
func readObject(text []byte, names *fieldNames, member func(name string, val []byte) error) error {
	switch text[0] {
	case 'n':
		return nil
	case '{':
	default:
		return wrongKind(text, "a payload object")
	}
	for it := objectMembers(text); ; {
		key, val, ok := it.next()
		if !ok {
			return nil
		}
		name, known := names.lookup(key)
		if !known {
			return unknownField(key)
		}
		if err := member(name, val); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
}

func wrongKind(val []byte, want string) error {
	kind := "number"
	switch val[0] {
	case '"':
		kind = "string"
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	case 't', 'f':
		kind = "bool"
	case 'n':
		kind = "null"
	}
	return fmt.Errorf("json: cannot unmarshal %s into %s", kind, want)
}

func readString[T ~string](val []byte, dst *T) error {
	switch val[0] {
	case '"':
		text, err := jsonscan.Unquote(val)
		if err != nil {
			return err
		}
		*dst = T(text)
	case 'n':
	default:
		return wrongKind(val, "a string")
	}
	return nil
}

// readText is a field of a type with UnmarshalText (and no UnmarshalJSON).
func readText[T any, P interface {
	*T
	encoding.TextUnmarshaler
}](val []byte, dst P) error {
	switch val[0] {
	case '"':
		text, err := jsonscan.Unquote(val)
		if err != nil {
			return err
		}
		return dst.UnmarshalText(text)
	case 'n':
		return nil
	}
	return wrongKind(val, "a text value")
}

// readTextPtr is a *T field where T has UnmarshalText. A repeated key
// decodes into the value the first one allocated, as encoding/json does.
func readTextPtr[T any, P interface {
	*T
	encoding.TextUnmarshaler
}](val []byte, dst **T) error {
	switch val[0] {
	case 'n':
		*dst = nil
		return nil
	case '"':
		if *dst == nil {
			*dst = new(T)
		}
		return readText[T, P](val, *dst)
	}
	return wrongKind(val, "a text value")
}

// readRaw keeps val as it is: a json.RawMessage takes any value, null too.
// Its capacity ends with it, so that an append to it cannot write over the
// bytes of the next member.
func readRaw(val []byte) json.RawMessage { return val[:len(val):len(val)] }

// readRawList is a []json.RawMessage field, each element kept as readRaw
// keeps it.
func readRawList(val []byte, dst *[]json.RawMessage) error {
	return readStructList(val, dst, func(raw *json.RawMessage, v []byte) error {
		*raw = readRaw(v)
		return nil
	})
}

// readList is a []T field where *T has UnmarshalJSON: each element, null
// included, is T's to judge.
func readList[T any, P interface {
	*T
	json.Unmarshaler
}](val []byte, dst *[]T) error {
	return readStructList(val, dst, func(item *T, v []byte) error { return P(item).UnmarshalJSON(v) })
}

var batchReceivedFields = fieldsOf[BatchReceived]()

// decodeStrict implements strictPayload. The raw parts are most of the
// event's bytes: they share one copy of it, or the event's own bytes when
// those are read-only, rather than one allocation each.
func (b *BatchReceived) decodeStrict(text []byte, readOnly bool) error {
	if !readOnly {
		text = bytes.Clone(text)
	}
	return readObject(text, batchReceivedFields, func(name string, val []byte) error {
		switch name {
		case "namespace":
			return readString(val, &b.Namespace)
		case "batchId":
			return readText(val, &b.BatchID)
		case "from":
			return readTextPtr(val, &b.From)
		case "payloadRef":
			return readString(val, &b.PayloadRef)
		case "manifest":
			b.Manifest = readRaw(val)
		case "messages":
			return readRawList(val, &b.Messages)
		case "data":
			return readRawList(val, &b.Data)
		}
		return nil
	})
}

var batchSealedFields = fieldsOf[BatchSealed]()

// decodeStrict implements strictPayload; nothing decoded keeps text.
func (b *BatchSealed) decodeStrict(text []byte, _ bool) error {
	return readObject(text, batchSealedFields, func(name string, val []byte) error {
		switch name {
		case "manifest":
			return b.Manifest.UnmarshalJSON(val)
		case "contexts":
			return readList(val, &b.Contexts)
		case "pins":
			return readList(val, &b.Pins)
		}
		return nil
	})
}

var messageSubmittedFields = fieldsOf[MessageSubmitted]()

// decodeStrict implements strictPayload; nothing decoded keeps text.
func (m *MessageSubmitted) decodeStrict(text []byte, _ bool) error {
	return readObject(text, messageSubmittedFields, func(name string, val []byte) error {
		switch name {
		case "message":
			return m.Message.UnmarshalJSON(val)
		case "data":
			return readList(val, &m.Data)
		}
		return nil
	})
}

// readUint is an unsigned integer field of bits bits: a JSON number that
// strconv.ParseUint takes whole, as encoding/json requires (no fraction, no
// exponent, no sign, in range).
func readUint[T uint32 | uint64](val []byte, dst *T, bits int) error {
	switch val[0] {
	case 'n':
		return nil
	case '"', '{', '[', 't', 'f':
		return wrongKind(val, "an unsigned integer")
	}
	n, err := strconv.ParseUint(string(val), 10, bits)
	if err != nil {
		return fmt.Errorf("json: cannot unmarshal number %s into a %d-bit unsigned integer", val, bits)
	}
	*dst = T(n)
	return nil
}

// readStructList is a []T field whose elements decode elementwise by
// decode, as encoding/json fills a slice: elements decode over those the slice
// already has, even past its length within its capacity (a repeated key),
// new ones start from zero, and the slice ends where the array does.
func readStructList[T any](val []byte, dst *[]T, decode func(*T, []byte) error) error {
	switch val[0] {
	case 'n':
		*dst = nil
		return nil
	case '[':
	default:
		return wrongKind(val, "a list")
	}
	list := *dst
	n := 0
	for it := arrayElements(val); ; {
		v, ok := it.next()
		if !ok {
			break
		}
		if n < cap(list) {
			list = list[:n+1]
		} else {
			var zero T
			list = append(list, zero)
		}
		if err := decode(&list[n], v); err != nil {
			return fmt.Errorf("[%d]: %w", n, err)
		}
		n++
	}
	if n == 0 {
		*dst = []T{}
		return nil
	}
	*dst = list[:n]
	return nil
}

var chainLocationFields = fieldsOf[ChainLocation]()

// decodeStrict decodes a location object (null leaves l as it is).
func (l *ChainLocation) decodeStrict(text []byte) error {
	return readObject(text, chainLocationFields, func(name string, val []byte) error {
		switch name {
		case "chain":
			return readString(val, &l.Chain)
		case "contract":
			return readString(val, &l.Contract)
		case "blockNumber":
			return readUint(val, &l.BlockNumber, 64)
		case "blockHash":
			return readString(val, &l.BlockHash)
		case "txHash":
			return readString(val, &l.TxHash)
		case "txIndex":
			return readUint(val, &l.TxIndex, 32)
		case "logIndex":
			return readUint(val, &l.LogIndex, 32)
		}
		return nil
	})
}

var confirmedContextFields = fieldsOf[ConfirmedContext]()

func (c *ConfirmedContext) decodeStrict(text []byte) error {
	return readObject(text, confirmedContextFields, func(name string, val []byte) error {
		switch name {
		case "context":
			return c.Context.UnmarshalJSON(val)
		case "pin":
			return c.Pin.UnmarshalJSON(val)
		case "count":
			return readUint(val, &c.Count, 64)
		case "digest":
			return c.Digest.UnmarshalJSON(val)
		}
		return nil
	})
}

var messageConfirmedFields = fieldsOf[MessageConfirmed]()

// decodeStrict implements strictPayload: one per message on every member,
// the most frequent event; nothing decoded keeps text.
func (m *MessageConfirmed) decodeStrict(text []byte, _ bool) error {
	return readObject(text, messageConfirmedFields, func(name string, val []byte) error {
		switch name {
		case "namespace":
			return readString(val, &m.Namespace)
		case "messageId":
			return readText(val, &m.MessageID)
		case "batchId":
			return readText(val, &m.BatchID)
		case "messageHash":
			return m.MessageHash.UnmarshalJSON(val)
		case "location":
			return m.Location.decodeStrict(val)
		case "contexts":
			return readStructList(val, &m.Contexts, (*ConfirmedContext).decodeStrict)
		}
		return nil
	})
}
