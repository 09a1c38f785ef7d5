package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// EnvPrefix starts every environment variable the loader reads.
const EnvPrefix = "LM_"

// ErrInvalidConfig wraps every loading and validation failure, so the CLI can
// map it to its configuration exit code.
var ErrInvalidConfig = errors.New("invalid configuration")

// Source says where the configuration comes from, lowest precedence first after
// the built-in defaults.
type Source struct {
	// File is a YAML file; empty means none.
	File string
	// Env is the environment as os.Environ returns it; nil means none.
	Env []string
	// Flags maps YAML paths to flag values the user set explicitly.
	Flags map[string]string
}

// Load builds the configuration from defaults, file, environment and flags, then
// validates it. Errors name the file, variable or flag at fault and wrap
// ErrInvalidConfig.
func Load(src Source) (Config, []string, error) {
	cfg := Defaults()
	if src.File != "" {
		if err := loadFile(src.File, &cfg); err != nil {
			return Config{}, nil, err
		}
	}
	byPath := map[string]leaf{}
	byEnv := map[string]leaf{}
	for _, l := range leaves(reflect.ValueOf(&cfg), "") {
		byPath[strings.ToLower(l.path)] = l
		byEnv[EnvName(EnvPrefix, l.path)] = l
	}
	unused, err := applyEnv(src.Env, byEnv)
	if err != nil {
		return Config{}, nil, err
	}
	if err := applyFlags(src.Flags, byPath); err != nil {
		return Config{}, nil, err
	}
	cfg.derive()
	if err := cfg.Validate(); err != nil {
		return Config{}, nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return cfg, unused, nil
}

func loadFile(path string, cfg *Config) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt key must not be silently ignored
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s: %w", ErrInvalidConfig, path, err)
	}
	return nil
}

func applyEnv(env []string, byEnv map[string]leaf) ([]string, error) {
	var unused []string
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		l, known := byEnv[name]
		if !known {
			unused = append(unused, name)
			continue
		}
		if err := setString(l.value, val); err != nil {
			return nil, fmt.Errorf("%w: environment variable %s (%s): %w", ErrInvalidConfig, name, l.path, err)
		}
	}
	sort.Strings(unused)
	return unused, nil
}

func applyFlags(flags map[string]string, byPath map[string]leaf) error {
	paths := make([]string, 0, len(flags))
	for p := range flags {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		l, ok := byPath[strings.ToLower(p)]
		if !ok {
			return fmt.Errorf("%w: flag sets unknown setting %q", ErrInvalidConfig, p)
		}
		if err := setString(l.value, flags[p]); err != nil {
			return fmt.Errorf("%w: flag for %s: %w", ErrInvalidConfig, p, err)
		}
	}
	return nil
}

// Paths lists every setting's YAML path and environment variable, for help text.
func Paths() [][2]string {
	cfg := Defaults()
	var out [][2]string
	for _, l := range leaves(reflect.ValueOf(&cfg), "") {
		out = append(out, [2]string{l.path, EnvName(EnvPrefix, l.path)})
	}
	return out
}
