package main

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/internal/inputs"
)

// parseOrgOptions validates the organisation flags. Nothing here calls AWS.
func parseOrgOptions(c *cli.Context, opts *scanOptions) error {
	accounts := splitList(c.StringSlice("accounts"))
	if c.IsSet("accounts") && len(accounts) == 0 {
		return usagef("--accounts needs ALL or account IDs")
	}
	if slices.Contains(accounts, "ALL") {
		if len(accounts) > 1 {
			return usagef("--accounts ALL cannot be combined with account IDs")
		}
		if c.IsSet("accounts-file") {
			return usagef("--accounts ALL conflicts with --accounts-file")
		}
		opts.AllAccounts = true
		accounts = nil
	}
	if file := c.String("accounts-file"); c.IsSet("accounts-file") {
		fromFile, err := readAccountsFile(file)
		if err != nil {
			return err
		}
		accounts = append(accounts, fromFile...)
		if len(accounts) == 0 {
			return usagef("--accounts-file %s lists no account", file)
		}
	}
	for _, id := range accounts {
		if err := inputs.AccountID(id); err != nil {
			return usagef("%s in --accounts", err)
		}
	}
	if len(accounts) > 0 {
		opts.Accounts = splitList(accounts)
	}
	opts.ExcludeAccounts = splitList(c.StringSlice("exclude-accounts"))
	for _, id := range opts.ExcludeAccounts {
		if err := inputs.AccountID(id); err != nil {
			return usagef("%s in --exclude-accounts", err)
		}
	}
	if len(opts.Accounts) > 0 && len(opts.ExcludeAccounts) > 0 &&
		!slices.ContainsFunc(opts.Accounts, func(id string) bool { return !slices.Contains(opts.ExcludeAccounts, id) }) {
		return usagef("--exclude-accounts leaves no account to scan: it excludes every account requested (%s)",
			strings.Join(slices.Sorted(slices.Values(opts.Accounts)), ", "))
	}

	opts.ExternalID = c.String("external-id")
	opts.SessionName = c.String("role-session-name")
	opts.RoleDuration = c.Duration("assume-role-duration")
	if err := checkRoleFlags(c, opts.AssumeRole, "external-id", "assume-role-duration", "role-session-name"); err != nil {
		return err
	}
	if c.IsSet("assume-role-duration") && (opts.RoleDuration < 15*time.Minute || opts.RoleDuration > 12*time.Hour) {
		return usagef("--assume-role-duration must be between 15m and 12h, got %s", opts.RoleDuration)
	}
	if c.IsSet("shard") {
		sh, err := parseShard(c.String("shard"))
		if err != nil {
			return err
		}
		opts.Shard = sh
	}
	return nil
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// checkRoleFlags checks the flags that go with --aws-assume-role (whose
// value is role): each of needRole given without it is an error, in that
// order; then --external-id's and --role-session-name's values.
func checkRoleFlags(c *cli.Context, role string, needRole ...string) error {
	for _, f := range needRole {
		if c.IsSet(f) && role == "" {
			return usagef("--%s needs --aws-assume-role", f)
		}
	}
	if c.IsSet("external-id") {
		if err := inputs.ExternalID(c.String("external-id")); err != nil {
			return usagef("--external-id %s", err)
		}
	}
	if name := c.String("role-session-name"); !sessionNamePattern.MatchString(name) {
		return usagef("--role-session-name %q must be 2 to 64 of A-Z a-z 0-9 +=,.@-", name)
	}
	return nil
}

func parseShard(s string) (shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ki < 1 || ni < 1 || ki > ni {
		return shard{}, usagef("--shard must be K/N with 1 <= K <= N, got %q", s)
	}
	return shard{ki, ni}, nil
}

// readAccountsFile reads one account ID per line; "#" starts a comment.
func readAccountsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--accounts-file: %v", err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if err := inputs.AccountID(line); err != nil {
			return nil, usagef("%s at %s:%d", err, path, n)
		}
		ids = append(ids, line)
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--accounts-file: %v", err)
	}
	return ids, nil
}

// parseDeliveryOptions validates --bucket, --event-bus-arn and --format.
func parseDeliveryOptions(c *cli.Context, opts *scanOptions) error {
	opts.Bucket = c.String("bucket")
	opts.BucketOwner = c.String("bucket-owner")
	opts.KMSKeyID = c.String("sse-kms-key-id")
	if c.IsSet("bucket") {
		if err := inputs.BucketName(opts.Bucket); err != nil {
			return usagef("%s", err)
		}
	}
	for _, f := range []string{"bucket-owner", "sse-kms-key-id"} {
		if c.IsSet(f) && !c.IsSet("bucket") {
			return usagef("--%s needs --bucket", f)
		}
	}
	if c.IsSet("bucket-owner") {
		if err := inputs.AccountID(opts.BucketOwner); err != nil {
			return usagef("%s in --bucket-owner", err)
		}
	}
	if c.IsSet("sse-kms-key-id") && strings.TrimSpace(opts.KMSKeyID) == "" {
		return usagef("--sse-kms-key-id needs a key ID, ARN or alias")
	}
	if c.IsSet("event-bus-arn") {
		bus, err := inputs.EventBusARN(c.String("event-bus-arn"))
		if err != nil {
			return usagef("%s", err)
		}
		opts.EventBusARN, opts.EventRegion = bus.String(), bus.Region
	}
	opts.SecurityHub = c.Bool("security-hub")
	for _, f := range splitList(c.StringSlice("format")) {
		switch f {
		case "csv":
		case "jsonl":
			opts.JSONL = true
		case "ocsf":
			opts.OCSF = true
		case "html":
			opts.HTML = true
		default:
			return usagef("--format takes %s, got %q", joinLast(scanFormats, "and"), f)
		}
	}
	return nil
}

// scanFormats are scan's --format values (csv is always written).
var scanFormats = []string{"csv", "jsonl", "ocsf", "html"}

// joinLast joins "a, b and c" (with word before the last).
func joinLast(items []string, word string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + word + " " + items[len(items)-1]
}
