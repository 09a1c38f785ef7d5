package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// TestOpenAPICopyIsCurrent: the embedded document is contracts/openapi.yaml,
// byte for byte. To fix: cp contracts/openapi.yaml api/openapi.yaml.
func TestOpenAPICopyIsCurrent(t *testing.T) {
	canonical, err := os.ReadFile("../contracts/openapi.yaml")
	require.NoError(t, err)
	require.True(t, bytes.Equal(canonical, openAPIYAML),
		"api/openapi.yaml differs from contracts/openapi.yaml: cp contracts/openapi.yaml api/openapi.yaml")
}

// loadSpec loads and validates the embedded document.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIYAML)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	return doc
}

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPIDescribesEveryRoute: every route the server registers is in
// the document, and the document has no route the server lacks.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := loadSpec(t)
	s := newTestServer(&fakeBackend{})
	var served []string
	for _, r := range s.echo.Routes() {
		served = append(served, r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}"))
	}
	var described []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described = append(described, method+" "+path)
		}
	}
	sort.Strings(served)
	sort.Strings(described)
	assert.Equal(t, served, described)
}

// TestOpenAPICollectionParameters: each collection route documents exactly
// its table's fields and the reserved parameters as query parameters.
func TestOpenAPICollectionParameters(t *testing.T) {
	doc := loadSpec(t)
	for _, c := range collections {
		op := doc.Paths.Value("/api/v1/namespaces/{ns}/" + c.path).Get
		require.NotNil(t, op, c.path)
		var documented []string
		descriptions := map[string]string{}
		for _, p := range op.Parameters {
			if p.Value.In == openapi3.ParameterInQuery {
				documented = append(documented, p.Value.Name)
				descriptions[p.Value.Name] = p.Value.Description
			}
		}
		want := []string{query.ParamSort, query.ParamSkip, query.ParamLimit, query.ParamCount}
		for _, f := range c.table.Fields() {
			want = append(want, f.Name)
			if f.Name != projections.NamespaceField {
				// sort= takes exactly the fields said to be sortable.
				assert.Equal(t, f.Sortable, strings.HasSuffix(descriptions[f.Name], " Sortable."), "%s: %s", c.path, f.Name)
			}
		}
		sort.Strings(documented)
		sort.Strings(want)
		assert.Equal(t, want, documented, c.path)
	}
}

// specCase is one request whose answer is checked against the document.
type specCase struct {
	method, template, target string
	contentType              string
	body                     []byte
	status                   int
}

// TestResponsesMatchOpenAPI sends real requests to a server over a filled
// read model and validates each answer (status, headers, body) against
// the document, and each well-formed request too.
func TestResponsesMatchOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	ns := "/api/v1/namespaces/" + rm.ns + "/"
	tmpl := "/api/v1/namespaces/{ns}/"
	var cases []specCase
	add := func(method, template, target string, status int) {
		cases = append(cases, specCase{method: method, template: template, target: target, status: status})
	}
	for _, c := range collections {
		add("GET", tmpl+c.path, ns+c.path+"?limit=1000", 200)
		add("GET", tmpl+c.path, ns+c.path+"?count=true&limit=2&skip=1", 200)
		add("GET", tmpl+c.path, ns+c.path+"?nosuchfield=1", 400)
	}
	add("GET", tmpl+"messages", ns+"messages?state=@confirmed,pending&topics=!nothing&sort=-sequence,created", 200)
	for _, tc := range itemCases() {
		template := echoParam.ReplaceAllString(routeOf(t, s, "GET", tc.path(rm.first(t, tc.table, nil))), "{$1}")
		add("GET", template, ns+tc.path(rm.first(t, tc.table, nil)), 200)
		if tc.missing != "" {
			add("GET", template, ns+tc.missing, 404)
		}
	}
	for _, kind := range []string{"org", "node"} {
		did := rm.first(t, projections.IdentitiesTable, url.Values{"kind": {kind}})["did"].(string)
		add("GET", tmpl+"identities/{did}", ns+"identities/"+url.PathEscape(did), 200)
	}
	add("GET", tmpl+"identities/{did}", ns+"identities/did:lm:nobody", 400)
	add("GET", tmpl+"messages/{id}", ns+"messages/"+uuid.NewString(), 200) // the fake Backend has every message
	add("GET", tmpl+"messages/{id}", ns+"messages/x", 400)
	add("GET", tmpl+"messages/{id}/data", ns+"messages/"+rm.sent.String()+"/data", 200)
	add("GET", tmpl+"data/{id}/blob", ns+"data/"+rm.withBlob.String()+"/blob", 200)
	add("GET", tmpl+"data/{id}/blob", ns+"data/"+rm.sentData[1].String()+"/blob", 404)
	add("GET", tmpl+"digests", ns+"digests", 200)
	add("GET", "/api/v1/status", "/api/v1/status", 200)
	add("GET", "/api/v1/namespaces", "/api/v1/namespaces", 200)
	add("GET", "/api/v1/namespaces/{ns}", "/api/v1/namespaces/"+rm.ns, 200)
	add("GET", "/api/v1/namespaces/{ns}", "/api/v1/namespaces/nosuchns", 404)
	add("GET", "/metrics", "/metrics", 200)
	add("GET", "/api", "/api", 200)
	add("GET", "/api/openapi.yaml", "/api/openapi.yaml", 200)
	add("GET", "/api/openapi.json", "/api/openapi.json", 200)
	add("POST", tmpl+"operations/{id}/retry", ns+"operations/"+rm.op.String()+"/retry", 202)

	jsonCase := func(method, template, target, body string, status int) {
		cases = append(cases, specCase{method: method, template: template, target: target,
			contentType: "application/json", body: []byte(body), status: status})
	}
	jsonCase("POST", tmpl+"messages/broadcast", ns+"messages/broadcast",
		`{"header":{"topics":["invoices"],"tag":"invoice"},"data":[{"value":{"n":1}},{"value":"x","datatype":{"name":"invoice","version":"1.0"}}]}`, 202)
	jsonCase("POST", tmpl+"messages/broadcast", ns+"messages/broadcast?confirm=true", `{"data":[{"value":1}]}`, 200)
	jsonCase("POST", tmpl+"messages/broadcast", ns+"messages/broadcast", `{"data":[{"value":1}],"extra":1}`, 400)
	jsonCase("POST", tmpl+"messages/private", ns+"messages/private",
		`{"data":[{"value":1}],"group":{"name":"g","members":[{"identity":"did:lm:org/org2"}]}}`, 202)
	jsonCase("POST", tmpl+"data", ns+"data", `{"value":{"a":1}}`, 201)
	jsonCase("POST", tmpl+"datatypes", ns+"datatypes", `{"name":"invoice","version":"2.0","schema":{"type":"object"}}`, 202)
	cases = append(cases, specCase{method: "POST", template: tmpl + "messages/broadcast", target: ns + "messages/broadcast",
		contentType: "text/plain", body: []byte(`{}`), status: 415})
	form, formType := multipartFile(t, "a.txt", "hello")
	cases = append(cases, specCase{method: "POST", template: tmpl + "data/{id}/blob", target: ns + "data/" + uuid.NewString() + "/blob",
		contentType: formType, body: form, status: 200})

	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			rec := request(h, tc.method, tc.target, tc.contentType, bytes.NewReader(tc.body))
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			validateAgainstSpec(t, doc, tc, rec)
		})
	}
}

// routeOf is the route template the server matched for a GET of path.
func routeOf(t *testing.T, s *Server, method, path string) string {
	t.Helper()
	req := httptest.NewRequest(method, "/api/v1/namespaces/ns1/"+path, nil)
	c := s.echo.NewContext(req, httptest.NewRecorder())
	s.echo.Router().Find(method, echo.GetPath(req), c)
	require.NotEmpty(t, c.Path())
	return c.Path()
}

func validateAgainstSpec(t *testing.T, doc *openapi3.T, tc specCase, rec *httptest.ResponseRecorder) {
	t.Helper()
	item := doc.Paths.Value(tc.template)
	require.NotNil(t, item, "no path %s in the document", tc.template)
	op := item.GetOperation(tc.method)
	require.NotNil(t, op, "no %s %s in the document", tc.method, tc.template)
	req := httptest.NewRequest(tc.method, tc.target, bytes.NewReader(tc.body))
	if tc.contentType != "" {
		req.Header.Set("Content-Type", tc.contentType)
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams(t, tc.template, req.URL),
		Route:      &routers.Route{Spec: doc, Path: tc.template, PathItem: item, Method: tc.method, Operation: op},
		Options:    &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if tc.status < 400 || tc.status == http.StatusNotFound {
		assert.NoError(t, openapi3filter.ValidateRequest(context.Background(), in), "the request is not as documented")
	}
	mediaType := strings.TrimSpace(strings.Split(rec.Header().Get("Content-Type"), ";")[0])
	if !strings.Contains(mediaType, "json") {
		// The document's bodies other than JSON are strings; check the type
		// is the documented one and leave the body be.
		in.Options.ExcludeResponseBody = true
		response := op.Responses.Status(tc.status)
		require.NotNil(t, response, "status %d is not documented", tc.status)
		assert.NotNil(t, response.Value.Content.Get(mediaType), "%s is not documented for %d", mediaType, tc.status)
	}
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                in.Options,
	})
	assert.NoError(t, err, "the answer is not as documented: %s", truncate(rec.Body.String()))
}

// pathParams reads the template's parameters from the request's escaped
// path, unescaping each (a DID's %2F stays within its segment).
func pathParams(t *testing.T, template string, u *url.URL) map[string]string {
	t.Helper()
	tsegs, psegs := strings.Split(template, "/"), strings.Split(u.EscapedPath(), "/")
	require.Len(t, psegs, len(tsegs), "%s does not fit %s", u.EscapedPath(), template)
	out := map[string]string{}
	for i, seg := range tsegs {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			v, err := url.PathUnescape(psegs[i])
			require.NoError(t, err)
			out[strings.TrimSuffix(name, "}")] = v
		}
	}
	return out
}

func multipartFile(t *testing.T, name, content string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = part.Write([]byte(content))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}

// TestOpenAPIServed: the document as YAML and JSON, and the page.
func TestOpenAPIServed(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()

	rec := get(h, "/api/openapi.yaml")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/yaml; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, openAPIYAML, rec.Body.Bytes())

	rec = get(h, "/api/openapi.json")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	fromJSON, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, fromJSON.Validate(context.Background()))
	fromYAML := loadSpec(t)
	assert.Equal(t, fromYAML.Paths.Len(), fromJSON.Paths.Len())
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
	assert.Contains(t, m["paths"].(map[string]any)["/api/v1/status"].(map[string]any)["get"].(map[string]any)["responses"], "200",
		"response codes are strings in JSON")

	rec = get(h, "/api")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=UTF-8", rec.Header().Get("Content-Type"))
	page := rec.Body.String()
	assert.Contains(t, page, `fetch("api/openapi.json")`)
	assert.NotRegexp(t, `(?i)(src|href)="(https?:)?//`, page, "the page loads nothing from elsewhere")
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'none'")
}

// TestOpenAPIErrorCodes: the codes the document lists are the ones the
// error handler gives.
func TestOpenAPIErrorCodes(t *testing.T) {
	for _, code := range []string{CodeInvalidInput, CodeNotFound, CodeMethodNotAllowed, CodeConflict, CodeUnknownNamespace,
		CodeTooLarge, CodeUnsupportedMediaType, CodeInternal, CodeNotReady} {
		assert.Contains(t, string(openAPIYAML), "| "+code+" |", "the error table lists %s", code)
	}
}
