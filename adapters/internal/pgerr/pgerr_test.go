package pgerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"

	"github.com/ledgermirror/ledgermirror/adapters/internal/pgerr"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestClassify(t *testing.T) {
	for code, unavailable := range map[string]bool{"53100": true, "25006": true, "58030": true, "53000": true,
		"23505": false, "40001": false, "42P01": false} {
		err := fmt.Errorf("appending: %w", &pgconn.PgError{Code: code, Message: "m"})
		assert.Equal(t, unavailable, errors.Is(pgerr.Classify(err), event.ErrStorageUnavailable), code)
	}
	assert.NoError(t, pgerr.Classify(nil))
}
