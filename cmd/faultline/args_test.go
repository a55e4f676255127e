package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

func TestNormaliseArgs(t *testing.T) {
	cases := []struct{ in, want string }{
		{"--services rds lambda", "--services rds,lambda"},
		{"-s rds lambda -r us-east-1 eu-west-1 --truncate-output", "-s rds,lambda -r us-east-1,eu-west-1 --truncate-output"},
		{"--services rds,lambda", "--services rds,lambda"},
		{"--services rds --services lambda", "--services rds --services lambda"},
		{"--services=rds lambda", "--services=rds,lambda"},
		{"-s=rds dax", "-s=rds,dax"},
		{"--regions ALL -o out/", "--regions ALL -o out/"},
		{"-o out/ rds", "-o out/ rds"}, // not a list flag: left for the parser to reject
		{"--services rds -- lambda", "--services rds -- lambda"},
		{"--services", "--services"},
		{"--accounts 111111111111 222222222222 --exclude-accounts 333333333333", "--accounts 111111111111,222222222222 --exclude-accounts 333333333333"},
		{"", ""},
	}
	for _, c := range cases {
		got := strings.Join(normaliseArgs(strings.Fields(c.in)), " ")
		if got != c.want {
			t.Errorf("normaliseArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitList(t *testing.T) {
	got := splitList([]string{"rds, lambda", "rds", ",dax,", ""})
	if strings.Join(got, "|") != "rds|lambda|dax" {
		t.Errorf("splitList = %q", got)
	}
}

// noAWS points the SDK at a loopback server that counts requests, so a test
// can prove that bad input is refused before any API call.
func noAWS(t *testing.T) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	t.Setenv("AWS_RETRY_MODE", "")
	return &n
}

func run(t *testing.T, args ...string) (code exitCode, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runApp(append([]string{"faultline"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// Every bad command line gets its exact one-line message and exit 2, and
// makes no API call.
func TestBadCommandLines(t *testing.T) {
	calls := noAWS(t)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o600)
	accountsFile := filepath.Join(dir, "accounts.txt")
	os.WriteFile(accountsFile, []byte("111111111111\n"), 0o600)
	badAccountsFile := filepath.Join(dir, "bad.txt")
	os.WriteFile(badAccountsFile, []byte("# prod\n111111111111 # payments\n12-34\n"), 0o600)
	valid := "ALL, " + strings.Join(serviceKeys(), ", ")
	checks := strings.Join(checkIDs(), ", ")
	badMutelist := filepath.Join(dir, "mutelist.yaml")
	os.WriteFile(badMutelist, []byte("mutelist:\n  - check: RDS-1\n    reason: legacy\n  - check: RDS-1\n    resons: typo\n"), 0o600)
	cases := []struct {
		args string
		want string
	}{
		{"scan --services foo", `unknown service "foo" in --services; valid: ` + valid},
		{"scan -s lambda nope", `unknown service "nope" in --services; valid: ` + valid},
		{"scan -s ALL lambda", `--services ALL cannot be combined with service names; valid: ` + valid},
		{"scan -r us-east", `malformed region "us-east" in --regions; use ALL or region names such as us-east-1, eu-west-2`},
		{"scan -r us-east-1 US-WEST-2", `malformed region "US-WEST-2" in --regions; use ALL or region names such as us-east-1, eu-west-2`},
		{"scan -r ALL,us-east-1", `--regions ALL cannot be combined with region names; use ALL alone or names such as us-east-1`},
		{"scan -m 0", `--max-concurrent-threads must be at least 1, got 0`},
		{"scan --concurrency -3", `--max-concurrent-threads must be at least 1, got -3`},
		{"scan -m x", `invalid value "x" for flag -m: parse error`},
		{"scan --single-threaded -m 5", `--single-threaded conflicts with --max-concurrent-threads 5`},
		{"scan --log-level verbose", `--log-level must be one of debug, info, warn, error; got "verbose"`},
		{"scan --log-level trace", `--log-level must be one of debug, info, warn, error; got "trace"`},
		{"scan --log-format xml", `--log-format must be console or json; got "xml"`},
		{"scan --task-timeout 0s", `--task-timeout must be positive, got 0s`},
		{"scan --task-timeout soon", `invalid value "soon" for flag -task-timeout: parse error`},
		{"scan --retry-mode legacy", `retry mode must be standard or adaptive, got "legacy"`},
		{"scan --aws-assume-role bad*role", `--aws-assume-role "bad*role" is not a valid IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-; a path is allowed before it)`},
		{"scan --no-such-flag", `flag provided but not defined: -no-such-flag`},
		{"scan extra", `unexpected argument "extra"; scan takes only flags (see faultline scan --help)`},
		{"scan -o " + blocker + "/out", `cannot create output folder ` + blocker + `/out: mkdir ` + blocker + `: not a directory`},
		{"scan -o ''", `--output needs a folder name`},
		{"frobnicate", `unknown command "frobnicate"; commands: scan, collect, policy, reach, flows, diff, services, completion, version`},
		{"scan --accounts 12345", `malformed account ID "12345": expected 12 digits in --accounts`},
		{"scan --accounts ALL 111111111111", `--accounts ALL cannot be combined with account IDs`},
		{"scan --accounts ALL --accounts-file " + accountsFile, `--accounts ALL conflicts with --accounts-file`},
		{"scan --accounts-file " + dir + "/missing.txt", `--accounts-file: open ` + dir + `/missing.txt: no such file or directory`},
		{"scan --accounts-file " + badAccountsFile, `malformed account ID "12-34": expected 12 digits at ` + badAccountsFile + `:3`},
		{"scan --exclude-accounts abc", `malformed account ID "abc": expected 12 digits in --exclude-accounts`},
		{"scan --shard 0/2", `--shard must be K/N with 1 <= K <= N, got "0/2"`},
		{"scan --shard 3/2", `--shard must be K/N with 1 <= K <= N, got "3/2"`},
		{"scan --shard two", `--shard must be K/N with 1 <= K <= N, got "two"`},
		{"scan --external-id abc", `--external-id needs --aws-assume-role`},
		{"scan --aws-assume-role R --assume-role-duration 5m", `--assume-role-duration must be between 15m and 12h, got 5m0s`},
		{"scan --aws-assume-role R --role-session-name x", `--role-session-name "x" must be 2 to 64 of A-Z a-z 0-9 +=,.@-`},
		{"scan --bucket " + strings.Repeat("b", 64), `invalid bucket name "` + strings.Repeat("b", 64) + `": must be 3 to 63 characters long, got 64`},
		{"scan --bucket Findings", `invalid bucket name "Findings": use only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit`},
		{"scan --bucket-owner 111111111111", `--bucket-owner needs --bucket`},
		{"scan --bucket bkt --bucket-owner 1111", `malformed account ID "1111": expected 12 digits in --bucket-owner`},
		{"scan --event-bus-arn arn:aws-gov:events:us-gov-west-1:111111111111:event-bus/b", `invalid event bus ARN "arn:aws-gov:events:us-gov-west-1:111111111111:event-bus/b": partition must be one of aws, aws-cn, aws-us-gov`},
		{"scan --event-bus-arn arn:aws:sqs:us-east-1:111111111111:queue", `invalid event bus ARN "arn:aws:sqs:us-east-1:111111111111:queue": service must be events`},
		{"scan --format xml", `--format takes csv, jsonl, ocsf and html, got "xml"`},
		{"scan -s ''", `--services needs at least one service key or ALL`},
		{"scan --services ''", `--services needs at least one service key or ALL`},
		{"scan --services= -r us-east-1", `--services needs at least one service key or ALL`},
		{"scan -s , -r us-east-1", `--services needs at least one service key or ALL`},
		{"collect -s ''", `--services needs at least one service key or ALL`},
		{"scan -r ''", `--regions needs at least one region name or ALL`},
		{"scan --accounts 222222222222 111111111111 --exclude-accounts 111111111111,222222222222 --aws-assume-role R", `--exclude-accounts leaves no account to scan: it excludes every account requested (111111111111, 222222222222)`},
		{"scan --accounts-file " + accountsFile + " --exclude-accounts 111111111111 --aws-assume-role R", `--exclude-accounts leaves no account to scan: it excludes every account requested (111111111111)`},
		{"scan --checks RDS-9", `unknown check "RDS-9" in --checks; valid: ` + checks},
		{"scan --excluded-checks rds-1 nope", `unknown check "NOPE" in --excluded-checks; valid: ` + checks},
		{"scan -s rds --checks LAMBDA-1", `--checks LAMBDA-1 is a lambda check, but lambda is not among the services scanned (rds)`},
		{"scan --excluded-services lambda --checks LAMBDA-1", `--checks LAMBDA-1 is a lambda check, but lambda is not among the services scanned (` + strings.Join(slices.DeleteFunc(serviceKeys(), func(k string) bool { return k == "lambda" }), ", ") + `)`},
		{"scan -s rds --excluded-checks RDS-1 RDS-2 RDS-3", `--excluded-checks excludes every check of the services scanned (rds): nothing is left to scan`},
		{"scan --excluded-services foo", `unknown service "foo" in --excluded-services; valid: ` + strings.Join(serviceKeys(), ", ")},
		{"scan -s rds,lambda --excluded-services rds lambda", `--excluded-services excludes every service selected (rds, lambda): nothing is left to scan`},
		{"scan --excluded-services " + strings.Join(serviceKeys(), ","), `--excluded-services excludes every service selected (` + strings.Join(serviceKeys(), ", ") + `): nothing is left to scan`},
		{"scan --severity HIGH CRITICAL", `unknown severity "CRITICAL" in --severity; valid: HIGH, MEDIUM, LOW, INFO`},
		{"scan --fail-on INFO", `--fail-on must be one of HIGH, MEDIUM, LOW; got "INFO"`},
		{"scan --fail-on HIGH --severity MEDIUM,INFO", `--fail-on HIGH can never fail the scan: --severity writes no risk of HIGH or above`},
		{"scan --mutelist " + dir + "/missing.yaml", `--mutelist: open ` + dir + `/missing.yaml: no such file or directory`},
		{"scan --mutelist " + badMutelist, `--mutelist ` + badMutelist + `:5: unknown key "resons" in mutelist entry 2; keys: account, region, check, resource, tags, reason, expires`},
		{"policy --mutelist " + badMutelist, `--mutelist ` + badMutelist + `:5: unknown key "resons" in mutelist entry 2; keys: account, region, check, resource, tags, reason, expires`},
	}
	for _, c := range cases {
		args := strings.Fields(c.args)
		for i, a := range args {
			if a == "''" {
				args[i] = ""
			}
		}
		code, _, stderr := run(t, args...)
		want := "faultline: " + c.want + "\n"
		if code != exitUsage || stderr != want {
			t.Errorf("faultline %s:\n got  %d %q\n want 2 %q", c.args, code, stderr, want)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d API calls made for bad command lines", n)
	}
}

func TestBadEnvironment(t *testing.T) {
	calls := noAWS(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "0")
	code, _, stderr := run(t, "scan")
	if code != exitUsage || stderr != "faultline: AWS_MAX_ATTEMPTS must be a whole number >= 1, got \"0\"\n" {
		t.Errorf("got %d %q", code, stderr)
	}
	if calls.Load() != 0 {
		t.Error("API called")
	}
}

func TestServicesAndVersion(t *testing.T) {
	code, out, _ := run(t, "services")
	if code != exitOK || !strings.Contains(out, "lambda") || !strings.Contains(out, "LAMBDA-1") {
		t.Errorf("services: %d %q", code, out)
	}
	code, out, _ = run(t, "version")
	if code != exitOK || out != "faultline dev\n" {
		t.Errorf("version: %d %q", code, out)
	}
}

// With credentials that AWS refuses, nothing can be scanned: exit 1 and no
// files.
func TestNoCredentialsExit1(t *testing.T) {
	noAWS(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	dir := t.TempDir()
	code, _, stderr := run(t, "scan", "-o", dir, "--log-level", "error")
	if code != exitError || !strings.HasPrefix(stderr, "faultline: cannot identify the caller (are credentials configured?): ") {
		t.Errorf("got %d %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

func TestReadAccountsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(path, []byte("# production accounts\n111111111111\n\n  222222222222   # search\n111111111111\n"), 0o600)
	ids, err := readAccountsFile(path)
	if err != nil || strings.Join(ids, ",") != "111111111111,222222222222,111111111111" {
		t.Errorf("%v %v", ids, err)
	}
}

func TestShardPick(t *testing.T) {
	ids := []string{"100000000001", "100000000002", "100000000003", "100000000004", "100000000005"}
	for sh, want := range map[shard]string{
		{}:     "100000000001 100000000002 100000000003 100000000004 100000000005",
		{1, 2}: "100000000001 100000000003 100000000005",
		{2, 2}: "100000000002 100000000004",
		{3, 3}: "100000000003",
	} {
		if got := strings.Join(sh.pick(ids), " "); got != want {
			t.Errorf("%v: got %q, want %q", sh, got, want)
		}
	}
}
