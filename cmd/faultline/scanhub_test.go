package main

import (
	"testing"

	"github.com/faultline/faultline/inventory"
)

// --security-hub needs AWS: with --snapshot it is a one-line usage error.
func TestSecurityHubWithSnapshot(t *testing.T) {
	dir := t.TempDir()
	err := inventory.WriteManifest(dir, inventory.Manifest{CallerAccount: "111111111111", CallerPartition: "aws",
		Accounts: []inventory.ManifestAccount{{ID: "111111111111", Partition: "aws", Regions: []string{"eu-west-1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "scan", "--snapshot", dir, "-o", t.TempDir(), "--security-hub")
	if want := "faultline: --security-hub cannot go with --snapshot, which makes no API call\n"; code != exitUsage || stderr != want || stdout != "" {
		t.Errorf("exit %d, stderr %q, stdout %q; want 2, %q", code, stderr, stdout, want)
	}
}
