package aggregator

// CompactEvery is how many inputs pass between compactions.
const CompactEvery = compactEvery

// Retained reports how many received batch copies the aggregator still
// references, through a.batches and through a.byGroup.
func Retained(a *Aggregator) (batches, byGroup int) {
	for _, list := range a.batches {
		batches += len(list)
	}
	for _, list := range a.byGroup {
		byGroup += len(list)
	}
	return batches, byGroup
}

// ColdPins reports how many pins are kept frozen (cold.go) and how many
// unplaced pins are kept as they are.
func ColdPins(a *Aggregator) (cold, unplaced int) {
	for _, list := range a.unplaced {
		unplaced += len(list)
	}
	return len(a.cold), unplaced
}
