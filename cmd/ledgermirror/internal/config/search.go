package config

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/adapters/search/elasticsearch"
)

// Search drivers.
const (
	SearchBleve         = "bleve"
	SearchElasticsearch = "elasticsearch"
	SearchNone          = "none"
)

// SearchConfig picks and configures the search index behind GET /search.
type SearchConfig struct {
	// Driver is "bleve" (default: an index in the data directory),
	// "elasticsearch" (a cluster) or "none" (no index; /search answers
	// 503).
	Driver        string               `yaml:"driver"`
	Bleve         BleveSearchConfig    `yaml:"bleve"`
	Elasticsearch elasticsearch.Config `yaml:"elasticsearch"`
}

// BleveSearchConfig is the Bleve index's directory and settings (see
// bleve.Config).
type BleveSearchConfig struct {
	// Path is the index's directory. Default <dataDir>/search.
	Path string `yaml:"path"`
	// BatchSize bounds the documents of one Bleve batch (default 1000).
	BatchSize int `yaml:"batchSize"`
	// OpenTimeout bounds the wait for the index's lock (default 5s).
	OpenTimeout time.Duration `yaml:"openTimeout"`
}

// Adapter is the adapter's configuration.
func (b BleveSearchConfig) Adapter() bleve.Config {
	return bleve.Config{BatchSize: b.BatchSize, OpenTimeout: b.OpenTimeout}
}

// SetDefaults fills unset fields. The Bleve path is derived from the data
// directory later (Config.derive).
func (s *SearchConfig) SetDefaults() {
	if s.Driver == "" {
		s.Driver = SearchBleve
	}
	c := s.Bleve.Adapter()
	c.SetDefaults()
	s.Bleve.BatchSize, s.Bleve.OpenTimeout = c.BatchSize, c.OpenTimeout
	s.Elasticsearch.SetDefaults()
}

// derive fills the Bleve path from the data directory.
func (s *SearchConfig) derive(dataDir string) {
	if s.Bleve.Path == "" {
		s.Bleve.Path = filepath.Join(dataDir, "search")
	}
}

// Validate checks the section of the chosen driver.
func (s SearchConfig) Validate() error {
	switch s.Driver {
	case SearchBleve:
		if s.Bleve.Path == "" {
			return fmt.Errorf("search.bleve.path: must not be empty")
		}
		return prefixed("search.bleve", s.Bleve.Adapter().Validate())
	case SearchElasticsearch:
		return prefixed("search.elasticsearch", s.Elasticsearch.Validate())
	case SearchNone:
		return nil
	default:
		return fmt.Errorf("search.driver %q: supported drivers are %q, %q and %q", s.Driver, SearchBleve, SearchElasticsearch, SearchNone)
	}
}
