package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// encodeEnvelope writes env as it travels: messages and data always arrays,
// group omitted rather than null, raw members compacted but not otherwise
// changed (no HTML escaping).
func encodeEnvelope(env messaging.Envelope) ([]byte, error) {
	if env.Messages == nil {
		env.Messages = []json.RawMessage{}
	}
	if env.Data == nil {
		env.Data = []json.RawMessage{}
	}
	if bytes.Equal(bytes.TrimSpace(env.Group), []byte("null")) {
		env.Group = nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", messaging.ErrInvalidInput, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodeEnvelope reads a received envelope strictly, as
// contracts/dataexchange/envelope.json describes it: valid UTF-8; one object
// and nothing after it but whitespace; only the envelope's members, each at
// most once and spelled exactly; namespace a valid name; manifest and group
// objects; messages and data arrays of objects; payloadRef a string. The
// members' contents are the messaging layer's to check.
//
// It validates body once (jsonscan) and then slices the members out of it:
// the raw members alias body, which the caller must not change afterwards.
// A json.Decoder copied the whole body and then every raw member again,
// for a batch of 200 messages several hundred KiB per peer and batch. It
// accepts exactly what that Decoder-based reading did (envelope_ref_test.go
// compares the two); only error texts may differ.
func decodeEnvelope(body []byte) (messaging.Envelope, error) {
	var env messaging.Envelope
	if !utf8.Valid(body) {
		return env, errors.New("the body is not valid UTF-8")
	}
	start := jsonscan.SkipSpace(body, 0)
	if start == len(body) || body[start] != '{' {
		return env, errors.New("the body is not a JSON object")
	}
	end, ok := jsonscan.Prefix(body)
	if !ok {
		return env, errors.New("malformed JSON")
	}
	if jsonscan.SkipSpace(body, end) != len(body) {
		return env, errors.New("data after the envelope object")
	}
	seen := map[string]bool{}
	for it := jsonscan.Members(body, start); ; {
		lit, from, to, ok := it.Next()
		if !ok {
			break
		}
		text, err := jsonscan.Unquote(lit)
		if err != nil {
			return env, fmt.Errorf("malformed JSON: %w", err)
		}
		key := string(text)
		if seen[key] {
			return env, fmt.Errorf("member %q appears twice", truncate(key))
		}
		seen[key] = true
		if err := decodeMember(key, body[from:to:to], &env); err != nil {
			return env, err
		}
	}
	for _, required := range []string{"namespace", "manifest", "messages", "data"} {
		if !seen[required] {
			return env, fmt.Errorf("member %q is missing", required)
		}
	}
	return env, nil
}

// decodeMember reads one member's value, val, valid JSON text.
func decodeMember(key string, val []byte, env *messaging.Envelope) error {
	switch key {
	case "namespace":
		ns, err := decodeString(val, key)
		if err != nil {
			return err
		}
		if err := protocol.ValidateNamespace(ns); err != nil {
			return fmt.Errorf("namespace: %w", err)
		}
		env.Namespace = ns
	case "payloadRef":
		ref, err := decodeString(val, key)
		if err != nil {
			return err
		}
		env.PayloadRef = ref
	case "manifest":
		return decodeObject(val, key, &env.Manifest)
	case "group":
		return decodeObject(val, key, &env.Group)
	case "messages":
		return decodeObjects(val, key, &env.Messages)
	case "data":
		return decodeObjects(val, key, &env.Data)
	default:
		return fmt.Errorf("unknown member %q", truncate(key))
	}
	return nil
}

// decodeString reads a string value (null is not one).
func decodeString(val []byte, key string) (string, error) {
	if val[0] != '"' {
		return "", fmt.Errorf("%s: not a string", key)
	}
	s, err := jsonscan.Unquote(val)
	if err != nil {
		return "", fmt.Errorf("%s: not a string", key)
	}
	return string(s), nil
}

func decodeObject(val []byte, key string, dst *json.RawMessage) error {
	if !isObject(val) {
		return fmt.Errorf("%s: not an object", key)
	}
	*dst = val
	return nil
}

func decodeObjects(val []byte, key string, dst *[]json.RawMessage) error {
	if val[0] != '[' {
		return fmt.Errorf("%s: not an array of objects", key)
	}
	items := []json.RawMessage{}
	for it := jsonscan.Elements(val, 0); ; {
		from, to, ok := it.Next()
		if !ok {
			break
		}
		item := val[from:to:to]
		if !isObject(item) {
			return fmt.Errorf("%s[%d]: not an object", key, len(items))
		}
		items = append(items, item)
	}
	*dst = items
	return nil
}

// isObject reports whether raw, a value the decoder accepted, is an object.
func isObject(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '{' }

func truncate(s string) string {
	const limit = 64
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
