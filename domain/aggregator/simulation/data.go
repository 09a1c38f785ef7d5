package simulation

import (
	"fmt"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Datatypes the histories use. ghost is referred to but never defined.
var (
	invoiceType  = must(protocol.NewDatatypeRef("invoice", "1.0"))
	shipmentType = must(protocol.NewDatatypeRef("shipment", "2.0"))
	ghostType    = must(protocol.NewDatatypeRef("ghost", "1.0"))
)

const (
	invoiceSchema  = `{"type":"object","properties":{"amount":{"type":"number"}},"required":["amount"]}`
	shipmentSchema = `{"type":"object","properties":{"weight":{"type":"integer","minimum":0}},"required":["weight"]}`
)

// dataSpec picks a data item: mostly a plain value, sometimes a blob
// (with or without a value), and one in five typed, valid or not, or typed
// with a datatype that is never defined.
func (g *generator) dataSpec() dataSpec {
	rng := g.b.rng
	if rng.Float64() < 0.2 {
		r := rng.Float64()
		if g.opts.Calm && (r < 0.1 || r >= 0.55 && r < 0.65 || r >= 0.9) {
			r = 0.5 // calm histories only carry valid values
		}
		switch {
		case r < 0.1:
			return dataSpec{value: `{"amount":1}`, datatype: &ghostType}
		case r < 0.55:
			return dataSpec{value: fmt.Sprintf(`{"amount":%d.5}`, rng.Intn(1000)), datatype: &invoiceType}
		case r < 0.65:
			return dataSpec{value: `{"amount":"lots"}`, datatype: &invoiceType}
		case r < 0.9:
			return dataSpec{value: fmt.Sprintf(`{"weight":%d}`, rng.Intn(50)), datatype: &shipmentType}
		default:
			return dataSpec{value: `{"weight":-1}`, datatype: &shipmentType}
		}
	}
	s := dataSpec{value: fmt.Sprintf(`{"n":%d,"note":"x%d"}`, rng.Intn(1e6), rng.Intn(100))}
	if rng.Float64() < 0.15 {
		s.blob = true
		if rng.Float64() < 0.5 {
			s.value = ""
		}
	}
	return s
}
