package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/faultline/faultline/account"
	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/output"
)

// maxTableRisks is how many risks the terminal table shows.
const maxTableRisks = 20

// scanTally is the scan's Sink: it hands every row to the files and keeps
// what the end of the scan reports: the --fail-on count, the muted rows,
// the most severe risks and the failed tasks. Only the runner's writer
// goroutine calls it (and runScan before and after the run).
type scanTally struct {
	sink     account.Sink
	failOn   analysers.Severity
	progress *progress // nil unless stderr is a terminal

	failing           int64 // unmuted risks at or above failOn
	risks             int64 // unmuted risks
	muted, mutedRisks int64
	top               []output.FindingRow         // the most severe unmuted risks, sorted
	failures          map[string]map[string]int64 // service -> error code -> tasks
}

func (t *scanTally) WriteFinding(r output.FindingRow) error {
	if err := t.sink.WriteFinding(r); err != nil {
		return err
	}
	switch {
	case r.Muted != "":
		t.muted++
		if r.Risk {
			t.mutedRisks++
		}
	case bool(r.Risk):
		t.risks++
		if t.failOn != "" && severityRank(r.Severity) >= severityRank(string(t.failOn)) {
			t.failing++
		}
		t.top = keepTop(t.top, r, maxTableRisks)
	}
	return nil
}

func (t *scanTally) WriteTask(r output.ReportRow) error {
	if err := t.sink.WriteTask(r); err != nil {
		return err
	}
	failed := r.Result == output.ResultFailure
	if failed {
		if t.failures == nil {
			t.failures = map[string]map[string]int64{}
		}
		if t.failures[r.Service] == nil {
			t.failures[r.Service] = map[string]int64{}
		}
		t.failures[r.Service][cmp.Or(r.ErrorCode, "unknown")]++
	}
	if t.progress != nil && r.Service != account.SetupService {
		t.progress.taskDone(failed)
	}
	return nil
}

// riskBefore orders the table: most severe first, then service, region,
// zone IDs, account, resource and check.
func riskBefore(a, b output.FindingRow) int {
	return cmp.Or(
		cmp.Compare(severityRank(b.Severity), severityRank(a.Severity)),
		cmp.Compare(a.Service, b.Service),
		cmp.Compare(a.Region, b.Region),
		cmp.Compare(strings.Join(a.AZIDs, ";"), strings.Join(b.AZIDs, ";")),
		cmp.Compare(a.AccountID, b.AccountID),
		cmp.Compare(resourceLabel(a), resourceLabel(b)),
		cmp.Compare(a.CheckID, b.CheckID),
	)
}

// keepTop adds r to top (sorted by riskBefore) and keeps at most n rows.
func keepTop(top []output.FindingRow, r output.FindingRow, n int) []output.FindingRow {
	i, _ := slices.BinarySearchFunc(top, r, riskBefore)
	if i >= n {
		return top
	}
	top = slices.Insert(top, i, r)
	if len(top) > n {
		top = top[:n]
	}
	return top
}

// resourceLabel names a row's resource: its name, else its ID, else its ARN.
func resourceLabel(r output.FindingRow) string {
	return cmp.Or(r.ResourceName, r.ResourceID, r.ResourceARN)
}

// terminalReport is what a scan on a terminal prints after its summary.
type terminalReport struct {
	Risks        int64               // unmuted risks written
	Top          []output.FindingRow // the most severe of them, sorted
	FindingsPath string
	Failures     map[string]map[string]int64
}

func (t *scanTally) report(findingsPath string) terminalReport {
	return terminalReport{Risks: t.risks, Top: t.top, FindingsPath: findingsPath, Failures: t.failures}
}

// renderTerminalReport writes the risks table (at most maxTableRisks rows
// and how many more the file holds) and the failed services with their
// error codes. It is a pure function of r.
func renderTerminalReport(w io.Writer, r terminalReport) {
	fmt.Fprintln(w)
	if r.Risks == 0 {
		fmt.Fprintln(w, "No unmuted risk written.")
	} else {
		fmt.Fprintf(w, "Unmuted risks: %d, most severe first\n", r.Risks)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tSERVICE\tREGION\tAZ IDS\tCHECK\tACCOUNT\tRESOURCE")
		for _, f := range r.Top {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Service, f.Region,
				cmp.Or(strings.Join(f.AZIDs, ";"), "-"), f.CheckID, f.AccountID, shorten(resourceLabel(f), 60))
		}
		tw.Flush()
		if more := r.Risks - int64(len(r.Top)); more > 0 {
			fmt.Fprintf(w, "... %d more in %s\n", more, r.FindingsPath)
		}
	}
	if len(r.Failures) == 0 {
		return
	}
	services := make([]string, 0, len(r.Failures))
	for s := range r.Failures {
		services = append(services, s)
	}
	sort.Strings(services)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Failed services (the run report has each task's error):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range services {
		codes := make([]string, 0, len(r.Failures[s]))
		for c := range r.Failures[s] {
			codes = append(codes, c)
		}
		sort.Slice(codes, func(i, j int) bool {
			ci, cj := r.Failures[s][codes[i]], r.Failures[s][codes[j]]
			return ci > cj || ci == cj && codes[i] < codes[j]
		})
		parts := make([]string, len(codes))
		for i, c := range codes {
			parts[i] = fmt.Sprintf("%s (%s)", c, plural(r.Failures[s][c], "task"))
		}
		fmt.Fprintf(tw, "  %s\t%s\n", s, strings.Join(parts, ", "))
	}
	tw.Flush()
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// shorten cuts s to at most n runes, marking the cut with "...".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

// terminalOf returns stderr as a file when it is a terminal, else nil: the
// progress display and the table are for people, never for pipes and files.
func terminalOf(w io.Writer) *os.File {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return f
}

// progress is the scan's progress display on a terminal: tasks done of the
// total, failures, time elapsed and left. It is also the log's writer, so
// a log line clears the bar, is written, and the bar comes back.
type progress struct {
	mu     sync.Mutex
	out    io.Writer
	bar    *progressbar.ProgressBar // nil before start and after finish
	failed int
}

func newProgress(out io.Writer) *progress { return &progress{out: out} }

// Write writes a log line above the bar.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
	n, err := p.out.Write(b)
	if p.bar != nil {
		p.bar.RenderBlank()
	}
	return n, err
}

// start shows the bar for total tasks.
func (p *progress) start(total int) {
	if total == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.out),
		progressbar.OptionSetDescription(p.description()),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

func (p *progress) description() string {
	return fmt.Sprintf("scanning, %d failed", p.failed)
}

// taskDone counts one task done.
func (p *progress) taskDone(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		return
	}
	if failed {
		p.failed++
		p.bar.Describe(p.description())
	}
	p.bar.Add(1)
}

// finish removes the bar (an interrupted scan leaves it short of full).
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Exit()
		p.bar.Clear()
		p.bar = nil
	}
}
