// Package jsonappend writes JSON the way encoding/json.Marshal does, byte for
// byte, by appending to a caller's buffer.
//
// Types with a MarshalJSON method that builds a wire struct and calls
// json.Marshal pay twice: once for the reflection, and once more at every
// level above them, because encoding/json re-validates and compacts the
// output of every MarshalJSON and every json.RawMessage it meets. A message
// batch nests data values three levels deep, so its largest bytes were
// scanned three times. Appenders built from these helpers write each byte
// once.
//
// The rules that make the bytes encoding/json's are the ones it applies with
// its default HTML escaping: strings escape '"', '\\', control characters,
// '<', '>', '&', U+2028 and U+2029, and write each byte of invalid UTF-8 as
// \ufffd; raw JSON is compacted, with the same escapes. Anything this
// package cannot copy as it is goes through encoding/json itself.
//
// It lives in domain/ because both the protocol's types and the projections
// write such JSON, and projections may import the domain but not the
// reverse; it uses the standard library and domain/jsonscan only.
package jsonappend
