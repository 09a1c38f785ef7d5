package query

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("url.ParseQuery(%q): %v", raw, err)
	}
	return v
}

// cond is a Condition written compactly for tables: the field by name.
type cond struct {
	field     string
	op        Op
	not, fold bool
	values    []any
}

func (c cond) String() string {
	return fmt.Sprintf("%s op=%v not=%v fold=%v %#v", c.field, c.op, c.not, c.fold, c.values)
}

func toCond(c Condition) cond {
	return cond{c.Field.Name, c.Op, c.Not, c.Fold, c.Values}
}

func sameCond(a, b cond) bool {
	if a.field != b.field || a.op != b.op || a.not != b.not || a.fold != b.fold || len(a.values) != len(b.values) {
		return false
	}
	for i := range a.values {
		if reflect.TypeOf(a.values[i]) != reflect.TypeOf(b.values[i]) {
			return false
		}
		if d, ok := compareValues(a.values[i], b.values[i]); !ok || d != 0 {
			return false
		}
	}
	return true
}

var (
	uuidA     = [16]byte{0x3f, 0x2a, 0x91, 0x0c, 0x5b, 0x7d, 0x4e, 0x1a, 0x8f, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}
	uuidB     = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}
	uuidAText = "3f2a910c-5b7d-4e1a-8f00-123456789abc"
	uuidBText = "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFE"
	hashA     = func() (h [32]byte) {
		for i := range h {
			h[i] = byte(i)
		}
		return h
	}()
	hashAText = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	may1      = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
)

// conditionCases are single filters and what they parse to (also fuzz seeds).
var conditionCases = []struct {
	query string
	want  cond
}{
	// Equality, with and without the operator, and its escapes.
	{"tag=abc", cond{"tag", Eq, false, false, []any{"abc"}}},
	{"tag==abc", cond{"tag", Eq, false, false, []any{"abc"}}},
	{"tag=", cond{"tag", Eq, false, false, []any{""}}},
	{"tag==", cond{"tag", Eq, false, false, []any{""}}},
	{"tag===", cond{"tag", Eq, false, false, []any{"="}}},
	{"tag==>x", cond{"tag", Eq, false, false, []any{">x"}}},
	{"tag==!x", cond{"tag", Eq, false, false, []any{"!x"}}},
	{"tag==?x", cond{"tag", Eq, false, false, []any{"?x"}}},
	{"tag=a>b", cond{"tag", Eq, false, false, []any{"a>b"}}},
	{"tag=%20x", cond{"tag", Eq, false, false, []any{" x"}}},
	{"tag=a+b", cond{"tag", Eq, false, false, []any{"a b"}}},
	{"tag=caf%C3%A9", cond{"tag", Eq, false, false, []any{"café"}}},
	// Negation.
	{"tag=!abc", cond{"tag", Eq, true, false, []any{"abc"}}},
	{"tag=!=abc", cond{"tag", Eq, true, false, []any{"abc"}}},
	{"tag=!", cond{"tag", Eq, true, false, []any{""}}},
	{"tag=!=!x", cond{"tag", Eq, true, false, []any{"!x"}}},
	// Comparisons.
	{"tag=>b", cond{"tag", Gt, false, false, []any{"b"}}},
	{"tag=>=b", cond{"tag", Gte, false, false, []any{"b"}}},
	{"tag=<b", cond{"tag", Lt, false, false, []any{"b"}}},
	{"tag=<=b", cond{"tag", Lte, false, false, []any{"b"}}},
	{"tag=>>b", cond{"tag", Gt, false, false, []any{">b"}}},
	{"tag=>==b", cond{"tag", Gte, false, false, []any{"=b"}}},
	{"tag=!>b", cond{"tag", Gt, true, false, []any{"b"}}},
	{"tag=!<=b", cond{"tag", Lte, true, false, []any{"b"}}},
	{"sequence=42", cond{"sequence", Eq, false, false, []any{int64(42)}}},
	{"sequence=-7", cond{"sequence", Eq, false, false, []any{int64(-7)}}},
	{"sequence=%2B7", cond{"sequence", Eq, false, false, []any{int64(7)}}},
	{"sequence=>-7", cond{"sequence", Gt, false, false, []any{int64(-7)}}},
	{"sequence=>=9223372036854775807", cond{"sequence", Gte, false, false, []any{int64(9223372036854775807)}}},
	{"sequence=<0", cond{"sequence", Lt, false, false, []any{int64(0)}}},
	{"sequence=!<=3", cond{"sequence", Lte, true, false, []any{int64(3)}}},
	{"created=>2024-05-01T00:00:00Z", cond{"created", Gt, false, false, []any{may1}}},
	{"created=<2024-05-01T02:00:00%2B02:00", cond{"created", Lt, false, false, []any{may1}}},
	{"created=2024-05-01T00:00:00.5Z", cond{"created", Eq, false, false, []any{may1.Add(500 * time.Millisecond)}}},
	{"created=2024-05-01T00:00:00.123456789Z", cond{"created", Eq, false, false, []any{may1.Add(123456789)}}},
	{"created=>=1714521600000", cond{"created", Gte, false, false, []any{may1}}},
	{"created=<=0", cond{"created", Lte, false, false, []any{time.UnixMilli(0).UTC()}}},
	{"created=-1000", cond{"created", Eq, false, false, []any{time.UnixMilli(-1000).UTC()}}},
	{"created=0000-01-01T00:00:00Z", cond{"created", Eq, false, false, []any{minTime}}},
	// Patterns.
	{"tag=:bc", cond{"tag", Contains, false, false, []any{"bc"}}},
	{"tag=~bc", cond{"tag", Contains, false, false, []any{"bc"}}},
	{"tag=^ab", cond{"tag", StartsWith, false, false, []any{"ab"}}},
	{"tag=$bc", cond{"tag", EndsWith, false, false, []any{"bc"}}},
	{"tag=^^ab", cond{"tag", StartsWith, false, false, []any{"^ab"}}},
	{"tag=:,", cond{"tag", Contains, false, false, []any{","}}},
	{"tag=!:x", cond{"tag", Contains, true, false, []any{"x"}}},
	{"tag=!^x", cond{"tag", StartsWith, true, false, []any{"x"}}},
	{"tag=!$x", cond{"tag", EndsWith, true, false, []any{"x"}}},
	{"topics=:ord", cond{"topics", Contains, false, false, []any{"ord"}}},
	{"topics=orders", cond{"topics", Eq, false, false, []any{"orders"}}},
	{"hash=^3FA9", cond{"hash", StartsWith, false, false, []any{"3fa9"}}},
	{"hash=$" + hashAText, cond{"hash", EndsWith, false, false, []any{hashAText}}},
	{"group=:0a0B", cond{"group", Contains, false, false, []any{"0a0b"}}},
	// Case-insensitive.
	{"author=?ACME", cond{"author", Eq, false, true, []any{"acme"}}},
	{"author=?=ACME", cond{"author", Eq, false, true, []any{"acme"}}},
	{"author=?:Acme", cond{"author", Contains, false, true, []any{"acme"}}},
	{"author=?^A", cond{"author", StartsWith, false, true, []any{"a"}}},
	{"author=?$Z", cond{"author", EndsWith, false, true, []any{"z"}}},
	{"author=?>M", cond{"author", Gt, false, true, []any{"m"}}},
	{"author=!?:Test", cond{"author", Contains, true, true, []any{"test"}}},
	{"author=?%C3%89COLE", cond{"author", Eq, false, true, []any{"\u00c9cole"}}},
	{"author=?@A,B", cond{"author", In, false, true, []any{"a", "b"}}},
	{"topics=?ORDERS", cond{"topics", Eq, false, true, []any{"orders"}}},
	// In-lists.
	{"state=@pending,rejected", cond{"state", In, false, false, []any{"pending", "rejected"}}},
	{"state=!@pending,rejected", cond{"state", In, true, false, []any{"pending", "rejected"}}},
	{"tag=@", cond{"tag", In, false, false, []any{""}}},
	{"tag=@a,,b", cond{"tag", In, false, false, []any{"a", "", "b"}}},
	{"sequence=@1,2,3", cond{"sequence", In, false, false, []any{int64(1), int64(2), int64(3)}}},
	{"created=@2024-05-01T00:00:00Z,1714521600000", cond{"created", In, false, false, []any{may1, may1}}},
	{"id=@" + uuidAText + "," + uuidBText, cond{"id", In, false, false, []any{uuidA, uuidB}}},
	{"hash=@" + hashAText, cond{"hash", In, false, false, []any{hashA}}},
	{"pinned=@true,false", cond{"pinned", In, false, false, []any{true, false}}},
	{"topics=@a,b", cond{"topics", In, false, false, []any{"a", "b"}}},
	// Typed equality.
	{"id=" + uuidAText, cond{"id", Eq, false, false, []any{uuidA}}},
	{"cid=!" + uuidBText, cond{"cid", Eq, true, false, []any{uuidB}}},
	{"hash=" + strings.ToUpper(hashAText), cond{"hash", Eq, false, false, []any{hashA}}},
	{"pinned=true", cond{"pinned", Eq, false, false, []any{true}}},
	{"pinned=!false", cond{"pinned", Eq, true, false, []any{false}}},
	{"type=private", cond{"type", Eq, false, false, []any{"private"}}},
	{"type=!=definition", cond{"type", Eq, true, false, []any{"definition"}}},
}

func TestParseConditions(t *testing.T) {
	c := messagesCollection(t)
	for _, tt := range conditionCases {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(c, mustQuery(t, tt.query))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(q.Where) != 1 || len(q.Where[0]) != 1 {
				t.Fatalf("Where = %v, want one condition", q.Where)
			}
			if got := toCond(q.Where[0][0]); !sameCond(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			if f, _ := c.Field(tt.want.field); !reflect.DeepEqual(q.Where[0][0].Field, f) {
				t.Errorf("Field = %+v, want the collection's %+v", q.Where[0][0].Field, f)
			}
		})
	}
}

func TestParseGroups(t *testing.T) {
	c := messagesCollection(t)
	// Groups follow the collection's field order; conditions within a group
	// the request's order.
	q, err := Parse(c, mustQuery(t, "state=rejected&tag=b&state=pending&author=x&tag=a&state=!@confirmed"))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, g := range q.Where {
		var conds []string
		for _, cd := range g {
			conds = append(conds, cd.Field.Name+"="+cd.String())
		}
		got = append(got, conds)
	}
	want := [][]string{
		{"author=x"},
		{"tag=b", "tag=a"},
		{"state=rejected", "state=pending", "state=!@confirmed"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Where = %v, want %v", got, want)
	}
	// url.Values may hold a name without values: it is no filter.
	q, err = Parse(c, url.Values{"tag": nil, "sort": {}})
	if err != nil || len(q.Where) != 0 {
		t.Errorf("empty value list: %v, %v", q.Where, err)
	}
}

func TestParseDefaults(t *testing.T) {
	c := messagesCollection(t)
	for _, v := range []url.Values{nil, {}} {
		q, err := Parse(c, v)
		if err != nil {
			t.Fatal(err)
		}
		want := Query{Sort: []SortKey{{"created", true}, {"id", true}}, Limit: DefaultLimit}
		if !reflect.DeepEqual(q, want) {
			t.Errorf("Parse(%v) = %+v, want %+v", v, q, want)
		}
	}
	if _, err := Parse(Collection{}, nil); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("zero Collection: %v, want a programming error", err)
	}
}

func TestParsePaging(t *testing.T) {
	c := messagesCollection(t)
	tests := []struct {
		query       string
		skip, limit int
		count       bool
	}{
		{"skip=0", 0, 25, false},
		{"skip=100&limit=50", 100, 50, false},
		{"limit=1", 0, 1, false},
		{"limit=1000", 0, 1000, false},
		{"limit=0025", 0, 25, false},
		{"skip=9223372036854775807", 9223372036854775807, 25, false},
		{"count=true", 0, 25, true},
		{"count=false", 0, 25, false},
	}
	for _, tt := range tests {
		q, err := Parse(c, mustQuery(t, tt.query))
		if err != nil {
			t.Errorf("%s: %v", tt.query, err)
			continue
		}
		if q.Skip != tt.skip || q.Limit != tt.limit || q.Count != tt.count {
			t.Errorf("%s: skip %d limit %d count %v, want %d %d %v", tt.query, q.Skip, q.Limit, q.Count, tt.skip, tt.limit, tt.count)
		}
	}
}

func TestParseSort(t *testing.T) {
	c := messagesCollection(t)
	tests := []struct {
		query string
		want  []SortKey
	}{
		{"", []SortKey{{"created", true}, {"id", true}}},
		{"sort=sequence", []SortKey{{"sequence", false}, {"id", false}}},
		{"sort=-sequence", []SortKey{{"sequence", true}, {"id", true}}},
		{"sort=state,-created", []SortKey{{"state", false}, {"created", true}, {"id", true}}},
		{"sort=state&sort=-created", []SortKey{{"state", false}, {"created", true}, {"id", true}}},
		{"sort=-created,state", []SortKey{{"created", true}, {"state", false}, {"id", false}}},
		{"sort=id", []SortKey{{"id", false}}},
		{"sort=-id,tag", []SortKey{{"id", true}, {"tag", false}}},
		{"sort=tag,-id", []SortKey{{"tag", false}, {"id", true}}},
	}
	for _, tt := range tests {
		q, err := Parse(c, mustQuery(t, tt.query))
		if err != nil {
			t.Errorf("%s: %v", tt.query, err)
			continue
		}
		if !reflect.DeepEqual(q.Sort, tt.want) {
			t.Errorf("%s: sort %v, want %v", tt.query, q.Sort, tt.want)
		}
	}
}

// errorCases are refused queries, the parameter the error names and a
// fragment of its reason (also fuzz seeds).
var errorCases = []struct {
	query string
	param string // the parameter the error must name
	in    string // a fragment of the reason
}{
	// Unknown field.
	{"nosuch=1", "nosuch", "unknown field"},
	{"Tag=x", "Tag", "unknown field"},
	{"=x", "", "unknown field"},
	// Operator not for the type.
	{"sequence=:5", "sequence", `an int field does not support ":"`},
	{"sequence=^5", "sequence", "does not support"},
	{"created=$Z", "created", "does not support"},
	{"id=>" + uuidAText, "id", `uuid field does not support ">"`},
	{"type=^priv", "type", "enum field does not support"},
	{"state=<pending", "state", "does not support"},
	{"pinned=>false", "pinned", "bool field does not support"},
	{"topics=>a", "topics", "string list field does not support"},
	{"hash=>" + hashAText, "hash", "does not support"},
	// Case-insensitive on a non-string.
	{"state=?pending", "state", "case-insensitive"},
	{"hash=?^ab", "hash", "case-insensitive"},
	{"sequence=?5", "sequence", "case-insensitive"},
	// Misplaced modifiers.
	{"tag=?!x", "tag", "modifiers come first"},
	{"tag=!!x", "tag", "modifiers come first"},
	{"tag=??x", "tag", "modifiers come first"},
	{"tag=!?!x", "tag", "modifiers come first"},
	// Empty patterns.
	{"tag=:", "tag", "pattern is empty"},
	{"tag=!^", "tag", "pattern is empty"},
	{"topics=$", "topics", "pattern is empty"},
	// Bad values.
	{"created=>x", "created", `">x" is not a time`},
	{"created=2024-05-01", "created", "is not a time"},
	{"created=2024-05-01T00:00:00", "created", "is not a time"},
	{"created=2024-05-01T00:00:00,5Z", "created", "is not a time"},
	{"created=10000-01-01T00:00:00Z", "created", "is not a time"},
	{"created=0000-01-01T00:00:00%2B01:00", "created", "is not a time"},
	{"created=9999-12-31T23:00:00-02:00", "created", "is not a time"},
	{"created=253402300800000", "created", "is not a time"},
	{"created=-62167219200001", "created", "is not a time"},
	{"created=@2024-05-01T00:00:00Z,x", "created", `item "x" is not a time`},
	{"sequence=1.5", "sequence", `"1.5" is not a 64-bit integer`},
	{"sequence=9223372036854775808", "sequence", "is not a 64-bit integer"},
	{"sequence=", "sequence", "is not a 64-bit integer"},
	{"sequence=@1,,2", "sequence", `item "" is not`},
	{"sequence=%201", "sequence", "is not a 64-bit integer"},
	{"id=" + uuidAText[:35], "id", "is not a UUID"},
	{"id=" + strings.ReplaceAll(uuidAText, "-", ""), "id", "is not a UUID"},
	{"id=3f2a910c-5b7d-4e1a-8f00-123456789abg", "id", "is not a UUID"},
	{"id=3f2a910c+5b7d-4e1a-8f00-123456789abc", "id", "is not a UUID"},
	{"hash=" + hashAText[1:], "hash", "is not a hash"},
	{"hash=" + hashAText + "0", "hash", "is not a hash"},
	{"hash=^xyz", "hash", "is not a fragment of a hash"},
	{"hash=:" + hashAText + "0", "hash", "is not a fragment of a hash"},
	{"pinned=yes", "pinned", `"yes" is not true or false`},
	{"pinned=True", "pinned", "is not true or false"},
	{"state=Pending", "state", "is not one of pending, confirmed, rejected"},
	{"type=@private,secret", "type", `item "secret" is not one of`},
	// Reserved parameters.
	{"sort=nosuch", "sort", `"nosuch" is not a sortable field`},
	{"sort=topics", "sort", "is not a sortable field"},
	{"sort=hash", "sort", "is not a sortable field"},
	{"sort=-", "sort", "empty field name"},
	{"sort=", "sort", "empty field name"},
	{"sort=tag,,key", "sort", "empty field name"},
	{"sort=--created", "sort", `"-created" is not a sortable field`},
	{"sort=created,-created", "sort", "more than once"},
	{"sort=tag&sort=tag", "sort", "more than once"},
	{"skip=-1", "skip", `"-1" is not an integer of at least 0`},
	{"skip=x", "skip", "is not an integer"},
	{"skip=9223372036854775808", "skip", "is not an integer"},
	{"skip=1&skip=2", "skip", "given 2 times"},
	{"limit=0", "limit", `"0" is not an integer from 1 to 1000`},
	{"limit=1001", "limit", "from 1 to 1000"},
	{"limit=", "limit", "from 1 to 1000"},
	{"limit=1&limit=1", "limit", "given 2 times"},
	{"count=yes", "count", `"yes" is not true or false`},
	{"count=", "count", "is not true or false"},
	{"count=true&count=true", "count", "given 2 times"},
	// Too many values.
	{"tag=@" + strings.Repeat("a,", MaxValues), "tag", "too many values"},
	// The first bad parameter by name is the one reported.
	{"zzz=1&limit=0&aaa=1", "aaa", "unknown field"},
	{"zzz=1&sort=nosuch", "sort", "not a sortable field"},
	{"tag=:&sort=nosuch", "sort", "not a sortable field"},
}

func TestParseErrors(t *testing.T) {
	c := messagesCollection(t)
	for _, tt := range errorCases {
		t.Run(tt.query, func(t *testing.T) {
			_, err := Parse(c, mustQuery(t, tt.query))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %T, want *Error", err)
			}
			if e.Field != tt.param {
				t.Errorf("Field = %q, want %q", e.Field, tt.param)
			}
			if !strings.Contains(e.Reason, tt.in) {
				t.Errorf("Reason = %q, want it to contain %q", e.Reason, tt.in)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.param)) {
				t.Errorf("Error() = %q does not name %q", err, tt.param)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	c := messagesCollection(t)
	tests := map[string]string{
		"created=>x": `filter "created": ">x" is not a time (RFC 3339, or Unix milliseconds, within the years 0000-9999 UTC)`,
		"limit=5000": `parameter "limit": "5000" is not an integer from 1 to 1000`,
		"sort=topics": `parameter "sort": "topics" is not a sortable field (sortable: id, cid, type, author, key, tag, ` +
			`created, confirmed, state, batch, sequence, pinned)`,
		"sequence=~1": `filter "sequence": "~1": an int field does not support ":" (contains); its operators are = > >= < <= @`,
	}
	for query, want := range tests {
		_, err := Parse(c, mustQuery(t, query))
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", query, err, want)
		}
	}
}

func TestManyValuesWithinLimit(t *testing.T) {
	c := messagesCollection(t)
	v := url.Values{"tag": {"@" + strings.Repeat("a,", MaxValues-2) + "a", "b"}}
	q, err := Parse(c, v)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(q.Where[0][0].Values) + len(q.Where[0][1].Values); n != MaxValues {
		t.Errorf("%d values, want %d", n, MaxValues)
	}
}
