package audit

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// ErrInvalidRequest wraps a bad export request.
var ErrInvalidRequest = errors.New("invalid export request")

// Request says what to export.
type Request struct {
	// Org and Node are the exporting member's DIDs.
	Org, Node string
	// Namespace limits the export to one namespace's events (the events
	// recorded in it, and its chain listener's); empty exports all.
	Namespace string
	// From and To bound the positions (inclusive); 0 for From is the
	// first event, 0 for To the head when the export starts.
	From, To uint64
}

// Validate checks r.
func (r Request) Validate() error {
	if r.Org == "" || r.Node == "" {
		return fmt.Errorf("%w: org and node are required", ErrInvalidRequest)
	}
	if r.To != 0 && r.To < r.From {
		return fmt.Errorf("%w: to %d is before from %d", ErrInvalidRequest, r.To, r.From)
	}
	return nil
}

// Includes reports whether ev belongs to the export's namespace.
func (r Request) Includes(ev event.Event) bool {
	if r.Namespace == "" || ev.Metadata.Namespace == r.Namespace {
		return true
	}
	return ev.Metadata.Namespace == "" && strings.HasPrefix(ev.Stream, "chain-"+r.Namespace+"-")
}

// Writer writes an export: Event for each event in position order, then
// Close.
type Writer struct {
	w    *bufio.Writer
	cat  *catalogue.Catalogue
	req  Request
	prev string
	m    Manifest
	pinSet
	err error
}

// NewWriter writes the export of req to w. cat decodes the chain events
// whose evidence goes into the manifest.
func NewWriter(w io.Writer, cat *catalogue.Catalogue, req Request) (*Writer, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &Writer{w: bufio.NewWriterSize(w, 256<<10), cat: cat, req: req, prev: zeroHash,
		m: Manifest{Format: Format, Org: req.Org, Node: req.Node, Namespace: req.Namespace, From: req.From, To: req.To,
			FinalHash: zeroHash, Pins: []Evidence{}}}, nil
}

// Event writes ev. Events must come in position order; ones outside the
// request's namespace are skipped (the caller may filter first).
func (w *Writer) Event(ev event.Event) error {
	if w.err != nil {
		return w.err
	}
	if !w.req.Includes(ev) {
		return nil
	}
	if uint64(ev.Position) <= w.m.Last && w.m.Events > 0 {
		return fmt.Errorf("%w: position %d after %d", ErrInvalidRequest, ev.Position, w.m.Last)
	}
	line := eventLine{Prev: w.prev, Position: uint64(ev.Position), ID: ev.ID, Stream: ev.Stream, Revision: uint64(ev.Revision),
		Type: ev.Type, Version: ev.Version, Recorded: ev.Recorded.UTC(), Metadata: ev.Metadata, Data: ev.Data}
	hash, err := w.line(line)
	if err != nil {
		return err
	}
	if w.m.Events == 0 {
		w.m.First = uint64(ev.Position)
	}
	w.m.Events++
	w.m.Last = uint64(ev.Position)
	w.m.FinalHash = hash
	return w.evidence(ev)
}

// evidence keeps the chain evidence of PinObserved and drops what
// PinRemoved removes.
func (w *Writer) evidence(ev event.Event) error {
	return w.add(w.cat, ev)
}

// pinSet is the evidence of the pins observed and not removed, in the
// order observed.
type pinSet struct {
	pins []Evidence
	at   map[string]int // by location
}

func (s *pinSet) add(cat *catalogue.Catalogue, ev event.Event) error {
	if ev.Type != "PinObserved" && ev.Type != "PinRemoved" {
		return nil
	}
	p, err := cat.Decode(ev)
	if err != nil {
		return fmt.Errorf("reading the chain event at position %d: %w", ev.Position, err)
	}
	if s.at == nil {
		s.at = map[string]int{}
	}
	switch v := p.(type) {
	case catalogue.PinObserved:
		s.at[locationKey(v.Location)] = len(s.pins)
		s.pins = append(s.pins, evidenceOf(uint64(ev.Position), v))
	case catalogue.PinRemoved:
		if i, ok := s.at[locationKey(v.Location)]; ok {
			s.pins[i].TxHash = "" // removed; left out by list
			delete(s.at, locationKey(v.Location))
		}
	}
	return nil
}

// list returns the evidence kept.
func (s *pinSet) list() []Evidence {
	out := []Evidence{}
	for _, p := range s.pins {
		if p.TxHash != "" {
			out = append(out, p)
		}
	}
	return out
}

func locationKey(l catalogue.ChainLocation) string {
	return fmt.Sprintf("%s|%s|%s|%d", l.Chain, l.BlockHash, l.TxHash, l.LogIndex)
}

func evidenceOf(pos uint64, v catalogue.PinObserved) Evidence {
	return Evidence{Position: pos, Namespace: v.Namespace, Chain: v.Location.Chain, Contract: v.Location.Contract,
		BlockNumber: v.Location.BlockNumber, BlockHash: v.Location.BlockHash, TxHash: v.Location.TxHash,
		LogIndex: v.Location.LogIndex, BatchID: v.BatchID, BatchHash: v.BatchHash, Contexts: v.Contexts}
}

// line writes one line and returns its hash.
func (w *Writer) line(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return "", err
	}
	if _, err := w.w.Write(append(raw, '\n')); err != nil {
		w.err = err
		return "", err
	}
	sum := sha256.Sum256(raw)
	w.prev = hex.EncodeToString(sum[:])
	return w.prev, nil
}

// Close writes the manifest (signed by signer when not nil) and the end
// line, flushes, and returns the manifest.
func (w *Writer) Close(signer Signer) (Manifest, error) {
	if w.err != nil {
		return Manifest{}, w.err
	}
	w.m.Pins = w.list()
	w.m.Created = time.Now().UTC().Truncate(time.Millisecond)
	if signer != nil {
		w.m.Signer = signer.Identity()
		digest, err := w.m.Digest()
		if err != nil {
			return Manifest{}, err
		}
		sig, err := signer.Sign(digest)
		if err != nil {
			return Manifest{}, fmt.Errorf("signing the manifest: %w", err)
		}
		w.m.Signature = hex.EncodeToString(sig)
	}
	m := w.m
	if _, err := w.line(manifestLine{Prev: w.prev, Manifest: &m}); err != nil {
		return Manifest{}, err
	}
	if _, err := w.line(endLine{Prev: w.prev, End: true}); err != nil {
		return Manifest{}, err
	}
	if err := w.w.Flush(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// Digest is what a signature signs: the SHA-256 of the manifest's
// canonical JSON (keys sorted, no white space) with every field but the
// signature; the signer is included, so a signature cannot be moved to
// another signer's name.
func (m Manifest) Digest() ([32]byte, error) {
	m.Signature = ""
	raw, err := json.Marshal(m)
	if err != nil {
		return [32]byte{}, err
	}
	canon, err := canonicaljson.Canonicalize(raw)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(canon), nil
}
