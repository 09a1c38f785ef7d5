package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Format names this version of the export format.
const Format = "ledgermirror-export/v1"

// zeroHash is the prev of the first line.
const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// eventLine is one event of an export.
type eventLine struct {
	Prev     string          `json:"prev"`
	Position uint64          `json:"position"`
	ID       uuid.UUID       `json:"id"`
	Stream   string          `json:"stream"`
	Revision uint64          `json:"revision"`
	Type     string          `json:"type"`
	Version  int             `json:"version"`
	Recorded time.Time       `json:"recorded"`
	Metadata event.Metadata  `json:"metadata"`
	Data     json.RawMessage `json:"data"`
}

func (l eventLine) event() event.Event {
	return event.Event{ID: l.ID, Stream: l.Stream, Revision: event.Revision(l.Revision), Position: event.Position(l.Position),
		Type: l.Type, Version: l.Version, Recorded: l.Recorded, Data: l.Data, Metadata: l.Metadata}
}

type manifestLine struct {
	Prev     string    `json:"prev"`
	Manifest *Manifest `json:"manifest"`
}

type endLine struct {
	Prev string `json:"prev"`
	End  bool   `json:"end"`
}

// Manifest describes an export.
type Manifest struct {
	Format string `json:"format"`
	// Org and Node are who exported (DIDs).
	Org  string `json:"org"`
	Node string `json:"node"`
	// Namespace is the namespace exported; empty for every event.
	Namespace string `json:"namespace,omitempty"`
	// From and To are the positions asked for (To 0: the head then);
	// First and Last the positions of the first and last event exported.
	From  uint64 `json:"from"`
	To    uint64 `json:"to"`
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
	// Events is the number of event lines.
	Events uint64 `json:"events"`
	// FinalHash is the SHA-256 of the last event line (zeros with none).
	FinalHash string `json:"finalHash"`
	// Created is when the export was written, UTC.
	Created time.Time `json:"created"`
	// Pins is the chain evidence of each batch pin observed in the range
	// and not removed, in the order observed.
	Pins []Evidence `json:"pins"`
	// Signer and Signature, when present, sign the manifest (see Sign).
	Signer    string `json:"signer,omitempty"`
	Signature string `json:"signature,omitempty"`
}

// Evidence is where a batch pin is on chain, as the member observed it.
type Evidence struct {
	// Position is the PinObserved event's.
	Position    uint64          `json:"position"`
	Namespace   string          `json:"namespace"`
	Chain       string          `json:"chain"`
	Contract    string          `json:"contract"`
	BlockNumber uint64          `json:"blockNumber"`
	BlockHash   string          `json:"blockHash"`
	TxHash      string          `json:"txHash"`
	LogIndex    uint32          `json:"logIndex"`
	BatchID     uuid.UUID       `json:"batchId"`
	BatchHash   protocol.Hash   `json:"batchHash"`
	Contexts    []protocol.Hash `json:"contexts"`
}

// Signer signs a manifest digest with the node's key.
type Signer interface {
	// Identity names the key (for an Ethereum key, its address).
	Identity() string
	// Sign returns the signature of digest.
	Sign(digest [32]byte) ([]byte, error)
}

// SignatureChecker checks a manifest signature.
type SignatureChecker interface {
	// CheckSignature returns nil when signature is signer's over digest.
	CheckSignature(signer string, digest [32]byte, signature []byte) error
}

// PinChecker checks evidence against the chain itself.
type PinChecker interface {
	// CheckPin returns nil when the chain holds, at e's transaction and
	// log index, a BatchPin event of e's contract with e's batch id, batch
	// hash and contexts, in e's block. It returns an error wrapping
	// ErrEvidence when the chain says otherwise, and other errors when it
	// cannot be asked.
	CheckPin(ctx context.Context, e Evidence) error
}

// ReadManifest parses a manifest line (it does not verify anything).
func ReadManifest(line []byte) (Manifest, error) {
	var l manifestLine
	if err := strictUnmarshal(line, &l); err != nil {
		return Manifest{}, fmt.Errorf("not a manifest line: %w", err)
	}
	if l.Manifest == nil {
		return Manifest{}, errors.New("not a manifest line: no manifest")
	}
	return *l.Manifest, nil
}
