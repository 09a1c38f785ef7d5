// Package canonicaljson produces the RFC 8785 JSON Canonicalization Scheme (JCS)
// form of JSON text: the one byte sequence every member hashes.
//
// Two members that hold the same JSON value must hash the same bytes, whatever
// whitespace, key order, escapes or number spellings the value arrived with.
// JCS gets there by:
//
//   - sorting object members by the UTF-16 code units of their names;
//   - writing no insignificant whitespace;
//   - escaping strings minimally: only '"', '\\' and U+0000..U+001F are escaped,
//     using \b \t \n \f \r where they exist and \u00xx (lower-case hex)
//     otherwise; everything else, including '<', '>', '&', U+2028, U+2029 and
//     all non-ASCII text, is written as raw UTF-8;
//   - reading every number as an IEEE-754 double and writing it the way
//     ECMAScript's Number.prototype.toString does (shortest round-trip digits,
//     plain notation from 1e-6 up to but excluding 1e21, exponent form
//     otherwise, and -0 written as 0).
//
// Input is held to the I-JSON subset (RFC 7493) that JCS requires, and anything
// else is rejected with an error wrapping ErrInvalidJSON rather than guessed at:
// duplicate member names (after unescaping), invalid UTF-8, unpaired surrogate
// escapes, numbers whose magnitude overflows a double (1e400), and nesting
// deeper than MaxDepth. Numbers that are representable only approximately are
// not errors: they are rounded to the nearest double, as JCS specifies, so
// 9007199254740993 canonicalises to 9007199254740992. Noncharacters such as
// U+FFFF are passed through; RFC 8785 only requires lone surrogates to fail.
//
// The parser is written here rather than built on encoding/json because
// encoding/json silently keeps the last of duplicate keys and replaces invalid
// UTF-8, and both would let two members read one document differently.
package canonicaljson
