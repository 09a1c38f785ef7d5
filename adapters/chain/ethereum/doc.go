// Package ethereum is the Ethereum-family chain adapter (geth, Besu, Quorum,
// and go-ethereum's simulated chain): it reads BatchPin logs, headers and new
// heads for the chain follower (chain.Chain, chain.Heads) over JSON-RPC, and
// drops logs that are not well-formed BatchPin events of the configured
// contract, counting them. Its Submitter signs BatchPin transactions
// (chain.Submitter.Prepare) and broadcasts them as signed, idempotently
// (chain.Submitter.Send), and looks sent ones up (chain.Receipts).
package ethereum
