package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/audit"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// history is a member's log of a simulated network: the inputs a member
// received in a random order (batches, pins, reorgs) and the decisions the
// aggregator recorded, as stored events.
func history(t testing.TB, seed int64, batches int) ([]event.Event, string) {
	t.Helper()
	payloads, cfg, err := simulation.Log(seed, simulation.Options{Batches: batches})
	require.NoError(t, err)
	cat := catalogue.Default()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	log := make([]event.Event, len(payloads))
	for i, p := range payloads {
		proposed, err := cat.Encode(uuid.NewSHA1(uuid.Nil, []byte(strconv.Itoa(i))), p, event.Metadata{Namespace: cfg.Namespace})
		require.NoError(t, err)
		pos := event.Position(i + 1)
		log[i] = event.Event{ID: proposed.ID, Stream: "s", Revision: event.Revision(pos), Position: pos,
			Type: proposed.Type, Version: proposed.Version, Recorded: base.Add(time.Duration(pos) * time.Millisecond),
			Data: proposed.Data, Metadata: proposed.Metadata}
	}
	return log, cfg.Namespace
}

func export(t testing.TB, log []event.Event, req audit.Request, signer audit.Signer) ([]byte, audit.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	w, err := audit.NewWriter(&buf, catalogue.Default(), req)
	require.NoError(t, err)
	for _, ev := range log {
		if req.To != 0 && uint64(ev.Position) > req.To || uint64(ev.Position) < req.From {
			continue
		}
		require.NoError(t, w.Event(ev))
	}
	m, err := w.Close(signer)
	require.NoError(t, err)
	return buf.Bytes(), m
}

var member = audit.Request{Org: "did:lm:org/org1", Node: "did:lm:node/org1/node1"}

func verify(raw []byte, opts audit.Options) (audit.Report, error) {
	if opts.Catalogue == nil {
		opts.Catalogue = catalogue.Default()
	}
	return audit.Verify(context.Background(), bytes.NewReader(raw), opts)
}

func countType(log []event.Event, typ string) int {
	n := 0
	for _, ev := range log {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

func TestAnExportVerifies(t *testing.T) {
	log, _ := history(t, 1, 30)
	raw, m := export(t, log, member, nil)
	rep, err := verify(raw, audit.Options{})
	require.NoError(t, err)
	assert.Equal(t, uint64(len(log)), m.Events)
	assert.Equal(t, m, rep.Manifest)
	assert.Equal(t, len(log)+2, rep.Lines, "the events, the manifest and the end line")
	assert.Positive(t, rep.Batches)
	assert.Positive(t, rep.Messages)
	assert.Equal(t, countType(log, "MessageConfirmed"), rep.Confirmations, "every running digest recomputed")
	removed := countType(log, "PinRemoved")
	assert.LessOrEqual(t, len(m.Pins), countType(log, "PinObserved"))
	assert.GreaterOrEqual(t, len(m.Pins), countType(log, "PinObserved")-removed)
	assert.Positive(t, len(m.Pins), "chain evidence of the pins")
}

func TestARangeAndANamespaceVerify(t *testing.T) {
	log, ns := history(t, 2, 30)
	req := member
	req.Namespace, req.From, req.To = ns, uint64(len(log)/3), uint64(2*len(log)/3)
	raw, m := export(t, log, req, nil)
	_, err := verify(raw, audit.Options{})
	require.NoError(t, err, "a range starting mid-way takes each context's first digest as its baseline")
	assert.Equal(t, req.From, m.First)
	assert.Equal(t, req.To, m.Last)

	req.Namespace = "another"
	raw, m = export(t, log, req, nil)
	_, err = verify(raw, audit.Options{})
	require.NoError(t, err)
	assert.Zero(t, m.Events, "nothing of another namespace")
}

// TestEveryTamperedByteIsCaught flips one byte at a random position of an
// export, many times: each copy fails verification.
func TestEveryTamperedByteIsCaught(t *testing.T) {
	log, _ := history(t, 3, 12)
	raw, _ := export(t, log, member, nil)
	rnd := mrand.New(mrand.NewSource(3))
	classes := map[audit.Class]int{}
	for i := range 400 {
		tampered := bytes.Clone(raw)
		pos := rnd.Intn(len(tampered))
		if i < 20 { // the manifest and end lines too, whatever the draw
			pos = len(tampered) - 1 - rnd.Intn(min(len(tampered), 2000))
		}
		tampered[pos] ^= byte(1 + rnd.Intn(255))
		_, err := verify(tampered, audit.Options{})
		var f *audit.Failure
		require.ErrorAs(t, err, &f, "byte %d changed (copy %d) was not caught", pos, i)
		classes[f.Class]++
	}
	t.Logf("failures by class: %v", classes)
	assert.Positive(t, classes[audit.ClassHashChain])
}

func TestRemovedReorderedAndAddedLinesAreCaught(t *testing.T) {
	log, _ := history(t, 4, 8)
	raw, _ := export(t, log, member, nil)
	lines := bytes.SplitAfter(raw, []byte("\n"))
	lines = lines[:len(lines)-1] // the empty rest after the last newline
	join := func(ls [][]byte) []byte { return bytes.Join(ls, nil) }
	for name, c := range map[string][]byte{
		"first line removed":  join(lines[1:]),
		"a middle line gone":  join(append(append([][]byte{}, lines[:5]...), lines[6:]...)),
		"two lines swapped":   join(append(append(append([][]byte{}, lines[:3]...), lines[4], lines[3]), lines[5:]...)),
		"end line removed":    join(lines[:len(lines)-1]),
		"a line added at end": append(bytes.Clone(raw), lines[0]...),
		"empty":               nil,
	} {
		_, err := verify(c, audit.Options{})
		var f *audit.Failure
		assert.ErrorAs(t, err, &f, name)
	}
}

// edSigner signs with an ed25519 key; the signer is the public key, hex.
type edSigner struct{ key ed25519.PrivateKey }

func (s edSigner) Identity() string { return hex.EncodeToString(s.key.Public().(ed25519.PublicKey)) }

func (s edSigner) Sign(d [32]byte) ([]byte, error) { return ed25519.Sign(s.key, d[:]), nil }

type edChecker struct{}

func (edChecker) CheckSignature(signer string, d [32]byte, sig []byte) error {
	pub, err := hex.DecodeString(signer)
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, d[:], sig) {
		return errors.New("bad signature")
	}
	return nil
}

func TestSignedManifests(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	log, _ := history(t, 5, 6)
	raw, m := export(t, log, member, edSigner{key})
	require.NotEmpty(t, m.Signature)
	rep, err := verify(raw, audit.Options{Signatures: edChecker{}, RequireSignature: true})
	require.NoError(t, err)
	assert.True(t, rep.Signed)

	_, err = verify(raw, audit.Options{})
	var f *audit.Failure
	require.ErrorAs(t, err, &f, "a signature that cannot be checked is not vouched for")
	assert.Equal(t, audit.ClassSignature, f.Class)

	unsigned, _ := export(t, log, member, nil)
	_, err = verify(unsigned, audit.Options{Signatures: edChecker{}, RequireSignature: true})
	require.ErrorAs(t, err, &f)
	assert.Equal(t, audit.ClassSignature, f.Class)

	_, other, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	forged := bytes.Replace(raw, []byte(m.Signature), []byte(hex.EncodeToString(ed25519.Sign(other, []byte("x")))), 1)
	_, err = verify(forged, audit.Options{Signatures: edChecker{}})
	require.ErrorAs(t, err, &f)
}

// chainOf answers CheckPin from a set of pins it holds.
type chainOf map[string]bool

func (c chainOf) CheckPin(_ context.Context, e audit.Evidence) error {
	if !c[fmt.Sprintf("%s/%d/%s", e.TxHash, e.LogIndex, e.BatchHash)] {
		return fmt.Errorf("%w: no such BatchPin log", audit.ErrEvidence)
	}
	return nil
}

func TestOnlineVerificationAsksTheChainForEveryPin(t *testing.T) {
	log, _ := history(t, 6, 10)
	raw, m := export(t, log, member, nil)
	chain := chainOf{}
	for _, p := range m.Pins {
		chain[fmt.Sprintf("%s/%d/%s", p.TxHash, p.LogIndex, p.BatchHash)] = true
	}
	rep, err := verify(raw, audit.Options{Pins: chain})
	require.NoError(t, err)
	assert.Equal(t, len(m.Pins), rep.PinsOnChain)

	delete(chain, fmt.Sprintf("%s/%d/%s", m.Pins[0].TxHash, m.Pins[0].LogIndex, m.Pins[0].BatchHash))
	_, err = verify(raw, audit.Options{Pins: chain})
	var f *audit.Failure
	require.ErrorAs(t, err, &f)
	assert.Equal(t, audit.ClassEvidence, f.Class)
}

func TestWriterRefusesBadRequests(t *testing.T) {
	_, err := audit.NewWriter(&bytes.Buffer{}, catalogue.Default(), audit.Request{})
	assert.ErrorIs(t, err, audit.ErrInvalidRequest)
	_, err = audit.NewWriter(&bytes.Buffer{}, catalogue.Default(), audit.Request{Org: "o", Node: "n", From: 5, To: 4})
	assert.ErrorIs(t, err, audit.ErrInvalidRequest)
}
