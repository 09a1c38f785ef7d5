// Package aggbench measures the aggregator in memory: how many pins per second
// it decides on a steady stream of broadcast batches, and how the time to
// unpark a context grows with the number of pins parked on it (a cost linear
// in the parked pins keeps the ratio between two sizes near their ratio).
//
// Inputs are real catalogue payloads built with the protocol constructors
// (one registered org, batches of JSON exactly as a peer would send them, pins
// carrying the batch's contexts, a ChainCheckpoint after each block), built
// before the clock starts so only Apply is timed. A run that does not confirm
// every message fails instead of reporting a figure.
// `ledgermirror bench aggregator` runs it and prints `BENCH name=value unit`
// lines.
package aggbench
