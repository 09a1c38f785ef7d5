// Package config loads the node's configuration: built-in defaults, then a YAML
// file, then LM_* environment variables, then command-line flags, each overriding
// the one before. Every component owns a config struct with SetDefaults and
// Validate; this package only assembles them, so wiring stays in cmd/.
//
// Environment variables are named after the YAML path in upper case joined by
// underscores: eventStore.sqlite.path is LM_EVENTSTORE_SQLITE_PATH. Unknown YAML
// keys are an error; unknown LM_* variables are ignored (other tools, and the test
// suite, use the prefix too) but listed by Unused so the CLI can warn about them.
package config
