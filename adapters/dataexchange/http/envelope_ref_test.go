package http

// The json.Decoder-based envelope reading that decodeEnvelope replaced,
// kept as the reference its differential test and fuzz target compare with.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// decodeEnvelopeWithDecoder is the envelope reading decodeEnvelope replaced, as
// contracts/dataexchange/envelope.json describes it: valid UTF-8; one object
// and nothing after it but whitespace; only the envelope's members, each at
// most once and spelled exactly; namespace a valid name; manifest and group
// objects; messages and data arrays of objects; payloadRef a string. The
// members' contents are the messaging layer's to check.
func decodeEnvelopeWithDecoder(body []byte) (messaging.Envelope, error) {
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
		if err := refDecodeMember(dec, key, &env); err != nil {
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

func refDecodeMember(dec *json.Decoder, key string, env *messaging.Envelope) error {
	switch key {
	case "namespace":
		ns, err := refDecodeString(dec, key)
		if err != nil {
			return err
		}
		if err := protocol.ValidateNamespace(ns); err != nil {
			return fmt.Errorf("namespace: %w", err)
		}
		env.Namespace = ns
	case "payloadRef":
		ref, err := refDecodeString(dec, key)
		if err != nil {
			return err
		}
		env.PayloadRef = ref
	case "manifest":
		return refDecodeObject(dec, key, &env.Manifest)
	case "group":
		return refDecodeObject(dec, key, &env.Group)
	case "messages":
		return refDecodeObjects(dec, key, &env.Messages)
	case "data":
		return refDecodeObjects(dec, key, &env.Data)
	default:
		return fmt.Errorf("unknown member %q", truncate(key))
	}
	return nil
}

func refDecodeString(dec *json.Decoder, key string) (string, error) {
	var s *string
	if err := dec.Decode(&s); err != nil || s == nil {
		return "", fmt.Errorf("%s: not a string", key)
	}
	return *s, nil
}

func refDecodeObject(dec *json.Decoder, key string, dst *json.RawMessage) error {
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%s: malformed JSON: %w", key, err)
	}
	if !isObject(*dst) {
		return fmt.Errorf("%s: not an object", key)
	}
	return nil
}

func refDecodeObjects(dec *json.Decoder, key string, dst *[]json.RawMessage) error {
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

// sameEnvelopeReading checks decodeEnvelope against the reference on body:
// both accept or both refuse, and what they accept is the same envelope.
func sameEnvelopeReading(t *testing.T, body []byte) {
	t.Helper()
	want, wantErr := decodeEnvelopeWithDecoder(body)
	got, gotErr := decodeEnvelope(body)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%q: the Decoder says %v, decodeEnvelope says %v", body, wantErr, gotErr)
	}
	if wantErr == nil {
		require.Equal(t, want, got, "%q", body)
	}
}

var envelopeSamples = []string{
	`{"namespace":"default","manifest":{},"messages":[],"data":[]}`,
	`{"namespace":"default","manifest":{"version":1},"messages":[{"a":1}],"data":[{"b":[1,2]}],"group":{"name":"g"},"payloadRef":"http://h/x"}`,
	` { "data" : [ { } , {"x" : "]}"} ] , "messages":[],"manifest":{"x":"\u00e9"},"namespace":"a.b-c_d" } `,
	`{"namespace":"default","namespace":"x","manifest":{},"messages":[],"data":[]}`,
	`{"namespace":"default","manifest":{},"messages":[],"data":[]}{}`,
	`{"namespace":"default","manifest":{},"messages":[null],"data":[]}`,
	`{"namespace":"default","manifest":null,"messages":[],"data":[]}`,
	`{"namespace":null,"manifest":{},"messages":[],"data":[]}`,
	`{"namespace":"default","manifest":{},"messages":null,"data":[]}`,
	`{"namespace":"default","manifest":{},"messages":{},"data":[]}`,
	`{"\u006eamespace":"default","manifest":{},"messages":[],"data":[]}`,
	`{"namespace":"def\u0061ult","manifest":{},"messages":[],"data":[],"payloadRef":"a\ud800b"}`,
	`{"namespace":"default","manifest":{},"messages":[],"data":[],"payloadRef":7}`,
	`{"namespace":"default","manifest":{},"messages":[],"data":[],"extra":1}`,
	`{"namespace":"default","manifest":{},"messages":[]}`,
	`{"NAMESPACE":"default"}`,
	`[]`, `null`, `{`, ``, "\xff", `{}`, `{"namespace":"default","manifest":{},"messages":[],"data":[]} x`,
}

// TestDecodeEnvelopeMatchesTheDecoder compares the two readings on the
// samples and on many mutations of them (bytes flipped, dropped, doubled,
// cut short), most of which are refused.
func TestDecodeEnvelopeMatchesTheDecoder(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	alphabet := []byte(`{}[]":,. \nul0123456789abcdefmesagnpyloadR`)
	for _, s := range envelopeSamples {
		sameEnvelopeReading(t, []byte(s))
		for range 2000 {
			b := []byte(s)
			for range 1 + rnd.Intn(3) {
				if len(b) == 0 {
					break
				}
				i := rnd.Intn(len(b))
				switch rnd.Intn(4) {
				case 0:
					b[i] = alphabet[rnd.Intn(len(alphabet))]
				case 1:
					b = append(b[:i], b[i+1:]...)
				case 2:
					b = append(b[:i], append([]byte{b[i]}, b[i:]...)...)
				default:
					b = b[:i]
				}
			}
			sameEnvelopeReading(t, b)
		}
	}
	big := `{"namespace":"default","manifest":{},"messages":[` + strings.Repeat(`{"k":"v"},`, 199) + `{"k":"v"}],"data":[]}`
	sameEnvelopeReading(t, []byte(big))
}

func FuzzDecodeEnvelopeMatchesTheDecoder(f *testing.F) {
	for _, s := range envelopeSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameEnvelopeReading(t, body)
	})
}
