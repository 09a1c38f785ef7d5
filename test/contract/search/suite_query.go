package search

import (
	"testing"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

const ns1 = "ns1"

// corpus indexes the documents most query tests search:
//
//	fox      message  "The Quick brown Fox jumps over the lazy dog"
//	dog      message  "A brown dog sleeps; no fox here, only the quick cat"
//	quiet    message  "Quiet please: the meeting is at 10:30"
//	order    data     flattened JSON: Acme Ltd, brown widget, 120.50, "<b>urgent</b> & fragile"
//	greeting data     German, Russian, Japanese and Greek words
func corpus(t *testing.T, e *env) {
	t.Helper()
	e.index(t,
		e.doc(ns1, search.Messages, "fox", "The Quick brown Fox jumps over the lazy dog", map[string][]string{
			"author": {"did:lm:org/acme"}, "tag": {"invoice-1"}, "topics": {"orders", "end of day"},
			"type": {"broadcast"}, "state": {"confirmed"},
		}),
		e.doc(ns1, search.Messages, "dog", "A brown dog sleeps; no fox here, only the quick cat", map[string][]string{
			"author": {"did:lm:org/globex"}, "tag": {"Invoice-2"}, "topics": {"orders"},
			"type": {"private"}, "state": {"pending"},
		}),
		e.doc(ns1, search.Messages, "quiet", "Quiet please: the meeting is at 10:30", map[string][]string{
			"author": {"did:lm:org/acme"}, "tag": {"memo"}, "topics": {"admin"},
			"type": {"broadcast"}, "state": {"confirmed"},
		}),
		e.doc(ns1, search.Data, "order",
			search.FlattenJSON([]byte(`{"customer":"Acme Ltd","item":"brown widget","amount":120.50,"note":"<b>urgent</b> & fragile","paid":true}`)),
			map[string][]string{"datatype": {"order/1"}, "blob": {"invoice-2024.pdf"}}),
		e.doc(ns1, search.Data, "greeting", "Grüße aus München — Привет мир — 東京タワー — Ωμέγα", map[string][]string{
			"datatype": {"greeting/1"},
		}),
	)
}

func testTerm(t *testing.T, e *env) {
	corpus(t, e)
	e.expect(t, ns1, "", map[string][]string{
		"jumps":      {"fox"},
		"quick":      {"fox", "dog"},
		"QUICK":      {"fox", "dog"},
		"quick cat":  {"dog"}, // every word must match
		"quick dog":  {"fox", "dog"},
		"sleeps;":    {"dog"}, // punctuation is not part of a word
		"widget":     {"order"},
		"Acme":       {"order"}, // Text only: the fox's author field is not searched
		"120.50":     {"order"},
		"customer":   nil, // JSON keys are not text
		"true":       nil, // nor are JSON literals
		"nowhere":    nil,
		"quick nope": nil,
	})
}

func testPhrase(t *testing.T, e *env) {
	corpus(t, e)
	e.expect(t, ns1, "", map[string][]string{
		`"brown fox"`:              {"fox"},
		`"Quick Brown fox"`:        {"fox"},
		`"fox brown"`:              nil, // order matters
		`"brown dog"`:              {"dog"},
		`"quick cat"`:              {"dog"},
		`"lazy dog" "quick brown"`: {"fox"},
		`"the quick"`:              {"fox", "dog"},
		`"Acme Ltd"`:               {"order"},
		`"at 10:30"`:               {"quiet"},
		`"brown widget" 120.50`:    {"order"},
	})
}

func testField(t *testing.T, e *env) {
	corpus(t, e)
	e.expect(t, ns1, "", map[string][]string{
		"author:did:lm:org/acme":                  {"fox", "quiet"},
		`author:"did:lm:org/acme"`:                {"fox", "quiet"},
		"author:did:lm:org/ACME":                  nil, // exact: case-sensitive
		"author:did":                              nil, // exact: the whole value
		"tag:invoice-1":                           {"fox"},
		"tag:Invoice-2":                           {"dog"},
		"topics:orders":                           {"fox", "dog"},
		`topics:"end of day"`:                     {"fox"},
		"topics:end":                              nil,
		"type:broadcast":                          {"fox", "quiet"},
		"type:private":                            {"dog"},
		"state:confirmed quick":                   {"fox"},
		"datatype:order/1":                        {"order"},
		"blob:invoice-2024.pdf":                   {"order"},
		"author:did:lm:org/acme type:private":     nil,
		"author:did:lm:org/acme datatype:order/1": nil, // no document has both kinds' fields
	})
}

func testExclusion(t *testing.T, e *env) {
	corpus(t, e)
	e.expect(t, ns1, "", map[string][]string{
		"quick -cat":                    {"fox"},
		"brown -fox":                    {"order"},
		`brown -"brown fox"`:            {"dog", "order"},
		"brown -type:private":           {"fox", "order"},
		"brown -author:did:lm:org/acme": {"dog", "order"},
		"brown -wid*":                   {"fox", "dog"},
		"-fox -widget":                  {"quiet", "greeting"},
		"quick -quick":                  nil,
	})
	e.expect(t, ns1, search.Messages, map[string][]string{
		"-fox":                    {"quiet"},
		"-author:did:lm:org/acme": {"dog"},
		"-qui*":                   nil,
	})
}

func testPrefix(t *testing.T, e *env) {
	corpus(t, e)
	e.expect(t, ns1, "", map[string][]string{
		"qui*":                 {"fox", "dog", "quiet"},
		"QUIE*":                {"quiet"},
		"quiet*":               {"quiet"}, // a whole word is its own prefix
		"wid* brown":           {"order"},
		"q* -quiet":            {"fox", "dog"},
		"zz*":                  nil,
		"tag:inv*":             {"fox"}, // field prefixes are case-sensitive
		"tag:Inv*":             {"dog"},
		"blob:invoice*":        {"order"},
		"author:did:lm:org/a*": {"fox", "quiet"},
		"datatype:greeting/*":  {"greeting"},
		"12*":                  {"order"},
	})
}

func testEmptyQuery(t *testing.T, e *env) {
	corpus(t, e)
	e.expect(t, ns1, "", map[string][]string{"": {"fox", "dog", "quiet", "order", "greeting"}, "   ": {"fox", "dog", "quiet", "order", "greeting"}})
	e.expect(t, ns1, search.Data, map[string][]string{"": {"order", "greeting"}})
}

func testUnicode(t *testing.T, e *env) {
	corpus(t, e)
	e.expect(t, ns1, "", map[string][]string{
		"münchen":       {"greeting"},
		"MÜNCHEN":       {"greeting"},
		"Grüße":         {"greeting"},
		"münch*":        {"greeting"},
		"MÜNCH*":        {"greeting"},
		`"aus München"`: {"greeting"},
		"муниципалитет": nil,
		"привет":        {"greeting"},
		`"ПРИВЕТ МИР"`:  {"greeting"},
		"ΩΜΈΓΑ":         {"greeting"},
		"東京":            {"greeting"}, // each ideograph is a word: a two-word phrase
		"東":             {"greeting"},
		"タワー":           {"greeting"},
		"京東":            nil,
	})
}
