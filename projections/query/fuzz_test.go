package query

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds raw query strings through url.ParseQuery and Parse. Parse
// must never panic; a refusal is an *Error naming a parameter of the request;
// an accepted query obeys every invariant adapters rely on and reads back
// from its own Values(); the evaluator runs on it without panicking.
func FuzzParse(f *testing.F) {
	for _, tc := range conditionCases {
		f.Add(tc.query)
	}
	for _, tc := range errorCases {
		f.Add(tc.query)
	}
	for _, s := range []string{
		"", "&&", "=", "%", "%zz", "a;b", "sort=-id&sort=created,-sequence&skip=3&limit=1000&count=true",
		"state=pending&state=!@confirmed,rejected&author=?^a&tag==>x",
		"created=@0,-1,2024-05-01T00:00:00.000000001Z", "tag=%00%FF", "topics=!?$%E2%82%AC",
	} {
		f.Add(s)
	}
	c := messagesCollection(f)
	rows := fixture()
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw) // what it could parse, as a server would use
		q, err := Parse(c, v)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v (%T) is not an *Error matching ErrInvalid", err, err)
			}
			if _, ok := v[e.Field]; !ok || e.Reason == "" {
				t.Fatalf("error %q names %q, which is not a parameter of %v", err, e.Field, v)
			}
			return
		}
		checkInvariants(t, c, q)
		assertRoundTrip(t, c, q)
		for _, r := range rows {
			q.Matches(r)
		}
		q.Apply(rows)
	})
}

func checkInvariants(t *testing.T, c Collection, q Query) {
	t.Helper()
	if q.Limit < 1 || q.Limit > MaxLimit || q.Skip < 0 {
		t.Fatalf("skip %d, limit %d", q.Skip, q.Limit)
	}
	seen := map[string]bool{}
	for _, k := range q.Sort {
		if f, ok := c.Field(k.Field); !ok || !f.Sortable || seen[k.Field] {
			t.Fatalf("sort %v: bad or repeated key %q", q.Sort, k.Field)
		}
		seen[k.Field] = true
	}
	if !seen[c.Key()] {
		t.Fatalf("sort %v lacks the key", q.Sort)
	}
	values, lastField := 0, -1
	fields := c.Fields()
	for _, g := range q.Where {
		if len(g) == 0 {
			t.Fatal("empty OR group")
		}
		i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == g[0].Field.Name })
		if i <= lastField {
			t.Fatalf("groups out of field order at %q", g[0].Field.Name)
		}
		lastField = i
		for _, cond := range g {
			if cond.Field.Name != fields[i].Name || cond.Field.Type != fields[i].Type {
				t.Fatalf("group of %q holds a condition on %q", fields[i].Name, cond.Field.Name)
			}
			checkCondition(t, cond)
			values += len(cond.Values)
		}
	}
	if values > MaxValues {
		t.Fatalf("%d values", values)
	}
}

func checkCondition(t *testing.T, c Condition) {
	t.Helper()
	typ := c.Field.Type
	if !slices.Contains(typ.ops(), c.Op) || c.Fold && !typ.foldable() {
		t.Fatalf("%s: operator %v fold %v on a %v field", c.Field.Name, c.Op, c.Fold, typ)
	}
	if len(c.Values) == 0 || c.Op != In && len(c.Values) != 1 {
		t.Fatalf("%s: %d values for %v", c.Field.Name, len(c.Values), c.Op)
	}
	for _, v := range c.Values {
		if !valueHasDeclaredType(c, v) {
			t.Fatalf("%s (%v, %v): value %#v (%T) is not of the declared type", c.Field.Name, typ, c.Op, v, v)
		}
	}
}

func valueHasDeclaredType(c Condition, v any) bool {
	switch typ := c.Field.Type; {
	case typ == Hash && c.Op.pattern():
		s, ok := v.(string)
		return ok && len(s) <= 64 && isHex(s) && s == strings.ToLower(s)
	case typ == Enum:
		s, ok := v.(string)
		return ok && slices.Contains(c.Field.Enum, s)
	case typ == Time:
		tm, ok := v.(time.Time)
		return ok && tm.Location() == time.UTC && !tm.Before(minTime) && tm.Before(maxTime)
	case typ == String || typ == StringList:
		s, ok := v.(string)
		return ok && (!c.Fold || s == asciiLower(s)) && (!c.Op.pattern() || s != "") &&
			(c.Op != In || !strings.Contains(s, ","))
	default:
		return hasType(typ, v)
	}
}
