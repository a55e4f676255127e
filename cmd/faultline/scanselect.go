package main

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/internal/inputs"
	"github.com/faultline/faultline/mutelist"
	"github.com/faultline/faultline/output"
)

// selectionFlags choose what a scan runs and writes, and when it fails a
// CI job (issue 14).
func selectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "checks", Usage: "check IDs to run (faultline services lists them); only their services are scanned"},
		&cli.StringSliceFlag{Name: "excluded-checks", Usage: "check IDs whose rows are not written"},
		&cli.StringSliceFlag{Name: "severity", Usage: "write only rows of these severities: HIGH, MEDIUM, LOW, INFO (a row that is not a risk is INFO)"},
		&cli.StringSliceFlag{Name: "excluded-services", Usage: "service keys not to scan"},
		&cli.StringFlag{Name: "mutelist", Usage: "YAML FILE of accepted risks: matching rows are written with the entry's reason in the muted column"},
		&cli.StringFlag{Name: "fail-on", Usage: "HIGH, MEDIUM or LOW: exit 3 when an unmuted risk of that severity or above is written"},
	}
}

// severityOrder ranks severities, most severe first.
var severityOrder = []analysers.Severity{analysers.SeverityHigh, analysers.SeverityMedium, analysers.SeverityLow, analysers.SeverityInfo}

// severityRank is 3 for HIGH down to 0 for INFO, -1 for anything else.
func severityRank(s string) int {
	i := slices.Index(severityOrder, analysers.Severity(s))
	if i < 0 {
		return -1
	}
	return len(severityOrder) - 1 - i
}

func severityNames(list []analysers.Severity) string {
	names := make([]string, len(list))
	for i, s := range list {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// checkIDs are every check ID, in registry order.
func checkIDs() []string {
	var ids []string
	for _, a := range analysers.All {
		for _, c := range a.Checks {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// checkService is the service key whose analyser declares check id, or "".
func checkService(id string) string {
	for _, a := range analysers.All {
		for _, c := range a.Checks {
			if c.ID == id {
				return a.Name
			}
		}
	}
	return ""
}

// parseCheckList reads --checks or --excluded-checks: known check IDs (in
// any case).
func parseCheckList(c *cli.Context, flag string) ([]string, error) {
	var out []string
	for _, id := range splitList(c.StringSlice(flag)) {
		id = strings.ToUpper(id)
		if checkService(id) == "" {
			return nil, usagef("unknown check %q in --%s; valid: %s", id, flag, strings.Join(checkIDs(), ", "))
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// parseSelection validates the selection flags and narrows opts: the
// services scanned (minus --excluded-services, only those that own a
// selected check), the checks and severities written, the mutelist and
// --fail-on. It runs after --services and --snapshot are known. Nothing
// here calls AWS.
func parseSelection(c *cli.Context, opts *scanOptions) error {
	checks, err := parseCheckList(c, "checks")
	if err != nil {
		return err
	}
	excludedChecks, err := parseCheckList(c, "excluded-checks")
	if err != nil {
		return err
	}
	excludedServices := splitList(c.StringSlice("excluded-services"))
	for _, s := range excludedServices {
		if _, ok := analysers.ByName(s); !ok {
			return usagef("unknown service %q in --excluded-services; valid: %s", s, strings.Join(serviceKeys(), ", "))
		}
	}
	if opts.Severities, err = parseSeverities(c.StringSlice("severity")); err != nil {
		return err
	}
	if err := parseFailOn(c, opts); err != nil {
		return err
	}
	if path := c.String("mutelist"); c.IsSet("mutelist") {
		if opts.Mutelist, err = loadMutelist(path); err != nil {
			return err
		}
	}
	if len(checks) == 0 && len(excludedChecks) == 0 && len(excludedServices) == 0 {
		return nil
	}

	// The services: those selected, minus the excluded ones.
	var services []string
	for _, a := range selectedAnalysers(opts.Services) {
		if !slices.Contains(excludedServices, a.Name) {
			services = append(services, a.Name)
		}
	}
	if len(services) == 0 {
		return usagef("--excluded-services excludes every service selected (%s): nothing is left to scan", strings.Join(selectedNames(opts.Services), ", "))
	}
	// The checks: those asked (each of a service scanned), or every check
	// of the services scanned; minus the excluded ones.
	allowed := map[string]bool{}
	for _, id := range checks {
		if s := checkService(id); !slices.Contains(services, s) {
			return usagef("--checks %s is a %s check, but %s is not among the services scanned (%s)", id, s, s, strings.Join(services, ", "))
		}
		allowed[id] = true
	}
	if len(checks) == 0 {
		for _, s := range services {
			a, _ := analysers.ByName(s)
			for _, ch := range a.Checks {
				allowed[ch.ID] = true
			}
		}
	}
	for _, id := range excludedChecks {
		delete(allowed, id)
	}
	// Only the services with a check left are scanned.
	var kept []string
	for _, s := range services {
		a, _ := analysers.ByName(s)
		if slices.ContainsFunc(a.Checks, func(ch analysers.Check) bool { return allowed[ch.ID] }) {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return usagef("--excluded-checks excludes every check of the services scanned (%s): nothing is left to scan", strings.Join(services, ", "))
	}
	opts.Services = kept
	if len(checks) > 0 || len(excludedChecks) > 0 {
		opts.Checks = allowed
	}
	return nil
}

// selectedNames are the service keys of --services (nil: all).
func selectedNames(services []string) []string {
	if services != nil {
		return services
	}
	return serviceKeys()
}

// parseSeverities reads --severity; nil means every severity.
func parseSeverities(values []string) (map[string]bool, error) {
	items := splitList(values)
	if len(items) == 0 {
		return nil, nil
	}
	set := map[string]bool{}
	for _, s := range items {
		up := strings.ToUpper(s)
		if severityRank(up) < 0 {
			return nil, usagef("unknown severity %q in --severity; valid: %s", s, severityNames(severityOrder))
		}
		set[up] = true
	}
	return set, nil
}

// parseFailOn reads --fail-on, and refuses a gate that can never close:
// one whose severities --severity does not write.
func parseFailOn(c *cli.Context, opts *scanOptions) error {
	if !c.IsSet("fail-on") {
		return nil
	}
	gates := severityOrder[:3]
	v := strings.ToUpper(strings.TrimSpace(c.String("fail-on")))
	if !slices.Contains(gates, analysers.Severity(v)) {
		return usagef("--fail-on must be one of %s; got %q", severityNames(gates), c.String("fail-on"))
	}
	opts.FailOn = analysers.Severity(v)
	if opts.Severities == nil {
		return nil
	}
	for s := range opts.Severities {
		if severityRank(s) >= severityRank(v) {
			return nil
		}
	}
	return usagef("--fail-on %s can never fail the scan: --severity writes no risk of %s or above", v, v)
}

// loadMutelist reads --mutelist; every error is one line with the file and
// line number.
func loadMutelist(path string) (*mutelist.List, error) {
	if strings.TrimSpace(path) == "" {
		return nil, usagef("--mutelist needs a file name")
	}
	list, err := mutelist.Load(path, mutelist.Validators{
		Check:   func(id string) bool { return checkService(id) != "" },
		Account: func(id string) bool { return inputs.AccountID(id) == nil },
		Region:  func(r string) bool { return r == analysers.GlobalRegion || inputs.RegionName(r) },
	})
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr):
		return nil, usagef("--mutelist: %s", err)
	case err != nil:
		return nil, usagef("--mutelist %s", err)
	}
	return list, nil
}

// activeMutelist splits the mutelist at now, warning on w once for each
// entry that expired or cannot match (findings carry no tags yet). It
// returns nil without a mutelist.
func activeMutelist(list *mutelist.List, now time.Time, warn func(format string, args ...any)) *mutelist.Matcher {
	if list == nil {
		return nil
	}
	m, expired := list.Active(now)
	for _, e := range expired {
		warn("mutelist entry %d (%s) expired on %s, so it mutes nothing", e.N, e.Reason, e.Expires.Format(time.DateOnly))
	}
	for _, e := range list.Entries {
		if len(e.Tags) > 0 && !e.Expired(now) {
			warn("mutelist entry %d (%s) matches tags, which findings do not carry yet, so it mutes nothing", e.N, e.Reason)
		}
	}
	return m
}

// rowFilter is the runner's Filter for opts: rows of checks or severities
// not selected are not written, and the mutelist fills the muted column.
// It is nil when there is nothing to do, so the rows are as before.
func rowFilter(opts scanOptions, muter *mutelist.Matcher) func(*output.FindingRow) bool {
	if opts.Checks == nil && opts.Severities == nil && muter == nil {
		return nil
	}
	return func(r *output.FindingRow) bool {
		if opts.Checks != nil && !opts.Checks[r.CheckID] {
			return false
		}
		if opts.Severities != nil && !opts.Severities[r.Severity] {
			return false
		}
		if muter != nil {
			r.Muted = muter.Reason(mutelist.Finding{
				Account: r.AccountID, Region: r.Region, Check: r.CheckID,
				ARN: r.ResourceARN, ResourceID: r.ResourceID, ResourceName: r.ResourceName,
			})
		}
		return true
	}
}
