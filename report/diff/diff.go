// Package diff compares two sets of findings, as faultline scan writes them
// (CSV or JSONL, one file or a folder of them): which risks are new, which
// were resolved, and which still-risky rows changed severity or message.
package diff

import (
	"cmp"
	"slices"
)

// Key names one judgement: one check of one resource in one account and
// region. Resource is the resource's ARN, else its ID, else its name.
type Key struct {
	AccountID, Region, Service, CheckID, Resource string
}

// Row is what a findings row says about its key.
type Row struct {
	AccountID, Region, Service, CheckID   string
	ResourceARN, ResourceID, ResourceName string
	Risk                                  bool
	Severity, Message, Timestamp          string
}

// Key is r's key.
func (r Row) Key() Key {
	res := r.ResourceARN
	if res == "" {
		res = r.ResourceID
	}
	if res == "" {
		res = r.ResourceName
	}
	return Key{r.AccountID, r.Region, r.Service, r.CheckID, res}
}

// Set is the latest row of every key in some findings files: a file that
// was appended to holds several runs, and the row with the latest timestamp
// wins (at equal timestamps, the later row).
type Set struct {
	Files  []string // the files read, in order
	Rows   int      // data rows read
	latest map[Key]Row
}

func newSet() *Set { return &Set{latest: map[Key]Row{}} }

func (s *Set) add(r Row) {
	s.Rows++
	k := r.Key()
	if old, ok := s.latest[k]; !ok || r.Timestamp >= old.Timestamp {
		s.latest[k] = r
	}
}

// Changes and their reasons (the change and reason columns).
const (
	ChangeNew      = "new"
	ChangeResolved = "resolved"
	ChangeChanged  = "changed"

	ReasonNotInOld       = "not_in_old"      // new: OLD has no row for it
	ReasonWasNotAtRisk   = "was_not_at_risk" // new: OLD's row was False
	ReasonNotAtRisk      = "not_at_risk"     // resolved: NEW's row is False
	ReasonNotInNew       = "not_in_new"      // resolved: NEW has no row for it
	ReasonSeverity       = "severity"
	ReasonMessage        = "message"
	ReasonSeverityAndMsg = "severity_and_message"
)

// Entry is one difference. The old_ fields are OLD's row (empty when OLD
// has none), the new_ fields NEW's.
type Entry struct {
	Change       string `json:"change"`
	Reason       string `json:"reason"`
	AccountID    string `json:"account_id"`
	Region       string `json:"region"`
	Service      string `json:"service"`
	CheckID      string `json:"check_id"`
	ResourceARN  string `json:"resource_arn"`
	ResourceID   string `json:"resource_id"`
	ResourceName string `json:"resource_name"`
	OldSeverity  string `json:"old_severity"`
	NewSeverity  string `json:"new_severity"`
	OldMessage   string `json:"old_message"`
	NewMessage   string `json:"new_message"`
	OldTimestamp string `json:"old_timestamp"`
	NewTimestamp string `json:"new_timestamp"`

	key Key
}

// Result is every difference between OLD and NEW, each list sorted by
// severity (highest first), then account, region, service, check and
// resource.
type Result struct {
	New, Resolved, Changed []Entry
	// Unchanged counts the keys at risk in both with the same severity
	// and message.
	Unchanged int
}

// ResolvedBy counts the resolved entries with reason.
func (r Result) ResolvedBy(reason string) int {
	n := 0
	for _, e := range r.Resolved {
		if e.Reason == reason {
			n++
		}
	}
	return n
}

// Compare finds what changed from before (OLD) to after (NEW).
func Compare(before, after *Set) Result {
	var res Result
	for k, n := range after.latest {
		o, inOld := before.latest[k]
		switch {
		case n.Risk && (!inOld || !o.Risk):
			reason := ReasonNotInOld
			if inOld {
				reason = ReasonWasNotAtRisk
			}
			res.New = append(res.New, entry(ChangeNew, reason, k, o, inOld, n, true))
		case n.Risk && o.Risk:
			sev, msg := o.Severity != n.Severity, o.Message != n.Message
			switch {
			case sev && msg:
				res.Changed = append(res.Changed, entry(ChangeChanged, ReasonSeverityAndMsg, k, o, true, n, true))
			case sev:
				res.Changed = append(res.Changed, entry(ChangeChanged, ReasonSeverity, k, o, true, n, true))
			case msg:
				res.Changed = append(res.Changed, entry(ChangeChanged, ReasonMessage, k, o, true, n, true))
			default:
				res.Unchanged++
			}
		case !n.Risk && inOld && o.Risk:
			res.Resolved = append(res.Resolved, entry(ChangeResolved, ReasonNotAtRisk, k, o, true, n, true))
		}
	}
	for k, o := range before.latest {
		if _, inNew := after.latest[k]; !inNew && o.Risk {
			res.Resolved = append(res.Resolved, entry(ChangeResolved, ReasonNotInNew, k, o, true, Row{}, false))
		}
	}
	byNew := func(a, b Entry) int { return compareEntries(a, b, a.NewSeverity, b.NewSeverity) }
	slices.SortFunc(res.New, byNew)
	slices.SortFunc(res.Changed, byNew)
	slices.SortFunc(res.Resolved, func(a, b Entry) int { return compareEntries(a, b, a.OldSeverity, b.OldSeverity) })
	return res
}

func entry(change, reason string, k Key, o Row, inOld bool, n Row, inNew bool) Entry {
	e := Entry{Change: change, Reason: reason, AccountID: k.AccountID, Region: k.Region, Service: k.Service, CheckID: k.CheckID, key: k}
	src := n
	if !inNew {
		src = o
	}
	e.ResourceARN, e.ResourceID, e.ResourceName = src.ResourceARN, src.ResourceID, src.ResourceName
	if inOld {
		e.OldSeverity, e.OldMessage, e.OldTimestamp = o.Severity, o.Message, o.Timestamp
	}
	if inNew {
		e.NewSeverity, e.NewMessage, e.NewTimestamp = n.Severity, n.Message, n.Timestamp
	}
	return e
}

// severityRank orders severities highest first; unknown ones go last.
func severityRank(s string) int {
	if i := slices.Index([]string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"}, s); i >= 0 {
		return i
	}
	return 5
}

func compareEntries(a, b Entry, sevA, sevB string) int {
	return cmp.Or(
		cmp.Compare(severityRank(sevA), severityRank(sevB)),
		cmp.Compare(a.key.AccountID, b.key.AccountID),
		cmp.Compare(a.key.Region, b.key.Region),
		cmp.Compare(a.key.Service, b.key.Service),
		cmp.Compare(a.key.CheckID, b.key.CheckID),
		cmp.Compare(a.key.Resource, b.key.Resource),
	)
}
