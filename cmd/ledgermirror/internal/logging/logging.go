package logging

import (
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"
)

// Formats the logger can write.
const (
	FormatJSON    = "json"
	FormatConsole = "console"
)

// Config is the logging section of the node configuration.
type Config struct {
	// Format is "json" (default) or "console".
	Format string `yaml:"format"`
	// Level is a zerolog level name: trace, debug, info (default), warn, error.
	Level string `yaml:"level"`
}

// SetDefaults fills unset fields.
func (c *Config) SetDefaults() {
	if c.Format == "" {
		c.Format = FormatJSON
	}
	if c.Level == "" {
		c.Level = zerolog.InfoLevel.String()
	}
}

// Validate reports the first bad field.
func (c Config) Validate() error {
	if c.Format != FormatJSON && c.Format != FormatConsole {
		return fmt.Errorf("log.format %q: want %q or %q", c.Format, FormatJSON, FormatConsole)
	}
	if _, err := zerolog.ParseLevel(c.Level); err != nil || c.Level == "" {
		return fmt.Errorf("log.level %q: want trace, debug, info, warn or error", c.Level)
	}
	return nil
}

// New returns a logger writing to w. cfg must be valid.
func New(cfg Config, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.Level)
	if err != nil {
		level = zerolog.InfoLevel
	}
	if cfg.Format == FormatConsole {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}
