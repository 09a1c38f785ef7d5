//go:build integration

package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
)

// postgresConfig is one member on its embedded chain; the stores' sections
// follow.
const postgresConfig = `log:
  level: warn
node:
  org: org1
  name: node1
  dataDir: %[1]s
api:
  listen: 127.0.0.1:%[2]d
dataExchange:
  listen: 127.0.0.1:%[3]d
chain:
  driver: embedded
search:
  driver: none
`

// onPostgres configures one store (eventStore or readModel) on Postgres.
const onPostgres = `%[1]s:
  driver: postgres
  postgres:
    url: %[2]s
    schema: %[3]s
`

// postgresSent is how many broadcasts broadcastAndList sends.
const postgresSent = 5

// TestServeOnPostgres runs `ledgermirror serve` with both stores on
// Postgres, sends broadcasts and reads them back through the API's
// read-model routes (filtered, counted), then checks the rows are where the
// configuration put them: the events in one schema, the messages and the
// checkpoints in the other.
func TestServeOnPostgres(t *testing.T) {
	url, events := pgtest.Schema(t)
	_, readModel := pgtest.Schema(t)
	server, client := serveWith(t, fmt.Sprintf(onPostgres, "eventStore", url, events)+fmt.Sprintf(onPostgres, "readModel", url, readModel))
	broadcastAndList(t, client)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{readModel, "messages"}.Sanitize()+
		" WHERE 'on-postgres'::bytea = ANY(topics)").Scan(&n))
	assert.Equal(t, postgresSent, n, "the read model's rows are in its schema")
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{events, "events"}.Sanitize()+
		" WHERE type = 'MessageConfirmed'").Scan(&n))
	// The member's own definitions (its identity, its node) are confirmed
	// messages too.
	assert.GreaterOrEqual(t, n, postgresSent, "the events are in the event store's schema")
	var cps json.RawMessage
	require.NoError(t, conn.QueryRow(ctx, "SELECT json_object_agg(projector, position) FROM "+
		pgx.Identifier{readModel, "checkpoints"}.Sanitize()).Scan(&cps))
	assert.Contains(t, string(cps), "messages", "checkpoints beside the rows")

	assert.Equal(t, 0, server.interrupt(t, 30*time.Second), "serve exits 0 on SIGINT")
}

// TestServeOnMixedDrivers: the event store on Postgres with the read model
// on SQLite, and the reverse, each serve broadcasts back through the API.
func TestServeOnMixedDrivers(t *testing.T) {
	for _, store := range []string{"eventStore", "readModel"} {
		t.Run(store+" on postgres", func(t *testing.T) {
			url, schema := pgtest.Schema(t)
			server, client := serveWith(t, fmt.Sprintf(onPostgres, store, url, schema))
			broadcastAndList(t, client)
			assert.Equal(t, 0, server.interrupt(t, 30*time.Second), "serve exits 0 on SIGINT")
		})
	}
}

// serveWith starts `ledgermirror serve` with postgresConfig and the stores'
// sections, and returns it with its API client once it is ready.
func serveWith(t *testing.T, stores string) (*proc, *apiClient) {
	t.Helper()
	dir := t.TempDir()
	ports := freePorts(t, 2)
	file := filepath.Join(dir, "org1.yaml")
	cfg := fmt.Sprintf(postgresConfig, filepath.Join(dir, "org1"), ports[0], ports[1]) + stores
	require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
	server := startProc(t, "ledgermirror serve (postgres)", "serve", "--config", file)
	client, _ := memberClient(t, server, 0, "org1", 60*time.Second)
	awaitReady(t, client, 60*time.Second)
	return server, client
}

// broadcastAndList sends postgresSent broadcasts on one topic, waits for
// their confirmation and reads them back from the read model's collection
// route, filtered, sorted and counted.
func broadcastAndList(t *testing.T, client *apiClient) {
	t.Helper()
	var ids []string
	for i := range postgresSent {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, err := client.Broadcast(ctx, []string{"on-postgres"}, map[string]any{"i": i})
		cancel()
		require.NoError(t, err)
		ids = append(ids, v.Header.ID)
	}
	awaitConfirmed(t, 60*time.Second, []*apiClient{client}, ids)

	var page struct {
		Count int           `json:"count"`
		Total int           `json:"total"`
		Items []messageView `json:"items"`
	}
	eventually(t, 20*time.Second, "the messages listed by topic", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := client.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/messages?topics=on-postgres&state=confirmed&count=true&sort=created",
			nil, &page, http.StatusOK)
		if err == nil && page.Total != postgresSent {
			err = fmt.Errorf("%d of %d listed", page.Total, postgresSent)
		}
		return err
	})
	require.Len(t, page.Items, postgresSent)
	for i, m := range page.Items {
		assert.Equal(t, ids[i], m.Header.ID, "in the order sent")
		assert.Equal(t, []string{"on-postgres"}, m.Header.Topics)
	}
}
