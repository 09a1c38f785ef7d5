// Package api is a member node's REST API, served by Echo under /api/v1: an
// application sends broadcast and private messages, stores data and blobs,
// defines datatypes, watches the node's operations and asks how the node is.
//
// The package holds HTTP concerns only. Everything a request asks for is done
// by a Backend, which cmd/ledgermirror wires to the node; the handlers parse
// and check the request, call one Backend method and write its answer. Every
// failure, whether a bad request or an error the Backend returns, goes
// through one error handler (errors.go) that gives each class of error one
// HTTP status and one stable code, so that clients can branch on the code
// rather than on message text. README.md lists the routes and codes.
//
// JSON bodies are read strictly: the Content-Type must be application/json
// (otherwise 415), unknown fields and anything after the JSON value are 400,
// and a body over Config.MaxBodyBytes is 413. A strict reader turns a
// client's typo into an error instead of a silently ignored field.
package api
