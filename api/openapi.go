package api

import (
	_ "embed" // the OpenAPI document and its page
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"
)

// openAPIYAML is the API's OpenAPI document. contracts/openapi.yaml is the
// source of truth; this is a byte-identical copy, because embed cannot reach
// outside the package (TestOpenAPICopyIsCurrent fails when they differ:
// cp contracts/openapi.yaml api/openapi.yaml).
//
//go:embed openapi.yaml
var openAPIYAML []byte

// openAPIPage is GET /api: a self-contained page (no CDN: a node may have no
// internet) that lists the routes from /api/openapi.json.
//
//go:embed openapi.html
var openAPIPage []byte

// openAPIJSON is the document as JSON, converted once on first use.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) { return yamlToJSON(openAPIYAML) })

// mimeYAML is the media type of YAML (RFC 9512).
const mimeYAML = "application/yaml"

// pageCSP lets the page run its own inline script and style and fetch the
// document from this server, and nothing else.
const pageCSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"

// getOpenAPIYAML: GET /api/openapi.yaml.
func getOpenAPIYAML(c echo.Context) error {
	return c.Blob(http.StatusOK, mimeYAML+"; charset=utf-8", openAPIYAML)
}

// getOpenAPIJSON: GET /api/openapi.json, the same document as JSON.
func getOpenAPIJSON(c echo.Context) error {
	doc, err := openAPIJSON()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
}

// getAPIPage: GET /api, the browsable API reference.
func getAPIPage(c echo.Context) error {
	c.Response().Header().Set("Content-Security-Policy", pageCSP)
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, openAPIPage)
}

// yamlToJSON converts a YAML document to JSON. Mapping keys that YAML reads
// as numbers (response codes, when unquoted) become strings, as in JSON.
func yamlToJSON(in []byte) ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(in, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return json.Marshal(jsonValue(doc))
}

func jsonValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = jsonValue(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = jsonValue(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = jsonValue(x)
		}
		return t
	}
	return v
}
