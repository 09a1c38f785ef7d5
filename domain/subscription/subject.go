package subscription

import (
	"strings"
	"unicode"
)

// maxSubject bounds a subject template, and a rendered subject: AMQP
// routing keys are at most 255 bytes.
const maxSubject = 255

// SubjectFields are the event fields a subject template may name.
type SubjectFields struct {
	Namespace string
	Type      string
	// Topic is the message's first topic.
	Topic  string
	Tag    string
	Author string
}

// Subject is a parsed subject (NATS) or routing key (AMQP) template:
// dot-separated tokens of literal text and placeholders {namespace},
// {type}, {topic}, {tag} and {author}.
type Subject struct {
	parts []subjectPart
}

type subjectPart struct {
	literal string
	field   string // a placeholder's name; empty for a literal
}

// subjectFields are the placeholders and how to read them.
var subjectFields = map[string]func(SubjectFields) string{
	"namespace": func(f SubjectFields) string { return f.Namespace },
	"type":      func(f SubjectFields) string { return f.Type },
	"topic":     func(f SubjectFields) string { return f.Topic },
	"tag":       func(f SubjectFields) string { return f.Tag },
	"author":    func(f SubjectFields) string { return f.Author },
}

// ParseSubject reads a template. It refuses unknown placeholders,
// unbalanced braces, wildcards (* and >), white space and empty tokens,
// so that every rendered subject is a valid NATS subject and AMQP topic
// routing key.
func ParseSubject(tmpl string) (Subject, error) {
	if tmpl == "" || len(tmpl) > maxSubject {
		return Subject{}, invalid("options.subject", "a template is 1 to %d bytes long", maxSubject)
	}
	var s Subject
	rest := tmpl
	for rest != "" {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			s.parts = append(s.parts, subjectPart{literal: rest})
			break
		}
		if rest[open] == '}' {
			return Subject{}, invalid("options.subject", "%q: a } without its {", tmpl)
		}
		if open > 0 {
			s.parts = append(s.parts, subjectPart{literal: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return Subject{}, invalid("options.subject", "%q: a { without its }", tmpl)
		}
		name := rest[open+1 : open+end]
		if _, ok := subjectFields[name]; !ok {
			return Subject{}, invalid("options.subject", "%q: {%s} is not one of {namespace}, {type}, {topic}, {tag}, {author}",
				tmpl, name)
		}
		s.parts = append(s.parts, subjectPart{field: name})
		rest = rest[open+end+1:]
	}
	for _, p := range s.parts {
		if strings.ContainsFunc(p.literal, func(r rune) bool { return unicode.IsSpace(r) || r == '*' || r == '>' }) {
			return Subject{}, invalid("options.subject", "%q: no white space or wildcards (* >) in a subject", tmpl)
		}
	}
	// Placeholders never render empty (see token), so a literal check of
	// the tokens with every placeholder as "x" finds every empty token.
	for _, tok := range strings.Split(s.render(func(string) string { return "x" }), ".") {
		if tok == "" {
			return Subject{}, invalid("options.subject", "%q: empty token (a leading, trailing or double dot)", tmpl)
		}
	}
	return s, nil
}

// Render fills the template with f's fields. A value is made one valid
// token: characters other than letters, digits and -_:/=+@~ become _, an
// empty value is _, and the result is cut at 255 bytes.
func (s Subject) Render(f SubjectFields) string {
	out := s.render(func(name string) string { return token(subjectFields[name](f)) })
	if len(out) > maxSubject {
		// A cut may end on a dot; an empty last token is not a subject.
		out = strings.TrimRight(strings.ToValidUTF8(out[:maxSubject], ""), ".")
	}
	return out
}

func (s Subject) render(value func(string) string) string {
	var b strings.Builder
	for _, p := range s.parts {
		if p.field == "" {
			b.WriteString(p.literal)
			continue
		}
		b.WriteString(value(p.field))
	}
	return b.String()
}

func token(v string) string {
	if v == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_:/=+@~", r) {
			return r
		}
		return '_'
	}, v)
}
