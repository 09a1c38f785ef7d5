package catalogue

import (
	"bytes"
	"encoding/json"
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// jsonAppender is a payload that writes its own JSON: exactly the bytes
// json.Marshal writes of it, without reflection and without encoding/json
// validating and compacting every nested MarshalJSON result and
// json.RawMessage once more (see domain/jsonappend). The payloads that carry
// messages and batches implement it: they are most of what a member
// encodes, and their raw parts are most of the bytes.
type jsonAppender interface {
	// AppendJSON appends the payload's JSON to dst. On an error, which
	// json.Marshal would also report (possibly worded differently), dst's
	// extra capacity may have been written to.
	AppendJSON(dst []byte) ([]byte, error)
}

// PayloadJSON returns the bytes Encode stores for p: json.Marshal(p), written
// by the payload itself when it can. Errors are json.Marshal's.
func PayloadJSON(p Payload) ([]byte, error) {
	if a, ok := p.(jsonAppender); ok {
		buf := appendBuffers.Get().(*[]byte)
		out, err := a.AppendJSON((*buf)[:0])
		var data []byte
		if err == nil {
			data = bytes.Clone(out)
			*buf = out
		}
		if cap(*buf) <= maxPooledBuffer {
			appendBuffers.Put(buf)
		}
		if err == nil {
			return data, nil
		}
		// Let encoding/json report the error, in its words.
	}
	return json.Marshal(p)
}

// appendBuffers hold the buffers payloads are written into: a payload's
// length is not known before it is written, and growing a fresh buffer to
// it took a third of the time of a MessageSubmitted. The result is copied
// out at its exact size.
var appendBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer keeps a rare huge payload's buffer from staying in the
// pool.
const maxPooledBuffer = 4 << 20

// AppendJSON appends what json.Marshal writes of m.
func (m MessageSubmitted) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"message":`...)
	dst, err := m.Message.AppendJSON(dst)
	if err != nil {
		return nil, err
	}
	if len(m.Data) > 0 { // omitempty
		dst = append(dst, `,"data":[`...)
		for i, d := range m.Data {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = d.AppendJSON(dst); err != nil {
				return nil, err
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

// AppendJSON appends what json.Marshal writes of d.
func (d DataStored) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"namespace":`...)
	dst = jsonappend.String(dst, d.Namespace)
	dst = append(dst, `,"data":`...)
	dst, err := d.Data.AppendJSON(dst)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// AppendJSON appends what json.Marshal writes of b.
func (b BatchSealed) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"manifest":`...)
	dst, err := b.Manifest.AppendJSON(dst)
	if err != nil {
		return nil, err
	}
	dst = appendHashes(append(dst, `,"contexts":`...), b.Contexts)
	dst = appendHashes(append(dst, `,"pins":`...), b.Pins)
	return append(dst, '}'), nil
}

// AppendJSON appends what json.Marshal writes of b. Its raw parts come from
// a peer, so they are checked and compacted as encoding/json would
// (jsonappend.Raw), not trusted.
func (b BatchReceived) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"namespace":`...)
	dst = jsonappend.String(dst, b.Namespace)
	dst = append(dst, `,"batchId":`...)
	dst = jsonappend.UUID(dst, b.BatchID)
	if b.From != nil {
		if b.From.IsZero() {
			_, err := b.From.MarshalText() // refuses it, as json.Marshal would
			return nil, err
		}
		dst = append(dst, `,"from":`...)
		dst = jsonappend.String(dst, b.From.String())
	}
	if b.PayloadRef != "" {
		dst = append(dst, `,"payloadRef":`...)
		dst = jsonappend.String(dst, b.PayloadRef)
	}
	dst = append(dst, `,"manifest":`...)
	dst, err := jsonappend.Raw(dst, b.Manifest)
	if err != nil {
		return nil, err
	}
	if dst, err = jsonappend.RawList(append(dst, `,"messages":`...), b.Messages); err != nil {
		return nil, err
	}
	if dst, err = jsonappend.RawList(append(dst, `,"data":`...), b.Data); err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendHashes writes hashes as json.Marshal writes a []protocol.Hash, null
// when nil.
func appendHashes(dst []byte, hashes []protocol.Hash) []byte {
	if hashes == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, h := range hashes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = h.AppendJSON(dst)
	}
	return append(dst, ']')
}
