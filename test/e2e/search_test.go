//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// searchAnswer is GET /search, written from the OpenAPI document.
type searchAnswer struct {
	Total int `json:"total"`
	Hits  []struct {
		Type       string              `json:"type"`
		ID         string              `json:"id"`
		Score      float64             `json:"score"`
		Highlights map[string][]string `json:"highlights"`
		Item       *struct {
			State string `json:"state"`
		} `json:"item"`
	} `json:"hits"`
}

// Search is GET /search?q=...&type=....
func (c *apiClient) Search(ctx context.Context, q, kind string) (searchAnswer, error) {
	var a searchAnswer
	params := url.Values{"q": {q}}
	if kind != "" {
		params.Set("type", kind)
	}
	err := c.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/search?"+params.Encode(), nil, &a, http.StatusOK)
	return a, err
}

// TestBroadcastIsFoundBySearchEverywhere: a word of a broadcast's data is
// found by /search on every member, the message confirmed there, with the
// word highlighted; a field query finds it too, and a bad query is a 400.
func TestBroadcastIsFoundBySearchEverywhere(t *testing.T) {
	n := startNetwork(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	word := fmt.Sprintf("zebra%d", time.Now().UnixNano())
	sent, err := n.clients[0].Broadcast(ctx, []string{"searchable"}, map[string]any{"note": "a " + word + " crossing", "amount": "12.50"})
	require.NoError(t, err)
	id := sent.Header.ID
	awaitConfirmed(t, 30*time.Second, n.clients, []string{id})

	for i, c := range n.clients {
		// The index follows the read model by up to a second (the indexer's
		// batching): wait until it has the message as confirmed.
		eventually(t, 10*time.Second, fmt.Sprintf("org%d finds the message by %q, confirmed", i+1, word), func() error {
			res, err := c.Search(ctx, "state:confirmed "+word, "messages")
			if err != nil {
				return err
			}
			if len(res.Hits) != 1 || res.Hits[0].ID != id {
				return fmt.Errorf("hits %+v", res.Hits)
			}
			if h := res.Hits[0]; h.Item == nil || h.Item.State != "confirmed" {
				return fmt.Errorf("the hit is not confirmed yet: %+v", h.Item)
			}
			return nil
		})
		res, err := c.Search(ctx, word, "")
		require.NoError(t, err)
		assert.Equal(t, 2, res.Total, "org%d: the message and its data item", i+1)
		for _, h := range res.Hits {
			// Leaves in document order; the client sent the keys sorted.
			assert.Equal(t, []string{"12.50\na <mark>" + word + "</mark> crossing"}, h.Highlights["text"], "org%d, %s", i+1, h.Type)
		}
		res, err = c.Search(ctx, "topics:searchable state:confirmed "+word[:5]+"*", "messages")
		require.NoError(t, err)
		assert.Equal(t, 1, res.Total, "org%d: by fields and a prefix", i+1)
	}
	_, err = n.clients[1].Search(ctx, `"unclosed`, "")
	assert.Equal(t, http.StatusBadRequest, statusOf(err))
}
