package ethereum_test

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/domain/audit"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func TestManifestSignatures(t *testing.T) {
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	s := ethereum.NewManifestSigner(key)
	digest := protocol.SHA256([]byte("manifest"))
	sig, err := s.Sign(digest)
	require.NoError(t, err)
	assert.NoError(t, ethereum.SignatureChecker{}.CheckSignature(s.Identity(), digest, sig))

	other, err := crypto.GenerateKey()
	require.NoError(t, err)
	assert.Error(t, ethereum.SignatureChecker{}.CheckSignature(ethereum.NewManifestSigner(other).Identity(), digest, sig),
		"another signer's name")
	assert.Error(t, ethereum.SignatureChecker{}.CheckSignature(s.Identity(), protocol.SHA256([]byte("other")), sig),
		"another digest")
	assert.Error(t, ethereum.SignatureChecker{}.CheckSignature("org1", digest, sig), "not an address")
	assert.Error(t, ethereum.SignatureChecker{}.CheckSignature(s.Identity(), digest, sig[:10]), "not a signature")
}

// TestPinCheckerFindsObservedPins pins on a simulated chain, observes the
// pin as a member does, and checks the evidence that observation gives
// against the chain; changed evidence is refused.
func TestPinCheckerFindsObservedPins(t *testing.T) {
	s := newSimChain(t)
	s.pin(t, uuid.New(), 3)
	s.sim.Commit()
	f, err := chain.NewFollower(chain.Config{Namespace: "default"}, ethereum.NewReader(s.sim.Client(), s.chainID, s.address, zerolog.Nop()))
	require.NoError(t, err)
	events, _, _, err := f.Step(context.Background())
	require.NoError(t, err)
	observed := only[catalogue.PinObserved](events)
	require.Len(t, observed, 1)
	o := observed[0]
	e := audit.Evidence{Namespace: o.Namespace, Chain: o.Location.Chain, Contract: o.Location.Contract,
		BlockNumber: o.Location.BlockNumber, BlockHash: o.Location.BlockHash, TxHash: o.Location.TxHash,
		LogIndex: o.Location.LogIndex, BatchID: o.BatchID, BatchHash: o.BatchHash, Contexts: o.Contexts}
	checker := ethereum.NewPinChecker(s.sim.Client(), s.chainID)
	require.NoError(t, checker.CheckPin(context.Background(), e))

	for name, change := range map[string]func(*audit.Evidence){
		"batch hash":    func(e *audit.Evidence) { e.BatchHash = protocol.SHA256([]byte("x")) },
		"batch id":      func(e *audit.Evidence) { e.BatchID = uuid.New() },
		"contexts":      func(e *audit.Evidence) { e.Contexts = e.Contexts[1:] },
		"log index":     func(e *audit.Evidence) { e.LogIndex++ },
		"block":         func(e *audit.Evidence) { e.BlockNumber++ },
		"contract":      func(e *audit.Evidence) { e.Contract = "0x0000000000000000000000000000000000000001" },
		"transaction":   func(e *audit.Evidence) { e.TxHash = "0x" + protocol.SHA256([]byte("tx")).String() },
		"another chain": func(e *audit.Evidence) { e.Chain = "ethereum:1" },
	} {
		changed := e
		changed.Contexts = append([]protocol.Hash(nil), e.Contexts...)
		change(&changed)
		assert.ErrorIs(t, checker.CheckPin(context.Background(), changed), audit.ErrEvidence, name)
	}
}
