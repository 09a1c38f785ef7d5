// Package pgtest gives tests a PostgreSQL database to work in: a fresh schema
// per call, dropped when the test ends. Tests that need Postgres call
// [Schema]; without a reachable server they are skipped, or fail when
// LM_REQUIRE_SERVICES=1 (as in CI).
//
// The server is LM_POSTGRES_URL, by default the development machine's
// postgres://postgres@127.0.0.1:5432/test (trust authentication).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment switches.
const (
	urlEnv             = "LM_POSTGRES_URL"
	requireServicesEnv = "LM_REQUIRE_SERVICES"
	// DefaultURL is the server tests use without LM_POSTGRES_URL.
	DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// URL is the server tests use.
func URL() string {
	if u := os.Getenv(urlEnv); u != "" {
		return u
	}
	return DefaultURL
}

// Schema returns the server's URL and the name of a schema no other test
// uses, after checking the server answers. The schema itself is left for the
// code under test to create; it is dropped, with everything in it, when the
// test ends.
func Schema(t testing.TB) (url, schema string) {
	t.Helper()
	url = Require(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = "lm_test_" + hex.EncodeToString(b)
	t.Cleanup(func() { Drop(t, url, schema) })
	return url, schema
}

// Require returns the server's URL once it has answered; without a server
// the test is skipped, or fails under LM_REQUIRE_SERVICES=1.
func Require(t testing.TB) (url string) {
	t.Helper()
	url = URL()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		unavailable(t, "connect to %s: %v", redact(url), err)
	}
	if err := conn.Ping(ctx); err != nil {
		_ = conn.Close(context.Background())
		unavailable(t, "ping %s: %v", redact(url), err)
	}
	_ = conn.Close(context.Background())
	return url
}

// Drop removes schema and everything in it.
func Drop(t testing.TB, url, schema string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
		return
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
	}
}

// unavailable ends the test because Postgres cannot be had: a failure when
// services are required, a skip otherwise.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(requireServicesEnv) == "1" {
		t.Fatalf("postgres required ("+requireServicesEnv+"=1) but unavailable: "+format, args...)
	}
	t.Skipf("postgres unavailable (set "+requireServicesEnv+"=1 to fail instead): "+format, args...)
}

// redact drops a password from a URL for messages.
func redact(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "(unparsable LM_POSTGRES_URL)"
	}
	return cfg.User + "@" + cfg.Host + "/" + cfg.Database
}
