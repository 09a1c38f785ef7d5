package search_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// The port is domain-side: the standard library and uuid only, so that an
// engine's client never leaks into the code that consumes the port. The one
// exception is domain/jsonscan, the JSON scanner FlattenJSON shares with the
// read-model adapters; the list is transitive, so its own imports are held
// to the same rule.
func TestPortImportsOnlyStandardLibraryAndUUID(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Standard   bool
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		switch {
		case p.Standard, p.ImportPath == "github.com/ledgermirror/ledgermirror/projections/search",
			p.ImportPath == "github.com/ledgermirror/ledgermirror/domain/jsonscan",
			p.ImportPath == "github.com/google/uuid":
		default:
			t.Errorf("projections/search depends on %s", p.ImportPath)
		}
	}
}
