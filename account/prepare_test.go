package account

import (
	"errors"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
)

func TestAccountIDs(t *testing.T) {
	org := OrgDirectory{Active: []string{"100000000001", "100000000002", "100000000003", "100000000004", "100000000005"}}
	// everyOther stands for --shard 1/2: it must see the list after exclusions.
	everyOther := func(ids []string) []string {
		var out []string
		for i, id := range ids {
			if i%2 == 0 {
				out = append(out, id)
			}
		}
		return out
	}
	cases := []struct {
		name string
		req  Request
		want string
		err  string
	}{
		{"caller only", Request{}, "999999999999", ""},
		{"ALL", Request{AllAccounts: true, AssumeRole: "R"}, "100000000001 100000000002 100000000003 100000000004 100000000005", ""},
		{"ALL minus excluded", Request{AllAccounts: true, AssumeRole: "R", ExcludeAccounts: []string{"100000000002"}}, "100000000001 100000000003 100000000004 100000000005", ""},
		{"picked after exclusion", Request{AllAccounts: true, AssumeRole: "R", Pick: everyOther, ExcludeAccounts: []string{"100000000001"}}, "100000000002 100000000004", ""},
		{"listed, sorted, deduplicated", Request{Accounts: []string{"300000000000", "200000000000", "300000000000"}, AssumeRole: "R"}, "200000000000 300000000000", ""},
		{"other accounts need a role", Request{Accounts: []string{"999999999999", "200000000000"}}, "",
			"--accounts names account 200000000000, which is not the caller's (999999999999): add --aws-assume-role NAME"},
		{"the caller needs no role", Request{Accounts: []string{"999999999999"}}, "999999999999", ""},
		{"ALL excluded", Request{AllAccounts: true, AssumeRole: "R", ExcludeAccounts: org.Active}, "",
			"--exclude-accounts leaves no account to scan: it excludes every account requested (--accounts ALL, the organization's ACTIVE accounts: 100000000001, 100000000002, 100000000003, 100000000004, 100000000005)"},
		{"listed excluded", Request{Accounts: []string{"300000000000", "200000000000"}, AssumeRole: "R", ExcludeAccounts: []string{"200000000000", "300000000000", "400000000000"}}, "",
			"--exclude-accounts leaves no account to scan: it excludes every account requested (200000000000, 300000000000)"},
		{"caller excluded", Request{ExcludeAccounts: []string{"999999999999"}}, "",
			"--exclude-accounts leaves no account to scan: it excludes every account requested (no --accounts, so the caller's: 999999999999)"},
		{"a shard left empty is no error", Request{Accounts: []string{"200000000000"}, AssumeRole: "R", Pick: func([]string) []string { return nil }}, "", ""},
	}
	for _, c := range cases {
		ids, err := accountIDs(c.req, "999999999999", org, nil)
		if got := strings.Join(ids, " "); got != c.want || (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("%s: got %q %v, want %q %q", c.name, got, err, c.want, c.err)
		}
		var usage *UsageError
		if c.err != "" && !errors.As(err, &usage) {
			t.Errorf("%s: %v is not a usage error", c.name, err)
		}
	}
	_, err := accountIDs(Request{AllAccounts: true, AssumeRole: "R"}, "999999999999", org, errors.New("AccessDenied"))
	var usage *UsageError
	if err == nil || errors.As(err, &usage) {
		t.Errorf("ALL without Organizations: %v", err)
	}
}

// A snapshot's accounts all excluded is a usage error naming them.
func TestFromSnapshotExcludesEverything(t *testing.T) {
	dir := t.TempDir()
	m := inventory.Manifest{Version: "test", CallerAccount: "100000000001", CallerPartition: "aws", Services: []string{"rds"},
		Accounts: []inventory.ManifestAccount{{ID: "100000000002", Partition: "aws", Regions: []string{"eu-west-1"}}, {ID: "100000000001", Partition: "aws", Regions: []string{"eu-west-1"}}}}
	if err := inventory.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	snap, err := inventory.OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = FromSnapshot(snap, Request{ExcludeAccounts: []string{"100000000001", "100000000002"}})
	want := "--exclude-accounts leaves no account to scan: it excludes every account requested (snapshot " + dir + " holds: 100000000001, 100000000002)"
	var usage *UsageError
	if !errors.As(err, &usage) || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	est, err := FromSnapshot(snap, Request{ExcludeAccounts: []string{"100000000001"}})
	if err != nil || len(est.Accounts) != 1 || est.Accounts[0].ID != "100000000002" {
		t.Errorf("one excluded: %v %v", est, err)
	}
}
