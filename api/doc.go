// Package api is a member node's REST API, served by Echo under /api/v1: an
// application sends broadcast and private messages, stores data and blobs,
// defines datatypes, queries the read model (messages, data, batches, pins,
// groups, identities, datatypes, transactions, operations, chain events)
// with FireFly-style filters, and asks how the node is. The server also
// serves its OpenAPI document (/api, /api/openapi.yaml) and Prometheus
// metrics (/metrics).
//
// The package holds HTTP concerns only. What a request changes is done by a
// Backend, which cmd/ledgermirror wires to the node; what it reads comes from
// the read model (projections.Store, given with WithReadModel), whose
// documents are written out as stored. The handlers parse and check the
// request, make one call and write its answer. Every failure, whether a bad
// request or an error the Backend or the read model returns, goes through
// one error handler (errors.go) that gives each class of error one HTTP
// status and one stable code, so that clients can branch on the code rather
// than on message text. README.md lists the routes, codes and metrics.
//
// JSON bodies are read strictly: the Content-Type must be application/json
// (otherwise 415), unknown fields and anything after the JSON value are 400,
// and a body over Config.MaxBodyBytes is 413. A strict reader turns a
// client's typo into an error instead of a silently ignored field.
package api
