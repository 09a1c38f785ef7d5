package query

import "testing"

// messagesCollection is the sample collection the tests parse against: the
// fields of a message in the read model.
func messagesCollection(tb testing.TB) Collection {
	tb.Helper()
	c, err := NewCollection("messages", "id", []Field{
		{Name: "id", Type: UUID, Sortable: true},
		{Name: "cid", Type: UUID, Sortable: true},
		{Name: "type", Type: Enum, Enum: []string{"broadcast", "private", "definition"}, Sortable: true},
		{Name: "author", Type: String, Sortable: true},
		{Name: "key", Type: String, Sortable: true},
		{Name: "topics", Type: StringList},
		{Name: "tag", Type: String, Sortable: true},
		{Name: "group", Type: Hash},
		{Name: "created", Type: Time, Sortable: true},
		{Name: "confirmed", Type: Time, Sortable: true},
		{Name: "state", Type: Enum, Enum: []string{"pending", "confirmed", "rejected"}, Sortable: true},
		{Name: "batch", Type: UUID, Sortable: true},
		{Name: "hash", Type: Hash},
		{Name: "sequence", Type: Int, Sortable: true},
		{Name: "pinned", Type: Bool, Sortable: true},
	}, []SortKey{{Field: "created", Desc: true}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
