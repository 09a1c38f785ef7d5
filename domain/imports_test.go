package domain_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// The domain is pure: it may use the standard library (minus database/sql and
// network servers/clients) and a short allow-list of small pure libraries. The
// check is on the transitive closure, so a helper package that drags in a SQL
// driver or an Ethereum client is caught too. golangci-lint's depguard checks
// direct imports with the same intent; this test is what `go test` alone sees.
var allowedModules = []string{
	"github.com/ledgermirror/ledgermirror/domain",
	"github.com/google/uuid",
	"github.com/santhosh-tekuri/jsonschema/v6",
	"golang.org/x/text", // pulled in by the JSON schema library
}

// database/sql/driver is allowed: uuid implements its Valuer interface, which
// is a type, not a connection.
var forbiddenStd = []string{"database/sql", "net/http", "net/rpc", "os/exec", "plugin"}

func TestDomainImportsOnlyAllowedPackages(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,DepsErrors", "./...").Output()
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
		if bad := disallowed(p.ImportPath, p.Standard); bad != "" {
			t.Errorf("domain depends on %s: %s", p.ImportPath, bad)
		}
	}
}

func disallowed(path string, standard bool) string {
	if standard {
		for _, f := range forbiddenStd {
			if path == f || (f != "database/sql" && strings.HasPrefix(path, f+"/")) {
				return "standard package not allowed in the domain (I/O belongs in adapters)"
			}
		}
		return ""
	}
	for _, m := range allowedModules {
		if path == m || strings.HasPrefix(path, m+"/") {
			return ""
		}
	}
	return "not on the domain's allow-list (adapters, api, Echo, Watermill, SQL drivers and Ethereum clients stay outside domain/)"
}

func TestDisallowedCatchesForbiddenPackages(t *testing.T) {
	for _, p := range []struct {
		path string
		std  bool
	}{
		{"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite", false},
		{"github.com/ledgermirror/ledgermirror/api", false},
		{"github.com/labstack/echo/v4", false},
		{"github.com/ThreeDotsLabs/watermill", false},
		{"modernc.org/sqlite", false},
		{"github.com/jackc/pgx/v5", false},
		{"github.com/ethereum/go-ethereum/ethclient", false},
		{"database/sql", true},
		{"net/http", true},
	} {
		if disallowed(p.path, p.std) == "" {
			t.Errorf("%s should be disallowed", p.path)
		}
	}
	for _, ok := range []string{"github.com/google/uuid", "github.com/ledgermirror/ledgermirror/domain/protocol"} {
		if disallowed(ok, false) != "" {
			t.Errorf("%s should be allowed", ok)
		}
	}
}
