// Package figure is the one shape every benchmark suite reports in: a named
// value with a unit, printed by the CLI as `BENCH name=value unit` or JSON.
package figure

// Figure is one measured value.
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}
