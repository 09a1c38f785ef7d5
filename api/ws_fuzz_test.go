package api

import (
	"errors"
	"testing"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// FuzzParseWSFrame: any bytes a client sends are either a valid frame or
// an invalid-input error (which becomes an error frame), never a panic.
func FuzzParseWSFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"start","namespace":"default","name":"orders"}`,
		`{"type":"start","namespace":"default","filter":{"events":["message_confirmed"],"topics":"^a"},"firstEvent":"oldest","readAhead":3,"withData":true,"autoack":true}`,
		`{"type":"ack","id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8"}`,
		`{"type":"ack"}`, `{"type":"ack","id":"x"}`, `{`, `[]`, `null`, `{"type":"start"}{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := parseWSFrame(data)
		if err != nil {
			if !errors.Is(err, messaging.ErrInvalidInput) {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		if fr.Type != wsStart && fr.Type != wsAck {
			t.Fatalf("accepted frame type %q", fr.Type)
		}
		if fr.Type == wsStart && fr.Namespace == "" {
			t.Fatal("accepted a start without namespace")
		}
		_ = fr.request()
	})
}
