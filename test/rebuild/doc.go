// Package rebuild tests read-model rebuilds on a running in-process
// network (build tag integration): after a random history, a rebuild
// through POST /api/v1/admin/rebuild while the API serves gives a read
// model whose digest equals the live one's and a query API that answers
// byte for byte as before, and a restarted member serves the rebuilt
// generation.
//
//	go test -count=1 -tags integration ./test/rebuild/
package rebuild
