package mutelist

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var validators = Validators{
	Check:   func(id string) bool { return id == "RDS-1" || id == "LAMBDA-1" },
	Account: regexp.MustCompile(`^[0-9]{12}$`).MatchString,
	Region: func(r string) bool {
		return r == "global" || regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`).MatchString(r)
	},
}

const sample = `# accepted risks
mutelist:
  - check: RDS-1
    account: "011111111111"
    region: eu-west-1
    resource: "arn:aws:rds:eu-west-1:011111111111:db:legacy-.*"
    reason: legacy reporting DB,
      retired in Q3
    expires: 2026-12-31
  - check: "*"
    resource: fn-.*
    reason: sandbox functions
  - check: LAMBDA-1
    tags: {team: data}
    reason: tagged
`

func TestParseSample(t *testing.T) {
	l, err := Parse("m.yaml", []byte(sample), validators)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 3 {
		t.Fatalf("%d entries", len(l.Entries))
	}
	e := l.Entries[0]
	if e.N != 1 || e.Line != 3 || e.Account != "011111111111" || e.Region != "eu-west-1" || e.Check != "RDS-1" ||
		e.Reason != "legacy reporting DB, retired in Q3" || e.Expires.Format(time.DateOnly) != "2026-12-31" {
		t.Errorf("entry 1: %+v", e)
	}
	if e := l.Entries[1]; e.N != 2 || e.Line != 10 || e.Account != Any || e.Region != Any || e.Check != Any || !e.Expires.IsZero() {
		t.Errorf("entry 2: %+v", e)
	}
	if e := l.Entries[2]; e.Tags["team"] != "data" || len(e.Tags) != 1 {
		t.Errorf("entry 3: %+v", e)
	}
}

func TestMatches(t *testing.T) {
	l, err := Parse("m.yaml", []byte(sample), validators)
	if err != nil {
		t.Fatal(err)
	}
	m, expired := l.Active(time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC))
	if len(expired) != 0 {
		t.Fatalf("expired on its last day: %v", expired)
	}
	legacy := Finding{Account: "011111111111", Region: "eu-west-1", Check: "RDS-1", ARN: "arn:aws:rds:eu-west-1:011111111111:db:legacy-orders"}
	cases := []struct {
		name string
		f    Finding
		want string
	}{
		{"every field matches", legacy, "legacy reporting DB, retired in Q3"},
		{"other account", with(legacy, func(f *Finding) { f.Account = "022222222222" }), ""},
		{"other region", with(legacy, func(f *Finding) { f.Region = "eu-west-2" }), ""},
		{"other check", with(legacy, func(f *Finding) { f.Check = "LAMBDA-1" }), ""},
		{"regexp must match the whole ARN", with(legacy, func(f *Finding) { f.ARN = "x" + f.ARN }), ""},
		{"ARN is matched, not the name", Finding{Check: "RDS-1", ARN: "arn:aws:lambda:us-east-1:1:function:fn-a", ResourceName: "fn-a"}, ""},
		{"without an ARN: the name", Finding{Check: "LAMBDA-1", ResourceName: "fn-a"}, "sandbox functions"},
		{"without an ARN: the ID", Finding{Check: "RDS-1", ResourceID: "fn-b"}, "sandbox functions"},
		// Findings carry no tags: an entry with tags mutes nothing today.
		{"tag entry, finding without tags", Finding{Check: "LAMBDA-1", ARN: "arn:x"}, ""},
		{"tag entry, tags match", Finding{Check: "LAMBDA-1", ARN: "arn:x", Tags: map[string]string{"team": "data", "env": "dev"}}, "tagged"},
		{"tag entry, tag differs", Finding{Check: "LAMBDA-1", ARN: "arn:x", Tags: map[string]string{"team": "web"}}, ""},
	}
	for _, c := range cases {
		if got := m.Reason(c.f); got != c.want {
			t.Errorf("%s: muted %q, want %q", c.name, got, c.want)
		}
	}
}

func with(f Finding, change func(*Finding)) Finding {
	change(&f)
	return f
}

func TestExpired(t *testing.T) {
	l, err := Parse("m.yaml", []byte(sample), validators)
	if err != nil {
		t.Fatal(err)
	}
	m, expired := l.Active(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(expired) != 1 || expired[0].N != 1 {
		t.Fatalf("expired %v", expired)
	}
	legacy := Finding{Account: "011111111111", Region: "eu-west-1", Check: "RDS-1", ARN: "arn:aws:rds:eu-west-1:011111111111:db:legacy-orders"}
	if got := m.Reason(legacy); got != "" {
		t.Errorf("an expired entry muted: %q", got)
	}
}

// Every malformed file is one line naming the file and the line.
func TestParseErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"", `m.yaml: empty; expected a "mutelist:" list of entries`},
		{"# nothing\n", `m.yaml: empty; expected a "mutelist:" list of entries`},
		{"- check: RDS-1\n", `m.yaml:1: expected a mapping with the key "mutelist", got a list`},
		{"mutes:\n  - check: RDS-1\n", `m.yaml:1: unknown key "mutes"; the file holds one key, mutelist`},
		{"mutelist: RDS-1\n", `m.yaml:1: mutelist must be a list of entries, got "RDS-1"`},
		{"mutelist:\n  - RDS-1\n", `m.yaml:2: mutelist entry 1 must be a mapping of account, region, check, resource, tags, reason, expires, got "RDS-1"`},
		{"mutelist:\n  - check: RDS-1\n    reason: r\n  - checks: RDS-1\n    reason: r\n", `m.yaml:4: unknown key "checks" in mutelist entry 2; keys: account, region, check, resource, tags, reason, expires`},
		{"mutelist:\n  - check: RDS-1\n    check: LAMBDA-1\n    reason: r\n", `m.yaml:3: key "check" given twice in mutelist entry 1`},
		{"mutelist:\n  - check: RDS-9\n    reason: r\n", `m.yaml:2: check "RDS-9" in mutelist entry 1: no such check (faultline services lists them), or "*"`},
		{"mutelist:\n  - check: [RDS-1]\n    reason: r\n", `m.yaml:2: check in mutelist entry 1 must be a single value, got a list`},
		{"mutelist:\n  - check: RDS-1\n", `m.yaml:2: mutelist entry 1 has no reason: say why the finding is accepted`},
		{"mutelist:\n  - reason: r\n", `m.yaml:2: mutelist entry 1 has no check: give a check ID, or "*" for every check`},
		{"mutelist:\n  - check: RDS-1\n    reason:\n", `m.yaml:3: reason in mutelist entry 1 must be a single value, got nothing`},
		{"mutelist:\n  - check: RDS-1\n    reason: r\n    account: 1234\n", `m.yaml:4: account "1234" in mutelist entry 1: expected a 12-digit account ID or "*" (quote IDs that start with 0)`},
		{"mutelist:\n  - check: RDS-1\n    reason: r\n    region: Europe\n", `m.yaml:4: region "Europe" in mutelist entry 1: expected a region such as eu-west-1, "global" or "*"`},
		{"mutelist:\n  - check: RDS-1\n    reason: r\n    resource: \"db-(\"\n", "m.yaml:4: resource \"db-(\" in mutelist entry 1: not a Go regular expression: missing closing ): `^(?:db-()$`"},
		{"mutelist:\n  - check: RDS-1\n    reason: r\n    expires: 31/12/2026\n", `m.yaml:4: expires "31/12/2026" in mutelist entry 1: expected a date YYYY-MM-DD`},
		{"mutelist:\n  - check: RDS-1\n    reason: r\n    tags: team\n", `m.yaml:4: tags in mutelist entry 1 must be a mapping of tag keys to values, got "team"`},
		{"mutelist:\n  - check: RDS-1\n    reason: r\n    tags: {team: [a, b]}\n", `m.yaml:4: tag "team" in mutelist entry 1 must map a key to one value`},
		{"mutelist:\n  - check: RDS-1\n    reason: r: s\n", `m.yaml:3: mapping values are not allowed in this context`},
		{"mutelist:\n\t- check: RDS-1\n", `m.yaml:2: found character that cannot start any token`},
	}
	for _, c := range cases {
		_, err := Parse("m.yaml", []byte(c.yaml), validators)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got  %v\n want %s", c.yaml, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error is not one line: %q", c.yaml, err)
		}
	}
}

func TestEmptyListIsValid(t *testing.T) {
	for _, doc := range []string{"mutelist:\n", "mutelist: []\n"} {
		l, err := Parse("m.yaml", []byte(doc), validators)
		if err != nil || len(l.Entries) != 0 {
			t.Errorf("%q: %v %v", doc, l, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("mutelist:\n  - check: RDS-1\n    reason: r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("m.yaml", data, validators)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		for _, e := range l.Entries {
			if e.Check == "" || e.Reason == "" {
				t.Fatalf("entry without check or reason: %+v", e)
			}
			e.Matches(Finding{})
		}
	})
}
