package network

import (
	"context"
	"fmt"
	"maps"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/adapters/search/elasticsearch"
	"github.com/ledgermirror/ledgermirror/api"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// openSearch opens the search index cfg names, nil for driver none.
func openSearch(ctx context.Context, cfg config.SearchConfig) (search.Index, error) {
	switch cfg.Driver {
	case config.SearchBleve:
		idx, err := bleve.Open(cfg.Bleve.Path, cfg.Bleve.Adapter())
		if err != nil {
			return nil, fmt.Errorf("opening the search index: %w", err)
		}
		return idx, nil
	case config.SearchElasticsearch:
		idx, err := elasticsearch.Open(ctx, cfg.Elasticsearch)
		if err != nil {
			return nil, fmt.Errorf("opening the search index: %w", err)
		}
		return idx, nil
	case config.SearchNone:
		return nil, nil
	}
	return nil, fmt.Errorf("search.driver %q: unknown", cfg.Driver)
}

// searchProjector fills idx from the store once the read model (rm, whose
// progress views reports) has applied each event.
func searchProjector(idx search.Index, rm projections.Store, views projector.Progress, store event.Store,
	cat *catalogue.Catalogue, log zerolog.Logger) *projector.Runner {
	return projector.New(idx, rm, store, cat, projector.Options{Progress: views, Log: log})
}

// lags joins the positions of several runners, for the status and metrics
// (the read model's projectors and the search projector).
type lags []api.ProjectionLag

func (l lags) Positions() map[string]event.Position {
	out := map[string]event.Position{}
	for _, lag := range l {
		maps.Copy(out, lag.Positions())
	}
	return out
}
