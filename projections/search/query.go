package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a query string.
const (
	MaxQueryBytes = 1024
	MaxClauses    = 32
)

// Query is a parsed query string: every clause that is not excluded must
// match, and no excluded one may. No clause matches everything.
type Query struct {
	Clauses []Clause
}

// Clause is one condition of a Query.
type Clause struct {
	// Field is a declared field, or "" for Text.
	Field string
	// Value is the word or phrase, without quotes or '*'. A Text prefix is
	// in lower case; everything else is as typed.
	Value string
	// Quoted: the value was a "phrase". For Text a word and a phrase mean
	// the same (the words in sequence); for a field both are the exact value.
	Quoted bool
	// Prefix: match words (Text) or values (a field) that start with Value.
	Prefix bool
	// Exclude: documents matching the clause are excluded.
	Exclude bool
}

// Positive returns the clauses that must match.
func (q Query) Positive() []Clause { return q.filter(false) }

// Negative returns the excluded clauses.
func (q Query) Negative() []Clause { return q.filter(true) }

func (q Query) filter(exclude bool) []Clause {
	var out []Clause
	for _, c := range q.Clauses {
		if c.Exclude == exclude {
			out = append(out, c)
		}
	}
	return out
}

// String writes q back in the query language; ParseQuery(q.String()) gives q.
func (q Query) String() string {
	parts := make([]string, len(q.Clauses))
	for i, c := range q.Clauses {
		parts[i] = c.String()
	}
	return strings.Join(parts, " ")
}

// String writes the clause in the query language.
func (c Clause) String() string {
	var b strings.Builder
	if c.Exclude {
		b.WriteByte('-')
	}
	if c.Field != "" {
		b.WriteString(c.Field)
		b.WriteByte(':')
	}
	if c.Quoted {
		b.WriteString(`"` + c.Value + `"`)
	} else {
		b.WriteString(c.Value)
	}
	if c.Prefix {
		b.WriteByte('*')
	}
	return b.String()
}

// ParseQuery parses a query string of the package's language (see the
// package doc). Errors wrap ErrInvalidQuery and say where the problem is.
func ParseQuery(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return Query{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidQuery, MaxQueryBytes)
	}
	if !utf8.ValidString(s) {
		return Query{}, fmt.Errorf("%w: not valid UTF-8", ErrInvalidQuery)
	}
	p := parser{s: s}
	var q Query
	for {
		p.skipSpace()
		if p.i == len(s) {
			return q, nil
		}
		if len(q.Clauses) == MaxClauses {
			return Query{}, fmt.Errorf("%w: more than %d clauses", ErrInvalidQuery, MaxClauses)
		}
		c, err := p.clause()
		if err != nil {
			return Query{}, fmt.Errorf("%w: at offset %d: %w", ErrInvalidQuery, p.i, err)
		}
		q.Clauses = append(q.Clauses, c)
	}
}

type parser struct {
	s string
	i int // byte offset of the next rune
}

func (p *parser) peek() (rune, int) {
	if p.i >= len(p.s) {
		return 0, 0
	}
	return utf8.DecodeRuneInString(p.s[p.i:])
}

func (p *parser) atEnd() bool {
	r, _ := p.peek()
	return p.i == len(p.s) || unicode.IsSpace(r)
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		r, n := p.peek()
		if !unicode.IsSpace(r) {
			return
		}
		p.i += n
	}
}

func (p *parser) clause() (Clause, error) {
	var c Clause
	if strings.HasPrefix(p.s[p.i:], "-") {
		c.Exclude = true
		p.i++
		if p.atEnd() || p.s[p.i] == '-' {
			return c, fmt.Errorf("'-' must be followed by a clause")
		}
	}
	if name, ok := p.fieldName(); ok {
		if _, declared := LookupField(name); !declared {
			return c, fmt.Errorf("unknown field %q (fields: %s; quote text that contains a colon)", name, strings.Join(fieldNames(), ", "))
		}
		c.Field = name
		p.i += len(name) + 1
		if p.atEnd() {
			return c, fmt.Errorf("field %q has no value", name)
		}
	}
	if p.s[p.i] == '"' {
		return p.phrase(c)
	}
	return p.word(c)
}

// fieldName reports a run of lower-case ASCII letters followed by ':'.
func (p *parser) fieldName() (string, bool) {
	j := p.i
	for j < len(p.s) && p.s[j] >= 'a' && p.s[j] <= 'z' {
		j++
	}
	if j == p.i || j == len(p.s) || p.s[j] != ':' {
		return "", false
	}
	return p.s[p.i:j], true
}

func (p *parser) phrase(c Clause) (Clause, error) {
	end := strings.IndexByte(p.s[p.i+1:], '"')
	if end < 0 {
		return c, fmt.Errorf("unterminated quote")
	}
	c.Value, c.Quoted = p.s[p.i+1:p.i+1+end], true
	p.i += end + 2
	if !p.atEnd() {
		return c, fmt.Errorf("a closing quote must be followed by a space or the end (no '*' after a phrase)")
	}
	if c.Field == "" && !hasWordChar(c.Value) {
		return c, fmt.Errorf("phrase %q has no letter or digit", c.Value)
	}
	if c.Value == "" {
		return c, fmt.Errorf("empty phrase for field %q", c.Field)
	}
	return c, nil
}

func (p *parser) word(c Clause) (Clause, error) {
	start := p.i
	for !p.atEnd() {
		r, n := p.peek()
		if r == '"' {
			return c, fmt.Errorf("a quote inside a word")
		}
		p.i += n
	}
	w := p.s[start:p.i]
	if c.Prefix = strings.HasSuffix(w, "*"); c.Prefix {
		w = w[:len(w)-1]
		if w == "" {
			return c, fmt.Errorf("'*' must follow at least one character")
		}
	}
	if strings.Contains(w, "*") {
		return c, fmt.Errorf("'*' is only allowed at the end of a word")
	}
	switch {
	case c.Field != "":
	case c.Prefix:
		if !hasWordChar(w) || strings.IndexFunc(w, func(r rune) bool { return !isPrefixRune(r) }) >= 0 {
			return c, fmt.Errorf("prefix %q must be one word of letters, digits and '_'", w)
		}
		w = strings.ToLower(w)
	case !hasWordChar(w):
		return c, fmt.Errorf("word %q has no letter or digit", w)
	}
	c.Value = w
	return c, nil
}

func hasWordChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
}

func isPrefixRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || r == '_'
}
