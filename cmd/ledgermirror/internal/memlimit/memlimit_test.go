package memlimit

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// withoutLimit runs the test with no limit in force and none in the
// environment, and puts the process's limit back afterwards.
func withoutLimit(t *testing.T) {
	t.Helper()
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	debug.SetMemoryLimit(noLimit)
}

func TestApplySetsAndUndoes(t *testing.T) {
	withoutLimit(t)

	set, undo := Apply(300)
	assert.Equal(t, 300, set)
	assert.Equal(t, int64(300*MiB), debug.SetMemoryLimit(-1))

	again, undoAgain := Apply(500)
	assert.Zero(t, again, "a limit in force is left alone")
	assert.Equal(t, int64(300*MiB), debug.SetMemoryLimit(-1))
	undoAgain()
	assert.Equal(t, int64(300*MiB), debug.SetMemoryLimit(-1), "the no-op undo changes nothing")

	undo()
	undo()
	assert.Equal(t, int64(noLimit), debug.SetMemoryLimit(-1))
}

func TestApplyRespectsTheEnvironmentAndNonPositive(t *testing.T) {
	withoutLimit(t)

	set, _ := Apply(0)
	assert.Zero(t, set)
	set, _ = Apply(-5)
	assert.Zero(t, set)

	t.Setenv("GOMEMLIMIT", "1GiB")
	set, _ = Apply(300)
	assert.Zero(t, set, "GOMEMLIMIT wins")
	assert.Equal(t, int64(noLimit), debug.SetMemoryLimit(-1))
}

func TestApplyRaisesATinyLimitToTheMinimum(t *testing.T) {
	withoutLimit(t)

	set, undo := Apply(1)
	defer undo()
	assert.Equal(t, Minimum, set)
	assert.Equal(t, int64(Minimum*MiB), debug.SetMemoryLimit(-1))
}
