//go:build integration && stress

package e2e_test

import (
	"testing"
	"time"
)

// TestFaultsStress is the fault test at full size: 10,000 broadcasts from
// the three members while a random member is killed with SIGKILL five
// times and the chain three times for a few seconds. Run it with
// go test -tags "integration stress" -run TestFaultsStress -timeout 60m ./test/e2e/
func TestFaultsStress(t *testing.T) {
	runFaults(t, faultPlan{messages: 10_000, memberKills: 5, chainOutages: 3, chainDown: 4 * time.Second, timeout: 20 * time.Minute})
}
