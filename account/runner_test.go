package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/rs/zerolog"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/output"
)

// memorySink keeps what the writer goroutine hands it.
type memorySink struct {
	findings []output.FindingRow
	tasks    []output.ReportRow
	failOn   int // fail the n-th finding write (1-based); 0 never
}

func (m *memorySink) WriteFinding(r output.FindingRow) error {
	m.findings = append(m.findings, r)
	if m.failOn > 0 && len(m.findings) == m.failOn {
		return errors.New("disk full")
	}
	return nil
}

func (m *memorySink) WriteTask(r output.ReportRow) error {
	m.tasks = append(m.tasks, r)
	return nil
}

func (m *memorySink) task(service string) output.ReportRow {
	for _, r := range m.tasks {
		if r.Service == service {
			return r
		}
	}
	return output.ReportRow{}
}

func fakeAnalyser(name string, run func(ctx context.Context, emit analysers.Emit) error) analysers.Analyser {
	return analysers.Analyser{Name: name, Run: func(ctx context.Context, _ *inventory.Scope, emit analysers.Emit) error {
		return run(ctx, emit)
	}}
}

func emitN(emit analysers.Emit, prefix string, n int, risk bool) {
	for i := 0; i < n; i++ {
		emit(analysers.Finding{ResourceID: prefix + string(rune('a'+i)), Risk: risk, CheckID: "X-1", Message: "m"})
	}
}

func testAccount(regions ...string) *Account {
	return &Account{ID: "111111111111", Name: "acct", Partition: "aws", Regions: regions}
}

func testOptions() Options {
	return Options{Concurrency: 4, TaskTimeout: time.Minute, Log: zerolog.Nop()}
}

func TestTasksRunGlobalAnalysersOncePerAccount(t *testing.T) {
	regional := fakeAnalyser("regional", nil)
	global := fakeAnalyser("global", nil)
	global.Global, global.GlobalRegion = true, "us-west-2"
	tasks := Tasks([]*Account{testAccount("eu-west-1", "us-east-1"), testAccount("us-east-1")}, []analysers.Analyser{regional, global})
	var got []string
	for _, tk := range tasks {
		got = append(got, tk.Region+"/"+tk.Analyser.Name)
	}
	want := []string{"global/global", "eu-west-1/regional", "us-east-1/regional", "global/global", "us-east-1/regional"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// One task fails half-way, one panics, one hangs past its timeout: each
// becomes its own row, keeps what it found, and the others succeed.
func TestRunIsolatesFailures(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed"}
	list := []analysers.Analyser{
		fakeAnalyser("ok", func(ctx context.Context, emit analysers.Emit) error { emitN(emit, "ok", 3, true); return nil }),
		fakeAnalyser("halfway", func(ctx context.Context, emit analysers.Emit) error { emitN(emit, "hw", 2, false); return denied }),
		fakeAnalyser("panics", func(ctx context.Context, emit analysers.Emit) error { emitN(emit, "p", 1, true); panic("nil map") }),
		fakeAnalyser("hangs", func(ctx context.Context, emit analysers.Emit) error { <-ctx.Done(); return ctx.Err() }),
	}
	sink := &memorySink{}
	opts := testOptions()
	opts.TaskTimeout = 200 * time.Millisecond
	sum := Run(context.Background(), Tasks([]*Account{testAccount("eu-west-1")}, list), opts, sink)

	cases := []struct {
		service, result, code string
		findings              int64
	}{
		{"ok", output.ResultSuccess, "", 3},
		{"halfway", output.ResultFailure, "AccessDenied", 2},
		{"panics", output.ResultFailure, CodePanic, 1},
		{"hangs", output.ResultFailure, CodeTimeout, 0},
	}
	for _, c := range cases {
		r := sink.task(c.service)
		if r.Result != c.result || r.ErrorCode != c.code || r.Findings != c.findings {
			t.Errorf("%s: got %s/%s/%d findings, want %s/%s/%d (%s)", c.service, r.Result, r.ErrorCode, r.Findings, c.result, c.code, c.findings, r.ErrorMessage)
		}
		if r.AccountID != "111111111111" || r.Region != "eu-west-1" {
			t.Errorf("%s: row names %s/%s", c.service, r.AccountID, r.Region)
		}
	}
	if len(sink.findings) != 6 || sum.Findings != 6 || sum.Risks != 4 {
		t.Errorf("findings: %d written, summary %d findings %d risks", len(sink.findings), sum.Findings, sum.Risks)
	}
	if sum.Succeeded != 1 || sum.Failed != 3 {
		t.Errorf("summary %+v", sum)
	}
	if msg := sink.task("panics").ErrorMessage; msg != "analyser panicked: nil map" {
		t.Errorf("panic message %q", msg)
	}
}

// A service whose endpoint does not exist in a region (its host name does
// not resolve) is Skipped there, not failed.
func TestRunSkipsServiceNotOfferedInRegion(t *testing.T) {
	notOffered := &net.DNSError{Err: "no such host", Name: "memory-db.ap-east-2.amazonaws.com", IsNotFound: true}
	list := []analysers.Analyser{fakeAnalyser("memorydb", func(ctx context.Context, emit analysers.Emit) error {
		return fmt.Errorf("operation error MemoryDB: DescribeClusters, %w", notOffered)
	})}
	sink := &memorySink{}
	sum := Run(context.Background(), Tasks([]*Account{testAccount("ap-east-2")}, list), testOptions(), sink)
	r := sink.task("memorydb")
	if r.Result != output.ResultSkipped || r.ErrorCode != CodeNoService || sum.Skipped != 1 || sum.Failed != 0 {
		t.Errorf("row %+v, summary %+v", r, sum)
	}
}

func TestRunNeverExceedsConcurrency(t *testing.T) {
	var inFlight, highWater atomic.Int64
	var list []analysers.Analyser
	for i := 0; i < 40; i++ {
		list = append(list, fakeAnalyser("svc"+string(rune('A'+i)), func(ctx context.Context, emit analysers.Emit) error {
			n := inFlight.Add(1)
			for {
				h := highWater.Load()
				if n <= h || highWater.CompareAndSwap(h, n) {
					break
				}
			}
			time.Sleep(3 * time.Millisecond)
			inFlight.Add(-1)
			emitN(emit, "r", 1, false)
			return nil
		}))
	}
	for _, limit := range []int{1, 3, 8} {
		highWater.Store(0)
		opts := testOptions()
		opts.Concurrency = limit
		sink := &memorySink{}
		sum := Run(context.Background(), Tasks([]*Account{testAccount("eu-west-1")}, list), opts, sink)
		if h := highWater.Load(); h > int64(limit) || h < 1 {
			t.Errorf("limit %d: high-water mark %d", limit, h)
		}
		if sum.Succeeded != 40 || len(sink.findings) != 40 {
			t.Errorf("limit %d: %d succeeded, %d findings", limit, sum.Succeeded, len(sink.findings))
		}
	}
}

// After cancellation no new task starts, running ones end Cancelled, and no
// goroutine is left behind.
func TestRunCancellation(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	var started sync.WaitGroup
	started.Add(2)
	var list []analysers.Analyser
	for i := 0; i < 10; i++ {
		list = append(list, fakeAnalyser("s"+string(rune('a'+i)), func(ctx context.Context, emit analysers.Emit) error {
			emitN(emit, "r", 1, true)
			started.Done()
			<-ctx.Done()
			return ctx.Err()
		}))
	}
	go func() { started.Wait(); cancel() }()
	opts := testOptions()
	opts.Concurrency = 2
	sink := &memorySink{}
	sum := Run(ctx, Tasks([]*Account{testAccount("eu-west-1")}, list), opts, sink)
	if sum.Cancel != 10 || len(sink.tasks) != 10 {
		t.Fatalf("cancelled %d of %d rows: %+v", sum.Cancel, len(sink.tasks), sum)
	}
	if len(sink.findings) != 2 {
		t.Errorf("the two started tasks' findings are kept: got %d", len(sink.findings))
	}
	for _, r := range sink.tasks {
		if r.Result != output.ResultCancelled || r.ErrorCode != CodeCancelled {
			t.Errorf("row %+v", r)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind", n-before)
	}
}

// A sink that fails does not block the tasks: the run ends and reports the
// first write error.
func TestRunSurvivesSinkFailure(t *testing.T) {
	list := []analysers.Analyser{
		fakeAnalyser("a", func(ctx context.Context, emit analysers.Emit) error { emitN(emit, "a", 500, true); return nil }),
		fakeAnalyser("b", func(ctx context.Context, emit analysers.Emit) error { emitN(emit, "b", 500, true); return nil }),
	}
	sink := &memorySink{failOn: 10}
	sum := Run(context.Background(), Tasks([]*Account{testAccount("eu-west-1")}, list), testOptions(), sink)
	if sum.WriteErr == nil || sum.WriteErr.Error() != "disk full" {
		t.Fatalf("WriteErr = %v", sum.WriteErr)
	}
	if len(sink.findings) != 10 {
		t.Errorf("sink was called %d times after failing", len(sink.findings)-10)
	}
}

func TestRunOnlyRisksCountsResourcesButWritesRisks(t *testing.T) {
	list := []analysers.Analyser{fakeAnalyser("mix", func(ctx context.Context, emit analysers.Emit) error {
		emitN(emit, "risky", 2, true)
		emitN(emit, "fine", 3, false)
		return nil
	})}
	opts := testOptions()
	opts.OnlyRisks = true
	sink := &memorySink{}
	sum := Run(context.Background(), Tasks([]*Account{testAccount("eu-west-1")}, list), opts, sink)
	r := sink.task("mix")
	if r.Resources != 5 || r.Findings != 2 || len(sink.findings) != 2 || sum.Resources != 5 {
		t.Errorf("row %+v, %d written", r, len(sink.findings))
	}
	for _, f := range sink.findings {
		if !f.Risk || f.AccountName != "acct" || f.Service != "mix" || f.Region != "eu-west-1" {
			t.Errorf("finding %+v", f)
		}
	}
}

// Filter sees the row as written (healthy rows already INFO): what it
// refuses is neither written nor counted, what it changes is written so.
func TestRunFilterDropsAndMutes(t *testing.T) {
	list := []analysers.Analyser{fakeAnalyser("mix", func(ctx context.Context, emit analysers.Emit) error {
		emitN(emit, "risky", 2, true)
		emitN(emit, "fine", 3, false)
		return nil
	})}
	opts := testOptions()
	var seen []string
	var mu sync.Mutex
	opts.Filter = func(r *output.FindingRow) bool {
		mu.Lock()
		seen = append(seen, r.ResourceID+"/"+r.Severity)
		mu.Unlock()
		if r.ResourceID == "riskya" {
			r.Muted = "accepted"
		}
		return r.ResourceID != "finea"
	}
	sink := &memorySink{}
	sum := Run(context.Background(), Tasks([]*Account{testAccount("eu-west-1")}, list), opts, sink)
	r := sink.task("mix")
	if r.Resources != 5 || r.Findings != 4 || sum.Findings != 4 || sum.Risks != 2 || len(sink.findings) != 4 {
		t.Errorf("row %+v, summary %+v, %d written", r, sum, len(sink.findings))
	}
	if fmt.Sprint(seen) != "[riskya/ riskyb/ finea/INFO fineb/INFO finec/INFO]" {
		t.Errorf("filter saw %v", seen)
	}
	var got []string
	for _, f := range sink.findings {
		got = append(got, f.ResourceID+"="+f.Muted)
	}
	if fmt.Sprint(got) != "[riskya=accepted riskyb= fineb= finec=]" {
		t.Errorf("written %v", got)
	}
}

// A healthy row is written with severity INFO whatever the check's
// severity; a risky row keeps it.
func TestFindingRowSeverity(t *testing.T) {
	task := Task{Account: testAccount(), Region: "eu-west-1", Analyser: analysers.Analyser{Name: "rds"}}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	risky := findingRow(task, analysers.Finding{CheckID: "RDS-1", Severity: analysers.SeverityHigh, Risk: true}, now)
	healthy := findingRow(task, analysers.Finding{CheckID: "RDS-1", Severity: analysers.SeverityHigh, Risk: false}, now)
	if risky.Severity != "HIGH" || healthy.Severity != "INFO" || risky.Timestamp != "2026_01_02_03_04_05_+0000" {
		t.Errorf("risky %q healthy %q at %q", risky.Severity, healthy.Severity, risky.Timestamp)
	}
}

func TestOverallRow(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sum := Summary{Start: start, End: start.Add(2500 * time.Millisecond), Tasks: 4, Succeeded: 3, Failed: 1, Findings: 7, APICalls: 9, Retries: 2, Resources: 6}
	got := OverallRow("111111111111", sum)
	want := output.ReportRow{AccountID: "111111111111", Region: "Overall", Service: "Overall", Result: output.ResultFailure,
		ErrorMessage: "1 of 4 tasks failed", StartTime: "2026_01_02_03_04_05_+0000", EndTime: "2026_01_02_03_04_07_+0000",
		Runtime: output.Seconds(2500 * time.Millisecond), APICalls: 9, Retries: 2, Resources: 6, Findings: 7}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// Tasks of one (account, region) share one scope, so a kind is read once
// whatever the analysers; the account's scopes are handed over once, when
// its last task is done; findings get zone IDs from their zone names.
func TestRunSharesOneScopePerAccountAndRegion(t *testing.T) {
	var reads atomic.Int32
	things := &inventory.Kind[string]{Name: "test/things", Load: func(ctx context.Context, s *inventory.Scope, add func(string)) error {
		reads.Add(1)
		add(s.Region)
		return nil
	}}
	user := func(name string) analysers.Analyser {
		return analysers.Analyser{Name: name, Run: func(ctx context.Context, s *inventory.Scope, emit analysers.Emit) error {
			items, err := things.Items(ctx, s)
			if fmt.Sprint(s.AccountRegions()) != "[eu-west-1 us-east-1]" {
				t.Errorf("%s: account regions %v", name, s.AccountRegions())
			}
			emit(analysers.Finding{ResourceID: name + "-" + items[0], CheckID: "X-1", AZs: []string{items[0] + "a"}})
			return err
		}}
	}
	set := inventory.NewLive()
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		s := set.Scope(testAccount("eu-west-1", "us-east-1").Scope(), region)
		inventory.Put(s, inventory.Subnets, []inventory.Subnet{{ID: "subnet-1", AZ: region + "a", AZID: region[:2] + "-az9"}}, nil)
	}
	opts := testOptions()
	opts.Inventory = set
	var done []string
	var mu sync.Mutex
	opts.AccountDone = func(id string, scopes []*inventory.Scope) {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range scopes {
			done = append(done, id+"/"+s.Region)
		}
	}
	sink := &memorySink{}
	sum := Run(context.Background(), Tasks([]*Account{testAccount("eu-west-1", "us-east-1")}, []analysers.Analyser{user("a"), user("b"), user("c")}), opts, sink)
	if sum.Failed != 0 {
		t.Fatalf("%+v", sink.tasks)
	}
	if n := reads.Load(); n != 2 {
		t.Errorf("3 analysers x 2 regions read the kind %d times, want 2", n)
	}
	if fmt.Sprint(done) != "[111111111111/eu-west-1 111111111111/us-east-1]" {
		t.Errorf("account done with %v", done)
	}
	for _, f := range sink.findings {
		region := f.Region
		if fmt.Sprint(f.AZs, f.AZIDs) != fmt.Sprintf("[%sa] [%s-az9]", region, region[:2]) {
			t.Errorf("%s: zones %v %v", f.ResourceID, f.AZs, f.AZIDs)
		}
	}
}

// A finding's time is the seed's timestamp in the CSV and RFC 3339 in JSONL.
func TestFindingRowTimes(t *testing.T) {
	at := time.Date(2026, 12, 8, 3, 4, 5, 0, time.FixedZone("x", 3600))
	r := findingRow(Task{Account: testAccount("eu-west-1"), Region: "eu-west-1", Analyser: fakeAnalyser("a", nil)}, analysers.Finding{CheckID: "X-1"}, at)
	if r.Timestamp != "2026_12_08_02_04_05_+0000" || r.Time != "2026-12-08T02:04:05Z" {
		t.Errorf("timestamp %q, time %q", r.Timestamp, r.Time)
	}
}
