package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// checkpointsMeta is the key, in the index mapping's _meta, of the
// checkpoints: {"<name>": <position>}. The mapping's _meta is index
// metadata kept in the cluster state, not a document, so no search ever
// finds it and the strict mapping needs no field for it; it goes and comes
// with the index (Drop, a new MappingVersion).
const checkpointsMeta = "lm_checkpoints"

// mappingMeta is the part of GET <index>/_mapping that is read.
type mappingMeta map[string]struct {
	Mappings struct {
		Meta map[string]json.RawMessage `json:"_meta"`
	} `json:"mappings"`
}

// Checkpoint implements search.Index.
func (x *Index) Checkpoint(ctx context.Context, name string) (uint64, error) {
	if err := search.ValidateCheckpointName(name); err != nil {
		return 0, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return 0, search.ErrClosed
	}
	cps, err := x.checkpoints(ctx)
	if err != nil {
		return 0, err
	}
	return cps[name], nil
}

// SetCheckpoint implements search.Index. The bulk requests of earlier
// Index calls were acknowledged, so written to the translog, before this
// mapping update is sent: the order holds after a crash. The checkpoints
// are read, changed and written back whole, serialised within the process
// (one projector writes them).
func (x *Index) SetCheckpoint(ctx context.Context, name string, pos uint64) error {
	if err := search.ValidateCheckpointName(name); err != nil {
		return err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.ErrClosed
	}
	x.cpMu.Lock()
	defer x.cpMu.Unlock()
	cps, err := x.checkpoints(ctx)
	if err != nil {
		return err
	}
	cps[name] = pos
	body, err := json.Marshal(map[string]any{"_meta": map[string]any{checkpointsMeta: cps}})
	if err != nil {
		return fmt.Errorf("elasticsearch search: %w", err)
	}
	res, err := x.client.Indices.PutMapping([]string{x.name}, bytes.NewReader(body), x.client.Indices.PutMapping.WithContext(ctx))
	return check("write checkpoint", res, err)
}

// checkpoints reads every checkpoint of the index.
func (x *Index) checkpoints(ctx context.Context) (map[string]uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("elasticsearch search: read checkpoints: %w", err)
	}
	res, err := x.client.Indices.GetMapping(x.client.Indices.GetMapping.WithIndex(x.name), x.client.Indices.GetMapping.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("elasticsearch search: read checkpoints: %w", err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return nil, check("read checkpoints", res, nil)
	}
	var m mappingMeta
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("elasticsearch search: read checkpoints: %w", err)
	}
	cps := map[string]uint64{}
	if raw, ok := m[x.name].Mappings.Meta[checkpointsMeta]; ok {
		if err := json.Unmarshal(raw, &cps); err != nil {
			return nil, fmt.Errorf("elasticsearch search: checkpoints in the mapping's _meta: %w", err)
		}
	}
	return cps, nil
}
