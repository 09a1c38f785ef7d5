package logging

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONByDefault(t *testing.T) {
	var c Config
	c.SetDefaults()
	require.NoError(t, c.Validate())
	var buf bytes.Buffer
	log := New(c, &buf)
	log.Info().Str("stream", "message-1").Msg("appended")
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	assert.Equal(t, "appended", line["message"])
	assert.Equal(t, "message-1", line["stream"])
	assert.Contains(t, line, "time")
}

func TestLevelFilters(t *testing.T) {
	var buf bytes.Buffer
	log := New(Config{Format: FormatJSON, Level: "warn"}, &buf)
	log.Info().Msg("quiet")
	assert.Empty(t, buf.String())
	log.Warn().Msg("loud")
	assert.Contains(t, buf.String(), "loud")
}

func TestValidate(t *testing.T) {
	assert.Error(t, Config{Format: "xml", Level: "info"}.Validate())
	assert.Error(t, Config{Format: FormatConsole, Level: "chatty"}.Validate())
	assert.Error(t, Config{Format: FormatConsole}.Validate())
	assert.NoError(t, Config{Format: FormatConsole, Level: "debug"}.Validate())
}
