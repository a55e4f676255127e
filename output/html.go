package output

import (
	"bytes"
	_ "embed"
	"html/template"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed html/report.html.tmpl
var reportTemplate string

var reportPage = template.Must(template.New("report").Parse(reportTemplate))

// HTMLFile is <stem>.html: one self-contained page (no external asset) of
// this run's rows, grouped account > region > AZ ID, with filters, a heat
// map of unmuted risks by AZ ID and account, and the failed tasks. It is
// rewritten by every run (never appended to), atomically, mode 0600.
type HTMLFile struct {
	path     string
	product  OCSFProduct
	now      func() time.Time
	rows     []FindingRow
	failures []ReportRow
}

// NewHTML starts the page at path; it is written at Commit.
func NewHTML(path string, product OCSFProduct, now func() time.Time) *HTMLFile {
	return &HTMLFile{path: path, product: product, now: now}
}

func (h *HTMLFile) Write(r FindingRow) { h.rows = append(h.rows, r) }

// WriteTask keeps the failed tasks (and account setups).
func (h *HTMLFile) WriteTask(r ReportRow) {
	if r.Result == ResultFailure {
		h.failures = append(h.failures, r)
	}
}

func (h *HTMLFile) Path() string { return h.path }

// Commit renders the page to a temporary file and renames it into place.
func (h *HTMLFile) Commit() error {
	var b bytes.Buffer
	if err := reportPage.Execute(&b, buildPage(h.rows, h.failures, h.product, h.now())); err != nil {
		return err
	}
	f, err := createAtomic(h.path, false, nil)
	if err != nil {
		return err
	}
	if _, err := f.buf.Write(b.Bytes()); err != nil {
		f.abort()
		return err
	}
	return f.commit()
}

// Abort: nothing was written.
func (h *HTMLFile) Abort() {}

type htmlPage struct {
	Product     OCSFProduct
	GeneratedAt string // RFC 3339
	Counts      htmlCounts
	Accounts    []htmlAccount
	Severities  []string
	Services    []string
	Heat        htmlHeat
	Failures    []ReportRow
	// Data is the summary as JSON, for scripts reading the page.
	Data htmlData
}

type htmlData struct {
	GeneratedAt string     `json:"generated_at"`
	Version     string     `json:"version"`
	Counts      htmlCounts `json:"counts"`
}

type htmlCounts struct {
	Rows         int `json:"rows"`
	Risks        int `json:"risks"`
	UnmutedRisks int `json:"unmuted_risks"`
	Muted        int `json:"muted"`
	Accounts     int `json:"accounts"`
	Failures     int `json:"failed_tasks"`
}

type htmlAccount struct {
	ID, Name string
	Risks    int
	Regions  []htmlRegion
}

type htmlRegion struct {
	Name  string
	Risks int
	Zones []htmlZone
}

type htmlZone struct {
	ID    string
	Risks int
	Rows  []htmlRow
}

type htmlRow struct {
	FindingRow
	Time string // RFC 3339
}

func (r htmlRow) RiskClass() string {
	switch {
	case r.Muted != "":
		return "muted"
	case bool(r.Risk):
		return "risk"
	}
	return "ok"
}

// Search is the lower-case text the search box matches.
func (r htmlRow) Search() string {
	return strings.ToLower(strings.Join([]string{r.Service, r.Region, r.AccountID, r.AccountName, r.ResourceARN,
		r.ResourceName, r.ResourceID, r.Message, r.CheckID, strings.Join(r.AZs, " "), strings.Join(r.AZIDs, " "), r.Muted}, " "))
}

type htmlHeat struct {
	Accounts []string
	Rows     []htmlHeatRow
}

type htmlHeatRow struct {
	AZID  string
	Cells []htmlHeatCell
}

type htmlHeatCell struct {
	Count int
	Level int // 0 (none) to 5 (the most risks of any cell)
}

// NoZone is the zone group of rows without a zone ID.
const NoZone = "no zone ID"

var severityOrder = map[string]int{"HIGH": 0, "MEDIUM": 1, "LOW": 2, "INFO": 3}

func buildPage(rows []FindingRow, failures []ReportRow, product OCSFProduct, now time.Time) htmlPage {
	p := htmlPage{Product: product, GeneratedAt: now.UTC().Format(time.RFC3339), Failures: failures}
	type zkey struct{ account, region, zone string }
	zones := map[zkey]*htmlZone{}
	accounts := map[string]*htmlAccount{}
	heat := map[[2]string]int{}
	sev, svc := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		unmuted := bool(r.Risk) && r.Muted == ""
		p.Counts.Rows++
		if r.Risk {
			p.Counts.Risks++
		}
		if r.Muted != "" {
			p.Counts.Muted++
		}
		sev[r.Severity], svc[r.Service] = true, true
		a := accounts[r.AccountID]
		if a == nil {
			a = &htmlAccount{ID: r.AccountID, Name: r.AccountName}
			accounts[r.AccountID] = a
		}
		zone := strings.Join(r.AZIDs, ", ")
		if zone == "" {
			zone = NoZone
		}
		k := zkey{r.AccountID, r.Region, zone}
		z := zones[k]
		if z == nil {
			z = &htmlZone{ID: zone}
			zones[k] = z
		}
		t := RowTime(r)
		ts := ""
		if !t.IsZero() {
			ts = t.Format(time.RFC3339)
		}
		z.Rows = append(z.Rows, htmlRow{FindingRow: r, Time: ts})
		if unmuted {
			p.Counts.UnmutedRisks++
			a.Risks++
			z.Risks++
			for _, id := range r.AZIDs {
				heat[[2]string{id, r.AccountID}]++
			}
		}
	}
	p.Counts.Accounts = len(accounts)
	p.Counts.Failures = len(failures)
	p.Severities = sortedKeys(sev, func(a, b string) bool { return rank(a) < rank(b) })
	p.Services = sortedKeys(svc, func(a, b string) bool { return a < b })

	// Accounts by ID, regions by name, zones by ID (no zone last); rows most
	// severe first, risks before the rest.
	ids := sortedKeys(accounts, func(a, b string) bool { return a < b })
	for _, id := range ids {
		a := accounts[id]
		regions := map[string]*htmlRegion{}
		for k, z := range zones {
			if k.account != id {
				continue
			}
			reg := regions[k.region]
			if reg == nil {
				reg = &htmlRegion{Name: k.region}
				regions[k.region] = reg
			}
			sort.SliceStable(z.Rows, func(i, j int) bool {
				ri, rj := z.Rows[i], z.Rows[j]
				if ri.Risk != rj.Risk {
					return bool(ri.Risk)
				}
				if rank(ri.Severity) != rank(rj.Severity) {
					return rank(ri.Severity) < rank(rj.Severity)
				}
				return ri.ResourceARN < rj.ResourceARN
			})
			reg.Zones = append(reg.Zones, *z)
			reg.Risks += z.Risks
		}
		for _, name := range sortedKeys(regions, func(a, b string) bool { return a < b }) {
			reg := regions[name]
			sort.Slice(reg.Zones, func(i, j int) bool {
				if (reg.Zones[i].ID == NoZone) != (reg.Zones[j].ID == NoZone) {
					return reg.Zones[j].ID == NoZone
				}
				return reg.Zones[i].ID < reg.Zones[j].ID
			})
			a.Regions = append(a.Regions, *reg)
		}
		p.Accounts = append(p.Accounts, *a)
	}

	// The heat map: every AZ ID with a risk, every account scanned.
	p.Heat.Accounts = ids
	azids := map[string]bool{}
	most := 0
	for k, n := range heat {
		azids[k[0]] = true
		most = max(most, n)
	}
	for _, az := range sortedKeys(azids, func(a, b string) bool { return a < b }) {
		hr := htmlHeatRow{AZID: az}
		for _, id := range ids {
			n := heat[[2]string{az, id}]
			level := 0
			if n > 0 {
				level = (n*5 + most - 1) / most // 1 to 5: the share of the busiest cell, rounded up
			}
			hr.Cells = append(hr.Cells, htmlHeatCell{Count: n, Level: level})
		}
		p.Heat.Rows = append(p.Heat.Rows, hr)
	}
	p.Data = htmlData{GeneratedAt: p.GeneratedAt, Version: product.Version, Counts: p.Counts}
	return p
}

func rank(sev string) int {
	if n, ok := severityOrder[sev]; ok {
		return n
	}
	return len(severityOrder)
}

func sortedKeys[V any](m map[string]V, less func(a, b string) bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
	return keys
}
