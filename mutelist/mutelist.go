// Package mutelist reads a scan's mutelist: YAML entries that mute the
// findings they match, each with the reason a team accepted the risk and,
// optionally, the day that acceptance ends. A muted finding keeps its
// verdict; the scan writes the entry's reason in its muted column.
//
//	mutelist:
//	  - check: RDS-1                      # a check ID, or "*"
//	    account: "111111111111"           # an account ID, or "*" (default)
//	    region: eu-west-1                 # a region, "global", or "*" (default)
//	    resource: "arn:aws:rds:.*:db:legacy-.*"  # Go regexp over the whole ARN (default: any)
//	    tags: {team: data}                # every tag must match (findings carry no tags yet)
//	    reason: legacy reporting DB, retired in Q3
//	    expires: 2027-03-31               # mutes through that day (UTC)
//
// Every error names the file and the line.
package mutelist

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Any matches every value of a field.
const Any = "*"

// Keys are an entry's fields, in the order the errors list them.
var Keys = []string{"account", "region", "check", "resource", "tags", "reason", "expires"}

// Entry is one mutelist entry.
type Entry struct {
	N        int    // position in the file, from 1
	Line     int    // line of the entry in the file
	Account  string // account ID or Any
	Region   string // region, "global", or Any
	Check    string // check ID or Any
	Resource string // the regexp as written; "" matches any resource
	Tags     map[string]string
	Reason   string
	// Expires is the last day the entry mutes (UTC); zero: it never expires.
	Expires time.Time

	resource *regexp.Regexp
}

// Expired reports whether the entry's last day is before now's (UTC) day.
func (e Entry) Expired(now time.Time) bool {
	if e.Expires.IsZero() {
		return false
	}
	y, m, d := now.UTC().Date()
	return e.Expires.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// List is a parsed mutelist file.
type List struct {
	Path    string
	Entries []Entry
}

// Validators check the values that depend on faultline's registry and
// input rules. A nil field accepts any value.
type Validators struct {
	Check   func(id string) bool
	Account func(id string) bool
	Region  func(name string) bool
}

// Load reads and parses the file at path.
func Load(path string, v Validators) (*List, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, v)
}

// Parse parses data, read from path (for the errors).
func Parse(path string, data []byte, v Validators) (*List, error) {
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(path, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty; expected a \"mutelist:\" list of entries", path)
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fail(top.Line, "expected a mapping with the key \"mutelist\", got %s", kindName(top))
	}
	list := &List{Path: path}
	var entries *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, val := top.Content[i], top.Content[i+1]
		if k.Value != "mutelist" {
			return nil, fail(k.Line, "unknown key %q; the file holds one key, mutelist", k.Value)
		}
		if entries != nil {
			return nil, fail(k.Line, "the key mutelist is given twice")
		}
		entries = val
	}
	if entries == nil {
		return nil, fail(top.Line, "no \"mutelist\" key")
	}
	if entries.Tag == "!!null" {
		return list, nil // "mutelist:" with no entry yet
	}
	if entries.Kind != yaml.SequenceNode {
		return nil, fail(entries.Line, "mutelist must be a list of entries, got %s", kindName(entries))
	}
	for i, n := range entries.Content {
		e, err := parseEntry(n, i+1, v, fail)
		if err != nil {
			return nil, err
		}
		list.Entries = append(list.Entries, e)
	}
	return list, nil
}

func parseEntry(n *yaml.Node, num int, v Validators, fail func(int, string, ...any) error) (Entry, error) {
	e := Entry{N: num, Line: n.Line, Account: Any, Region: Any}
	if n.Kind != yaml.MappingNode {
		return e, fail(n.Line, "mutelist entry %d must be a mapping of %s, got %s", num, strings.Join(Keys, ", "), kindName(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		if !slices.Contains(Keys, key) {
			return e, fail(k.Line, "unknown key %q in mutelist entry %d; keys: %s", key, num, strings.Join(Keys, ", "))
		}
		if seen[key] {
			return e, fail(k.Line, "key %q given twice in mutelist entry %d", key, num)
		}
		seen[key] = true
		if key == "tags" {
			tags, err := parseTags(val, num, fail)
			if err != nil {
				return e, err
			}
			e.Tags = tags
			continue
		}
		if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
			return e, fail(val.Line, "%s in mutelist entry %d must be a single value, got %s", key, num, kindName(val))
		}
		s := strings.TrimSpace(val.Value)
		bad := func(format string, args ...any) error {
			return fail(val.Line, "%s %q in mutelist entry %d: %s", key, s, num, fmt.Sprintf(format, args...))
		}
		switch key {
		case "account":
			if s != Any && v.Account != nil && !v.Account(s) {
				return e, bad("expected a 12-digit account ID or \"*\" (quote IDs that start with 0)")
			}
			e.Account = s
		case "region":
			if s != Any && v.Region != nil && !v.Region(s) {
				return e, bad("expected a region such as eu-west-1, \"global\" or \"*\"")
			}
			e.Region = s
		case "check":
			if s != Any && v.Check != nil && !v.Check(s) {
				return e, bad("no such check (faultline services lists them), or \"*\"")
			}
			e.Check = s
		case "resource":
			re, err := regexp.Compile(`^(?:` + s + `)$`)
			if s == "" || err != nil {
				msg := "empty"
				if err != nil {
					msg = strings.TrimPrefix(err.Error(), "error parsing regexp: ")
				}
				return e, bad("not a Go regular expression: %s", msg)
			}
			e.Resource, e.resource = s, re
		case "reason":
			e.Reason = strings.Join(strings.Fields(s), " ") // one line in the CSV cell
		case "expires":
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return e, bad("expected a date YYYY-MM-DD")
			}
			e.Expires = t
		}
	}
	switch {
	case e.Check == "":
		return e, fail(n.Line, "mutelist entry %d has no check: give a check ID, or \"*\" for every check", num)
	case e.Reason == "":
		return e, fail(n.Line, "mutelist entry %d has no reason: say why the finding is accepted", num)
	}
	return e, nil
}

func parseTags(n *yaml.Node, num int, fail func(int, string, ...any) error) (map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fail(n.Line, "tags in mutelist entry %d must be a mapping of tag keys to values, got %s", num, kindName(n))
	}
	tags := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || val.Kind != yaml.ScalarNode {
			return nil, fail(k.Line, "tag %q in mutelist entry %d must map a key to one value", k.Value, num)
		}
		tags[k.Value] = val.Value
	}
	return tags, nil
}

// yamlLine is the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(path string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return fmt.Errorf("%s:%d: %s", path, line, m[2])
	}
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}

func kindName(n *yaml.Node) string {
	switch {
	case n.Tag == "!!null":
		return "nothing"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// Finding is what an entry is matched against: a findings row's columns.
type Finding struct {
	Account, Region, Check        string
	ARN, ResourceID, ResourceName string
	// Tags are the resource's tags. The scan's findings do not carry tags
	// yet, so an entry with tags matches none of them.
	Tags map[string]string
}

// Matches reports whether e mutes f: every field given matches. The
// resource regexp must match the whole ARN, or, for a row without one, the
// whole resource ID or name.
func (e Entry) Matches(f Finding) bool {
	switch {
	case e.Account != Any && e.Account != f.Account,
		e.Region != Any && e.Region != f.Region,
		e.Check != Any && e.Check != f.Check:
		return false
	}
	if e.resource != nil {
		ok := false
		if f.ARN != "" {
			ok = e.resource.MatchString(f.ARN)
		} else {
			ok = (f.ResourceID != "" && e.resource.MatchString(f.ResourceID)) ||
				(f.ResourceName != "" && e.resource.MatchString(f.ResourceName))
		}
		if !ok {
			return false
		}
	}
	for k, want := range e.Tags {
		if got, ok := f.Tags[k]; !ok || got != want {
			return false
		}
	}
	return true
}

// Matcher mutes findings with a list's entries that have not expired.
// It is safe for concurrent use.
type Matcher struct {
	entries []Entry
}

// Active splits the list at now: a Matcher of the entries that still mute,
// and the expired ones, which mute nothing.
func (l *List) Active(now time.Time) (*Matcher, []Entry) {
	m := &Matcher{}
	var expired []Entry
	for _, e := range l.Entries {
		if e.Expired(now) {
			expired = append(expired, e)
		} else {
			m.entries = append(m.entries, e)
		}
	}
	return m, expired
}

// Reason is the reason of the first entry that mutes f, or "".
func (m *Matcher) Reason(f Finding) string {
	for _, e := range m.entries {
		if e.Matches(f) {
			return e.Reason
		}
	}
	return ""
}
