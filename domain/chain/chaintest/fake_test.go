package chaintest_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/chain/chaintest"
)

func TestFakeTxStatus(t *testing.T) {
	ctx := context.Background()
	c := chaintest.New()
	n := c.Mine(uuid.New())
	logs, err := c.Logs(ctx, n, n)
	require.NoError(t, err)
	mined := logs[0].TxHash

	status, err := c.TxStatus(ctx, mined)
	require.NoError(t, err)
	assert.Equal(t, chain.TxStatus{State: chain.TxMined, BlockNumber: n}, status)

	failed := chain.TxStatus{State: chain.TxReverted, BlockNumber: n, Reason: "out of gas"}
	c.SetTxStatus("0xfailed", failed)
	status, err = c.TxStatus(ctx, "0xfailed")
	require.NoError(t, err)
	assert.Equal(t, failed, status)

	c.Reorg(1)
	status, err = c.TxStatus(ctx, mined)
	require.NoError(t, err)
	assert.Equal(t, chain.TxUnknown, status.State, "its block is gone")

	c.SetDown(true)
	_, err = c.TxStatus(ctx, mined)
	assert.ErrorIs(t, err, chaintest.ErrDown)
}
