package query

import (
	"strings"
	"testing"
	"time"
)

func TestNewCollectionRefuses(t *testing.T) {
	id := Field{Name: "id", Type: UUID, Sortable: true}
	tests := []struct {
		name   string
		key    string
		fields []Field
		sort   []SortKey
		in     string
	}{
		{"", "id", []Field{id}, nil, "without a name"},
		{"c", "id", nil, nil, "no fields"},
		{"c", "id", []Field{id, id}, nil, "declared twice"},
		{"c", "id", []Field{id, {Name: "", Type: String}}, nil, "field name"},
		{"c", "id", []Field{id, {Name: "1a", Type: String}}, nil, "field name"},
		{"c", "id", []Field{id, {Name: "a-b", Type: String}}, nil, "field name"},
		{"c", "id", []Field{id, {Name: "limit", Type: Int}}, nil, "reserved"},
		{"c", "id", []Field{id, {Name: "sort", Type: String}}, nil, "reserved"},
		{"c", "id", []Field{id, {Name: "x", Type: 0}}, nil, "unknown type"},
		{"c", "id", []Field{id, {Name: "x", Type: 99}}, nil, "unknown type"},
		{"c", "id", []Field{id, {Name: "x", Type: StringList, Sortable: true}}, nil, "cannot be sortable"},
		{"c", "id", []Field{id, {Name: "x", Type: String, Enum: []string{"a"}}}, nil, "only an enum"},
		{"c", "id", []Field{id, {Name: "x", Type: Enum}}, nil, "no values"},
		{"c", "id", []Field{id, {Name: "x", Type: Enum, Enum: []string{"a", "a"}}}, nil, "repeated"},
		{"c", "id", []Field{id, {Name: "x", Type: Enum, Enum: []string{"a,b"}}}, nil, "comma"},
		{"c", "id", []Field{id, {Name: "x", Type: Enum, Enum: []string{""}}}, nil, "empty"},
		{"c", "nosuch", []Field{id}, nil, "key"},
		{"c", "x", []Field{id, {Name: "x", Type: String}}, nil, "key"},
		{"c", "id", []Field{id, {Name: "x", Type: String}}, []SortKey{{Field: "x"}}, "default sort"},
		{"c", "id", []Field{id}, []SortKey{{Field: "nosuch"}}, "default sort"},
		{"c", "id", []Field{id}, []SortKey{{Field: "id"}, {Field: "id", Desc: true}}, "default sort"},
	}
	for _, tt := range tests {
		_, err := NewCollection(tt.name, tt.key, tt.fields, tt.sort)
		if err == nil || !strings.Contains(err.Error(), tt.in) {
			t.Errorf("NewCollection(%q, %q, %+v, %v) = %v, want an error about %q", tt.name, tt.key, tt.fields, tt.sort, err, tt.in)
		}
	}
}

func TestCollectionAccessors(t *testing.T) {
	fields := []Field{
		{Name: "id", Type: UUID, Sortable: true},
		{Name: "kind", Type: Enum, Enum: []string{"a", "b"}},
		{Name: "a.b_C9", Type: String},
	}
	c, err := NewCollection("things", "id", fields, nil)
	if err != nil {
		t.Fatal(err)
	}
	fields[1].Enum[0] = "changed" // the collection keeps its own copy
	if f, ok := c.Field("kind"); !ok || f.Enum[0] != "a" {
		t.Errorf("Field(kind) = %+v, %v", f, ok)
	}
	if c.Name() != "things" || c.Key() != "id" || len(c.Fields()) != 3 || len(c.DefaultSort()) != 0 {
		t.Errorf("accessors: %q %q %v %v", c.Name(), c.Key(), c.Fields(), c.DefaultSort())
	}
	if _, ok := c.Field("nosuch"); ok {
		t.Error("Field(nosuch) found")
	}
	if Type(42).String() != "Type(42)" || Op(42).String() != "Op(42)" {
		t.Error("String of an unknown Type or Op")
	}
}

type named string

func TestCheckRow(t *testing.T) {
	c := messagesCollection(t)
	now := time.Now()
	var nilTime *time.Time
	good := []Row{
		{"id": uuidA},
		{"id": uuidA, "tag": nil, "confirmed": nilTime, "topics": []string(nil)},
		{"id": uuidA, "author": named("x"), "sequence": 5, "created": &now, "hash": hashA,
			"topics": []named{"a"}, "state": "pending", "pinned": true, "cid": &uuidB},
	}
	for _, r := range good {
		if err := c.CheckRow(r); err != nil {
			t.Errorf("CheckRow(%v): %v", r, err)
		}
	}
	bad := []struct {
		row Row
		in  string
	}{
		{Row{"tag": "x"}, `no value for the key "id"`},
		{Row{"id": nil}, "no value for the key"},
		{Row{"id": uuidA, "nosuch": 1}, `"nosuch", which is not a field`},
		{Row{"id": uuidA, "sequence": "5"}, `field "sequence": string is not an int value`},
		{Row{"id": uuidA, "sequence": 5.0}, `field "sequence": float64 is not an int value`},
		{Row{"id": uuidA, "created": "2024-05-01T00:00:00Z"}, `field "created"`},
		{Row{"id": uuidA, "state": "lost"}, `"lost" is not one of its values`},
		{Row{"id": uuidA, "topics": "a"}, `field "topics"`},
		{Row{"id": uuidA, "hash": uuidA}, `field "hash"`},
		{Row{"id": uuidA, "pinned": 1}, `field "pinned"`},
	}
	for _, tt := range bad {
		err := c.CheckRow(tt.row)
		if err == nil || !strings.Contains(err.Error(), tt.in) {
			t.Errorf("CheckRow(%v) = %v, want an error about %q", tt.row, err, tt.in)
		}
	}
}
