package delivery

import "github.com/ledgermirror/ledgermirror/domain/subscription"

// Buffered is how many rows a stream holds read but undelivered.
func Buffered(s subscription.Stream) int {
	st := s.(*stream)
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.buf)
}
