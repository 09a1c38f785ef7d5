package canonicaljson

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoldenVectors checks contracts/vectors/canonical.json, whose expected
// values come from the RFC 8785 reference implementation, not from this code.
func TestGoldenVectors(t *testing.T) {
	raw, err := os.ReadFile("../../contracts/vectors/canonical.json")
	require.NoError(t, err)
	var cases []struct {
		Name      string `json:"name"`
		Input     string `json:"input"`
		Valid     bool   `json:"valid"`
		Canonical string `json:"canonical"`
		SHA256    string `json:"sha256"`
	}
	require.NoError(t, json.Unmarshal(raw, &cases))
	require.NotEmpty(t, cases)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			got, err := Canonicalize([]byte(tc.Input))
			if !tc.Valid {
				assert.ErrorIs(t, err, ErrInvalidJSON)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.Canonical, string(got))
			sum := sha256.Sum256(got)
			assert.Equal(t, tc.SHA256, hex.EncodeToString(sum[:]))
		})
	}
}
