package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// errNoSearch answers GET /search on a server built without WithSearch.
var errNoSearch = fmt.Errorf("%w: this server has no search index (search.driver is none)", messaging.ErrNotReady)

// searchAnswer is the body of GET /search.
type searchAnswer struct {
	// Total is the number of matching documents, whatever skip and limit.
	Total int         `json:"total"`
	Hits  []searchHit `json:"hits"`
}

// searchHit is one document found, with the read model's document of the
// message or data item as the collection routes return it.
type searchHit struct {
	Type  search.Kind `json:"type"`
	ID    string      `json:"id"`
	Score float64     `json:"score"`
	// Highlights maps "text" to fragments of the searched text around the
	// matches, HTML-escaped, each match in <mark>…</mark>; empty when no
	// word of the query is in the text (a field-only query).
	Highlights map[string][]string `json:"highlights"`
	// Item is null when the read model no longer has the row (an index
	// built from another generation of it).
	Item json.RawMessage `json:"item"`
}

// getSearch answers GET /namespaces/:ns/search?q=&type=&skip=&limit=: the
// messages and data items whose text and fields match q (the language of
// package search), best first.
func (s *Server) getSearch(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	r, err := parseSearchRequest(ns, c.Request().URL.RawQuery)
	if err != nil {
		return err
	}
	if s.deps.search == nil {
		return errNoSearch
	}
	if s.deps.readModel == nil {
		return errNoReadModel
	}
	ctx := c.Request().Context()
	res, err := s.deps.search.Search(ctx, r)
	if errors.Is(err, search.ErrInvalidQuery) {
		return fmt.Errorf("%w: %w", messaging.ErrInvalidInput, err)
	}
	if err != nil {
		return fmt.Errorf("searching: %w", err)
	}
	out := searchAnswer{Total: res.Total, Hits: make([]searchHit, len(res.Hits))}
	for i, h := range res.Hits {
		table := projections.MessagesTable
		if h.Kind == search.Data {
			table = projections.DataTable
		}
		id, err := uuid.Parse(h.ID)
		if err != nil {
			return fmt.Errorf("search hit %q: %w", h.ID, err)
		}
		doc, found, err := s.deps.readModel.Get(ctx, table, ns, [16]byte(id))
		if err != nil {
			return fmt.Errorf("reading %s %s: %w", table.Name(), id, err)
		}
		hit := searchHit{Type: h.Kind, ID: h.ID, Score: h.Score, Highlights: h.Highlights, Item: json.RawMessage("null")}
		if hit.Highlights == nil {
			hit.Highlights = map[string][]string{}
		}
		if found && len(doc) > 0 {
			hit.Item = doc
		}
		out.Hits[i] = hit
	}
	return c.JSON(http.StatusOK, out)
}

// searchParams are the query parameters of GET /search.
var searchParams = map[string]bool{"q": true, "type": true, "skip": true, "limit": true}

// parseSearchRequest reads the query string of GET /search into a request
// for namespace ns, checked as the index would check it. Every problem is
// ErrInvalidInput naming the parameter: an unknown or repeated parameter,
// a type other than messages or data, a skip or limit that is not a
// decimal integer in range, or a query outside the language.
func parseSearchRequest(ns, rawQuery string) (search.Request, error) {
	// Not c.QueryParams(): it drops malformed pairs silently.
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return search.Request{}, fmt.Errorf("%w: query string: %w", messaging.ErrInvalidInput, err)
	}
	r := search.Request{Namespace: ns}
	for name, vs := range values {
		if !searchParams[name] {
			return search.Request{}, fmt.Errorf("%w: unknown parameter %q (search takes q, type, skip and limit)",
				messaging.ErrInvalidInput, truncate(name))
		}
		if len(vs) > 1 {
			return search.Request{}, fmt.Errorf("%w: parameter %s given %d times", messaging.ErrInvalidInput, name, len(vs))
		}
	}
	r.Query = values.Get("q")
	if v, ok := values["type"]; ok {
		r.Kind = search.Kind(v[0])
		if !r.Kind.Valid() {
			return search.Request{}, fmt.Errorf("%w: type %q: must be %s or %s", messaging.ErrInvalidInput, truncate(v[0]), search.Messages, search.Data)
		}
	}
	for name, dst := range map[string]*int{"skip": &r.Skip, "limit": &r.Limit} {
		v, ok := values[name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v[0])
		if err != nil || v[0] == "" || v[0][0] < '0' || v[0][0] > '9' {
			return search.Request{}, fmt.Errorf("%w: %s %q: not a decimal integer", messaging.ErrInvalidInput, name, truncate(v[0]))
		}
		if name == "limit" && n == 0 {
			return search.Request{}, fmt.Errorf("%w: limit 0: must be between 1 and %d", messaging.ErrInvalidInput, search.MaxLimit)
		}
		*dst = n
	}
	if _, err := r.Plan(); err != nil {
		return search.Request{}, fmt.Errorf("%w: %w", messaging.ErrInvalidInput, err)
	}
	return r, nil
}
