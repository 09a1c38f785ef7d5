package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	evsqlite "github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// TestExportThenVerify exports a stopped node's log, signed, verifies the
// file, and fails a copy with one byte changed, naming the line.
func TestExportThenVerify(t *testing.T) {
	dir := t.TempDir()
	stoppedNode(t, dir)
	_, err := network.LoadOrCreateSigningKey(filepath.Join(dir, "signing.key"))
	require.NoError(t, err)
	file := filepath.Join(dir, "audit.ndjson")

	code, _, errOut := runCLI(t, nil, "--data-dir", dir, "--log-level", "warn", "export", "--out", file, "--sign")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "export: ", "progress lines on stderr")
	assert.Contains(t, errOut, "signed by 0x")
	matches, err := filepath.Glob(file + ".*.partial")
	require.NoError(t, err)
	assert.Empty(t, matches, "no partial file left")

	code, out, errOut := runCLI(t, nil, "verify", file, "--require-signature")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "OK  "+file)
	assert.Contains(t, out, "manifest signed by 0x")

	code, out, errOut = runCLI(t, nil, "verify", file, "--json")
	require.Equal(t, exitOK, code, errOut)
	var rep struct {
		OK     bool `json:"ok"`
		Report struct {
			Lines int `json:"lines"`
		} `json:"report"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.True(t, rep.OK)
	assert.Positive(t, rep.Report.Lines)

	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	lines := strings.Split(string(raw), "\n")
	third := len(lines[0]) + len(lines[1]) + 2 + 40 // a byte of the third line
	raw[third] ^= 0x20
	tampered := filepath.Join(dir, "tampered.ndjson")
	require.NoError(t, os.WriteFile(tampered, raw, 0o600))
	code, _, errOut = runCLI(t, nil, "verify", tampered)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "verification failed")
	assert.True(t, strings.Contains(errOut, "line 3: ") || strings.Contains(errOut, "line 4: hash-chain"), errOut)
}

func TestExportRefusesBadUsage(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, nil, "--data-dir", dir, "export", "--from", "5", "--to", "2")
	assert.Equal(t, exitUsage, code, errOut)
	code, _, errOut = runCLI(t, nil, "--data-dir", dir, "export")
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "no event store")
	code, _, _ = runCLI(t, nil, "verify")
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI(t, nil, "verify", "a", "--against", "http://x")
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI(t, nil, "verify", filepath.Join(dir, "missing.ndjson"))
	assert.Equal(t, exitUsage, code)
	code, _, errOut = runCLI(t, nil, "export", "--api", "ftp://node")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--api")
	code, _, errOut = runCLI(t, nil, "verify", "--api", "http://127.0.0.1:1", "--against", "node:5000")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--against")
}

func TestExportOfARunningNodesStoreSaysToUseTheAPI(t *testing.T) {
	dir := t.TempDir()
	stoppedNode(t, dir)
	// A running node holds its event store.
	store, err := evsqlite.Open(context.Background(), evsqlite.Config{Path: filepath.Join(dir, "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	defer func() { require.NoError(t, store.Close()) }()
	code, _, errOut := runCLI(t, nil, "--data-dir", dir, "--log-level", "warn", "export")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "--api")
}

// TestVerifyAgainstNamesTheFirstDifferentContext compares two members'
// digests served by fake APIs.
func TestVerifyAgainstNamesTheFirstDifferentContext(t *testing.T) {
	c1, c2 := protocol.SHA256([]byte("c1")), protocol.SHA256([]byte("c2"))
	if c2.String() < c1.String() {
		c1, c2 = c2, c1
	}
	group := protocol.SHA256([]byte("g"))
	serve := func(d messaging.Digests) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/v1/namespaces/default/digests" || r.URL.Query().Get("contexts") != "true" {
				http.NotFound(w, r)
				return
			}
			_ = json.NewEncoder(w).Encode(d)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	same := messaging.Digests{Contexts: []messaging.ContextDigest{{Context: c1, Count: 2, Digest: c1}, {Context: c2, Count: 1, Digest: c2}}}
	// the second member is in a group the first is not: its context is not compared
	withGroup := same
	withGroup.Groups = map[string]messaging.NamespaceDigest{group.String(): {Count: 1}}
	withGroup.Contexts = append(append([]messaging.ContextDigest{}, same.Contexts...), messaging.ContextDigest{Context: group, Group: &group, Count: 1})
	code, out, errOut := runCLI(t, nil, "verify", "--api", serve(same), "--against", serve(withGroup))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "agree")

	differs := messaging.Digests{Contexts: []messaging.ContextDigest{{Context: c1, Count: 2, Digest: c1}, {Context: c2, Count: 2, Digest: c1, Topic: "orders"}}}
	code, _, errOut = runCLI(t, nil, "verify", "--api", serve(same), "--against", serve(differs))
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "context "+c2.String()+" (topic orders)")
}
