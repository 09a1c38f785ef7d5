// Package search is the port of the node's full-text search index: the
// documents a projector derives from messages and data, the Index interface
// every search engine adapter implements (adapters/search/bleve, embedded;
// adapters/search/elasticsearch), and the one query language users type,
// parsed here so that every adapter gives it the same meaning.
//
// # Documents
//
// A Document is one message or one data item of one namespace, keyed by
// (namespace, kind, id). It has a free Text, searched by words, and exact
// Fields declared per kind (see Fields): for messages author, tag, topics
// (several values), type and state; for data datatype and blob. Namespaces
// never mix: a search names one namespace and sees only its documents.
//
// # Words
//
// Text is split into words as Unicode text segmentation (UAX #29) defines
// them, and words are compared case-insensitively (Unicode lower case).
// Punctuation separates words and is not searchable. There is no stemming and
// there are no stop words: "payments" does not find "payment" (use payment*),
// and "the" is a word like any other. Both engines tokenize this way (Bleve's
// unicode tokenizer, Elasticsearch's standard tokenizer, each followed by a
// lower-case filter); they may still differ on rare corner cases of
// punctuation inside a word, on emoji, and on words longer than 255
// characters, which Elasticsearch splits.
//
// # Query language
//
// A query is a list of clauses separated by white space. A document matches
// when it matches every clause that is not excluded and none that is.
//
//	payment            the word, in Text (any case)
//	late payment       both words, anywhere in Text (AND)
//	"late payment"     the words next to each other, in this order, in Text
//	pay*               a word of Text that starts with "pay" (any case)
//	author:did:lm:acme the exact value of a field: case-sensitive, whole value
//	tag:"end of day"   an exact field value that contains spaces
//	tag:inv*           a field value that starts with "inv" (case-sensitive)
//	-draft             excludes documents that match the clause; also -"a b",
//	                   -type:private, -pay*
//
// Precisely:
//
//   - clause = ["-"] [field ":"] (word | "\"" phrase "\"") ["*"]
//   - field is the name of a declared field (see Fields), in lower case. A
//     clause that starts with lower-case ASCII letters and a colon names a
//     field, and an undeclared name is an error (so a typo is never searched
//     as text); to search text that looks like that, quote it: "http://x".
//     A field clause matches documents of the kinds that declare the field.
//   - A word is a run of characters other than white space and '"'. In Text,
//     a word is looked for as the words it contains, in sequence, exactly as
//     a phrase: e-mail finds "e-mail" and "e mail". It must contain a letter
//     or a digit.
//   - A phrase is everything between two double quotes; there is no escape,
//     so a phrase cannot contain '"'. In Text it must contain a letter or a
//     digit; for a field it is the exact value, spaces included, and must not
//     be empty. A closing quote must be followed by white space or the end.
//   - A trailing '*' on a word (not a phrase) makes it a prefix: at least one
//     character must come before it. In Text the prefix must be made of
//     letters, digits, marks and '_' only (one word, compared in lower case);
//     for a field any characters match, case-sensitively. '*' anywhere else
//     is an error.
//   - '-' before a clause excludes it. A query of exclusions only matches
//     every document that none of them matches; the empty query matches every
//     document (of the namespace and kind requested).
//   - At most MaxQueryBytes bytes of valid UTF-8 and MaxClauses clauses.
//
// Anything else is an error wrapping ErrInvalidQuery, which the API answers
// with 400. There is no OR, no grouping, no fuzziness and no ranges: the
// language stays small so that two engines can mean exactly the same thing.
//
// # Order
//
// Hits are ordered by score, highest first, then by id and kind, ascending,
// so paging with Skip and Limit is deterministic. Scores are the engine's own
// (BM25 in both adapters) and are comparable only within one result. A
// prefix clause adds nothing to the score (as Elasticsearch's constant_score
// rewrite of a prefix): documents that match only through prefixes tie, and
// come in id order.
package search
