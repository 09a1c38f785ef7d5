package query

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

func uid(n byte) [16]byte { return [16]byte{15: n} }

func hashOf(n byte) [32]byte { return [32]byte{0: 0xab, 1: n, 31: n} }

// fixture holds rows with NULLs, ties, case differences and empty values in
// the places where dialects and evaluators tend to disagree.
func fixture() []Row {
	h := func(n time.Duration) time.Time { return may1.Add(n * time.Hour) }
	return []Row{
		{"id": uid(1), "author": "Alice", "tag": "alpha", "topics": []string{"orders", "eu"}, "state": "confirmed",
			"sequence": int64(1), "created": h(0), "confirmed": h(1), "hash": hashOf(1), "pinned": true, "type": "broadcast"},
		{"id": uid(2), "author": "bob", "tag": "Beta", "topics": []string{"orders"}, "state": "pending",
			"sequence": int64(2), "created": h(1), "confirmed": nil, "hash": hashOf(2), "pinned": false, "type": "private"},
		{"id": uid(3), "author": "ALICE", "tag": nil, "topics": nil, "state": "rejected",
			"sequence": int64(3), "created": h(2), "confirmed": h(3), "type": "private"},
		{"id": uid(4), "author": "carol", "tag": "alphabet", "topics": []string{"US"}, "state": "confirmed",
			"created": h(0), "type": "definition"},
		{"id": uid(5), "author": "", "tag": "", "topics": []string{}, "state": "pending",
			"sequence": int64(-5), "created": h(1).In(time.FixedZone("x", 3600)), "type": "broadcast"},
	}
}

func ids(rows []Row) []int {
	var out []int
	for _, r := range rows {
		u, _ := r["id"].([16]byte)
		out = append(out, int(u[15]))
	}
	return out
}

func TestMatches(t *testing.T) {
	c := messagesCollection(t)
	rows := fixture()
	for _, r := range rows {
		if err := c.CheckRow(r); err != nil {
			t.Fatal(err)
		}
	}
	uidText := func(n byte) string { return formatUUID(uid(n)) }
	hash1 := hashOf(1)
	h1 := hex.EncodeToString(hash1[:])
	tests := []struct {
		query string
		want  []int
	}{
		{"", []int{1, 2, 3, 4, 5}},
		{"author=Alice", []int{1}},
		{"author=?alice", []int{1, 3}},
		{"author=!Alice", []int{2, 3, 4, 5}},
		{"author=!?alice", []int{2, 4, 5}},
		{"author=>b", []int{2, 4}},
		{"author=?>b", []int{2, 4}},
		{"author=<B", []int{1, 3, 5}},
		{"tag=!alpha", []int{2, 4, 5}}, // NULL matches no condition, negated or not
		{"tag=:alpha", []int{1, 4}},
		{"tag=!:alpha", []int{2, 5}},
		{"tag=?^b", []int{2}},
		{"tag=^b", nil},
		{"tag=$bet", []int{4}},
		{"tag=", []int{5}},
		{"tag=!", []int{1, 2, 4}},
		{"tag=@alpha,Beta", []int{1, 2}},
		{"tag=!@alpha,Beta", []int{4, 5}},
		{"tag=?@ALPHA,beta", []int{1, 2}},
		{"topics=orders", []int{1, 2}},
		{"topics=!orders", []int{3, 4, 5}}, // an empty or NULL list has no element "orders"
		{"topics=?us", []int{4}},
		{"topics=US", []int{4}},
		{"topics=^e", []int{1}},
		{"topics=!:r", []int{3, 4, 5}},
		{"topics=$s", []int{1, 2}},
		{"topics=@eu,US", []int{1, 4}},
		{"topics=!@eu,US", []int{2, 3, 5}},
		{"sequence=>1", []int{2, 3}},
		{"sequence=!>1", []int{1, 5}},
		{"sequence=<=1", []int{1, 5}},
		{"sequence=>=-5", []int{1, 2, 3, 5}},
		{"sequence=@1,3", []int{1, 3}},
		{"created=>2024-05-01T00:00:00Z", []int{2, 3, 5}},
		{"created=2024-05-01T00:00:00Z", []int{1, 4}},
		{"created=2024-05-01T02:00:00%2B01:00", []int{2, 5}},
		{"created=<1714525200000", []int{1, 4}},
		{"confirmed=>=2024-05-01T01:00:00Z", []int{1, 3}},
		{"confirmed=!<2024-05-01T03:00:00Z", []int{3}},
		{"state=pending&state=rejected", []int{2, 3, 5}},
		{"state=!pending&state=!rejected", []int{1, 2, 3, 4, 5}},
		{"state=!@pending,rejected", []int{1, 4}},
		{"state=confirmed&author=?^a", []int{1}},
		{"author=?alice&tag=alpha&tag=Beta", []int{1}},
		{"hash=^" + h1[:6], []int{1}},
		{"hash=?" + h1, nil}, // refused by Parse; see below
		{"hash=^AB", []int{1, 2}},
		{"hash=$" + h1[60:], []int{1}},
		{"hash=:ab01", []int{1}},
		{"hash=" + h1, []int{1}},
		{"hash=!" + h1, []int{2}},
		{"id=" + uidText(3), []int{3}},
		{"id=!@" + uidText(1) + "," + uidText(2), []int{3, 4, 5}},
		{"pinned=true", []int{1}},
		{"pinned=!true", []int{2}},
		{"type=private", []int{2, 3}},
		{"type=@private,definition&sequence=!3", []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(c, mustQuery(t, tt.query+"&sort=id&limit=1000"))
			if tt.want == nil && err != nil {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			page, total := q.Apply(rows)
			if got := ids(page); !slices.Equal(got, tt.want) || total != len(tt.want) {
				t.Errorf("got %v (total %d), want %v", got, total, tt.want)
			}
		})
	}
}

func TestSortAndPage(t *testing.T) {
	c := messagesCollection(t)
	rows := fixture()
	tests := []struct {
		query string
		want  []int
		total int
	}{
		{"", []int{3, 5, 2, 4, 1}, 5}, // default: -created, then -id
		{"sort=created", []int{1, 4, 2, 5, 3}, 5},
		{"sort=sequence", []int{4, 5, 1, 2, 3}, 5}, // NULL first ascending
		{"sort=-sequence", []int{3, 2, 1, 5, 4}, 5},
		{"sort=tag", []int{3, 5, 2, 1, 4}, 5}, // byte order: "" < "Beta" < "alpha"
		{"sort=pinned", []int{3, 4, 5, 2, 1}, 5},
		{"sort=-pinned", []int{1, 2, 5, 4, 3}, 5},
		{"sort=confirmed,-author", []int{4, 2, 5, 1, 3}, 5},
		{"sort=type,state", []int{1, 5, 4, 2, 3}, 5},
		{"sort=-id", []int{5, 4, 3, 2, 1}, 5},
		{"sort=sequence&skip=1&limit=2", []int{5, 1}, 5},
		{"sort=sequence&skip=4&limit=2", []int{3}, 5},
		{"sort=sequence&skip=5", nil, 5},
		{"skip=9223372036854775807", nil, 5},
		{"state=pending&limit=1", []int{5}, 2},
	}
	for _, tt := range tests {
		q, err := Parse(c, mustQuery(t, tt.query))
		if err != nil {
			t.Fatal(err)
		}
		page, total := q.Apply(rows)
		if got := ids(page); !slices.Equal(got, tt.want) || total != tt.total {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", tt.query, got, total, tt.want, tt.total)
		}
		// Reversing every direction reverses the order, thanks to the
		// tie-breaker taking the last key's direction.
		rq := q
		rq.Sort = nil
		for _, k := range q.Sort {
			rq.Sort = append(rq.Sort, SortKey{k.Field, !k.Desc})
		}
		rq.Skip, rq.Limit, rq.Where = 0, 0, nil
		all, _ := rq.Apply(rows)
		forward := slices.Clone(all)
		slices.SortStableFunc(forward, q.Compare)
		slices.Reverse(forward)
		if !reflect.DeepEqual(ids(all), ids(forward)) {
			t.Errorf("%s: reversed sort %v is not the reverse of %v", tt.query, ids(all), ids(forward))
		}
	}
}

type namedUUID [16]byte

func TestMatchesLenient(t *testing.T) {
	c := messagesCollection(t)
	q, err := Parse(c, mustQuery(t, fmt.Sprintf("id=%s&sequence=>1&author=?^a&topics=x", formatUUID(uid(7)))))
	if err != nil {
		t.Fatal(err)
	}
	seq := int32(2)
	author := "Ann"
	row := Row{"id": namedUUID(uid(7)), "sequence": &seq, "author": &author, "topics": []named{"x"}}
	if !q.Matches(row) {
		t.Error("named and pointer types are not read as their underlying types")
	}
	// A mistyped value is NULL, and a hand-built condition with values of the
	// wrong type matches nothing; neither panics.
	row["sequence"] = "2"
	if q.Matches(row) {
		t.Error("a string in an int field matched")
	}
	f, _ := c.Field("sequence")
	for _, op := range []Op{Eq, Gt, Contains, In, Op(0)} {
		cond := Condition{Field: f, Op: op, Values: []any{"x", 1.5}}
		if cond.Matches(Row{"sequence": int64(1)}) {
			t.Errorf("hand-built %v condition with mistyped values matched", op)
		}
	}
	// Compare stays total on mistyped rows.
	q = Query{Sort: []SortKey{{Field: "sequence"}}}
	if q.Compare(Row{"sequence": 1.5}, Row{"sequence": int64(1)}) >= 0 {
		t.Error("a value of no evaluator type (NULL) does not sort first")
	}
	if q.Compare(Row{"sequence": true}, Row{"sequence": int64(1)}) == 0 {
		t.Error("values of different types compare equal")
	}
	if !q.Less(Row{}, Row{"sequence": int64(1)}) {
		t.Error("NULL does not sort first")
	}
}
