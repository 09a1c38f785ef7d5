package search_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/search/elasticsearch"
	searchport "github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/test/contract/search"
)

// esURLEnv names the cluster the suite runs against.
const esURLEnv = "LM_ES_URL"

// TestElasticsearch runs the suite against a real cluster, each subtest on a
// fresh index that it deletes afterwards. It is skipped without LM_ES_URL,
// even under LM_REQUIRE_SERVICES=1: that requirement covers the services CI
// starts (Postgres, NATS, RabbitMQ), and no Elasticsearch runs there.
func TestElasticsearch(t *testing.T) {
	url := os.Getenv(esURLEnv)
	if url == "" {
		t.Skip("no Elasticsearch: run LM_ES_URL=http://localhost:9200 go test ./test/contract/search/ " +
			"(skipped even under LM_REQUIRE_SERVICES=1, which covers Postgres, NATS and RabbitMQ only; no Elasticsearch exists on CI machines)")
	}
	search.Run(t, func(t *testing.T) searchport.Index {
		cfg := elasticsearch.Config{
			Addresses: strings.Split(url, ","),
			Username:  os.Getenv("LM_ES_USERNAME"),
			Password:  os.Getenv("LM_ES_PASSWORD"),
			APIKey:    os.Getenv("LM_ES_API_KEY"),
			Index:     "lm-contract-" + randomSuffix(t),
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// A second handle on the same index drops it at the end, whatever
		// the suite did to the first.
		admin, err := elasticsearch.Open(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			assert.NoError(t, admin.Drop(ctx))
			assert.NoError(t, admin.Close())
		})
		idx, err := elasticsearch.Open(ctx, cfg)
		require.NoError(t, err)
		return idx
	})
}

func randomSuffix(t *testing.T) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
