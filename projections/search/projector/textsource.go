package projector

import (
	"context"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// Texts is the search.TextSource of the documents the Runner indexes from
// rm: each document's Text built as the Runner builds it, from the rows rm
// has now (see the package doc). Give search.WithHighlights the read model
// the index follows, so that a hit's matches are offsets into the same
// text. A ref whose id is not a UUID, or whose row rm does not have, is
// left out.
func Texts(rm projections.Store) search.TextSource { return textSource{rm: rm} }

type textSource struct{ rm projections.Store }

func (s textSource) Texts(ctx context.Context, ns string, refs []search.Ref) (map[search.Ref]string, error) {
	keys := make([]docKey, 0, len(refs))
	kept := make([]search.Ref, 0, len(refs))
	for _, r := range refs {
		id, err := uuid.Parse(r.ID)
		if err != nil || !r.Kind.Valid() {
			continue
		}
		keys = append(keys, docKey{ns: ns, kind: r.Kind, id: id})
		kept = append(kept, r)
	}
	b := &builder{rm: s.rm, texts: &textCache{}}
	if err := b.prefetch(ctx, keys); err != nil {
		return nil, err
	}
	out := make(map[search.Ref]string, len(keys))
	for i, k := range keys {
		if k.kind == search.Data {
			t, err := b.text(ctx, k)
			if err != nil {
				return nil, err
			}
			if t.found {
				out[kept[i]] = t.text
			}
			continue
		}
		m, err := b.message(ctx, k)
		if err != nil {
			return nil, err
		}
		if m == nil {
			continue
		}
		text, err := b.messageText(ctx, ns, m)
		if err != nil {
			return nil, err
		}
		out[kept[i]] = text
	}
	return out, nil
}
