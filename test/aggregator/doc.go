// Package aggregator tests the aggregator runner against a real event store:
// decisions recorded once across restarts, a second runner refused, and the
// recorded outcome equal to the pure aggregator's.
package aggregator
