package query

import (
	"net/url"
	"strconv"
	"strings"
)

// Values writes q back as query parameters, for example to build the link to
// the next page. For a Query that Parse returned, Parse(c, q.Values()) gives q
// again (the sort is written out in full, the tie-breaker included). A
// hand-built in-list whose string values hold commas cannot be written.
func (q Query) Values() url.Values {
	v := url.Values{}
	for _, group := range q.Where {
		for _, c := range group {
			v.Add(c.Field.Name, c.String())
		}
	}
	if len(q.Sort) > 0 {
		keys := make([]string, len(q.Sort))
		for i, k := range q.Sort {
			keys[i] = k.Field
			if k.Desc {
				keys[i] = "-" + k.Field
			}
		}
		v.Set(ParamSort, strings.Join(keys, ","))
	}
	if q.Skip != 0 {
		v.Set(ParamSkip, strconv.Itoa(q.Skip))
	}
	v.Set(ParamLimit, strconv.Itoa(q.Limit))
	if q.Count {
		v.Set(ParamCount, "true")
	}
	return v
}

// String writes the condition as a filter value: "!?>=5", "@a,b", "pending".
// The operator is left out only for an equality whose operand cannot be
// mistaken for a prefix.
func (c Condition) String() string {
	var b strings.Builder
	if c.Not {
		b.WriteByte('!')
	}
	if c.Fold {
		b.WriteByte('?')
	}
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		vals[i] = formatValue(v)
	}
	operand := strings.Join(vals, ",")
	if c.Op != Eq || operand != "" && strings.ContainsAny(operand[:1], prefixChars) {
		b.WriteString(c.Op.String())
	}
	b.WriteString(operand)
	return b.String()
}

// prefixChars are the characters that may begin a modifier or an operator.
const prefixChars = "!?=<>:~^$@"
