package sqlite

import (
	"bytes"
	"encoding/json"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Metadata is stored as the JSON encoding/json would produce for
// event.Metadata (so SQL users can json_extract it), but encoded and decoded
// by hand on the hot path: reflection-based JSON costs more than the rest of
// reading an event. Anything unusual (escapes, unknown keys) falls back to
// encoding/json, which stays the reference.

// metadataKeys are event.Metadata's JSON names, in struct order.
var metadataKeys = [4]string{"correlationId", "causationId", "node", "namespace"}

func metadataFields(m *event.Metadata) [4]*string {
	return [4]*string{&m.CorrelationID, &m.CausationID, &m.Node, &m.Namespace}
}

// encodeMetadata returns m as JSON, or "" for the zero Metadata (stored NULL).
func encodeMetadata(m event.Metadata) string {
	if m == (event.Metadata{}) {
		return ""
	}
	fields := metadataFields(&m)
	size := 2
	for i, f := range fields {
		if *f != "" {
			if !plainJSONString(*f) {
				b, err := json.Marshal(m)
				if err != nil { // cannot happen for a struct of strings
					return ""
				}
				return string(b)
			}
			size += len(metadataKeys[i]) + len(*f) + 6
		}
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, f := range fields {
		if *f == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, metadataKeys[i]...)
		b = append(b, `":"`...)
		b = append(b, *f...)
		b = append(b, '"')
	}
	b = append(b, '}')
	return string(b)
}

// readBackMetadata is what reading back m, stored as enc (encodeMetadata's
// result), returns: m itself unless encoding/json had to write it and may
// have changed it (invalid UTF-8 becomes U+FFFD).
func readBackMetadata(m event.Metadata, enc string) event.Metadata {
	if enc == "" {
		return event.Metadata{}
	}
	plain := true
	for _, f := range metadataFields(&m) {
		plain = plain && plainJSONString(*f)
	}
	if plain {
		return m
	}
	back, err := decodeMetadata([]byte(enc))
	if err != nil { // cannot happen for what json.Marshal wrote
		return m
	}
	return back
}

// plainJSONString reports whether s can be written between quotes as is:
// printable ASCII without quote or backslash.
func plainJSONString[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// decodeMetadata parses stored metadata JSON.
func decodeMetadata(b []byte) (event.Metadata, error) {
	if m, ok := decodePlainMetadata(b); ok {
		return m, nil
	}
	var m event.Metadata
	err := json.Unmarshal(b, &m)
	return m, err
}

// decodePlainMetadata handles exactly what encodeMetadata's fast path writes:
// a flat object of known keys with escape-free string values.
func decodePlainMetadata(b []byte) (m event.Metadata, ok bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return m, false
	}
	b = b[1 : len(b)-1]
	for len(b) > 0 {
		key, rest, ok := plainString(b)
		if !ok || len(rest) == 0 || rest[0] != ':' {
			return m, false
		}
		val, rest, ok := plainString(rest[1:])
		if !ok {
			return m, false
		}
		switch string(key) {
		case "correlationId":
			m.CorrelationID = string(val)
		case "causationId":
			m.CausationID = string(val)
		case "node":
			m.Node = string(val)
		case "namespace":
			m.Namespace = string(val)
		default:
			return m, false
		}
		if len(rest) > 0 {
			if rest[0] != ',' || len(rest) == 1 {
				return m, false
			}
			rest = rest[1:]
		}
		b = rest
	}
	return m, true
}

// plainString reads a quoted string of printable ASCII without escapes from
// the start of b; anything else is left to encoding/json.
func plainString(b []byte) (val, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != '"' {
		return nil, nil, false
	}
	end := bytes.IndexByte(b[1:], '"')
	if end < 0 {
		return nil, nil, false
	}
	val = b[1 : 1+end]
	if !plainJSONString(val) {
		return nil, nil, false
	}
	return val, b[2+end:], true
}
