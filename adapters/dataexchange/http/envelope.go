package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

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
func decodeEnvelope(body []byte) (messaging.Envelope, error) {
	var env messaging.Envelope
	if !utf8.Valid(body) {
		return env, errors.New("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return env, errors.New("the body is not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return env, fmt.Errorf("malformed JSON: %w", err)
		}
		key, _ := tok.(string) // inside an object, More() promises a key
		if seen[key] {
			return env, fmt.Errorf("member %q appears twice", key)
		}
		seen[key] = true
		if err := decodeMember(dec, key, &env); err != nil {
			return env, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return env, fmt.Errorf("malformed JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return env, errors.New("data after the envelope object")
	}
	for _, required := range []string{"namespace", "manifest", "messages", "data"} {
		if !seen[required] {
			return env, fmt.Errorf("member %q is missing", required)
		}
	}
	return env, nil
}

func decodeMember(dec *json.Decoder, key string, env *messaging.Envelope) error {
	switch key {
	case "namespace":
		ns, err := decodeString(dec, key)
		if err != nil {
			return err
		}
		if err := protocol.ValidateNamespace(ns); err != nil {
			return fmt.Errorf("namespace: %w", err)
		}
		env.Namespace = ns
	case "payloadRef":
		ref, err := decodeString(dec, key)
		if err != nil {
			return err
		}
		env.PayloadRef = ref
	case "manifest":
		return decodeObject(dec, key, &env.Manifest)
	case "group":
		return decodeObject(dec, key, &env.Group)
	case "messages":
		return decodeObjects(dec, key, &env.Messages)
	case "data":
		return decodeObjects(dec, key, &env.Data)
	default:
		return fmt.Errorf("unknown member %q", truncate(key))
	}
	return nil
}

func decodeString(dec *json.Decoder, key string) (string, error) {
	var s *string
	if err := dec.Decode(&s); err != nil || s == nil {
		return "", fmt.Errorf("%s: not a string", key)
	}
	return *s, nil
}

func decodeObject(dec *json.Decoder, key string, dst *json.RawMessage) error {
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%s: malformed JSON: %w", key, err)
	}
	if !isObject(*dst) {
		return fmt.Errorf("%s: not an object", key)
	}
	return nil
}

func decodeObjects(dec *json.Decoder, key string, dst *[]json.RawMessage) error {
	if err := dec.Decode(dst); err != nil || *dst == nil {
		return fmt.Errorf("%s: not an array of objects", key)
	}
	for i, item := range *dst {
		if !isObject(item) {
			return fmt.Errorf("%s[%d]: not an object", key, i)
		}
	}
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
