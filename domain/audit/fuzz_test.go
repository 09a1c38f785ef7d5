package audit_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/ledgermirror/ledgermirror/domain/audit"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// FuzzVerify feeds arbitrary files to the verifier: it must answer (a
// report or an error), never panic or hang.
func FuzzVerify(f *testing.F) {
	log, _ := history(f, 7, 3)
	raw, _ := export(f, log, member, nil)
	f.Add(raw)
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"prev":"0000000000000000000000000000000000000000000000000000000000000000","end":true}` + "\n"))
	cat := catalogue.Default()
	f.Fuzz(func(t *testing.T, in []byte) {
		_, _ = audit.Verify(context.Background(), bytes.NewReader(in), audit.Options{Catalogue: cat})
	})
}
