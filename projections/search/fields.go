package search

import "slices"

// TextField is the name under which Text is indexed and highlighted.
const TextField = "text"

// Field is an exact field declared for one or more kinds. Its values are
// indexed whole, case-sensitive, and queried with field:value.
type Field struct {
	// Name, lower-case ASCII letters; also the name in the engines' mappings.
	Name string
	// Kinds whose documents may have the field.
	Kinds []Kind
	// Multi: a document may have several values (each one matched whole).
	Multi bool
}

// For reports whether documents of kind k may have the field.
func (f Field) For(k Kind) bool { return slices.Contains(f.Kinds, k) }

// declared is the one list of fields; adding one means a new mapping version
// in each adapter (and a re-index).
var declared = []Field{
	{Name: "author", Kinds: []Kind{Messages}},
	{Name: "blob", Kinds: []Kind{Data}},
	{Name: "datatype", Kinds: []Kind{Data}},
	{Name: "state", Kinds: []Kind{Messages}},
	{Name: "tag", Kinds: []Kind{Messages}},
	{Name: "topics", Kinds: []Kind{Messages}, Multi: true},
	{Name: "type", Kinds: []Kind{Messages}},
}

// Fields returns the declared fields, sorted by name.
func Fields() []Field {
	out := make([]Field, len(declared))
	for i, f := range declared {
		f.Kinds = slices.Clone(f.Kinds)
		out[i] = f
	}
	return out
}

// LookupField returns the declared field called name.
func LookupField(name string) (Field, bool) {
	for _, f := range declared {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func fieldNames() []string {
	names := make([]string, len(declared))
	for i, f := range declared {
		names[i] = f.Name
	}
	return names
}
