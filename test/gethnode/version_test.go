package gethnode

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The geth under test must be the go-ethereum release the adapter is built
// against.
func TestVersionMatchesGoMod(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/ethereum/go-ethereum\s+(v\S+)`).FindSubmatch(goMod)
	if m == nil {
		t.Skip("go.mod does not require go-ethereum yet")
	}
	assert.Equal(t, string(m[1]), Version, "gethnode.Version must follow go-ethereum in go.mod")
}
