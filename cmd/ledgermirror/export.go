package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
	"github.com/ledgermirror/ledgermirror/domain/audit"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// exportFlags are `ledgermirror export`'s flags.
type exportFlags struct {
	namespace string
	from, to  uint64
	out       string
	sign      bool
	api       string
}

func newExportCommand(a *app) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export [--namespace NS] [--from POS] [--to POS] [--out FILE] [--sign] [--api URL]",
		Short: "Write an audit export of the node's events (NDJSON with a hash chain and a manifest)",
		Long: "Writes the node's events as NDJSON, each line carrying the SHA-256 of the line before, then a\n" +
			"manifest (node, org, range, final hash, the chain evidence of every batch pin) and an end line;\n" +
			"`ledgermirror verify FILE` checks it. Reads the event store of the configuration (a stopped node's,\n" +
			"or a running node's on PostgreSQL), or with --api streams GET /api/v1/admin/export of a running\n" +
			"node. --sign signs the manifest with the node's chain key. Without --out the export goes to\n" +
			"stdout; with it, to FILE (written beside it and renamed when complete). Progress goes to stderr.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.to != 0 && f.to < f.from {
				return &usageError{fmt.Errorf("--to %d is before --from %d", f.to, f.from)}
			}
			if f.namespace != "" {
				if err := protocol.ValidateNamespace(f.namespace); err != nil {
					return &usageError{fmt.Errorf("--namespace: %w", err)}
				}
			}
			return runExport(cmd.Context(), a, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.namespace, "namespace", "", "export only this namespace's events (default: all)")
	fl.Uint64Var(&f.from, "from", 0, "first position (default: the first event)")
	fl.Uint64Var(&f.to, "to", 0, "last position (default: the head when the export starts)")
	fl.StringVar(&f.out, "out", "", "write to this file (default: stdout)")
	fl.BoolVar(&f.sign, "sign", false, "sign the manifest with the node's chain key (chain.keyFile)")
	fl.StringVar(&f.api, "api", "", "export through a running node's API at this URL (http://host:port)")
	return cmd
}

func runExport(ctx context.Context, a *app, f exportFlags) error {
	out, commit, discard, err := exportTarget(a, f.out)
	if err != nil {
		return err
	}
	defer discard()
	bar := newProgressBar(a.stderr, "export", isTerminal(a.stderr), time.Now)
	var m audit.Manifest
	if f.api != "" {
		m, err = exportThroughAPI(ctx, f, out, bar)
	} else {
		m, err = exportFromStore(ctx, a, f, out, bar)
	}
	bar.end()
	if err != nil {
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	signed := "unsigned"
	if m.Signer != "" {
		signed = "signed by " + m.Signer
	}
	fmt.Fprintf(a.stderr, "exported %d events (positions %d-%d), %d pins, final hash %s, %s\n",
		m.Events, m.First, m.Last, len(m.Pins), m.FinalHash, signed)
	return nil
}

// exportTarget opens where the export goes: stdout, or FILE through a
// temporary file that commit renames once the export is complete, so a
// failed export leaves no file that looks whole. discard removes the
// temporary file unless commit ran; it is safe to call after commit.
func exportTarget(a *app, path string) (w io.Writer, commit func() error, discard func(), err error) {
	if path == "" || path == "-" {
		return a.stdout, func() error { return nil }, func() {}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.partial")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--out: %w", err)
	}
	committed := false
	commit = func() error {
		if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			return err
		}
		committed = true
		return nil
	}
	discard = func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}
	return tmp, commit, discard, nil
}

// exportFromStore exports from the configuration's event store.
func exportFromStore(ctx context.Context, a *app, f exportFlags, w io.Writer, bar *progressBar) (audit.Manifest, error) {
	cfg, log, err := a.loadConfig()
	if err != nil {
		return audit.Manifest{}, err
	}
	quiet := log.Level(max(log.GetLevel(), zerolog.WarnLevel))
	store, err := openStoreToRead(ctx, cfg, quiet)
	if err != nil {
		return audit.Manifest{}, err
	}
	defer func() { _ = store.Close() }()
	org, err := protocol.NewOrgDID(cfg.Node.Org)
	if err != nil {
		return audit.Manifest{}, &usageError{fmt.Errorf("node.org: %w", err)}
	}
	node, err := protocol.NewNodeDID(org, cfg.Node.Name)
	if err != nil {
		return audit.Manifest{}, &usageError{fmt.Errorf("node.name: %w", err)}
	}
	var signer audit.Signer
	if f.sign {
		key, err := crypto.LoadECDSA(cfg.Chain.KeyFile)
		if err != nil {
			return audit.Manifest{}, fmt.Errorf("--sign: reading the chain key %s: %w", cfg.Chain.KeyFile, err)
		}
		signer = ethereum.NewManifestSigner(key)
	}
	start := time.Now()
	req := audit.Request{Org: org.String(), Node: node.String(), Namespace: f.namespace, From: f.from, To: f.to}
	return audit.Export(ctx, store, catalogue.Default(), req, w, signer, func(pos, last uint64) {
		bar.update(progressOf(pos, last, start))
	})
}

// openStoreToRead opens the event store for reading: a SQLite store only
// when no node holds it (its lock), a PostgreSQL one in any case.
func openStoreToRead(ctx context.Context, cfg config.Config, log zerolog.Logger) (event.Store, error) {
	if cfg.EventStore.Driver == config.DriverSQLite {
		if _, err := os.Stat(cfg.EventStore.SQLite.Path); errors.Is(err, os.ErrNotExist) {
			return nil, &usageError{fmt.Errorf("no event store at %s (check --config and --data-dir)", cfg.EventStore.SQLite.Path)}
		}
	}
	store, err := network.OpenEventStore(ctx, cfg.EventStore, log)
	if errors.Is(err, sqlite.ErrLocked) {
		return nil, fmt.Errorf("the node is running (%w): export through it with --api http://<its api>, or stop it first", err)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the event store: %w", err)
	}
	return store, nil
}

// progressOf is an export's progress in the rebuild bar's terms.
func progressOf(pos, last uint64, start time.Time) generation.Status {
	st := generation.Status{State: generation.StateRunning, Position: event.Position(pos), Head: event.Position(last)}
	if secs := time.Since(start).Seconds(); secs > 0 {
		st.Rate = float64(pos) / secs
		if st.Rate > 0 && last > pos {
			eta := float64(last-pos) / st.Rate
			st.ETASeconds = &eta
		}
	}
	return st
}

// exportThroughAPI streams a running node's GET /admin/export to w and
// reads the manifest back from what it wrote.
func exportThroughAPI(ctx context.Context, f exportFlags, w io.Writer, bar *progressBar) (audit.Manifest, error) {
	if err := checkHTTPURL("--api", f.api); err != nil {
		return audit.Manifest{}, &usageError{err}
	}
	base := strings.TrimRight(f.api, "/")
	q := url.Values{}
	if f.namespace != "" {
		q.Set("namespace", f.namespace)
	}
	if f.from != 0 {
		q.Set("from", strconv.FormatUint(f.from, 10))
	}
	if f.to != 0 {
		q.Set("to", strconv.FormatUint(f.to, 10))
	}
	if f.sign {
		q.Set("sign", "true")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/admin/export?"+q.Encode(), nil)
	if err != nil {
		return audit.Manifest{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return audit.Manifest{}, fmt.Errorf("asking %s for an export: %w", base, err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return audit.Manifest{}, fmt.Errorf("%s answered %s: %s", base, res.Status, strings.TrimSpace(string(body)))
	}
	tail := &lastLines{}
	start := time.Now()
	counter := &countingWriter{w: io.MultiWriter(w, tail), every: 1 << 20, report: func(n int64) {
		bar.update(progressOf(uint64(n), 0, start))
	}}
	if _, err := io.Copy(counter, res.Body); err != nil {
		return audit.Manifest{}, fmt.Errorf("reading the export from %s: %w", base, err)
	}
	return tail.manifest()
}

// countingWriter reports the bytes written every so often.
type countingWriter struct {
	w      io.Writer
	n      int64
	every  int64
	report func(int64)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	before := c.n
	c.n += int64(n)
	if c.n/c.every != before/c.every {
		c.report(c.n)
	}
	return n, err
}

// lastLines keeps the end of a stream, where an export's manifest is.
type lastLines struct{ buf []byte }

const lastLinesKeep = 64 << 20

func (l *lastLines) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	if len(l.buf) > lastLinesKeep {
		l.buf = append(l.buf[:0], l.buf[len(l.buf)-lastLinesKeep/2:]...)
	}
	return len(p), nil
}

// manifest reads the manifest line (the one before the end line).
func (l *lastLines) manifest() (audit.Manifest, error) {
	lines := strings.Split(strings.TrimRight(string(l.buf), "\n"), "\n")
	if len(lines) < 2 {
		return audit.Manifest{}, errors.New("the export ended before its manifest: it is incomplete")
	}
	return audit.ReadManifest([]byte(lines[len(lines)-2]))
}
