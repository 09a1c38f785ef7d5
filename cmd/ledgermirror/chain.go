package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
)

func newChainCommand(a *app) *cobra.Command {
	var (
		port     int
		interval time.Duration
		fund     []string
		dataDir  string
	)
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "Run the embedded chain (BatchPin deployed) on a loopback JSON-RPC port until interrupted",
		Long: "Runs go-ethereum's simulated chain in this process with the BatchPin contract deployed, serving\n" +
			"JSON-RPC over HTTP and WebSocket on 127.0.0.1:--rpc-port, so other processes can share one chain.\n" +
			"A block is sealed as soon as transactions arrive, and every --block-interval otherwise.\n" +
			"Without --data-dir the chain lives in memory and is gone when the command stops. With it, the\n" +
			"chain lives in that directory (created if missing) and running the command again on it resumes\n" +
			"the same chain: same blocks, BatchPin address and balances; a block whose receipt a client saw\n" +
			"survives even kill -9. The directory also holds faucet.key, the key of the account the genesis\n" +
			"funds; --fund accounts get their balance from it at start when they are low.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if port < 1 || port > 65535 {
				return &usageError{fmt.Errorf("--rpc-port %d is not a port", port)}
			}
			var funded []common.Address
			for _, f := range fund {
				if !common.IsHexAddress(f) || !strings.HasPrefix(f, "0x") {
					return &usageError{fmt.Errorf("--fund %q is not a 0x-prefixed address", f)}
				}
				funded = append(funded, common.HexToAddress(f))
			}
			c, err := embedded.Start(embedded.Config{DataDir: dataDir, RPCPort: port, BlockInterval: interval, Funded: funded}, zerolog.Nop())
			if errors.Is(err, embedded.ErrInvalidConfig) {
				return &usageError{err}
			}
			if err != nil {
				return err
			}
			defer func() { _ = c.Close() }()
			fmt.Fprintf(a.stdout, "chain ethereum:%d rpc=http://127.0.0.1:%d ws=ws://127.0.0.1:%d batchpin=%s\n",
				embedded.ChainID, port, port, strings.ToLower(c.Address().Hex()))
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&port, "rpc-port", 8545, "loopback port for JSON-RPC over HTTP and WebSocket")
	f.DurationVar(&interval, "block-interval", time.Second, "seal a block this often even without transactions")
	f.StringSliceVar(&fund, "fund", nil, "give this address a balance at start unless it has one (repeatable)")
	f.StringVar(&dataDir, "data-dir", "", "keep the chain in this directory across runs (default: in memory)")
	return cmd
}
