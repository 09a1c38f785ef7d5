// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package batchpin

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// BatchPinMetaData contains all meta data concerning the BatchPin contract.
var BatchPinMetaData = bind.MetaData{
	ABI: "[{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"author\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"timestamp\",\"type\":\"uint256\"},{\"indexed\":false,\"internalType\":\"string\",\"name\":\"action\",\"type\":\"string\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"uuids\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"batchHash\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"string\",\"name\":\"payloadRef\",\"type\":\"string\"},{\"indexed\":false,\"internalType\":\"bytes32[]\",\"name\":\"contexts\",\"type\":\"bytes32[]\"}],\"name\":\"BatchPin\",\"type\":\"event\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"uuids\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"batchHash\",\"type\":\"bytes32\"},{\"internalType\":\"string\",\"name\":\"payloadRef\",\"type\":\"string\"},{\"internalType\":\"bytes32[]\",\"name\":\"contexts\",\"type\":\"bytes32[]\"}],\"name\":\"pinBatch\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "BatchPin",
	Bin: "0x6080604052348015600e575f5ffd5b5061027b8061001c5f395ff3fe608060405234801561000f575f5ffd5b5060043610610029575f3560e01c806348ce1dcc1461002d575b5f5ffd5b61004061003b3660046100d7565b610042565b005b7f805721bc246bccc732581be0c0aa2dd8f7ec93e97ba4b307be84428c98b0a12f334288888888888860405161007f9897969594939291906101b8565b60405180910390a1505050505050565b5f5f83601f84011261009f575f5ffd5b50813567ffffffffffffffff8111156100b6575f5ffd5b6020830191508360208260051b85010111156100d0575f5ffd5b9250929050565b5f5f5f5f5f5f608087890312156100ec575f5ffd5b8635955060208701359450604087013567ffffffffffffffff811115610110575f5ffd5b8701601f81018913610120575f5ffd5b803567ffffffffffffffff811115610136575f5ffd5b896020828401011115610147575f5ffd5b60209190910194509250606087013567ffffffffffffffff81111561016a575f5ffd5b61017689828a0161008f565b979a9699509497509295939492505050565b8183525f6001600160fb1b0383111561019f575f5ffd5b8260051b80836020870137939093016020019392505050565b60018060a01b038916815287602082015260e06040820152600360e0820152623834b760e91b61010082015286606082015285608082015261012060a08201528361012082015283856101408301375f61014085830101525f601f19601f86011682016101408382030160c084015261023661014082018587610188565b9b9a505050505050505050505056fea2646970667358221220551f2e70f20a7536368d45741ece07bea4f0efe8060561820f7adba13933f5d264736f6c634300081c0033",
}

// BatchPin is an auto generated Go binding around an Ethereum contract.
type BatchPin struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *BatchPin) GetABI() abi.ABI {
	return c.abi
}

// NewBatchPin creates a new instance of BatchPin.
func NewBatchPin() *BatchPin {
	parsed, err := BatchPinMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &BatchPin{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *BatchPin) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackPinBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x48ce1dcc.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function pinBatch(bytes32 uuids, bytes32 batchHash, string payloadRef, bytes32[] contexts) returns()
func (batchPin *BatchPin) PackPinBatch(uuids [32]byte, batchHash [32]byte, payloadRef string, contexts [][32]byte) []byte {
	enc, err := batchPin.abi.Pack("pinBatch", uuids, batchHash, payloadRef, contexts)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPinBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x48ce1dcc.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function pinBatch(bytes32 uuids, bytes32 batchHash, string payloadRef, bytes32[] contexts) returns()
func (batchPin *BatchPin) TryPackPinBatch(uuids [32]byte, batchHash [32]byte, payloadRef string, contexts [][32]byte) ([]byte, error) {
	return batchPin.abi.Pack("pinBatch", uuids, batchHash, payloadRef, contexts)
}

// BatchPinBatchPin represents a BatchPin event raised by the BatchPin contract.
type BatchPinBatchPin struct {
	Author     common.Address
	Timestamp  *big.Int
	Action     string
	Uuids      [32]byte
	BatchHash  [32]byte
	PayloadRef string
	Contexts   [][32]byte
	Raw        *types.Log // Blockchain specific contextual infos
}

const BatchPinBatchPinEventName = "BatchPin"

// ContractEventName returns the user-defined event name.
func (BatchPinBatchPin) ContractEventName() string {
	return BatchPinBatchPinEventName
}

// UnpackBatchPinEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event BatchPin(address author, uint256 timestamp, string action, bytes32 uuids, bytes32 batchHash, string payloadRef, bytes32[] contexts)
func (batchPin *BatchPin) UnpackBatchPinEvent(log *types.Log) (*BatchPinBatchPin, error) {
	event := "BatchPin"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != batchPin.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(BatchPinBatchPin)
	if len(log.Data) > 0 {
		if err := batchPin.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range batchPin.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}
