package delivery

import "github.com/ledgermirror/ledgermirror/domain/subscription"

// Buffered is how many rows a stream holds read but undelivered.
func Buffered(s subscription.Stream) int {
	st := s.(*stream)
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.buf)
}

// InFlight is how many events a stream has delivered and awaits acks for.
func InFlight(s subscription.Stream) int {
	st := s.(*stream)
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.inflight)
}
