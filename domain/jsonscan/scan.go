package jsonscan

// MaxDepth is encoding/json's nesting limit: Valid refuses deeper values.
const MaxDepth = 10000

// Kind is the kind of a leaf Walk reports.
type Kind uint8

// The leaves Walk reports. true, false and null are not reported: no caller
// has needed them.
const (
	// String is a string value (never an object key), its raw bytes as
	// written: quotes and escapes included, UTF-8 not checked.
	String Kind = iota + 1
	// Number is a number, its raw bytes as written ("120.50", "-4e2").
	Number
)

// Leaf receives a leaf of the walked value: its kind and its bytes in the
// input, which it must not change.
type Leaf func(kind Kind, raw []byte)

// Valid reports whether b is one JSON value, with optional white space
// around it: encoding/json.Valid's answer for every input (strings may hold
// invalid UTF-8, as there).
func Valid(b []byte) bool {
	return Walk(b, MaxDepth, nil)
}

// Walk reports whether b is one JSON value with optional white space around
// it, nested at most maxDepth deep (the outermost object or array is at
// depth 1), and calls leaf, unless it is nil, for each string value and
// number in document order. On invalid input, leaf has seen the leaves before
// the first error. With maxDepth = MaxDepth, the answer is Valid's.
func Walk(b []byte, maxDepth int, leaf Leaf) bool {
	w := walker{maxDepth: maxDepth, leaf: leaf}
	i, ok := w.value(b, SkipSpace(b, 0), 1)
	return ok && SkipSpace(b, i) == len(b)
}

// Prefix reports whether b, after optional white space, starts with one
// JSON value nested at most MaxDepth deep, and returns the index just after
// it; what follows is not looked at. It is the value a json.Decoder's
// Decode reads from b: callers that replace a Decoder (and its copy of the
// whole input) judge the rest themselves.
func Prefix(b []byte) (end int, ok bool) {
	w := walker{maxDepth: MaxDepth}
	return w.value(b, SkipSpace(b, 0), 1)
}

// walker holds what Walk's recursion does not change. The input and the
// position travel as arguments and results, which keeps them in registers.
type walker struct {
	maxDepth int
	leaf     Leaf
}

// value reads the value at b[i:], at nesting depth (1 for the top level's
// object or array), and returns the index after it.
func (w *walker) value(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		if w.leaf == nil {
			return str(b, i)
		}
		return w.report(String, b, i, str)
	case c == '{':
		return w.members(b, i, depth, '}')
	case c == '[':
		return w.members(b, i, depth, ']')
	case c == '-' || c >= '0' && c <= '9':
		if w.leaf == nil {
			return number(b, i)
		}
		return w.report(Number, b, i, number)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return i, false
}

// report reads the leaf at b[i] with read and passes it to w.leaf. Valid
// never comes here: with nothing kept across the read, its calls stay as
// cheap as they were before Walk had leaves (a tenth of Valid's time).
func (w *walker) report(kind Kind, b []byte, i int, read func([]byte, int) (int, bool)) (int, bool) {
	end, ok := read(b, i)
	if ok {
		w.leaf(kind, b[i:end])
	}
	return end, ok
}

// members reads the object or array opening at b[i] up to its closing
// bracket ('}' or ']'). The two differ only in that an object's members
// start with a key and a colon.
func (w *walker) members(b []byte, i, depth int, closing byte) (int, bool) {
	if depth > w.maxDepth {
		return i, false
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == closing {
		return i + 1, true
	}
	for {
		var ok bool
		if closing == '}' {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			if i, ok = str(b, i); !ok { // keys are not leaves
				return i, false
			}
			if i = SkipSpace(b, i); i >= len(b) || b[i] != ':' {
				return i, false
			}
			i = SkipSpace(b, i+1)
		}
		if i, ok = w.value(b, i, depth+1); !ok {
			return i, false
		}
		switch i = SkipSpace(b, i); {
		case i >= len(b):
			return i, false
		case b[i] == ',':
			i = SkipSpace(b, i+1)
		case b[i] == closing:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// endsRun marks the bytes a string's run of plain bytes stops at: the
// closing quote, a backslash, and the control characters a string may not
// hold.
var endsRun = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// str reads the string starting at b[i] == '"': no control characters,
// only JSON's escapes. It is the hot loop of both callers (ids, hashes and
// text are strings), hence one table look-up per plain byte rather than
// three comparisons.
func str(b []byte, i int) (int, bool) {
	for i++; i < len(b); {
		c := b[i]
		if !endsRun[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		}
		// c == '\\'
		if i+1 >= len(b) {
			return i, false
		}
		switch b[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
				return i, false
			}
			i += 6
		default:
			return i, false
		}
	}
	return i, false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func number(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b) || !isDigit(b[i]):
		return i, false
	case b[i] == '0':
		i++
	default:
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, true
}

func literal(b []byte, i int, word string) (int, bool) {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return i, false
	}
	return i + len(word), true
}
