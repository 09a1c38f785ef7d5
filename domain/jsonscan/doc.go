// Package jsonscan walks JSON text byte by byte, without building values:
// the one hand-written JSON grammar of the node outside canonicaljson (which
// has stricter rules and produces output, see there).
//
// Two hot paths use it. The read-model adapters check every document a
// projector writes with Valid, which gives encoding/json.Valid's answer for
// every input at a fraction of its cost (encoding/json's table-driven
// scanner makes one call per byte). The search projection flattens every
// data value to text with Walk, which hands it each string and number leaf
// where encoding/json's Token allocates an interface value per token.
//
// Decoders that read events and envelopes in place validate with Valid or
// Prefix first and then find their way through the text with the helpers
// of validated.go (Members, Elements, ValueEnd, Unquote), which trust that
// the syntax is right and only check bounds.
//
// It lives in domain/ because both adapters/ and projections/ may import the
// domain and neither may import the other; it uses the standard library only.
package jsonscan
