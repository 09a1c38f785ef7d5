package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
)

func newContractsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "contracts",
		Short: "Deploy the on-chain contracts ledgermirror uses",
	}
	cmd.AddCommand(newContractsDeployCommand(a))
	return cmd
}

// deployFlags are the arguments of `contracts deploy`, checked by validate
// before anything touches the network.
type deployFlags struct {
	rpc     string
	key     string
	keyFile string
	chainID uint64
	timeout time.Duration
	asJSON  bool
}

// deployTarget is what validate makes of deployFlags.
type deployTarget struct {
	endpoint string // the URL with any password hidden, for messages
	key      *ecdsa.PrivateKey
}

// deployResult is what `contracts deploy` prints.
type deployResult struct {
	Contract string `json:"contract"`
	Address  string `json:"address"`
	TxHash   string `json:"txHash"`
	Block    uint64 `json:"block"`
	ChainID  string `json:"chainId"`
	Deployer string `json:"deployer"`
}

func newContractsDeployCommand(a *app) *cobra.Command {
	var f deployFlags
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Deploy the BatchPin contract through a JSON-RPC endpoint and print its address",
		Long: "Sends the BatchPin contract's creation transaction, signed with --key or --key-file\n" +
			"(a secp256k1 private key in hex), to the node at --rpc (http, https, ws or wss), waits\n" +
			"for its receipt and prints the contract's address, transaction hash and block.\n" +
			"The chain id is the node's; --chain-id makes the command refuse a node on another chain.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			target, err := f.validate()
			if err != nil {
				return &usageError{err}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
			defer cancel()
			res, err := deployBatchPin(ctx, a, f, target)
			if err != nil {
				return err
			}
			if f.asJSON {
				return json.NewEncoder(a.stdout).Encode(res)
			}
			_, err = fmt.Fprintf(a.stdout, "BatchPin deployed at %s (transaction %s, block %d, chain %s)\n",
				res.Address, res.TxHash, res.Block, res.ChainID)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.rpc, "rpc", "", "JSON-RPC endpoint of an Ethereum node: http(s):// or ws(s):// URL (required)")
	fl.StringVar(&f.key, "key", "", "deployer's private key in hex; visible to other local users in the process list, prefer --key-file")
	fl.StringVar(&f.keyFile, "key-file", "", "file holding the deployer's private key in hex")
	fl.Uint64Var(&f.chainID, "chain-id", 0, "expected chain id; the deployment stops if the node reports another (default: the node's)")
	fl.DurationVar(&f.timeout, "timeout", 60*time.Second, "time allowed for the whole deployment, receipt included")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as JSON")
	return cmd
}

// validate checks the flags and loads the key. Its errors never contain the
// key or the key file's content.
func (f deployFlags) validate() (deployTarget, error) {
	endpoint, err := checkRPCURL(f.rpc)
	if err != nil {
		return deployTarget{}, err
	}
	if f.timeout <= 0 {
		return deployTarget{}, fmt.Errorf("--timeout must be positive, got %s", f.timeout)
	}
	var hexKey string
	switch {
	case f.key == "" && f.keyFile == "":
		return deployTarget{}, errors.New("a deployer key is required: --key HEX or --key-file FILE")
	case f.key != "" && f.keyFile != "":
		return deployTarget{}, errors.New("--key and --key-file are mutually exclusive")
	case f.key != "":
		hexKey = f.key
	default:
		b, err := os.ReadFile(f.keyFile)
		if err != nil {
			return deployTarget{}, fmt.Errorf("--key-file: %w", err)
		}
		hexKey = string(b)
	}
	key, err := parseKey(hexKey)
	if err != nil {
		if f.keyFile != "" {
			return deployTarget{}, fmt.Errorf("--key-file %s: %w", f.keyFile, err)
		}
		return deployTarget{}, fmt.Errorf("--key: %w", err)
	}
	return deployTarget{endpoint: endpoint, key: key}, nil
}

// checkRPCURL accepts the URL forms ethclient.Dial speaks over the network
// and returns the URL with any password replaced, for messages.
func checkRPCURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("--rpc is required: the JSON-RPC URL of an Ethereum node, e.g. http://127.0.0.1:8545")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("--rpc: not a URL: %w", err)
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss":
	default:
		return "", fmt.Errorf("--rpc %s: the scheme must be http, https, ws or wss", u.Redacted())
	}
	if u.Host == "" {
		return "", fmt.Errorf("--rpc %s: no host", u.Redacted())
	}
	return u.Redacted(), nil
}

// parseKey reads a secp256k1 private key written as 64 hex digits, with or
// without 0x and surrounding white space. Errors describe the shape only.
func parseKey(s string) (*ecdsa.PrivateKey, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) != 64 {
		return nil, fmt.Errorf("a private key is 64 hex digits, got %d characters", len(s))
	}
	key, err := crypto.HexToECDSA(s)
	if err != nil {
		// crypto's message may quote a character of the key.
		return nil, errors.New("not a valid secp256k1 private key in hex")
	}
	return key, nil
}

// deployBatchPin does the network part of `contracts deploy`. Progress goes
// to stderr; the key is never printed.
func deployBatchPin(ctx context.Context, a *app, f deployFlags, t deployTarget) (deployResult, error) {
	client, err := ethclient.DialContext(ctx, f.rpc)
	if err != nil {
		return deployResult{}, unreachable(ctx, t.endpoint, err)
	}
	defer client.Close()
	chainID, err := client.ChainID(ctx)
	if err != nil {
		return deployResult{}, unreachable(ctx, t.endpoint, err)
	}
	if f.chainID != 0 && chainID.Cmp(new(big.Int).SetUint64(f.chainID)) != 0 {
		return deployResult{}, &usageError{fmt.Errorf("the node at %s is on chain %s, not --chain-id %d", t.endpoint, chainID, f.chainID)}
	}
	opts := bind.NewKeyedTransactor(t.key, chainID)
	opts.Context = ctx
	address, tx, err := batchpin.SendDeployment(opts, client)
	if err != nil {
		return deployResult{}, fmt.Errorf("sending the deployment from %s to %s: %w", opts.From, t.endpoint, err)
	}
	fmt.Fprintf(a.stderr, "contracts deploy: sent transaction %s from %s; waiting for its receipt (up to %s)\n", tx.Hash(), opts.From, f.timeout)
	d, err := batchpin.WaitDeployed(ctx, client, tx, 250*time.Millisecond)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return deployResult{}, fmt.Errorf("%w; the transaction may still be mined, the contract would then be at %s", err, address)
		}
		return deployResult{}, err
	}
	return deployResult{
		Contract: "BatchPin",
		Address:  d.Address.Hex(),
		TxHash:   d.TxHash.Hex(),
		Block:    d.BlockNumber,
		ChainID:  chainID.String(),
		Deployer: opts.From.Hex(),
	}, nil
}

// unreachable says plainly whether the node did not answer or answered with
// something other than JSON-RPC.
func unreachable(ctx context.Context, endpoint string, err error) error {
	var netErr net.Error
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("no answer from the JSON-RPC endpoint %s before the timeout: %w", endpoint, err)
	case errors.As(err, &netErr):
		return fmt.Errorf("cannot reach the JSON-RPC endpoint %s (is the node running?): %w", endpoint, err)
	default:
		return fmt.Errorf("the JSON-RPC endpoint %s did not answer as an Ethereum node: %w", endpoint, err)
	}
}
