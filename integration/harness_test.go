// Package integration runs faultline against the moto emulator: each
// analyser on a seeded estate, and the real binary end to end.
package integration

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/internal/testbin"
	"github.com/faultline/faultline/inventory"
)

// moto is the one emulator of this package (moto runs on one core: tests
// share it and keep apart by account ID).
var moto *motoserver.Server

func TestMain(m *testing.M) {
	testbin.Main(m, "integration", func(s *motoserver.Server) { moto = s })
}

// row is one findings-CSV row as a test expects it, without the columns that
// depend on the run (account, payer, timestamp).
type row struct {
	Service, Region, ResourceARN, ResourceName, ResourceID, Risk, Engine, Message, CheckID, Severity string
}

func (r row) String() string {
	return strings.Join([]string{r.Service, r.Region, r.ResourceARN, r.ResourceName, r.ResourceID, r.Risk, r.Engine, r.Message, r.CheckID, r.Severity}, " | ")
}

// seeder creates one service's risky and healthy examples in cfg's account
// and region and returns the rows a scan of that account and region must
// produce, exactly.
type seeder func(t *testing.T, ctx context.Context, cfg aws.Config) []row

func boolCell(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// checkAnalyser seeds account/region with seed, runs the analyser directly
// against moto, and compares the findings with the seeder's rows.
func checkAnalyser(t *testing.T, a analysers.Analyser, seed seeder, account, region string) {
	t.Helper()
	checkAnalyserUntilUnimplemented(t, a, seed, account, region, "")
}

// checkAnalyserUntilUnimplemented is checkAnalyser for an analyser whose
// last call, operation, moto does not implement: Run must end with moto's
// HTTP 500 for exactly that operation, having emitted exactly the seeder's
// rows before it. An empty operation means Run must succeed.
func checkAnalyserUntilUnimplemented(t *testing.T, a analysers.Analyser, seed seeder, account, region, operation string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := moto.Config(ctx, account, region)
	if err != nil {
		t.Fatal(err)
	}
	want := seed(t, ctx, cfg)
	target := analysers.Target{AccountID: account, Partition: "aws", Region: region}
	if a.Global {
		target.Region = analysers.GlobalRegion
	}
	scope := inventory.NewLive().Scope(inventory.Account{ID: account, Partition: "aws", Config: cfg}, target.Region)
	var got []row
	err = a.Run(ctx, scope, func(f analysers.Finding) {
		got = append(got, row{a.Name, target.Region, f.ResourceARN, f.ResourceName, f.ResourceID,
			boolCell(f.Risk), f.Engine, f.Message, f.CheckID, string(f.Severity)})
	})
	if operation == "" && err != nil {
		t.Fatalf("%s.Run: %v", a.Name, err)
	}
	if operation != "" && !unimplementedByMoto(err, operation) {
		t.Fatalf("%s.Run: want moto's HTTP 500 for %s, got %v", a.Name, operation, err)
	}
	compareRows(t, got, want)
	checkBinary(t, a, account, region, want, operation)
}

// checkBinary runs the real binary on the seeded account and region for the
// one service and compares its CSV with the seeder's rows: what a user reads
// is what the analyser made, with the engine's columns (a row that is not a
// risk has severity INFO) and every risky row placed in a zone ID. When moto
// does not implement operation, the scan is incomplete (exit 4) and its run
// report names the operation's HTTP 500, with the rows made before it.
func checkBinary(t *testing.T, a analysers.Analyser, account, region string, want []row, operation string) {
	t.Helper()
	keys, err := moto.AccountKeys(context.Background(), account, "binary-"+a.Name)
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	if operation != "" {
		// moto's HTTP 500 would be retried with backoff for a minute; one retry
		// still covers a connection moto closed under load.
		env = []string{"AWS_MAX_ATTEMPTS=2"}
	}
	res := runBinary(t, keys, env, "scan", "--truncate-output", "-o", t.TempDir(), "--log-format", "json", "--log-level", "error",
		"-r", region, "-s", a.Name)
	wantCode := 0
	if operation != "" {
		wantCode = 4
	}
	if res.code != wantCode {
		t.Fatalf("faultline scan -s %s: exit %d, want %d\n%s", a.Name, res.code, wantCode, res.stderr)
	}
	if operation != "" {
		task := reportRows(t, res.report)
		var failed []string
		for key, r := range task {
			if r[3] == "Failure" && key != "Overall/Overall" {
				failed = append(failed, key+" "+r[8])
				if r[8] != "HTTP500" || !strings.Contains(r[4], operation) {
					t.Errorf("%s: run report %v, want moto's HTTP 500 for %s", a.Name, r, operation)
				}
			}
		}
		if len(failed) == 0 {
			t.Errorf("%s: no failed task in the run report, want moto's HTTP 500 for %s", a.Name, operation)
		}
	}
	var binaryWant []row
	for _, w := range want {
		if w.Risk == "False" {
			w.Severity = string(analysers.SeverityInfo)
		}
		binaryWant = append(binaryWant, w)
	}
	compareRows(t, findingRows(t, res.findings, account), binaryWant)
	known := zoneNames(t, account, region)
	for _, r := range res.findings[1:] {
		placedInRealZones := r[16] != "" && !slices.ContainsFunc(strings.Split(r[16], ";"), func(z string) bool { return !known[z] })
		if r[9] == "True" && placedInRealZones && (r[17] == "" || strings.Count(r[16], ";") != strings.Count(r[17], ";")) {
			t.Errorf("%s: risky row of %s placed in %q has zone IDs %q", a.Name, r[7], r[16], r[17])
		}
		if r[15] == "" {
			t.Errorf("%s: row of %s has no resource_type", a.Name, r[7])
		}
	}
}

// zoneNames are the zones moto lists for the region (some moto services
// invent zones that do not exist there, such as MemoryDB's eu-central-1d:
// those cannot have an ID).
func zoneNames(t *testing.T, account, region string) map[string]bool {
	t.Helper()
	cfg, err := moto.Config(context.Background(), account, region)
	if err != nil {
		t.Fatal(err)
	}
	s := inventory.NewLive().Scope(inventory.Account{ID: account, Partition: "aws", Config: cfg}, region)
	zones, err := inventory.Zones.Items(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, z := range zones {
		names[z.Name] = true
	}
	return names
}

// unimplementedByMoto reports whether err is moto's HTTP 500 for operation.
func unimplementedByMoto(err error, operation string) bool {
	var op *smithy.OperationError
	var resp *smithyhttp.ResponseError
	return errors.As(err, &op) && op.Operation() == operation &&
		errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusInternalServerError
}

func compareRows(t *testing.T, got, want []row) {
	t.Helper()
	sortRows(got)
	sortRows(want)
	if len(got) != len(want) {
		t.Errorf("got %d rows, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i].String()
		}
		if i < len(want) {
			w = want[i].String()
		}
		if g != w {
			t.Errorf("row %d:\n got  %s\n want %s", i, g, w)
		}
	}
}

func sortRows(rows []row) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].String() < rows[j].String() })
}

// accountOf is the account moto serves cfg as.
func accountOf(t *testing.T, ctx context.Context, cfg aws.Config) string {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Account)
}

func dateUTC() string { return time.Now().UTC().Format("2006_01_02") }

// scannedAccount gives the binary keys that act as account, and a seeding
// config for account in region.
func scannedAccount(t *testing.T, ctx context.Context, account, region string) (motoserver.Keys, aws.Config) {
	t.Helper()
	keys, err := moto.AccountKeys(ctx, account, "scanner")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := moto.Config(ctx, account, region)
	if err != nil {
		t.Fatal(err)
	}
	return keys, cfg
}
