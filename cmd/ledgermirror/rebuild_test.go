package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	evsqlite "github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// stoppedNode writes a simulated member's event log into dir/events.db,
// as a node that has run and stopped leaves it, and returns its head.
func stoppedNode(t *testing.T, dir string) event.Position {
	t.Helper()
	payloads, _, err := simulation.Log(3, simulation.Options{Batches: 20})
	require.NoError(t, err)
	cat := catalogue.Default()
	var log []event.Proposed
	for _, p := range payloads {
		proposed, err := cat.Encode(uuid.NewSHA1(uuid.Nil, []byte(strconv.Itoa(len(log)))), p, event.Metadata{})
		require.NoError(t, err)
		log = append(log, proposed)
	}
	store, err := evsqlite.Open(context.Background(), evsqlite.Config{Path: filepath.Join(dir, "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	defer func() { require.NoError(t, store.Close()) }()
	res, err := store.Append(context.Background(), "sim", event.Any(), log...)
	require.NoError(t, err)
	return res.LastPosition
}

// readModelDigest opens a read-model file and returns its digest.
func readModelDigest(t *testing.T, path string) string {
	t.Helper()
	rm, err := rmsqlite.Open(context.Background(), rmsqlite.Config{Path: path}, projections.Tables(), zerolog.Nop())
	require.NoError(t, err)
	defer func() { require.NoError(t, rm.Close()) }()
	d, err := rm.Digest(context.Background())
	require.NoError(t, err)
	return d
}

func TestRebuildCommand(t *testing.T) {
	dir := t.TempDir()
	head := stoppedNode(t, dir)

	code, out, errOut := runCLI(t, nil, "--data-dir", dir, "--log-level", "warn", "rebuild")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "read model rebuilt: generation 1 ("+filepath.Join(dir, "readmodel-1.db")+"), "+strconv.FormatUint(uint64(head), 10)+" events")
	assert.Contains(t, errOut, "rebuild: ", "plain progress lines when stderr is not a terminal")
	assert.Contains(t, errOut, "100%")
	assert.NotContains(t, errOut, "\r", "no bar redraws off a terminal")
	first := readModelDigest(t, filepath.Join(dir, "readmodel-1.db"))

	// Again, as after an upgrade: generation 2 replaces 1, rows identical.
	code, out, errOut = runCLI(t, nil, "--data-dir", dir, "rebuild", "--projection", projections.Messages{}.Name())
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "generation 2")
	assert.Contains(t, errOut, "every projection is rebuilt, "+projections.Messages{}.Name()+" included")
	assert.NoFileExists(t, filepath.Join(dir, "readmodel-1.db"))
	assert.Equal(t, first, readModelDigest(t, filepath.Join(dir, "readmodel-2.db")))
	b, err := os.ReadFile(filepath.Join(dir, "readmodel.db.generation"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"serving":2}`, string(b))
}

func TestRebuildCommandRefuses(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, nil, "--data-dir", dir, "rebuild")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "no event store at "+filepath.Join(dir, "events.db"))

	stoppedNode(t, dir)
	code, _, errOut = runCLI(t, nil, "--data-dir", dir, "rebuild", "--projection", "nope.v1")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `no such projection "nope.v1"`)

	code, _, errOut = runCLI(t, nil, "--data-dir", dir, "rebuild", "--projection", "messages.v2", "--all")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "exclude each other")

	// On PostgreSQL nothing tells a stopped node from a running one.
	cfgFile := filepath.Join(dir, "pg.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte("eventStore:\n  driver: postgres\n  postgres:\n    url: postgres://nobody@127.0.0.1:1/none\n"), 0o600))
	code, _, errOut = runCLI(t, nil, "--config", cfgFile, "--data-dir", dir, "rebuild")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "rebuild live with POST /api/v1/admin/rebuild")

	// A running node holds its event store.
	store, err := evsqlite.Open(context.Background(), evsqlite.Config{Path: filepath.Join(dir, "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	defer func() { require.NoError(t, store.Close()) }()
	code, _, errOut = runCLI(t, nil, "--data-dir", dir, "rebuild")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "the node is running")
	assert.Contains(t, errOut, "POST /api/v1/admin/rebuild")
}

func TestProgressBar(t *testing.T) {
	eta := 75.0
	st := generation.Status{State: generation.StateRunning, Position: 2500, Head: 10_000, Rate: 12_345, ETASeconds: &eta}
	assert.Equal(t, "[#######-----------------------]  25%  2500/10000 events  12k events/s  ETA 1m15s", describeProgress("rebuild", st, true))
	assert.Equal(t, "rebuild:  25%  2500/10000 events  12k events/s  ETA 1m15s", describeProgress("rebuild", st, false))
	st.State, st.Position = generation.StateSwapping, 10_000
	assert.Equal(t, "rebuild: 100%  10000/10000 events  12k events/s  building indexes", describeProgress("rebuild", st, false))
	st.State = generation.StateDone
	assert.True(t, strings.HasSuffix(describeProgress("rebuild", st, false), "  done"))
	assert.Equal(t, "rebuild: 100%  0/0 events  0 events/s  done", describeProgress("rebuild", generation.Status{State: generation.StateDone}, false))

	var sb strings.Builder
	now := time.Unix(0, 0)
	b := newProgressBar(&sb, "rebuild", true, func() time.Time { return now })
	b.update(generation.Status{State: generation.StateRunning, Head: 10})
	b.update(generation.Status{State: generation.StateRunning, Position: 5, Head: 10}) // too soon: skipped
	now = now.Add(time.Second)
	b.update(generation.Status{State: generation.StateRunning, Position: 6, Head: 10})
	b.update(generation.Status{State: generation.StateDone, Position: 10, Head: 10}) // a new state: drawn at once
	b.end()
	assert.Equal(t, 3, strings.Count(sb.String(), "\r"), sb.String())
	assert.NotContains(t, sb.String(), " 5/10")
	assert.True(t, strings.HasSuffix(sb.String(), "done\x1b[K\n"), "%q", sb.String())

	assert.Equal(t, "999", humanCount(999))
	assert.Equal(t, "1.5k", humanCount(1500))
	assert.Equal(t, "2.5M", humanCount(2.5e6))
}
