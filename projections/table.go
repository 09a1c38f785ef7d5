package projections

import (
	"fmt"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// NamespaceField is the column every table has; queries always filter on it.
const NamespaceField = "namespace"

// Table is one read-model table: the collection the query API exposes (its
// filterable, sortable columns) and its key. The adapters' migrations
// create exactly these columns (a test compares them).
type Table struct {
	name       string
	collection query.Collection
}

// NewTable declares a table. fields must include the key; the namespace
// column is added first. It panics on a bad declaration: tables are
// declared in code, once.
func NewTable(name, key string, fields []query.Field, defaultSort []query.SortKey) *Table {
	all := append([]query.Field{{Name: NamespaceField, Type: query.String}}, fields...)
	c, err := query.NewCollection(name, key, all, defaultSort)
	if err != nil {
		panic(fmt.Sprintf("table %s: %v", name, err))
	}
	return &Table{name: name, collection: c}
}

// Name is the table's (and the collection's) name.
func (t *Table) Name() string { return t.name }

// Key is the key column.
func (t *Table) Key() string { return t.collection.Key() }

// Collection is the queryable schema.
func (t *Table) Collection() query.Collection { return t.collection }

// Fields are the columns, namespace first.
func (t *Table) Fields() []query.Field { return t.collection.Fields() }
