package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadFile feeds arbitrary bytes as a config file: loading either succeeds
// with a valid configuration or fails with ErrInvalidConfig, never panics.
func FuzzLoadFile(f *testing.F) {
	f.Add([]byte("log:\n  format: console\n"))
	f.Add([]byte("eventStore:\n  sqlite:\n    maxBatch: 10\n    busyTimeout: 2s\n"))
	f.Add([]byte("node: {org: a, name: b, dataDir: /x}\n"))
	f.Add([]byte("- not a map\n"))
	f.Add([]byte("log: &a\n  format: *a\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte) {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, _, err := Load(Source{File: p})
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error does not wrap ErrInvalidConfig: %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Load returned an invalid config: %v", err)
		}
	})
}
