package account

import (
	"errors"
	"strings"
	"testing"
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
