package elasticsearch

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/<name>.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	path := filepath.Join("testdata", name+".json")
	if *update {
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), buf.String(), "%s differs (go test -update rewrites it)", path)
}

func TestTemplateGolden(t *testing.T) {
	golden(t, "template", template(indexName(DefaultIndex)))
}

func TestSearchBodyGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    search.Request
	}{
		{"empty", search.Request{Namespace: "ns1"}},
		{"words", search.Request{Namespace: "ns1", Query: "late payment"}},
		{"phrase", search.Request{Namespace: "ns1", Query: `"late payment"`}},
		{"prefix", search.Request{Namespace: "ns1", Query: "Pay*"}},
		{"fields", search.Request{Namespace: "ns1", Kind: search.Messages, Query: `author:did:lm:org/acme tag:"end of day" topics:ord*`}},
		{"exclusions", search.Request{Namespace: "ns1", Query: `invoice -draft -"old version" -type:private -tmp*`}},
		{"exclusions-only", search.Request{Namespace: "ns1", Kind: search.Data, Query: "-draft"}},
		{"paged", search.Request{Namespace: "ns1", Query: "invoice", Skip: 40, Limit: 20}},
		{"unicode", search.Request{Namespace: "ns1", Query: `München "東京 タワー" ÜBER*`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.r.Plan()
			require.NoError(t, err)
			golden(t, "search-"+tc.name, searchBody(p))
		})
	}
}
