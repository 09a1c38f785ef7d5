package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/domain/audit"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// errVerification is a verification that failed: exit 1 with its message,
// not a usage error.
var errVerification = errors.New("verification failed")

type verifyFlags struct {
	rpc              string
	requireSignature bool
	asJSON           bool
	against          string
	api              string
	namespace        string
}

func newVerifyCommand(a *app) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify FILE [--rpc URL] [--require-signature] [--json] | verify --against URL [--api URL] [--namespace NS]",
		Short: "Check an audit export (offline, or against the chain), or compare two members' digests",
		Long: "verify FILE checks an export written by `ledgermirror export` (FILE - reads stdin): the hash\n" +
			"chain of its lines, every data, message and batch hash and every running digest in it, the\n" +
			"manifest against the events, and the manifest's signature when it has one. With --rpc it also\n" +
			"fetches each pinned transaction's receipt and checks the BatchPin log carries the batch and its\n" +
			"contexts. It prints a summary and exits 0, or names the first failure (its class and line) and\n" +
			"exits 1.\n\n" +
			"verify --against URL compares this node's digests (--api, default http://127.0.0.1:5000) with\n" +
			"another member's, and names the first context where they differ (exit 1), private groups only\n" +
			"where both are members.",
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case f.against != "" && len(args) > 0:
				return &usageError{errors.New("give a FILE or --against, not both")}
			case f.against == "" && len(args) != 1:
				return &usageError{errors.New("verify takes one FILE (or --against URL)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.against != "" {
				return runCompare(cmd.Context(), a, f)
			}
			return runVerify(cmd.Context(), a, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.rpc, "rpc", "", "check each pin on the chain at this JSON-RPC URL (online verification)")
	fl.BoolVar(&f.requireSignature, "require-signature", false, "fail an export whose manifest is not signed")
	fl.BoolVar(&f.asJSON, "json", false, "print the report as JSON")
	fl.StringVar(&f.against, "against", "", "compare digests with the member whose API is at this URL")
	fl.StringVar(&f.api, "api", "http://127.0.0.1:5000", "this node's API (with --against)")
	fl.StringVar(&f.namespace, "namespace", "default", "the namespace to compare (with --against)")
	return cmd
}

func runVerify(ctx context.Context, a *app, path string, f verifyFlags) error {
	var in io.Reader = os.Stdin
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return &usageError{err}
		}
		defer func() { _ = file.Close() }()
		in = file
	}
	opts := audit.Options{Catalogue: catalogue.Default(), Signatures: ethereum.SignatureChecker{}, RequireSignature: f.requireSignature}
	if f.rpc != "" {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		client, err := ethclient.DialContext(dctx, f.rpc)
		if err == nil {
			var id interface{ Uint64() uint64 }
			id, err = client.ChainID(dctx)
			if err == nil {
				opts.Pins = ethereum.NewPinChecker(client, id.Uint64())
			}
			defer client.Close()
		}
		cancel()
		if err != nil {
			return fmt.Errorf("--rpc %s: %w", f.rpc, err)
		}
	}
	rep, err := audit.Verify(ctx, in, opts)
	var failure *audit.Failure
	if errors.As(err, &failure) {
		if f.asJSON {
			_ = json.NewEncoder(a.stdout).Encode(map[string]any{"ok": false, "class": failure.Class, "line": failure.Line,
				"error": failure.Err.Error()})
		}
		return fmt.Errorf("%w: %w", errVerification, failure)
	}
	if err != nil {
		return err
	}
	if f.asJSON {
		return json.NewEncoder(a.stdout).Encode(map[string]any{"ok": true, "report": rep})
	}
	m := rep.Manifest
	fmt.Fprintf(a.stdout, "OK  %s, node %s\n", path, m.Node)
	fmt.Fprintf(a.stdout, "    %d events (positions %d-%d), hash chain of %d lines, final hash %s\n",
		m.Events, m.First, m.Last, rep.Lines, m.FinalHash)
	fmt.Fprintf(a.stdout, "    recomputed: %d data, %d messages, %d batches, %d running digests", rep.Data, rep.Messages, rep.Batches, rep.Confirmations)
	if rep.BadBatches > 0 {
		fmt.Fprintf(a.stdout, " (%d batches received whose content did not hold, none confirmed from)", rep.BadBatches)
	}
	fmt.Fprintln(a.stdout)
	switch {
	case f.rpc != "":
		fmt.Fprintf(a.stdout, "    %d pins, every one found on chain\n", rep.PinsOnChain)
	default:
		fmt.Fprintf(a.stdout, "    %d pins (not checked on chain: give --rpc)\n", len(m.Pins))
	}
	if rep.Signed {
		fmt.Fprintf(a.stdout, "    manifest signed by %s\n", m.Signer)
	} else {
		fmt.Fprintln(a.stdout, "    manifest not signed")
	}
	return nil
}

// runCompare compares this node's context digests with another member's.
func runCompare(ctx context.Context, a *app, f verifyFlags) error {
	for flag, u := range map[string]string{"--api": f.api, "--against": f.against} {
		if err := checkHTTPURL(flag, u); err != nil {
			return &usageError{err}
		}
	}
	mine, err := fetchDigests(ctx, f.api, f.namespace)
	if err != nil {
		return err
	}
	theirs, err := fetchDigests(ctx, f.against, f.namespace)
	if err != nil {
		return err
	}
	if diff := firstDifference(mine, theirs); diff != "" {
		return fmt.Errorf("%w: %s and %s differ in namespace %s: %s", errVerification, f.api, f.against, f.namespace, diff)
	}
	fmt.Fprintf(a.stdout, "OK  %s and %s agree in namespace %s: broadcast digest %s (%d messages), %d shared contexts\n",
		f.api, f.against, f.namespace, mine.Broadcast.Digest, mine.Broadcast.Count, len(shared(mine, theirs)))
	return nil
}

// fetchDigests asks the API at base (checked by the caller) for the
// namespace's digests with every context's.
func fetchDigests(ctx context.Context, base, ns string) (messaging.Digests, error) {
	u := strings.TrimRight(base, "/")
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/api/v1/namespaces/"+url.PathEscape(ns)+"/digests?contexts=true", nil)
	if err != nil {
		return messaging.Digests{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return messaging.Digests{}, fmt.Errorf("asking %s for its digests: %w", u, err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(res.Body, 256<<20))
	if err != nil {
		return messaging.Digests{}, err
	}
	if res.StatusCode != http.StatusOK {
		return messaging.Digests{}, fmt.Errorf("%s answered %s: %s", u, res.Status, strings.TrimSpace(string(body)))
	}
	var d messaging.Digests
	if err := json.Unmarshal(body, &d); err != nil {
		return messaging.Digests{}, fmt.Errorf("%s: not digests: %w", u, err)
	}
	return d, nil
}

// shared are the contexts both members keep: every broadcast one, and the
// private ones of groups both are in.
func shared(a, b messaging.Digests) []protocol.Hash {
	inBoth := func(g *protocol.Hash) bool {
		if g == nil {
			return true
		}
		_, inA := a.Groups[g.String()]
		_, inB := b.Groups[g.String()]
		return inA && inB
	}
	seen := map[protocol.Hash]bool{}
	var out []protocol.Hash
	for _, d := range []messaging.Digests{a, b} {
		for _, c := range d.Contexts {
			if inBoth(c.Group) && !seen[c.Context] {
				seen[c.Context] = true
				out = append(out, c.Context)
			}
		}
	}
	return out
}

// firstDifference names the first shared context (in context order) whose
// count or digest differs, or "" when none does.
func firstDifference(a, b messaging.Digests) string {
	index := func(d messaging.Digests) map[protocol.Hash]messaging.ContextDigest {
		m := map[protocol.Hash]messaging.ContextDigest{}
		for _, c := range d.Contexts {
			m[c.Context] = c
		}
		return m
	}
	ia, ib := index(a), index(b)
	contexts := shared(a, b)
	sortHashes(contexts)
	for _, ctx := range contexts {
		x, y := ia[ctx], ib[ctx]
		if x.Count != y.Count || x.Digest != y.Digest {
			topic := x.Topic
			if topic == "" {
				topic = y.Topic
			}
			if topic != "" {
				topic = " (topic " + topic + ")"
			}
			return fmt.Sprintf("context %s%s: %d messages, digest %s on the first; %d messages, digest %s on the second",
				ctx, topic, x.Count, x.Digest, y.Count, y.Digest)
		}
	}
	return ""
}

func sortHashes(hs []protocol.Hash) {
	slices.SortFunc(hs, func(x, y protocol.Hash) int { return bytes.Compare(x[:], y[:]) })
}
