package messaging

import (
	"encoding/json"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// Writing batches as JSON without encoding/json, which validates and
// compacts every nested MarshalJSON result and raw message once more at each
// level: a batch's data values were scanned three times on their way to the
// event store. The bytes are encoding/json's (envelope_json_test.go).

// jsonAppender is a value that appends exactly what json.Marshal writes of
// it (the protocol's types).
type jsonAppender interface {
	AppendJSON(dst []byte) ([]byte, error)
}

// appendPart appends what json.Marshal writes of v, or returns json.Marshal's
// error, in its words.
func appendPart(dst []byte, v jsonAppender) ([]byte, error) {
	if out, err := v.AppendJSON(dst); err == nil {
		return out, nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, out...), nil
}

// AppendJSON appends what json.Marshal writes of e. Its raw parts are
// checked and compacted as encoding/json would (jsonappend.Raw).
func (e Envelope) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"namespace":`...)
	dst = jsonappend.String(dst, e.Namespace)
	dst = append(dst, `,"manifest":`...)
	dst, err := jsonappend.Raw(dst, e.Manifest)
	if err != nil {
		return nil, err
	}
	if dst, err = jsonappend.RawList(append(dst, `,"messages":`...), e.Messages); err != nil {
		return nil, err
	}
	if dst, err = jsonappend.RawList(append(dst, `,"data":`...), e.Data); err != nil {
		return nil, err
	}
	if len(e.Group) > 0 { // omitempty
		if dst, err = jsonappend.Raw(append(dst, `,"group":`...), e.Group); err != nil {
			return nil, err
		}
	}
	if e.PayloadRef != "" {
		dst = jsonappend.String(append(dst, `,"payloadRef":`...), e.PayloadRef)
	}
	return append(dst, '}'), nil
}
