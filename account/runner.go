// Package account is the scan engine: it flattens accounts x regions x
// analysers into one task list, runs it behind one bounded errgroup, and
// hands every finding and task result to a single writer goroutine.
package account

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/output"
)

// Account is one account to scan, with what its tasks need.
type Account struct {
	ID, Name           string
	PayerID, PayerName string
	Partition          string
	// Config carries the account's credentials (one cache per account, shared
	// by every task) and the retryer; each task copies it and sets a region.
	Config  aws.Config
	Regions []string
}

// Task is one (account, region, analyser). Region is analysers.GlobalRegion
// for a global analyser.
type Task struct {
	Account  *Account
	Region   string
	Analyser analysers.Analyser
}

// Tasks flattens accounts x regions x analysers. A global analyser runs once
// per account, whatever the regions.
func Tasks(accounts []*Account, list []analysers.Analyser) []Task {
	var tasks []Task
	for _, acct := range accounts {
		for _, a := range list {
			if a.Global {
				tasks = append(tasks, Task{acct, analysers.GlobalRegion, a})
			}
		}
		for _, region := range acct.Regions {
			for _, a := range list {
				if !a.Global {
					tasks = append(tasks, Task{acct, region, a})
				}
			}
		}
	}
	return tasks
}

// Sink is what the writer goroutine does with the tasks' output. Only that
// goroutine calls it, so implementations need no locking.
type Sink interface {
	WriteFinding(output.FindingRow) error
	WriteTask(output.ReportRow) error
}

// Options tune a run.
type Options struct {
	Concurrency int           // tasks at once, >= 1
	TaskTimeout time.Duration // per task
	OnlyRisks   bool          // write only findings whose risk is true
	Log         zerolog.Logger
	Now         func() time.Time // for tests; time.Now when nil
	// Filter, when set, sees every row before it is written (from the task
	// goroutines, so it must be safe for concurrent use): it may fill the
	// row's Muted column, and a row it refuses is neither written nor
	// counted.
	Filter func(*output.FindingRow) bool
	// Inventory holds the run's scopes: live (NewLive, the default) or a
	// snapshot's. Every task of an (account, region) shares one scope, so
	// each kind is read once whatever the services asked.
	Inventory *inventory.Set
	// AccountDone, when set, receives an account's scopes once all its
	// tasks are done (collect writes them); they are then forgotten either
	// way, so memory holds only the accounts in progress.
	AccountDone func(accountID string, scopes []*inventory.Scope)
}

// Summary is what a run did.
type Summary struct {
	Start, End                                time.Time
	Tasks, Succeeded, Failed, Skipped, Cancel int
	Resources, Findings, Risks                int64
	APICalls, Retries                         int64
	// WriteErr is the first error of the Sink; rows after it were not
	// written, and the caller must not commit the files.
	WriteErr error
}

type event struct {
	finding *output.FindingRow
	task    *output.ReportRow
}

// Run runs every task and returns when all are done. Task failures never
// stop other tasks: they become Failure rows. When ctx is cancelled, tasks
// not yet started are reported Cancelled and running ones are cancelled.
func Run(ctx context.Context, tasks []Task, opts Options, sink Sink) Summary {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.Inventory == nil {
		opts.Inventory = inventory.NewLive()
	}
	sum := Summary{Start: opts.Now(), Tasks: len(tasks)}
	pending := newAccountCounter(tasks)

	// The writer starts before any task and owns the sink. The channel is
	// unbuffered beyond a little slack: a slow disk slows the tasks down, it
	// never drops a finding.
	events := make(chan event, 256)
	written := make(chan struct{})
	go func() {
		defer close(written)
		for ev := range events {
			sum.record(ev)
			if sum.WriteErr != nil {
				continue // keep draining so no task blocks forever
			}
			if ev.finding != nil {
				sum.WriteErr = sink.WriteFinding(*ev.finding)
			} else {
				sum.WriteErr = sink.WriteTask(*ev.task)
			}
		}
	}()

	var g errgroup.Group
	g.SetLimit(opts.Concurrency)
	done := func(t Task) {
		if pending.done(t.Account.ID) {
			scopes := opts.Inventory.Release(t.Account.ID)
			if opts.AccountDone != nil {
				opts.AccountDone(t.Account.ID, scopes)
			}
		}
	}
	for _, t := range tasks {
		if ctx.Err() != nil {
			events <- notStarted(t, opts.Now())
			done(t)
			continue
		}
		g.Go(func() error {
			runTask(ctx, t, opts, events)
			done(t)
			return nil
		})
	}
	_ = g.Wait()
	close(events)
	<-written
	sum.End = opts.Now()
	return sum
}

// accountCounter counts each account's tasks not yet done.
type accountCounter struct {
	mu   sync.Mutex
	left map[string]int
}

func newAccountCounter(tasks []Task) *accountCounter {
	c := &accountCounter{left: map[string]int{}}
	for _, t := range tasks {
		c.left[t.Account.ID]++
	}
	return c
}

// done counts one task of account done and reports whether it was the last.
func (c *accountCounter) done(account string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.left[account]--
	return c.left[account] == 0
}

func (s *Summary) record(ev event) {
	if ev.finding != nil {
		s.Findings++
		if ev.finding.Risk {
			s.Risks++
		}
		return
	}
	r := ev.task
	switch r.Result {
	case output.ResultSuccess:
		s.Succeeded++
	case output.ResultFailure:
		s.Failed++
	case output.ResultSkipped:
		s.Skipped++
	case output.ResultCancelled:
		s.Cancel++
	}
	s.Resources += r.Resources
	s.APICalls += r.APICalls
	s.Retries += r.Retries
}

func runTask(ctx context.Context, t Task, opts Options, events chan<- event) {
	start := opts.Now()
	if ctx.Err() != nil {
		events <- notStarted(t, start)
		return
	}
	log := opts.Log.With().Str("account", t.Account.ID).Str("region", t.Region).Str("service", t.Analyser.Name).Logger()
	stats := &callStats{}
	tctx, cancel := context.WithTimeout(withStats(ctx, stats), opts.TaskTimeout)
	defer cancel()

	region := t.Region
	if t.Analyser.Global {
		region = inventory.GlobalRegion
	}
	scope := opts.Inventory.Scope(t.Account.Scope(), region)
	var resources, findings int64
	var lastResource string
	emit := func(f analysers.Finding) {
		if len(f.AZs) > 0 && len(f.AZIDs) == 0 {
			ids, err := inventory.ZoneIDs(tctx, scope, f.AZs)
			if err != nil {
				log.Debug().Str("code", ErrorCode(err)).Msg("zone IDs not readable; findings keep their zone names only")
			}
			f.AZIDs = ids
		}
		// Analysers emit a resource's rows together, so counting changes of
		// resource counts resources without remembering them all.
		if key := f.ResourceARN + "\x00" + f.ResourceID + "\x00" + f.ResourceName; key != lastResource {
			resources++
			lastResource = key
		}
		if opts.OnlyRisks && !f.Risk {
			return
		}
		row := findingRow(t, f, opts.Now())
		if opts.Filter != nil && !opts.Filter(row) {
			return
		}
		findings++
		events <- event{finding: row}
	}

	err := safeRun(tctx, t.Analyser, scope, emit)

	result, code, msg := output.ResultSuccess, "", ""
	switch {
	case err == nil:
	case ctx.Err() != nil:
		result, code, msg = output.ResultCancelled, CodeCancelled, "scan interrupted while this task ran"
	case errors.Is(err, context.DeadlineExceeded) && tctx.Err() != nil:
		result, code, msg = output.ResultFailure, CodeTimeout, fmt.Sprintf("task timed out after %s: %s", opts.TaskTimeout, oneLine(err))
	case serviceNotInRegion(err) || recordedCode(err) == CodeNoService:
		result, code, msg = output.ResultSkipped, CodeNoService, fmt.Sprintf("%s is not offered in %s: %s", t.Analyser.Name, t.Region, oneLine(err))
	default:
		result, code, msg = output.ResultFailure, ErrorCode(err), oneLine(err)
	}
	var panicErr *panicError
	if errors.As(err, &panicErr) {
		log.Error().Str("stack", string(panicErr.stack)).Msg("analyser panicked")
	}
	end := opts.Now()
	row := reportRow(t, start, end, result, code, msg, stats, resources, findings)
	ev := log.Debug()
	if result == output.ResultFailure {
		ev = log.Warn().Str("code", code).Str("error", msg)
	}
	ev.Str("result", result).Int64("findings", findings).Int64("api_calls", row.APICalls).Int64("retries", row.Retries).
		Str("took", end.Sub(start).Round(time.Millisecond).String()).Msg("task done") // with its unit: "1.234s"
	events <- event{task: row}
}

// notStarted is the row of a task the scan was interrupted before.
func notStarted(t Task, now time.Time) event {
	return event{task: reportRow(t, now, now, output.ResultCancelled, CodeCancelled, "scan interrupted before this task started", nil, 0, 0)}
}

// panicError is a panic inside an analyser, turned into the task's error.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("analyser panicked: %v", p.value) }

func safeRun(ctx context.Context, a analysers.Analyser, s *inventory.Scope, emit analysers.Emit) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return a.Run(ctx, s, emit)
}

// recordedCode is the code of a failure replayed from a snapshot, or "".
func recordedCode(err error) string {
	var rec *inventory.RecordedError
	if errors.As(err, &rec) {
		return rec.Code
	}
	return ""
}

// findingRow makes the CSV row. A row that is not a risk gets severity
// INFO: the check's severity describes the risk, and a dashboard counting
// HIGH rows must not count the resources that passed.
func findingRow(t Task, f analysers.Finding, now time.Time) *output.FindingRow {
	severity := f.Severity
	if !f.Risk {
		severity = analysers.SeverityInfo
	}
	return &output.FindingRow{
		Service: t.Analyser.Name, Region: t.Region,
		AccountID: t.Account.ID, AccountName: t.Account.Name,
		PayerAccountID: t.Account.PayerID, PayerAccountName: t.Account.PayerName,
		ResourceARN: f.ResourceARN, ResourceName: f.ResourceName, ResourceID: f.ResourceID,
		Risk: output.PyBool(f.Risk), Engine: f.Engine, Message: f.Message,
		Timestamp: output.Timestamp(now), Time: now.UTC().Format(time.RFC3339), CheckID: f.CheckID, Severity: string(severity),
		ResourceType: f.ResourceType, AZs: f.AZs, AZIDs: f.AZIDs,
	}
}

func reportRow(t Task, start, end time.Time, result, code, msg string, stats *callStats, resources, findings int64) *output.ReportRow {
	r := &output.ReportRow{
		AccountID: t.Account.ID, Region: t.Region, Service: t.Analyser.Name,
		Result: result, ErrorMessage: msg, ErrorCode: code,
		StartTime: output.Timestamp(start), EndTime: output.Timestamp(end), Runtime: output.Seconds(end.Sub(start)),
		Resources: resources, Findings: findings,
	}
	if stats != nil {
		r.APICalls = stats.calls.Load()
		r.Retries = stats.attempts.Load() - r.APICalls
		if r.Retries < 0 {
			r.Retries = 0
		}
	}
	return r
}

// OverallRow is the run report's last row.
func OverallRow(accountID string, s Summary) output.ReportRow {
	result, msg := output.ResultSuccess, ""
	switch {
	case s.Cancel > 0:
		result, msg = output.ResultCancelled, fmt.Sprintf("%d of %d tasks cancelled", s.Cancel, s.Tasks)
	case s.Failed > 0:
		result, msg = output.ResultFailure, fmt.Sprintf("%d of %d tasks failed", s.Failed, s.Tasks)
	}
	return output.ReportRow{
		AccountID: accountID, Region: "Overall", Service: "Overall", Result: result, ErrorMessage: msg,
		StartTime: output.Timestamp(s.Start), EndTime: output.Timestamp(s.End), Runtime: output.Seconds(s.End.Sub(s.Start)),
		APICalls: s.APICalls, Retries: s.Retries, Resources: s.Resources, Findings: s.Findings,
	}
}
