package canonicaljson

import (
	"cmp"
	"slices"
	"unicode/utf8"
)

// member is one object member already written to the output, in input order.
// It holds offsets, not slices, because nested values grow both buffers.
type member struct {
	keyStart, keyEnd int // decoded key text in parser.keys
	start, end       int // the member's `"key":value` encoding in the output
}

// linearDupLimit is how many members an unsorted object may have before
// duplicate keys are looked up in a map rather than by scanning: scanning is
// cheaper for the few members of real objects, a map keeps hostile ones
// linear.
const linearDupLimit = 16

// object writes the members as they come, checking each key against the
// previous one. Input that is already in canonical order (the common case for
// stored values) needs no further work; otherwise the members are reordered
// once the object is closed.
func (p *parser) object(dst []byte) ([]byte, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '{'
	dst = append(dst, '{')
	body := len(dst)
	base, keyBase := len(p.members), len(p.keys)
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		p.depth--
		return append(dst, '}'), nil
	}
	sorted := true
	var seen map[string]struct{} // built once an unsorted object grows large
	for {
		p.skipSpace()
		if len(p.members) > base {
			dst = append(dst, ',')
		}
		var m member
		var err error
		if dst, m, err = p.member(dst); err != nil {
			return nil, err
		}
		key := p.keys[m.keyStart:m.keyEnd]
		if n := len(p.members) - base; n > 0 {
			last := p.members[len(p.members)-1]
			// While keys ascend, a new greater key cannot repeat an earlier one.
			if !sorted || compareUTF16(p.keys[last.keyStart:last.keyEnd], key) >= 0 {
				sorted = false
				if p.isDuplicate(base, key, &seen) {
					return nil, p.fail("duplicate key %q", key)
				}
			}
		}
		p.members = append(p.members, m)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			if !sorted && !p.validateOnly {
				dst = p.sortMembers(dst, body, base)
			}
			p.members, p.keys = p.members[:base], p.keys[:keyBase]
			return append(dst, '}'), nil
		default:
			return nil, p.fail("expected ',' or '}' in object")
		}
	}
}

// member writes one `"key":value` and records where its key and encoding are.
func (p *parser) member(dst []byte) ([]byte, member, error) {
	if p.peek() != '"' {
		return nil, member{}, p.fail("expected a string key")
	}
	p.pos++ // opening quote
	m := member{keyStart: len(p.keys), start: len(dst)}
	var err error
	if p.keys, err = p.str(p.keys, false); err != nil {
		return nil, member{}, err
	}
	m.keyEnd = len(p.keys)
	if !p.validateOnly {
		dst = appendString(dst, p.keys[m.keyStart:m.keyEnd])
	}
	p.skipSpace()
	if p.peek() != ':' {
		return nil, member{}, p.fail("expected ':' after key")
	}
	p.pos++
	dst = append(dst, ':')
	p.skipSpace()
	if dst, err = p.value(dst); err != nil {
		return nil, member{}, err
	}
	m.end = len(dst)
	return dst, m, nil
}

// isDuplicate reports whether key equals the key of a member of the current
// object (those from base on), keeping *seen up to date once it exists.
func (p *parser) isDuplicate(base int, key []byte, seen *map[string]struct{}) bool {
	if *seen == nil && len(p.members)-base < linearDupLimit {
		for _, m := range p.members[base:] {
			if string(p.keys[m.keyStart:m.keyEnd]) == string(key) {
				return true
			}
		}
		return false
	}
	if *seen == nil {
		*seen = make(map[string]struct{}, 2*linearDupLimit)
		for _, m := range p.members[base:] {
			(*seen)[string(p.keys[m.keyStart:m.keyEnd])] = struct{}{}
		}
	}
	if _, dup := (*seen)[string(key)]; dup {
		return true
	}
	(*seen)[string(key)] = struct{}{}
	return false
}

// sortMembers rewrites the members of the object whose body starts at body in
// JCS order.
func (p *parser) sortMembers(dst []byte, body, base int) []byte {
	members := p.members[base:]
	slices.SortFunc(members, func(a, b member) int {
		return compareUTF16(p.keys[a.keyStart:a.keyEnd], p.keys[b.keyStart:b.keyEnd])
	})
	p.scratch = append(p.scratch[:0], dst[body:]...)
	dst = dst[:body]
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, p.scratch[m.start-body:m.end-body]...)
	}
	return dst
}

// compareUTF16 orders two valid UTF-8 texts by their UTF-16 code units, the
// order JCS sorts keys in. It equals byte (code point) order except that
// characters above U+FFFF, encoded as surrogates 0xD800..0xDFFF, sort before
// U+E000..U+FFFF; that is only decided at the first character that differs.
func compareUTF16(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return cmp.Compare(len(a), len(b))
	}
	if a[i] < utf8.RuneSelf && b[i] < utf8.RuneSelf {
		return cmp.Compare(a[i], b[i])
	}
	for i > 0 && !utf8.RuneStart(a[i]) { // back to the start of the differing characters
		i--
	}
	ra, _ := utf8.DecodeRune(a[i:])
	rb, _ := utf8.DecodeRune(b[i:])
	if ua, ub := firstUnit(ra), firstUnit(rb); ua != ub {
		return cmp.Compare(ua, ub)
	}
	return cmp.Compare(ra, rb)
}

// firstUnit is the first UTF-16 code unit of r.
func firstUnit(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}
