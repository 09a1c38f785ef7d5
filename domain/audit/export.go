package audit

import (
	"context"
	"fmt"
	"io"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// exportPage is how many events Export reads at a time.
const exportPage = 1000

// Progress is told how far an export is: the last position read and the
// last it will read.
type Progress func(position, last uint64)

// Export writes the export of req from store to w, signed by signer when
// not nil, and returns its manifest. A To of 0 exports up to the head when
// the export starts. It reads the store only.
func Export(ctx context.Context, store event.Store, cat *catalogue.Catalogue, req Request, w io.Writer, signer Signer,
	progress Progress) (Manifest, error) {
	ew, err := NewWriter(w, cat, req)
	if err != nil {
		return Manifest{}, err
	}
	head, err := store.Head(ctx)
	if err != nil {
		return Manifest{}, fmt.Errorf("reading the store's head: %w", err)
	}
	last := uint64(head)
	if req.To != 0 {
		last = min(last, req.To)
	}
	after := event.Position(0)
	if req.From > 0 {
		after = event.Position(req.From - 1)
	}
	for uint64(after) < last {
		page, err := store.ReadAll(ctx, after, exportPage)
		if err != nil {
			return Manifest{}, fmt.Errorf("reading the store after position %d: %w", after, err)
		}
		if len(page) == 0 {
			break
		}
		for _, ev := range page {
			if uint64(ev.Position) > last {
				break
			}
			if err := ew.Event(ev); err != nil {
				return Manifest{}, fmt.Errorf("writing the event at position %d: %w", ev.Position, err)
			}
		}
		after = page[len(page)-1].Position
		if progress != nil {
			progress(min(uint64(after), last), last)
		}
	}
	return ew.Close(signer)
}
