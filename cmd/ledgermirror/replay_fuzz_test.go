package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzParseEventPage feeds parseEventPage what a node (or anything at
// --api) might answer: it refuses or accepts without panicking, and an
// accepted page has growing sequences, each document valid JSON on one
// line with an id and a type.
func FuzzParseEventPage(f *testing.F) {
	f.Add([]byte(`[{"id":"a","sequence":1,"type":"message_confirmed","topics":["x"],"tag":"t"}]`))
	f.Add([]byte(`[{"id":"a","sequence":2,"type":"t"},{"id":"b","sequence":1,"type":"t"}]`))
	f.Add([]byte(`[{"id":"a",` + "\n" + `"sequence":18446744073709551615,"type":"t","group":null}]`))
	f.Add([]byte(`{"error":"LM10410","message":"x"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := parseEventPage(body)
		if err != nil {
			return
		}
		for i, e := range page {
			if !json.Valid(e.JSON) || bytes.ContainsAny(e.JSON, "\n\r") {
				t.Fatalf("event %d: %q is not one line of JSON", i, e.JSON)
			}
			if e.ID == "" || e.Type == "" || e.Fields.Type != e.Type {
				t.Fatalf("event %d: %+v", i, e)
			}
			if i > 0 && e.Sequence <= page[i-1].Sequence {
				t.Fatalf("event %d: sequence %d after %d", i, e.Sequence, page[i-1].Sequence)
			}
		}
	})
}
