// Package chainbench measures the chain path end to end: BatchPin pins
// submitted through the Ethereum adapter's Submitter and observed by the
// domain chain follower over the adapter's Reader, per second.
//
// chain.pins.simulated runs on go-ethereum's simulated chain in process,
// committing a block every CommitEvery submitted transactions (and at the
// end); chain.pins.geth (only with Options.Geth) runs against a real
// `geth --dev` started with test/gethnode, which mines one block per
// transaction. The clock runs from the first Submit until the follower has
// observed every pin; every pin must be observed exactly once with the batch
// id it was submitted with and all its contexts, or the run fails instead of
// reporting a figure. `ledgermirror bench chain` runs it and prints
// `BENCH name=value unit` lines.
package chainbench
