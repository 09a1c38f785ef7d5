package query

import (
	"net/url"
	"reflect"
	"testing"
)

func TestConditionString(t *testing.T) {
	tests := map[string]string{
		"tag=abc":                  "abc",
		"tag=":                     "",
		"tag==>x":                  "=>x",
		"tag==!x":                  "=!x",
		"tag=!=!x":                 "!=!x",
		"tag=!abc":                 "!abc",
		"tag=~bc":                  ":bc",
		"author=!?:Test":           "!?:test",
		"author=?ACME":             "?acme",
		"state=!@pending,rejected": "!@pending,rejected",
		"sequence=>=-5":            ">=-5",
		"created=<1714521600000":   "<2024-05-01T00:00:00Z",
		"created=2024-05-01T02:00:00.250%2B02:00": "2024-05-01T00:00:00.25Z",
		"id=@" + uuidBText:                        "@ffffffff-ffff-ffff-ffff-fffffffffffe",
		"hash=^3FA9":                              "^3fa9",
		"pinned=!false":                           "!false",
	}
	c := messagesCollection(t)
	for query, want := range tests {
		q, err := Parse(c, mustQuery(t, query))
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Where[0][0].String(); got != want {
			t.Errorf("%s: String() = %q, want %q", query, got, want)
		}
	}
}

func TestValuesRoundTrip(t *testing.T) {
	c := messagesCollection(t)
	queries := []string{
		"",
		"state=pending&state=!@confirmed,rejected&author=?^a&tag==>x&sort=-sequence,tag&skip=20&limit=5&count=true",
		"topics=!?:Ord&topics=x&created=>1714521600000&hash=^ab",
	}
	for _, tc := range conditionCases {
		queries = append(queries, tc.query)
	}
	for _, query := range queries {
		q, err := Parse(c, mustQuery(t, query))
		if err != nil {
			t.Fatal(err)
		}
		assertRoundTrip(t, c, q)
	}
	v := (Query{Limit: 10}).Values()
	if want := (url.Values{"limit": {"10"}}); !reflect.DeepEqual(v, want) {
		t.Errorf("Values() = %v, want %v", v, want)
	}
}

// assertRoundTrip checks that Parse reads q.Values() back as q.
func assertRoundTrip(t *testing.T, c Collection, q Query) {
	t.Helper()
	v := q.Values()
	back, err := Parse(c, v)
	if err != nil {
		t.Fatalf("Parse(%v) of a written query: %v", v, err)
	}
	if !sameQuery(q, back) {
		t.Fatalf("round trip through %v:\n got %+v\nwant %+v", v, back, q)
	}
	// And the text is stable: writing it again gives the same parameters.
	if again := back.Values(); !reflect.DeepEqual(again, v) {
		t.Fatalf("written twice: %v, then %v", v, again)
	}
}

func sameQuery(a, b Query) bool {
	if !reflect.DeepEqual(a.Sort, b.Sort) || a.Skip != b.Skip || a.Limit != b.Limit || a.Count != b.Count ||
		len(a.Where) != len(b.Where) {
		return false
	}
	for i := range a.Where {
		if len(a.Where[i]) != len(b.Where[i]) {
			return false
		}
		for j := range a.Where[i] {
			ca, cb := a.Where[i][j], b.Where[i][j]
			if !reflect.DeepEqual(ca.Field, cb.Field) || !sameCond(toCond(ca), toCond(cb)) {
				return false
			}
		}
	}
	return true
}
