// Package output owns faultline's files: the findings CSV and the run report
// (seed-compatible names and columns), written atomically with mode 0600.
package output

import (
	"encoding/json"
	"strings"
	"time"
)

// TimestampLayout is the seed's timestamp format, with the "_" before the
// offset its README documents: 2022_11_29_16_20_43_+0000 (always UTC).
const TimestampLayout = "2006_01_02_15_04_05_-0700"

// Timestamp formats t in UTC with TimestampLayout.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// PyBool writes True/False as the seed (a Python tool) did.
type PyBool bool

func (b PyBool) MarshalCSV() (string, error) {
	if b {
		return "True", nil
	}
	return "False", nil
}

func (b *PyBool) UnmarshalCSV(s string) error {
	*b = s == "True"
	return nil
}

// List is a CSV cell of several values joined by ";" (an array in JSONL).
type List []string

func (l List) MarshalCSV() (string, error) { return strings.Join(l, ";"), nil }

// MarshalJSON writes an empty list as [], never null.
func (l List) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(l))
}

func (l *List) UnmarshalCSV(s string) error {
	*l = nil
	if s != "" {
		*l = strings.Split(s, ";")
	}
	return nil
}

// FindingRow is one findings-CSV row. The first thirteen columns are the
// seed's, in its order; the rest are ours, new ones at the end. The Availability Zones of what a
// finding judges are given twice: by name, which differs from account to
// account, and by ID (use1-az1), which names the same zone everywhere.
type FindingRow struct {
	Service          string `csv:"service" json:"service"`
	Region           string `csv:"region" json:"region"`
	AccountID        string `csv:"account_id" json:"account_id"`
	AccountName      string `csv:"account_name" json:"account_name"`
	PayerAccountID   string `csv:"payer_account_id" json:"payer_account_id"`
	PayerAccountName string `csv:"payer_account_name" json:"payer_account_name"`
	ResourceARN      string `csv:"resource_arn" json:"resource_arn"`
	ResourceName     string `csv:"resource_name" json:"resource_name"`
	ResourceID       string `csv:"resource_id" json:"resource_id"`
	Risk             PyBool `csv:"potential_single_az_risk" json:"potential_single_az_risk"`
	Engine           string `csv:"engine" json:"engine"`
	Message          string `csv:"message" json:"message"`
	Timestamp        string `csv:"timestamp" json:"timestamp"`
	CheckID          string `csv:"check_id" json:"check_id"`
	Severity         string `csv:"severity" json:"severity"`
	ResourceType     string `csv:"resource_type" json:"resource_type"`
	AZs              List   `csv:"availability_zones" json:"availability_zones"`
	AZIDs            List   `csv:"availability_zone_ids" json:"availability_zone_ids"`
	// Time is Timestamp in RFC 3339, for JSONL readers; the CSV keeps the
	// seed's format only.
	Time string `csv:"-" json:"time,omitempty"`
	// Muted is the reason of the --mutelist entry that mutes the row, ""
	// when none does. A muted row keeps its verdict.
	Muted string `csv:"muted" json:"muted"`
}

// Task results in the run report.
const (
	ResultSuccess   = "Success"
	ResultFailure   = "Failure"
	ResultSkipped   = "Skipped"
	ResultCancelled = "Cancelled"
)

// ReportRow is one run-report row: one (account, region, service) task, or
// the final Overall row. The first eight columns are the seed's.
type ReportRow struct {
	AccountID    string  `csv:"account_id"`
	Region       string  `csv:"region"`
	Service      string  `csv:"service"`
	Result       string  `csv:"result"`
	ErrorMessage string  `csv:"error_message"`
	StartTime    string  `csv:"start_time"`
	EndTime      string  `csv:"end_time"`
	Runtime      Seconds `csv:"runtime_in_seconds"`
	ErrorCode    string  `csv:"error_code"`
	APICalls     int64   `csv:"api_calls"`
	Retries      int64   `csv:"retries"`
	Resources    int64   `csv:"resources"`
	Findings     int64   `csv:"findings"`
	// Events published to and refused by EventBridge (the Overall row).
	EventsPublished int64 `csv:"events_published"`
	EventsFailed    int64 `csv:"events_failed"`
}

// Seconds is a duration written as seconds with two decimals, as the seed did.
type Seconds time.Duration

func (s Seconds) MarshalCSV() (string, error) {
	return strings.TrimSpace(formatSeconds(time.Duration(s))), nil
}

func (s *Seconds) UnmarshalCSV(v string) error {
	d, err := time.ParseDuration(v + "s")
	*s = Seconds(d)
	return err
}

func formatSeconds(d time.Duration) string {
	cents := (d.Milliseconds() + 5) / 10
	return itoa(cents/100) + "." + pad2(cents%100)
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

// FileStem is the seed's file name without extension:
// Resiliency_Findings_<YYYY_MM_DD> or, with the account in the name,
// Resiliency_Findings_<account_id>_<account_name>_<YYYY_MM_DD>.
func FileStem(day time.Time, withAccount bool, accountID, accountName string) string {
	date := day.UTC().Format("2006_01_02")
	if !withAccount {
		return "Resiliency_Findings_" + date
	}
	return "Resiliency_Findings_" + SafeName(accountID) + "_" + SafeName(accountName) + "_" + date
}

// SafeName keeps letters, digits, '-' and '.', and replaces everything else
// (path separators, spaces, shell metacharacters) with '_', so an account name
// can never escape the output folder or break a shell loop.
func SafeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if strings.Trim(out, ".") == "" {
		return strings.Repeat("_", len(out))
	}
	return out
}
