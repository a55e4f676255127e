package diff

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/faultline/faultline/output"
)

// Formats of Write.
const (
	FormatText = "text"
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Formats are the --format values, the default first.
var Formats = []string{FormatText, FormatJSON, FormatCSV}

// Write writes r in format (one of Formats).
func (r Result) Write(w io.Writer, format string) error {
	switch format {
	case FormatJSON:
		return r.WriteJSON(w)
	case FormatCSV:
		return r.WriteCSV(w)
	}
	return r.WriteText(w)
}

// Counts is the line that opens the text output.
func (r Result) Counts() string {
	resolved := fmt.Sprintf("%d resolved", len(r.Resolved))
	if len(r.Resolved) > 0 {
		resolved += fmt.Sprintf(" (%d no longer at risk, %d not in NEW)", r.ResolvedBy(ReasonNotAtRisk), r.ResolvedBy(ReasonNotInNew))
	}
	return fmt.Sprintf("%s, %s, %d changed, %d unchanged", plural(len(r.New), "new risk", "new risks"), resolved, len(r.Changed), r.Unchanged)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// WriteText writes the counts line, then each non-empty group: one line per
// entry (severity, check, account, region, resource, why) and its message
// indented below.
func (r Result) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, r.Counts())
	group := func(title string, entries []Entry, line func(Entry) (string, string, []string)) {
		if len(entries) == 0 {
			return
		}
		fmt.Fprintf(b, "\n%s (%d):\n", title, len(entries))
		for _, e := range entries {
			severity, why, messages := line(e)
			fmt.Fprintf(b, "  %s %s %s %s %s (%s)\n", severity, e.CheckID, e.AccountID, e.Region, e.key.Resource, why)
			for _, m := range messages {
				fmt.Fprintf(b, "    %s\n", m)
			}
		}
	}
	group("New risks", r.New, func(e Entry) (string, string, []string) {
		why := "not in OLD"
		if e.Reason == ReasonWasNotAtRisk {
			why = "was not at risk"
		}
		return e.NewSeverity, why, []string{e.NewMessage}
	})
	group("Resolved", r.Resolved, func(e Entry) (string, string, []string) {
		if e.Reason == ReasonNotInNew {
			return e.OldSeverity, "not in NEW", []string{"was: " + e.OldMessage}
		}
		return e.OldSeverity, "no longer at risk", []string{"now: " + e.NewMessage}
	})
	group("Changed", r.Changed, func(e Entry) (string, string, []string) {
		switch e.Reason {
		case ReasonSeverity:
			return e.NewSeverity, "severity was " + e.OldSeverity, []string{e.NewMessage}
		case ReasonMessage:
			return e.NewSeverity, "message changed", []string{"was: " + e.OldMessage, "now: " + e.NewMessage}
		}
		return e.NewSeverity, "severity was " + e.OldSeverity + ", message changed", []string{"was: " + e.OldMessage, "now: " + e.NewMessage}
	})
	return b.Flush()
}

// jsonCounts are the JSON output's counts.
type jsonCounts struct {
	New               int `json:"new"`
	Resolved          int `json:"resolved"`
	ResolvedNotAtRisk int `json:"resolved_not_at_risk"`
	ResolvedNotInNew  int `json:"resolved_not_in_new"`
	Changed           int `json:"changed"`
	Unchanged         int `json:"unchanged"`
}

// WriteJSON writes one object: the counts and the three lists (never null).
func (r Result) WriteJSON(w io.Writer) error {
	orEmpty := func(e []Entry) []Entry {
		if e == nil {
			return []Entry{}
		}
		return e
	}
	v := struct {
		Counts   jsonCounts `json:"counts"`
		New      []Entry    `json:"new"`
		Resolved []Entry    `json:"resolved"`
		Changed  []Entry    `json:"changed"`
	}{
		Counts: jsonCounts{New: len(r.New), Resolved: len(r.Resolved), ResolvedNotAtRisk: r.ResolvedBy(ReasonNotAtRisk),
			ResolvedNotInNew: r.ResolvedBy(ReasonNotInNew), Changed: len(r.Changed), Unchanged: r.Unchanged},
		New: orEmpty(r.New), Resolved: orEmpty(r.Resolved), Changed: orEmpty(r.Changed),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// CSVHeader is the CSV output's header line.
const CSVHeader = "change,reason,account_id,region,service,check_id,resource_arn,resource_id,resource_name," +
	"old_severity,new_severity,old_message,new_message,old_timestamp,new_timestamp"

// WriteCSV writes one row per entry, new first, then resolved, then
// changed; cells are spreadsheet-safe as in the findings CSV.
func (r Result) WriteCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	if err := c.Write(strings.Split(CSVHeader, ",")); err != nil {
		return err
	}
	for _, list := range [][]Entry{r.New, r.Resolved, r.Changed} {
		for _, e := range list {
			row := []string{e.Change, e.Reason, e.AccountID, e.Region, e.Service, e.CheckID, e.ResourceARN, e.ResourceID, e.ResourceName,
				e.OldSeverity, e.NewSeverity, e.OldMessage, e.NewMessage, e.OldTimestamp, e.NewTimestamp}
			for i := range row {
				row[i] = output.EscapeCell(row[i])
			}
			if err := c.Write(row); err != nil {
				return err
			}
		}
	}
	c.Flush()
	return c.Error()
}
