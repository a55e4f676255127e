package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/inventory"
)

// openCommandSnapshot opens --snapshot DIR for reach and flows, refusing
// the flags that need AWS: with a snapshot no API call is made, and no AWS
// configuration is even loaded.
func openCommandSnapshot(c *cli.Context, awsFlags ...string) (*inventory.Snapshot, error) {
	for _, f := range awsFlags {
		if c.IsSet(f) {
			return nil, usagef("--%s cannot go with --snapshot, which makes no API call", f)
		}
	}
	snap, err := inventory.OpenSnapshot(c.String("snapshot"))
	if err != nil {
		return nil, usagef("--snapshot: %s", err)
	}
	return snap, nil
}

// snapshotEstate is the part of snap a command reads: accounts (the
// collecting caller's when none is given) in regions (when none is given,
// the one region each account was collected in; several are a usage error
// that lists them). Nothing here calls AWS.
func snapshotEstate(snap *inventory.Snapshot, accounts, regions []string) (*account.Estate, error) {
	if len(accounts) == 0 {
		accounts = []string{snap.Manifest.CallerAccount}
	}
	req := account.Request{Accounts: accounts}
	if len(regions) > 0 {
		req.Regions = regions
	}
	est, err := account.FromSnapshot(snap, req)
	if err != nil {
		return nil, estateError(err)
	}
	if len(regions) == 0 {
		for _, a := range est.Accounts {
			if len(a.Regions) != 1 {
				return nil, usagef("--snapshot %s holds account %s in %s: give --region", snap.Dir, a.ID, regionList(a.Regions))
			}
		}
	}
	return est, nil
}

func regionList(regions []string) string {
	if len(regions) == 0 {
		return "no region"
	}
	return fmt.Sprintf("%d regions (%s)", len(regions), strings.Join(regions, ", "))
}
