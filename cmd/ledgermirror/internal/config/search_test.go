package config

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
)

func TestSearchDefaultsToBleveInTheDataDir(t *testing.T) {
	cfg, _, err := Load(Source{Env: []string{"LM_NODE_DATADIR=/srv/lm"}})
	require.NoError(t, err)
	assert.Equal(t, SearchBleve, cfg.Search.Driver)
	assert.Equal(t, filepath.Join("/srv/lm", "search"), cfg.Search.Bleve.Path)
	assert.Equal(t, bleve.Config{BatchSize: bleve.DefaultBatchSize, OpenTimeout: bleve.DefaultOpenTimeout}, cfg.Search.Bleve.Adapter())
}

func TestSearchElasticsearchFromFileAndEnv(t *testing.T) {
	file := writeFile(t, "search:\n  driver: elasticsearch\n  elasticsearch:\n    index: node7\n")
	cfg, _, err := Load(Source{File: file, Env: []string{"LM_SEARCH_ELASTICSEARCH_ADDRESSES=http://es1:9200,http://es2:9200",
		"LM_SEARCH_ELASTICSEARCH_REQUESTTIMEOUT=3s"}})
	require.NoError(t, err)
	es := cfg.Search.Elasticsearch
	assert.Equal(t, []string{"http://es1:9200", "http://es2:9200"}, es.Addresses)
	assert.Equal(t, "node7", es.Index)
	assert.Equal(t, 3*time.Second, es.RequestTimeout)
}

func TestSearchErrors(t *testing.T) {
	for name, src := range map[string]Source{
		"unknown driver":        {Env: []string{"LM_SEARCH_DRIVER=solr"}},
		"es without addresses":  {Env: []string{"LM_SEARCH_DRIVER=elasticsearch"}},
		"es with a bad address": {Env: []string{"LM_SEARCH_DRIVER=elasticsearch", "LM_SEARCH_ELASTICSEARCH_ADDRESSES=es:9200"}},
		"bad bleve batch":       {Env: []string{"LM_SEARCH_BLEVE_BATCHSIZE=-1"}},
		"unknown key":           {File: writeFile(t, "search:\n  bleve:\n    pth: x\n")},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Load(src)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
	cfg, _, err := Load(Source{Env: []string{"LM_SEARCH_DRIVER=none", "LM_SEARCH_ELASTICSEARCH_ADDRESSES=nonsense"}})
	require.NoError(t, err, "the section of a driver not chosen is not checked")
	assert.Equal(t, SearchNone, cfg.Search.Driver)
}
