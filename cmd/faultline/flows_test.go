package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every bad flows command line gets its one-line message and exit 2, and
// makes no API call.
func TestFlowsBadCommandLines(t *testing.T) {
	calls := noAWS(t)
	dir := t.TempDir()
	logFile := filepath.Join(dir, "f.log")
	os.WriteFile(logFile, []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n"), 0o600)
	badRanges := filepath.Join(dir, "ranges.json")
	os.WriteFile(badRanges, []byte(`{"prefixes":[]}`), 0o600)
	cases := []struct{ args, want string }{
		{"flows", "no input: give flow-log FILEs, - for stdin, --s3 s3://BUCKET/PREFIX or --log-group NAME"},
		{"flows " + dir + "/missing.log", "cannot read " + dir + "/missing.log: no such file or directory"},
		{"flows " + dir, dir + " is a folder; give flow-log files"},
		{"flows - -", "- (standard input) can be given once"},
		{"flows --s3 bucket/x", `--s3 want s3://BUCKET/PREFIX, got "bucket/x"`},
		{"flows --start 2025-01-01T00:00:00Z " + logFile, "--start applies to --log-group only (files and S3 objects are read whole)"},
		{"flows --log-group g --start yesterday", `--start "yesterday" is neither RFC 3339 (2025-01-31T12:00:00Z) nor Unix seconds`},
		{"flows --log-group g --start 200 --end 100", "--end must be after --start"},
		{"flows --log-format ${srcaddr}${dstaddr} " + logFile, `--log-format unknown flow-log field "srcaddr}${dstaddr"`},
		{"flows --format parquet " + logFile, `--format must be jsonl or csv; got "parquet"`},
		{"flows --summary top " + logFile, `--summary must be cross-az, talkers or services; got "top"`},
		{"flows --summary talkers --by owner " + logFile, `--by must be tag:KEY, type or vpc; got "owner"`},
		{"flows --summary talkers --by tag: " + logFile, `--by must be tag:KEY, type or vpc; got "tag:"`},
		{"flows --by vpc " + logFile, "--by and --top apply to --summary talkers only"},
		{"flows --price-per-gb 0.02 " + logFile, "--price-per-gb applies to --summary cross-az only"},
		{"flows --summary cross-az --price-per-gb -1 " + logFile, "--price-per-gb must be 0 or more; got -1"},
		{"flows --window 1500ms " + logFile, "--window must be whole seconds, at least 1s; got 1.5s"},
		{"flows --ip-ranges " + badRanges + " " + logFile, "--ip-ranges " + badRanges + ": not an ip-ranges.json file: no prefixes"},
		{"flows --region mars-1 " + logFile, `malformed --region "mars-1"; use a region name such as us-east-1`},
		{"flows --accounts 12 -- " + logFile, `malformed account ID "12": expected 12 digits in --accounts`},
		{"flows --accounts 500000000001 " + logFile, `in --accounts is a file: put files after --`},
		{"flows --no-inventory --accounts 500000000001 -- " + logFile, "--no-inventory conflicts with --accounts and --regions"},
		{"flows --external-id x " + logFile, "--external-id needs --aws-assume-role"},
		{"flows --athena-ddl " + logFile, "--athena-ddl prints the table definition only; it takes no input"},
		{"flows --athena-ddl --athena-location bucket/p", `--athena-location must be s3://BUCKET/PREFIX/; got "bucket/p"`},
	}
	for _, c := range cases {
		code, stdout, stderr := run(t, strings.Fields(c.args)...)
		if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d API calls for bad command lines", n)
	}
}

// --no-inventory reads a local file with no AWS call; --athena-ddl too.
func TestFlowsOffline(t *testing.T) {
	calls := noAWS(t)
	dir := t.TempDir()
	logFile := filepath.Join(dir, "f.log")
	os.WriteFile(logFile, []byte("2 1 eni-1 10.0.0.1 52.216.1.1 40000 443 6 1 100 60 120 ACCEPT OK\n"), 0o600)
	code, stdout, stderr := run(t, "flows", "--no-inventory", "--summary", "services", "--format", "csv", logFile)
	want := "service,region,path,client_vpc,bytes\ns3,us-east-1,unknown,(unknown),100\n"
	if code != exitOK || stdout != want {
		t.Errorf("exit %d\n%s\nstderr %s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "flows", "--athena-ddl", "--athena-table", "flows", "--athena-location", "s3://b/p/")
	if code != exitOK || !strings.HasPrefix(stdout, "CREATE EXTERNAL TABLE IF NOT EXISTS flows (") {
		t.Errorf("ddl: exit %d\n%s", code, stdout)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d API calls offline", n)
	}
}

// A file that holds no record at all exits 1 with one line that names the
// file and says why; wrong field counts get a --log-format suggestion.
func TestFlowsInputWithoutRecords(t *testing.T) {
	calls := noAWS(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, '\n', 0, 1, 2})
	zw.Close()
	v2 := "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
	empty := write("empty.log", nil)
	blank := write("blank.log", []byte("\n  \n"))
	binary := write("binary.log", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, '\n', 0, 1, 2})
	binaryGz := write("binary.log.gz", gz.Bytes())
	sixteen := write("v3.log", []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK vpc-1 subnet-1\n2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK vpc-1 subnet-2\n"))
	garbage := write("notes.log", []byte("version 2 is out\n"))
	default14 := write("default.log", []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n"))
	cases := []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{empty}, "", empty + ": no records (the input is empty)"},
		{[]string{blank}, "", blank + ": no records (the input is empty)"},
		{[]string{"-"}, "", "stdin: no records (the input is empty)"},
		{[]string{binary}, "", binary + ": not text (flow logs are text lines, plain or gzip)"},
		{[]string{binaryGz}, "", binaryGz + ": not text (flow logs are text lines, plain or gzip)"},
		{[]string{sixteen}, "", sixteen + ": every line malformed (2 lines; the first: more than the 14 fields of the format); " +
			"the first line has 16 fields, the format has 14: give --log-format with the 16 fields of your flow log, e.g. --log-format '" + v2 + " ${vpc-id} ${subnet-id}'"},
		{[]string{garbage}, "", garbage + `: every line malformed (1 line; the first: version "version": want a whole number 0-255); ` +
			"the first line has 4 fields, the format has 14: give --log-format with the 4 fields of your flow log, e.g. --log-format '${version} ${account-id} ${interface-id} ${srcaddr}'"},
		{[]string{"--log-format", "${version} ${srcaddr} ${dstaddr}", default14}, "", default14 + `: every line malformed (1 line; the first: srcaddr "1": want an IPv4 or IPv6 address); ` +
			"the first line has 14 fields, as AWS's default format: give --log-format '" + v2 + "'"},
		// A good file first: the bad one still fails the run, by name.
		{[]string{default14, empty}, "", empty + ": no records (the input is empty)"},
	}
	for _, c := range cases {
		code, _, stderr := runWithStdin(t, c.stdin, append([]string{"flows", "--no-inventory"}, c.args...)...)
		if code != exitError || stderr != "faultline: "+c.want+"\n" {
			t.Errorf("%q: exit %d, stderr\n%q\nwant exit 1 and\n%q", c.args, code, stderr, "faultline: "+c.want+"\n")
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("%d API calls", n)
	}
}

// runWithStdin is run with os.Stdin reading stdin.
func runWithStdin(t *testing.T, stdin string, args ...string) (exitCode, string, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(p, []byte(stdin), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	return run(t, args...)
}
