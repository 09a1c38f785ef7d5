package querybench

import (
	"context"
	"runtime"
	"sync"
)

// chunkBatches is how many batches the producer builds at a time, in
// parallel, before handing them over in order.
const chunkBatches = 64

// produce builds batches 0, 1, 2, ... of full size (a log with no end) and
// sends each one's events on the returned channel, in order, until ctx ends
// or a batch fails to build; then it closes the channel, and *errp says why
// it stopped early (nil when ctx ended). The consumer cancels ctx once it
// has what it needs. Building a batch (hashing, encoding) costs more than
// storing it, so the batches of a chunk are built by one goroutine per CPU.
func (w *workload) produce(ctx context.Context, errp *error) <-chan []proposal {
	out := make(chan []proposal, chunkBatches)
	go func() {
		defer close(out)
		workers := max(1, runtime.GOMAXPROCS(0))
		chunk := make([][]proposal, chunkBatches)
		errs := make([]error, chunkBatches)
		for first := uint64(0); ; first += chunkBatches {
			var wg sync.WaitGroup
			for k := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := k; i < chunkBatches; i += workers {
						chunk[i], errs[i] = w.batch(first+uint64(i), perBatch, false) //nolint:gosec // i < chunkBatches
					}
				}()
			}
			wg.Wait()
			for i := range chunk {
				if errs[i] != nil {
					*errp = errs[i]
					return
				}
				select {
				case out <- chunk[i]:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}
