package ethereum

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Client is what the reader needs of a JSON-RPC client; *ethclient.Client
// and the simulated backend's client provide it.
type Client interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	FilterLogs(ctx context.Context, q goethereum.FilterQuery) ([]types.Log, error)
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (goethereum.Subscription, error)
}

// Reader reads one BatchPin contract's logs. It implements chain.Chain and
// chain.Heads.
type Reader struct {
	client   Client
	name     string
	contract common.Address
	binding  *batchpin.BatchPin
	log      zerolog.Logger
	dropped  atomic.Uint64
}

// NewReader reads the contract at address on the chain with chainID.
func NewReader(client Client, chainID uint64, address common.Address, log zerolog.Logger) *Reader {
	return &Reader{client: client, name: fmt.Sprintf("ethereum:%d", chainID), contract: address,
		binding: batchpin.NewBatchPin(), log: log}
}

// Name implements chain.Chain.
func (r *Reader) Name() string { return r.name }

// Contract implements chain.Chain: the address in lower case.
func (r *Reader) Contract() string { return strings.ToLower(r.contract.Hex()) }

// Dropped counts the logs ignored because they did not decode as BatchPin
// events with valid fields.
func (r *Reader) Dropped() uint64 { return r.dropped.Load() }

func header(h *types.Header) chain.Header {
	return chain.Header{Number: h.Number.Uint64(), Hash: strings.ToLower(h.Hash().Hex())}
}

// Head implements chain.Chain.
func (r *Reader) Head(ctx context.Context) (chain.Header, error) {
	h, err := r.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return chain.Header{}, err
	}
	return header(h), nil
}

// HeaderByNumber implements chain.Chain.
func (r *Reader) HeaderByNumber(ctx context.Context, n uint64) (chain.Header, error) {
	h, err := r.client.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
	if errors.Is(err, goethereum.NotFound) || err == nil && h == nil {
		return chain.Header{}, chain.ErrNotFound
	}
	if err != nil {
		return chain.Header{}, err
	}
	return header(h), nil
}

// Logs implements chain.Chain.
func (r *Reader) Logs(ctx context.Context, from, to uint64) ([]chain.Log, error) {
	event := r.binding.GetABI().Events[batchpin.BatchPinBatchPinEventName]
	raw, err := r.client.FilterLogs(ctx, goethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from), ToBlock: new(big.Int).SetUint64(to),
		Addresses: []common.Address{r.contract}, Topics: [][]common.Hash{{event.ID}},
	})
	if err != nil {
		return nil, err
	}
	out := make([]chain.Log, 0, len(raw))
	for i := range raw {
		l, err := r.decode(&raw[i])
		if err != nil {
			r.dropped.Add(1)
			r.log.Warn().Err(err).Uint64("block", raw[i].BlockNumber).Str("tx", raw[i].TxHash.Hex()).
				Uint("logIndex", raw[i].Index).Msg("ignoring a log that is not a valid BatchPin event")
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// decode turns a raw log into a chain.Log, refusing anything the protocol
// does not allow: another contract, a removed log, zero ids or hashes.
func (r *Reader) decode(raw *types.Log) (chain.Log, error) {
	if raw.Address != r.contract {
		return chain.Log{}, fmt.Errorf("log of contract %s", raw.Address.Hex())
	}
	if raw.Removed {
		return chain.Log{}, errors.New("log marked removed")
	}
	ev, err := r.binding.UnpackBatchPinEvent(raw)
	if err != nil {
		return chain.Log{}, fmt.Errorf("decoding: %w", err)
	}
	signer, err := protocol.NewSigningKey(ev.Author)
	if err != nil {
		return chain.Log{}, fmt.Errorf("author: %w", err)
	}
	var txID, batchID uuid.UUID
	copy(txID[:], ev.Uuids[:16])
	copy(batchID[:], ev.Uuids[16:])
	if txID == uuid.Nil || batchID == uuid.Nil {
		return chain.Log{}, errors.New("zero transaction or batch id")
	}
	if ev.BatchHash == ([32]byte{}) || len(ev.Contexts) == 0 {
		return chain.Log{}, errors.New("zero batch hash or no contexts")
	}
	if ev.Timestamp == nil || !ev.Timestamp.IsUint64() {
		return chain.Log{}, errors.New("timestamp out of range")
	}
	contexts := make([]protocol.Hash, len(ev.Contexts))
	for i, c := range ev.Contexts {
		if c == ([32]byte{}) {
			return chain.Log{}, fmt.Errorf("context %d is zero", i)
		}
		contexts[i] = c
	}
	return chain.Log{BlockNumber: raw.BlockNumber, BlockHash: strings.ToLower(raw.BlockHash.Hex()),
		TxHash: strings.ToLower(raw.TxHash.Hex()), TxIndex: uint32(raw.TxIndex), LogIndex: uint32(raw.Index),
		Signer: signer, TxID: txID, BatchID: batchID, BatchHash: ev.BatchHash, PayloadRef: ev.PayloadRef,
		Contexts: contexts, Timestamp: ev.Timestamp.Uint64()}, nil
}

// SubscribeHeads implements chain.Heads over eth_subscribe("newHeads"): only
// WebSocket and in-process clients support it; over HTTP it fails and the
// follower polls.
func (r *Reader) SubscribeHeads(ctx context.Context) (<-chan chain.Header, error) {
	in := make(chan *types.Header, 16)
	sub, err := r.client.SubscribeNewHead(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make(chan chain.Header, 16)
	go func() {
		defer close(out)
		defer sub.Unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case err := <-sub.Err():
				if err != nil {
					r.log.Warn().Err(err).Msg("new heads subscription ended; polling")
				}
				return
			case h := <-in:
				select {
				case out <- header(h):
				default: // a wake-up is pending already
				}
			}
		}
	}()
	return out, nil
}
