package leader_test

import (
	"testing"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/leader"
	suite "github.com/ledgermirror/ledgermirror/test/contract/leader"
)

// TestLocal runs the suite on the in-process elector: the instances of a
// test share one elector, until it is closed (then the next is new, as a
// restarted process's would be).
func TestLocal(t *testing.T) {
	current := map[string]*closable{}
	suite.Run(t, suite.Harness{Lease: time.Second, New: func(t *testing.T) leader.Elector {
		if e, ok := current[t.Name()]; ok && !e.closed {
			return e
		}
		e := &closable{Local: leader.NewLocal("local")}
		current[t.Name()] = e
		t.Cleanup(func() { _ = e.Local.Close() })
		return e
	}})
}

// closable remembers that it was closed.
type closable struct {
	*leader.Local
	closed bool
}

func (c *closable) Close() error {
	c.closed = true
	return c.Local.Close()
}
