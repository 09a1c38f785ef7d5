package catalogue_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"github.com/invopop/jsonschema"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// `make generate` runs this package's tests with -update to rewrite the
// committed schemas; without it, a stale schema fails the test.
var update = flag.Bool("update", false, "rewrite contracts/events/*.json from the Go payloads")

const (
	schemaDir  = "../../contracts/events"
	schemaBase = "https://ledgermirror.dev/schemas/events/"
)

// protocolRefs maps protocol types (whose JSON is hand-written in
// protocol.json) to their definitions there.
var protocolRefs = map[reflect.Type]string{
	reflect.TypeFor[uuid.UUID]():            "uuid",
	reflect.TypeFor[protocol.Hash]():        "hash",
	reflect.TypeFor[protocol.OrgDID]():      "orgDID",
	reflect.TypeFor[protocol.NodeDID]():     "nodeDID",
	reflect.TypeFor[protocol.SigningKey]():  "signingKey",
	reflect.TypeFor[protocol.Data]():        "data",
	reflect.TypeFor[protocol.Message]():     "message",
	reflect.TypeFor[protocol.Manifest]():    "manifest",
	reflect.TypeFor[protocol.DatatypeRef](): "datatypeRef",
	reflect.TypeFor[protocol.Group]():       "group",
}

func schemaFile(typ string, version int) string {
	return event.TypeVersion(typ, version) + ".json"
}

func generateSchema(t *testing.T, cat *catalogue.Catalogue, typ string) []byte {
	t.Helper()
	sample, ok := cat.Sample(typ)
	require.True(t, ok)
	version, _ := cat.Version(typ)
	r := jsonschema.Reflector{
		DoNotReference:            true,
		AllowAdditionalProperties: false,
		Anonymous:                 true,
		Mapper: func(rt reflect.Type) *jsonschema.Schema {
			if def, ok := protocolRefs[rt]; ok {
				return &jsonschema.Schema{Ref: "protocol.json#/$defs/" + def}
			}
			switch rt {
			case reflect.TypeFor[json.RawMessage]():
				return &jsonschema.Schema{Type: "object"}
			case reflect.TypeFor[catalogue.RejectReason]():
				var enum []any
				for _, r := range catalogue.RejectReasons() {
					enum = append(enum, string(r))
				}
				return &jsonschema.Schema{Type: "string", Enum: enum}
			case reflect.TypeFor[catalogue.IdentityKind]():
				return &jsonschema.Schema{Type: "string", Enum: []any{string(catalogue.IdentityOrg), string(catalogue.IdentityNode)}}
			}
			return nil
		},
	}
	s := r.Reflect(sample)
	s.ID = jsonschema.ID(schemaBase + schemaFile(typ, version))
	s.Title = event.TypeVersion(typ, version)
	out, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	return append(out, '\n')
}

func TestEventSchemasAreCurrent(t *testing.T) {
	cat := catalogue.Default()
	want := map[string]bool{"protocol.json": true}
	for _, typ := range cat.Types() {
		version, _ := cat.Version(typ)
		name := schemaFile(typ, version)
		want[name] = true
		generated := generateSchema(t, cat, typ)
		path := filepath.Join(schemaDir, name)
		if *update {
			require.NoError(t, os.WriteFile(path, generated, 0o644))
			continue
		}
		committed, err := os.ReadFile(path)
		require.NoError(t, err, "missing schema: run make generate")
		assert.True(t, bytes.Equal(committed, generated), "%s is stale: run make generate", name)
	}
	entries, err := os.ReadDir(schemaDir)
	require.NoError(t, err)
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".json" {
			assert.True(t, want[e.Name()], "%s is not an event of the catalogue (old versions stay only while an upcaster needs them)", e.Name())
		}
	}
}

// compileSchemas loads the committed schemas the way another tool would.
func compileSchemas(t *testing.T) *sjs.Compiler {
	t.Helper()
	c := sjs.NewCompiler()
	entries, err := os.ReadDir(schemaDir)
	require.NoError(t, err)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".json" {
			continue
		}
		f, err := os.Open(filepath.Join(schemaDir, e.Name()))
		require.NoError(t, err)
		doc, err := sjs.UnmarshalJSON(f)
		f.Close()
		require.NoError(t, err)
		require.NoError(t, c.AddResource(schemaBase+e.Name(), doc))
	}
	return c
}

func TestSamplesSatisfyTheCommittedSchemas(t *testing.T) {
	cat := catalogue.Default()
	c := compileSchemas(t)
	s := samples(t)
	for _, typ := range cat.Types() {
		t.Run(typ, func(t *testing.T) {
			version, _ := cat.Version(typ)
			schema, err := c.Compile(schemaBase + schemaFile(typ, version))
			require.NoError(t, err)
			prop, err := cat.Encode(uuid.New(), s[typ], event.Metadata{})
			require.NoError(t, err)
			doc, err := sjs.UnmarshalJSON(bytes.NewReader(prop.Data))
			require.NoError(t, err)
			assert.NoError(t, schema.Validate(doc))

			// The schema is strict: an extra member and a missing required one
			// both fail, as they fail Decode.
			obj := doc.(map[string]any)
			obj["unexpected"] = true
			assert.Error(t, schema.Validate(obj))
			delete(obj, "unexpected")
			for k := range obj {
				if !schemaOptional(t, schema, k) {
					v := obj[k]
					delete(obj, k)
					assert.Error(t, schema.Validate(obj), "without %s", k)
					obj[k] = v
				}
			}
		})
	}
}

func schemaOptional(t *testing.T, s *sjs.Schema, field string) bool {
	t.Helper()
	for _, r := range s.Required {
		if r == field {
			return false
		}
	}
	return true
}
