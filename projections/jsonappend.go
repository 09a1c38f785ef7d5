package projections

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// The appenders below write the hottest documents (one or more per event
// while catching up) the way encoding/json writes them, byte for byte,
// without its reflection and without re-validating and re-compacting the
// output of every MarshalJSON and json.RawMessage inside them. Strings are
// written by domain/jsonappend, shared with the protocol's types; anything
// unusual (a raw value that is not compact) is handed to encoding/json
// itself, so the bytes stay its bytes. The tests compare the two on
// generated documents.

// jsonAppender is a document that writes itself as json.Marshal would.
type jsonAppender interface {
	appendJSON(b []byte) ([]byte, error)
}

// errUseEncodingJSON sends a document the appenders do not write to
// encoding/json, which then writes it (or reports its error) exactly as it
// always has.
var errUseEncodingJSON = errors.New("left to encoding/json")

// appendOrMarshal appends what fields writes of v, or, when it fails,
// what json.Marshal makes of v (or json.Marshal's error).
func appendOrMarshal(b []byte, v any, fields func([]byte) ([]byte, error)) ([]byte, error) {
	if out, err := fields(b); err == nil {
		return out, nil
	}
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, doc...), nil
}

// appendRawJSON appends a JSON value as json.Marshal writes a
// json.RawMessage (see jsonappend.ValidRaw). raw must be valid JSON: callers
// hold values encoding/json produced or accepted.
func appendRawJSON(b []byte, raw json.RawMessage) ([]byte, error) {
	return jsonappend.ValidRaw(b, raw)
}

// appendMarshaler appends a value with its own MarshalJSON as json.Marshal
// does (see appendRawJSON for what is asked of the output).
func appendMarshaler(b []byte, m json.Marshaler) ([]byte, error) {
	raw, err := m.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return appendRawJSON(b, raw)
}

// appendHashHex appends a 32-byte hash as protocol.Hash marshals: its
// lower-case hex, quoted.
func appendHashHex(b []byte, h [32]byte) []byte {
	b = append(b, '"')
	b = hex.AppendEncode(b, h[:])
	return append(b, '"')
}

// appendUUID appends a UUID as its text form, quoted.
func appendUUID(b []byte, u uuid.UUID) []byte { return jsonappend.UUID(b, u) }

// appendTime appends t as time.Time's MarshalJSON does, with its error for
// a time RFC 3339 cannot express.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// appendKey appends a member's name and colon, after a comma unless it is
// the object's first.
func appendKey(b []byte, name string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendInt(b []byte, n int64) []byte   { return strconv.AppendInt(b, n, 10) }
func appendUint(b []byte, n uint64) []byte { return strconv.AppendUint(b, n, 10) }

// appendList appends items as a JSON array, each written by each.
func appendList[T any](b []byte, items []T, each func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, it)
	}
	return append(b, ']')
}
