package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/output"
)

// setupConcurrency bounds assume-role and region discovery: 16 at once keeps
// STS well under its request quotas while a large organisation's setup does
// not hold back its tasks.
const setupConcurrency = 16

// Request is which accounts and regions a command covers and how to reach
// them: the flags scan, collect and flows share.
type Request struct {
	Profile string
	Retry   RetrySettings
	// Accounts nil and AllAccounts false: the caller's account only.
	Accounts        []string
	AllAccounts     bool
	ExcludeAccounts []string
	AssumeRole      string
	ExternalID      string
	SessionName     string
	RoleDuration    time.Duration
	// Regions nil: every enabled region of each account.
	Regions []string
	// Pick narrows the sorted account IDs (--shard); nil keeps them all.
	Pick func([]string) []string
	Log  zerolog.Logger
}

// Estate is the accounts a command works on, set up and ready.
type Estate struct {
	Base     aws.Config
	Caller   Identity
	Org      OrgDirectory
	Accounts []*Account
	// SetupRows are the run-report rows of accounts that could not be set up.
	SetupRows []output.ReportRow
}

// UsageError is a request that cannot be served as given (exit code 2): a
// region the account has not enabled, another account without a role.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ErrInterrupted is returned when the context ends before any account is set up.
var ErrInterrupted = errors.New("interrupted")

// Prepare loads the configuration, identifies the caller, reads the
// organization and sets up every requested account with its regions.
// Independent reads go out together. One account failing never stops the
// others; without --accounts (the caller's own account) its failure is the
// error.
func Prepare(ctx context.Context, req Request) (*Estate, error) {
	base, err := LoadConfig(ctx, req.Profile, req.Retry)
	if err != nil {
		return nil, fmt.Errorf("cannot load AWS configuration: %w", err)
	}
	est := &Estate{Base: base}
	callerOnly := req.Accounts == nil && !req.AllAccounts
	// The seed's default (the caller's own account, its own credentials)
	// needs three independent reads: who the caller is, its regions and its
	// organization. They go out together, one round trip before the tasks.
	ownCredentials := callerOnly && req.AssumeRole == ""
	var callerErr, orgErr, regionsErr error
	var enabled []string
	var round errgroup.Group
	round.Go(func() error { est.Caller, callerErr = Identify(ctx, base); return nil })
	if !callerOnly || ownCredentials {
		round.Go(func() error { est.Org, orgErr = ReadOrg(ctx, base); return nil })
	}
	if ownCredentials {
		round.Go(func() error { enabled, regionsErr = EnabledRegions(ctx, base); return nil })
	}
	_ = round.Wait()
	if callerErr != nil {
		if ctx.Err() != nil {
			return nil, ErrInterrupted
		}
		return nil, CallerError(callerErr)
	}
	if callerOnly && !ownCredentials {
		// The seed read the organization with the assumed role.
		orgCfg := AssumeRole(base, RoleARN(est.Caller.Partition, est.Caller.Account, req.AssumeRole), req.SessionName, req.ExternalID, req.RoleDuration)
		est.Org, orgErr = ReadOrg(ctx, orgCfg)
	}
	if orgErr != nil {
		req.Log.Debug().Str("code", ErrorCode(orgErr)).Msg("Organizations not fully readable: account names and payer may be empty")
	}
	ids, err := accountIDs(req, est.Caller.Account, est.Org, orgErr)
	if err != nil {
		return nil, err
	}
	setup := SetupOptions{
		Partition: est.Caller.Partition, RoleName: req.AssumeRole, ExternalID: req.ExternalID,
		SessionName: req.SessionName, Duration: req.RoleDuration, Regions: req.Regions,
		Concurrency: setupConcurrency, Org: est.Org, Log: req.Log,
	}
	var results []SetupResult
	switch {
	case ownCredentials && len(ids) == 1:
		results = []SetupResult{CallerAccount(ctx, base, est.Caller, enabled, regionsErr, setup)}
	case ownCredentials: // --shard K/N left no account
	default:
		results = SetUpAccounts(ctx, base, ids, setup)
	}
	if ctx.Err() != nil {
		return nil, ErrInterrupted
	}
	for _, r := range results {
		if r.Failure != nil {
			if callerOnly {
				return nil, fmt.Errorf("cannot set up account %s (%s): %s", r.Failure.AccountID, r.Failure.ErrorCode, r.Failure.ErrorMessage)
			}
			est.SetupRows = append(est.SetupRows, *r.Failure)
			continue
		}
		if len(r.NotEnabled) > 0 {
			if callerOnly {
				return nil, &UsageError{fmt.Sprintf("region %q is not enabled in account %s; enabled: %s", r.NotEnabled[0], r.Account.ID, strings.Join(r.Enabled, ", "))}
			}
			req.Log.Warn().Str("account", r.Account.ID).Strs("regions", r.NotEnabled).Msg("regions not enabled in this account are skipped")
		}
		est.Accounts = append(est.Accounts, r.Account)
	}
	return est, nil
}

// accountIDs is the sorted list of accounts to set up.
func accountIDs(req Request, callerID string, org OrgDirectory, orgErr error) ([]string, error) {
	var ids []string
	var requested string // what ids are, for an error
	switch {
	case req.AllAccounts:
		if orgErr != nil {
			return nil, fmt.Errorf("--accounts ALL: cannot list the organization's accounts (call from the management account or a delegated administrator): %w", orgErr)
		}
		ids = slices.Clone(org.Active)
		requested = "--accounts ALL, the organization's ACTIVE accounts: "
	case req.Accounts != nil:
		ids = slices.Clone(req.Accounts)
	default:
		ids = []string{callerID}
		requested = "no --accounts, so the caller's: "
	}
	if err := excludeAccounts(ids, req.ExcludeAccounts, requested); err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(req.ExcludeAccounts, id) })
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if req.AssumeRole == "" {
		for _, id := range ids {
			if id != callerID {
				return nil, &UsageError{fmt.Sprintf("--accounts names account %s, which is not the caller's (%s): add --aws-assume-role NAME", id, callerID)}
			}
		}
	}
	if req.Pick != nil {
		ids = req.Pick(ids)
	}
	return ids, nil
}

// excludeAccounts refuses an --exclude-accounts that leaves none of ids
// (described by requested), naming the accounts that were requested.
func excludeAccounts(ids, exclude []string, requested string) error {
	if len(ids) == 0 || len(exclude) == 0 || slices.ContainsFunc(ids, func(id string) bool { return !slices.Contains(exclude, id) }) {
		return nil
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(ids)))
	return &UsageError{fmt.Sprintf("--exclude-accounts leaves no account to scan: it excludes every account requested (%s%s)",
		requested, strings.Join(sorted, ", "))}
}

// FromSnapshot is the estate a snapshot was collected from, narrowed to the
// requested accounts and regions, without any call: the accounts, names,
// payer and regions the collection set up, and its account-setup failures.
// Asking for an account or region the snapshot lacks is a UsageError.
func FromSnapshot(snap *inventory.Snapshot, req Request) (*Estate, error) {
	m := snap.Manifest
	est := &Estate{
		Caller: Identity{Account: m.CallerAccount, Partition: m.CallerPartition},
		Org:    OrgDirectory{Names: map[string]string{}},
	}
	var ids []string
	for _, a := range m.Accounts {
		ids = append(ids, a.ID)
		est.Org.Names[a.ID] = a.Name
		if a.PayerID != "" {
			est.Org.PayerID = a.PayerID
			est.Org.Names[a.PayerID] = a.PayerName
		}
	}
	want := ids
	if req.Accounts != nil {
		for _, id := range req.Accounts {
			if !slices.Contains(ids, id) {
				return nil, &UsageError{fmt.Sprintf("account %s is not in snapshot %s (it holds %s)", id, snap.Dir, strings.Join(ids, ", "))}
			}
		}
		want = req.Accounts
	}
	requested := "snapshot " + snap.Dir + " holds: "
	if req.Accounts != nil {
		requested = ""
	}
	if err := excludeAccounts(want, req.ExcludeAccounts, requested); err != nil {
		return nil, err
	}
	want = slices.DeleteFunc(slices.Clone(want), func(id string) bool { return slices.Contains(req.ExcludeAccounts, id) })
	slices.Sort(want)
	want = slices.Compact(want)
	if req.Pick != nil {
		want = req.Pick(want)
	}
	for _, a := range m.Accounts {
		if !slices.Contains(want, a.ID) {
			continue
		}
		acct := &Account{ID: a.ID, Name: a.Name, PayerID: a.PayerID, PayerName: a.PayerName, Partition: a.Partition, Regions: a.Regions}
		if req.Regions != nil {
			acct.Regions = nil
			for _, r := range req.Regions {
				if !slices.Contains(a.Regions, r) {
					return nil, &UsageError{fmt.Sprintf("region %s of account %s is not in snapshot %s (it holds %s)", r, a.ID, snap.Dir, strings.Join(a.Regions, ", "))}
				}
				acct.Regions = append(acct.Regions, r)
			}
		}
		est.Accounts = append(est.Accounts, acct)
	}
	for _, raw := range m.Failures {
		var row output.ReportRow
		if err := json.Unmarshal(raw, &row); err != nil {
			return nil, fmt.Errorf("snapshot %s: account-setup row: %w", snap.Dir, err)
		}
		if slices.Contains(want, row.AccountID) || req.Accounts == nil {
			est.SetupRows = append(est.SetupRows, row)
		}
	}
	return est, nil
}

// Manifest describes est for a snapshot of services.
func (est *Estate) Manifest(version string, services []string, at time.Time) (inventory.Manifest, error) {
	m := inventory.Manifest{Version: version, CollectedAt: at.UTC(), Services: services,
		CallerAccount: est.Caller.Account, CallerPartition: est.Caller.Partition}
	for _, a := range est.Accounts {
		m.Accounts = append(m.Accounts, inventory.ManifestAccount{ID: a.ID, Name: a.Name, PayerID: a.PayerID, PayerName: a.PayerName,
			Partition: a.Partition, Regions: a.Regions})
	}
	for _, row := range est.SetupRows {
		raw, err := json.Marshal(row)
		if err != nil {
			return m, err
		}
		m.Failures = append(m.Failures, raw)
	}
	return m, nil
}

// Scope is acct's inventory account.
func (a *Account) Scope() inventory.Account {
	return inventory.Account{ID: a.ID, Partition: a.Partition, Config: a.Config, Regions: a.Regions}
}
