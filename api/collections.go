package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// collections are the read-model tables served as GET
// /namespaces/:ns/<path>, each filtered with the query syntax of package
// query over its table's columns.
var collections = []struct {
	path  string
	table *projections.Table
}{
	{"messages", projections.MessagesTable},
	{"data", projections.DataTable},
	{"batches", projections.BatchesTable},
	{"pins", projections.PinsTable},
	{"groups", projections.GroupsTable},
	{"identities", projections.IdentitiesTable},
	{"datatypes", projections.DatatypesTable},
	{"transactions", projections.TransactionsTable},
	{"operations", projections.OperationsTable},
	{"chainevents", projections.ChainEventsTable},
	{"events", projections.EventsTable},
}

// errNoReadModel answers the read-model routes of a server built without
// WithReadModel.
var errNoReadModel = fmt.Errorf("%w: this server has no read model", messaging.ErrNotReady)

// errEmptyDocument: the read model returned a row without its document, which
// would otherwise become malformed JSON in the answer.
var errEmptyDocument = errors.New("read model returned an empty document")

// listCollection answers GET /namespaces/:ns/<collection>?<filters>: a JSON
// array of the matching documents, or with count=true
// {"count": <items in the page>, "total": <all matches>, "items": [...]}.
// Every query parameter is a filter or one of sort, skip, limit and count
// (package query); anything else is 400, naming the parameter.
func (s *Server) listCollection(t *projections.Table) echo.HandlerFunc {
	return func(c echo.Context) error {
		ns, err := namespaceParam(c)
		if err != nil {
			return err
		}
		// Not c.QueryParams(): url.URL.Query drops malformed pairs silently,
		// and a filter the client wrote must never be ignored.
		values, err := url.ParseQuery(c.Request().URL.RawQuery)
		if err != nil {
			return fmt.Errorf("%w: query string: %w", messaging.ErrInvalidInput, err)
		}
		q, err := query.Parse(t.Collection(), values)
		if err != nil {
			return fmt.Errorf("%w: %w", messaging.ErrInvalidInput, err)
		}
		if s.deps.readModel == nil {
			return errNoReadModel
		}
		docs, total, err := s.deps.readModel.Find(c.Request().Context(), t, ns, q)
		if err != nil {
			return fmt.Errorf("reading %s: %w", t.Name(), err)
		}
		return writeDocs(c, docs, q.Count, total)
	}
}

// writeDocs writes the documents as they are stored, joined into one JSON
// array (wrapped with the counts when count): the read model holds them in
// their API form, so they are never decoded and encoded again.
func writeDocs(c echo.Context, docs []json.RawMessage, count bool, total int) error {
	size := len(`{"count":,"total":,"items":[]}`) + 40
	for _, d := range docs {
		if len(d) == 0 {
			return errEmptyDocument
		}
		size += len(d) + 1
	}
	buf := make([]byte, 0, size)
	if count {
		buf = fmt.Appendf(buf, `{"count":%d,"total":%d,"items":`, len(docs), total)
	}
	buf = append(buf, '[')
	for i, d := range docs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, d...)
	}
	buf = append(buf, ']')
	if count {
		buf = append(buf, '}')
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf)
}

// writeDoc writes one stored document as it is.
func writeDoc(c echo.Context, doc json.RawMessage) error {
	if len(doc) == 0 {
		return errEmptyDocument
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}
