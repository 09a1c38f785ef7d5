package network

import (
	"context"
	"crypto/ecdsa"
	"io"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/domain/audit"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// exporter writes the member's audit exports (GET /admin/export), signed
// with its chain key when asked.
type exporter struct {
	store     event.Store
	cat       *catalogue.Catalogue
	org, node string
	signer    audit.Signer
}

func newExporter(store event.Store, cat *catalogue.Catalogue, org, node string, key *ecdsa.PrivateKey) exporter {
	return exporter{store: store, cat: cat, org: org, node: node, signer: ethereum.NewManifestSigner(key)}
}

func (e exporter) Export(ctx context.Context, namespace string, from, to uint64, sign bool, w io.Writer) (audit.Manifest, error) {
	var signer audit.Signer
	if sign {
		signer = e.signer
	}
	req := audit.Request{Org: e.org, Node: e.node, Namespace: namespace, From: from, To: to}
	return audit.Export(ctx, e.store, e.cat, req, w, signer, nil)
}
