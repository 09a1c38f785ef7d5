package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Class names what kind of check failed.
type Class string

// Failure classes, in the order a file is checked.
const (
	// ClassFormat: a line is not JSON of this format, or the file ends
	// early or goes on after its end line.
	ClassFormat Class = "format"
	// ClassHashChain: a line's prev is not the hash of the line before.
	ClassHashChain Class = "hash-chain"
	// ClassContent: an event's own hashes do not hold (a data, message or
	// batch hash, a batch against its manifest, a running digest).
	ClassContent Class = "content"
	// ClassManifest: the manifest disagrees with the events.
	ClassManifest Class = "manifest"
	// ClassSignature: the manifest's signature does not hold, or a
	// signature was required and there is none.
	ClassSignature Class = "signature"
	// ClassEvidence: the chain does not hold a pin the manifest lists.
	ClassEvidence Class = "evidence"
)

// ErrEvidence is wrapped by PinChecker errors that mean the chain
// disagrees.
var ErrEvidence = errors.New("the chain does not hold this pin")

// Failure is the first check an export failed.
type Failure struct {
	Class Class
	// Line is the 1-based line number (0 when the failure concerns the
	// whole file).
	Line int
	Err  error
}

func (f *Failure) Error() string {
	if f.Line == 0 {
		return fmt.Sprintf("%s: %v", f.Class, f.Err)
	}
	return fmt.Sprintf("line %d: %s: %v", f.Line, f.Class, f.Err)
}

func (f *Failure) Unwrap() error { return f.Err }

func fail(class Class, line int, format string, args ...any) *Failure {
	return &Failure{Class: class, Line: line, Err: fmt.Errorf(format, args...)}
}

// Options configure Verify.
type Options struct {
	// Catalogue decodes the events (required).
	Catalogue *catalogue.Catalogue
	// Signatures checks a signed manifest; a signed manifest without one
	// is an error (it cannot be vouched for).
	Signatures SignatureChecker
	// RequireSignature fails an unsigned manifest.
	RequireSignature bool
	// Pins, when set, checks every pin of the manifest on chain (online
	// verification).
	Pins PinChecker
	// Progress, when set, is told how many lines have been checked, now
	// and then.
	Progress func(lines int)
}

// Report is what a verified export holds.
type Report struct {
	Manifest Manifest `json:"manifest"`
	Lines    int      `json:"lines"`
	// Checked counts what was recomputed.
	Data          int `json:"data"`
	Messages      int `json:"messages"`
	Batches       int `json:"batches"`
	Confirmations int `json:"confirmations"`
	// BadBatches counts batches peers sent whose content does not hold
	// (recorded as received, never confirmed from).
	BadBatches int  `json:"badBatches"`
	Signed     bool `json:"signed"`
	// PinsOnChain is how many pins were found on chain (online).
	PinsOnChain int `json:"pinsOnChain"`
}

// maxLine bounds one line (a batch of large messages is the largest).
const maxLine = 256 << 20

// Verify checks an export read from r and returns what it holds, or the
// first failure as a *Failure. Errors that are not about the file (the
// chain cannot be reached) are returned as they are.
func Verify(ctx context.Context, r io.Reader, opts Options) (Report, error) {
	if opts.Catalogue == nil {
		return Report{}, errors.New("audit: Verify needs a catalogue")
	}
	v := &verifier{opts: opts, prev: zeroHash, digests: map[protocol.Hash]protocol.ContextDigest{}}
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := readLine(br)
		if errors.Is(err, io.EOF) && raw == nil {
			break
		}
		v.line++
		if err != nil {
			return v.report, fail(ClassFormat, v.line, "%v", err)
		}
		if f := v.next(raw); f != nil {
			return v.report, f
		}
		if opts.Progress != nil && v.line%10000 == 0 {
			opts.Progress(v.line)
		}
		if err := ctx.Err(); err != nil {
			return v.report, err
		}
	}
	if !v.ended {
		return v.report, fail(ClassFormat, 0, "the file ends after line %d without its manifest and end line", v.line)
	}
	v.report.Lines = v.line
	if opts.Progress != nil {
		opts.Progress(v.line)
	}
	if opts.Pins != nil {
		for i, p := range v.report.Manifest.Pins {
			if err := opts.Pins.CheckPin(ctx, p); err != nil {
				if errors.Is(err, ErrEvidence) {
					return v.report, fail(ClassEvidence, v.manifestLine, "pin %d (batch %s, tx %s, log %d): %v", i, p.BatchID, p.TxHash, p.LogIndex, err)
				}
				return v.report, fmt.Errorf("checking pin %d (tx %s) on chain: %w", i, p.TxHash, err)
			}
			v.report.PinsOnChain++
		}
	}
	return v.report, nil
}

// readLine returns the next line without its newline; a last line without
// one is an error (the end line is always terminated).
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			return buf[:len(buf)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(buf) > maxLine {
				return nil, fmt.Errorf("a line longer than %d bytes", maxLine)
			}
			continue
		case errors.Is(err, io.EOF) && len(buf) == 0:
			return nil, io.EOF
		case errors.Is(err, io.EOF):
			return buf, errors.New("the last line has no newline")
		default:
			return nil, err
		}
	}
}

type verifier struct {
	opts         Options
	line         int
	prev         string
	events       uint64
	first, last  uint64
	lastHash     string
	manifestLine int
	ended        bool
	// pins is the evidence recomputed from the events.
	pins    *pinSet
	digests map[protocol.Hash]protocol.ContextDigest
	// goodBatches and badBatches are the batches whose content held or
	// did not; messageHash the hashes the good ones gave their messages.
	goodBatches map[uuid.UUID]bool
	badBatches  map[uuid.UUID]string
	messageHash map[uuid.UUID]protocol.Hash
	report      Report
}

// next checks one line.
func (v *verifier) next(raw []byte) *Failure {
	if v.ended {
		return fail(ClassFormat, v.line, "a line after the end line")
	}
	var head struct {
		Prev     *string         `json:"prev"`
		Manifest json.RawMessage `json:"manifest"`
		End      *bool           `json:"end"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fail(ClassFormat, v.line, "not a JSON object: %v", err)
	}
	if head.Prev == nil {
		return fail(ClassFormat, v.line, "no prev")
	}
	if *head.Prev != v.prev {
		return fail(ClassHashChain, v.line, "prev is %.16s…, the line before hashes to %.16s…", *head.Prev, v.prev)
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	defer func() { v.prev = hash }()
	switch {
	case head.End != nil:
		want, _ := json.Marshal(endLine{Prev: v.prev, End: true})
		if v.manifestLine == 0 || !bytes.Equal(raw, want) {
			return fail(ClassFormat, v.line, "not the end line this export needs")
		}
		v.ended = true
		return nil
	case head.Manifest != nil:
		if v.manifestLine != 0 {
			return fail(ClassFormat, v.line, "a second manifest")
		}
		v.manifestLine = v.line
		return v.manifest(head.Manifest)
	case v.manifestLine != 0:
		return fail(ClassFormat, v.line, "an event after the manifest")
	}
	return v.event(raw, hash)
}

func strictUnmarshal(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the object")
	}
	return nil
}
