package readmodel

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// gen draws rows and requests from small pools of values, so that filters
// hit, sorts tie and NULLs meet every operator. The pools hold the values
// where SQL and the reference semantics are most likely to part: case
// variants, non-ASCII and invalid UTF-8, LIKE wildcards and quotes, the
// extremes of int64, and times a nanosecond apart.
type gen struct{ rng *rand.Rand }

var strPool = []string{
	"", "a", "A", "ab", "aB", "Ab", "abc", "b", "ba", "B", "zz", "Zz",
	"a%b", "a_b", "x'y", `q"q`, `back\slash`, "é", "É", "ée", "日本",
	"\xff", "a\xffb", "tab\tx", "nul\x00x", "~tilde", "x!y", "<lt",
}

var intPool = []int64{0, 1, -1, 2, 7, 42, -42, 1000, math.MinInt64, math.MaxInt64, math.MaxInt64 - 1}

var timePool = func() []time.Time {
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	return []time.Time{
		base, base.Add(time.Nanosecond), base.Add(-time.Nanosecond), base.Add(time.Millisecond),
		base.Add(time.Hour), base.Add(-24 * time.Hour), time.Unix(0, 0).UTC(),
		time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2250, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 5, 1, 14, 0, 0, 0, time.FixedZone("+02", 7200)), // base again, in another zone
	}
}()

var uuidPool = [][16]byte{
	{}, {15: 1}, {0: 0x7f, 15: 2}, {0: 0x80}, {0: 0xab, 1: 0xcd, 8: 0x80, 15: 3},
	{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
}

var hashPool = [][32]byte{{}, {0: 0xab, 31: 1}, {0: 0xab, 1: 0xcd}, {0: 0x3f, 1: 0xa9, 30: 0xab}, {0: 0xff, 31: 0xff}}

func (g gen) pick(n int) int        { return g.rng.Intn(n) }
func (g gen) chance(p float64) bool { return g.rng.Float64() < p }

// rows returns n rows of tb in a few namespaces (most in "ns"), each key
// unique, every other field NULL now and then.
func (g gen) rows(tb *projections.Table, n int) []query.Row {
	out := make([]query.Row, n)
	for i := range out {
		ns := "ns"
		switch r := g.pick(10); {
		case r < 2:
			ns = "other"
		case r < 3:
			ns = "NS"
		}
		row := query.Row{projections.NamespaceField: ns}
		for _, f := range tb.Fields()[1:] {
			if f.Name == tb.Key() {
				row[f.Name] = g.key(f, i)
				continue
			}
			if g.chance(0.15) {
				if g.chance(0.5) {
					row[f.Name] = nil
				}
				continue
			}
			row[f.Name] = g.value(f)
		}
		out[i] = row
	}
	return out
}

// key is a unique value of the key field f for row i.
func (g gen) key(f query.Field, i int) any {
	switch f.Type {
	case query.String:
		return strPool[g.pick(len(strPool))] + "#" + strconv.Itoa(i)
	case query.UUID:
		u := uuidPool[g.pick(len(uuidPool))]
		u[14], u[15] = byte(i>>8), byte(i)
		return u
	case query.Int:
		return int64(i)*7 - 100
	case query.Time:
		return timePool[0].Add(time.Duration(i) * time.Second)
	case query.Hash:
		h := hashPool[g.pick(len(hashPool))]
		h[30], h[31] = byte(i>>8), byte(i)
		return h
	}
	panic(fmt.Sprintf("no key generator for %s", f.Type))
}

func (g gen) value(f query.Field) any {
	switch f.Type {
	case query.String:
		return strPool[g.pick(len(strPool))]
	case query.Int:
		return intPool[g.pick(len(intPool))]
	case query.Time:
		return timePool[g.pick(len(timePool))]
	case query.UUID:
		return uuidPool[g.pick(len(uuidPool))]
	case query.Hash:
		return hashPool[g.pick(len(hashPool))]
	case query.Bool:
		return g.chance(0.5)
	case query.Enum:
		return f.Enum[g.pick(len(f.Enum))]
	case query.StringList:
		l := make([]string, g.pick(4))
		for i := range l {
			l[i] = strPool[g.pick(len(strPool))]
		}
		return l
	}
	panic(fmt.Sprintf("no value generator for %s", f.Type))
}

// opsOf lists the operator prefixes a field of type t takes (package
// query's documentation).
func opsOf(t query.Type) []string {
	switch t {
	case query.String:
		return []string{"=", ">", ">=", "<", "<=", ":", "~", "^", "$", "@"}
	case query.StringList, query.Hash:
		return []string{"=", ":", "^", "$", "@"}
	case query.Int, query.Time:
		return []string{"=", ">", ">=", "<", "<=", "@"}
	}
	return []string{"=", "@"}
}

const prefixChars = "!?=<>:~^$@"

// params draws a request on tb: a few filters (some repeated, so ORed),
// perhaps a sort, skip, limit and count.
func (g gen) params(tb *projections.Table) url.Values {
	v := url.Values{}
	fields := tb.Fields()
	for range g.pick(4) {
		f := fields[g.pick(len(fields))]
		for range 1 + g.pick(2) {
			v.Add(f.Name, g.filter(f))
		}
	}
	if g.chance(0.6) {
		var sortable []string
		for _, f := range fields {
			if f.Sortable {
				sortable = append(sortable, f.Name)
			}
		}
		g.rng.Shuffle(len(sortable), func(i, j int) { sortable[i], sortable[j] = sortable[j], sortable[i] })
		keys := sortable[:1+g.pick(3)]
		for i := range keys {
			if g.chance(0.5) {
				keys[i] = "-" + keys[i]
			}
		}
		v.Set(query.ParamSort, strings.Join(keys, ","))
	}
	if g.chance(0.3) {
		v.Set(query.ParamSkip, strconv.Itoa(g.pick(60)))
	}
	if g.chance(0.7) {
		v.Set(query.ParamLimit, strconv.Itoa(1+g.pick(80)))
	}
	if g.chance(0.5) {
		v.Set(query.ParamCount, "true")
	}
	return v
}

// filter draws one filter value: [!][?][operator]operand.
func (g gen) filter(f query.Field) string {
	var b strings.Builder
	if g.chance(0.3) {
		b.WriteString("!")
	}
	fold := (f.Type == query.String || f.Type == query.StringList) && g.chance(0.3)
	if fold {
		b.WriteString("?")
	}
	ops := opsOf(f.Type)
	op := ops[g.pick(len(ops))]
	var operand string
	if op == "@" {
		items := make([]string, 1+g.pick(3))
		for i := range items {
			items[i] = g.operand(f, "=")
		}
		operand = strings.Join(items, ",")
	} else {
		operand = g.operand(f, op)
	}
	if op != "=" || operand == "" || strings.ContainsAny(operand[:1], prefixChars) || g.chance(0.5) {
		b.WriteString(op)
	}
	b.WriteString(operand)
	return b.String()
}

func (g gen) operand(f query.Field, op string) string {
	pattern := op == ":" || op == "~" || op == "^" || op == "$"
	switch f.Type {
	case query.String, query.StringList:
		s := strPool[g.pick(len(strPool))]
		if pattern {
			s = g.fragment(s, op)
		}
		return g.recase(s)
	case query.Int:
		n := intPool[g.pick(len(intPool))]
		if g.chance(0.2) && n != math.MaxInt64 {
			n++
		}
		return strconv.FormatInt(n, 10)
	case query.Time:
		return g.timeOperand()
	case query.UUID:
		u := uuidPool[g.pick(len(uuidPool))]
		h := hex.EncodeToString(u[:])
		return g.recase(h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
	case query.Hash:
		h := hashPool[g.pick(len(hashPool))]
		s := hex.EncodeToString(h[:])
		if pattern {
			s = g.fragment(s, op)
		}
		return g.recase(s)
	case query.Bool:
		return strconv.FormatBool(g.chance(0.5))
	case query.Enum:
		return f.Enum[g.pick(len(f.Enum))]
	}
	return ""
}

// fragment cuts a non-empty piece of s that a pattern op is likely to find.
func (g gen) fragment(s, op string) string {
	if s == "" {
		return "a"
	}
	i, j := 0, len(s)
	switch op {
	case "^":
		j = 1 + g.pick(len(s))
	case "$":
		i = g.pick(len(s))
	default:
		i = g.pick(len(s))
		j = i + 1 + g.pick(len(s)-i)
	}
	return s[i:j]
}

// recase flips the case of some ASCII letters.
func (g gen) recase(s string) string {
	if !g.chance(0.3) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if g.chance(0.5) {
			switch {
			case c >= 'a' && c <= 'z':
				b[i] = c - 'a' + 'A'
			case c >= 'A' && c <= 'Z':
				b[i] = c - 'A' + 'a'
			}
		}
	}
	return string(b)
}

func (g gen) timeOperand() string {
	t := timePool[g.pick(len(timePool))]
	switch g.pick(6) {
	case 0:
		return strconv.FormatInt(t.UnixMilli(), 10)
	case 1:
		return t.In(time.FixedZone("", -5*3600)).Format(time.RFC3339Nano)
	case 2:
		// Times a filter may name that no read model needs to store.
		return []string{"0000-01-01T00:00:00Z", "1000-06-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "-62000000000000"}[g.pick(4)]
	}
	return t.UTC().Format(time.RFC3339Nano)
}
