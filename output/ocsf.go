package output

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// OCSF Detection Finding (class 2004) of schema 1.4.0, one per findings row.
// Every row is written, as Prowler writes PASS and FAIL: status_code FAIL for
// a potential single-AZ risk and PASS (status_detail "not a risk") for the
// rest; a muted row is status Suppressed (status_id 3), any other New (1).
const (
	OCSFVersion   = "1.4.0"
	OCSFFindingTy = "Software and Configuration Checks/AWS Security Best Practices/Availability"
)

// OCSFProduct names the tool in metadata.product.
type OCSFProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

type ocsfFinding struct {
	ActivityID   int              `json:"activity_id"`
	ActivityName string           `json:"activity_name"`
	CategoryUID  int              `json:"category_uid"`
	CategoryName string           `json:"category_name"`
	ClassUID     int              `json:"class_uid"`
	ClassName    string           `json:"class_name"`
	TypeUID      int              `json:"type_uid"`
	TypeName     string           `json:"type_name"`
	SeverityID   int              `json:"severity_id"`
	Severity     string           `json:"severity"`
	StatusID     int              `json:"status_id"`
	Status       string           `json:"status"`
	StatusCode   string           `json:"status_code"`
	StatusDetail string           `json:"status_detail"`
	Message      string           `json:"message"`
	Time         int64            `json:"time"`
	TimeDT       string           `json:"time_dt"`
	Metadata     ocsfMetadata     `json:"metadata"`
	FindingInfo  ocsfFindingInfo  `json:"finding_info"`
	Cloud        ocsfCloud        `json:"cloud"`
	Resources    []ocsfResource   `json:"resources"`
	Remediation  *ocsfRemediation `json:"remediation,omitempty"`
	Unmapped     ocsfUnmapped     `json:"unmapped"`
}

type ocsfMetadata struct {
	Version  string      `json:"version"`
	Profiles []string    `json:"profiles"`
	Product  OCSFProduct `json:"product"`
}

type ocsfFindingInfo struct {
	UID   string   `json:"uid"`
	Title string   `json:"title"`
	Desc  string   `json:"desc"`
	Types []string `json:"types"`
}

type ocsfCloud struct {
	Provider string      `json:"provider"`
	Account  ocsfAccount `json:"account"`
	Region   string      `json:"region"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfResource struct {
	UID    string           `json:"uid"`
	Name   string           `json:"name"`
	Type   string           `json:"type"`
	Region string           `json:"region"`
	Data   ocsfResourceData `json:"data"`
}

type ocsfResourceData struct {
	AZs   List `json:"availability_zones"`
	AZIDs List `json:"availability_zone_ids"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

type ocsfUnmapped struct {
	CheckID string `json:"check_id"`
	Service string `json:"service"`
	Risk    bool   `json:"potential_single_az_risk"`
	Engine  string `json:"engine"`
	Muted   string `json:"muted"`
}

// CheckText is what a findings row does not hold about its check: the
// description (the OCSF title) and the remediation.
type CheckText struct {
	Description string
	Remediation string
}

// OCSFFile is <stem>.ocsf.jsonl: one Detection Finding a line, written
// atomically and appended to like the JSONL file.
type OCSFFile struct {
	*JSONLFile
	product OCSFProduct
	checks  func(checkID string) CheckText
}

// CreateOCSF starts path; checks gives a row's check text (nil: none).
func CreateOCSF(path string, appendExisting bool, product OCSFProduct, checks func(string) CheckText) (*OCSFFile, error) {
	j, err := CreateJSONL(path, appendExisting)
	if err != nil {
		return nil, err
	}
	if checks == nil {
		checks = func(string) CheckText { return CheckText{} }
	}
	return &OCSFFile{JSONLFile: j, product: product, checks: checks}, nil
}

// Write appends the row's Detection Finding.
func (o *OCSFFile) Write(r FindingRow) error {
	return o.JSONLFile.Write(OCSF(r, o.product, o.checks(r.CheckID)))
}

// FindingUID is a finding's stable identity: the same resource judged by the
// same check in the same account and region has the same UID in every run.
func FindingUID(r FindingRow) string {
	h := sha256.New()
	for _, s := range []string{r.AccountID, r.Region, r.Service, r.CheckID, r.ResourceARN} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "faultline-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// SeverityOCSF maps a check severity to OCSF's severity_id and name.
func SeverityOCSF(s string) (int, string) {
	switch s {
	case "HIGH":
		return 4, "High"
	case "MEDIUM":
		return 3, "Medium"
	case "LOW":
		return 2, "Low"
	case "INFO":
		return 1, "Informational"
	}
	return 0, "Unknown"
}

// RowTime parses a row's timestamp column (zero time if it does not parse).
func RowTime(r FindingRow) time.Time {
	t, err := time.Parse(TimestampLayout, r.Timestamp)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// OCSF is the row as an OCSF Detection Finding (returned as a value to encode).
func OCSF(r FindingRow, product OCSFProduct, text CheckText) any {
	sevID, sev := SeverityOCSF(r.Severity)
	statusID, status := 1, "New"
	if r.Muted != "" {
		statusID, status = 3, "Suppressed"
	}
	code, detail := "FAIL", "potential single-AZ risk"
	if !r.Risk {
		code, detail = "PASS", "not a risk"
	}
	if r.Muted != "" {
		detail += "; muted: " + r.Muted
	}
	t := RowTime(r)
	title := text.Description
	if title == "" {
		title = r.CheckID
	}
	f := ocsfFinding{
		ActivityID: 1, ActivityName: "Create",
		CategoryUID: 2, CategoryName: "Findings",
		ClassUID: 2004, ClassName: "Detection Finding",
		TypeUID: 200401, TypeName: "Detection Finding: Create",
		SeverityID: sevID, Severity: sev,
		StatusID: statusID, Status: status, StatusCode: code, StatusDetail: detail,
		Message: r.Message,
		Time:    t.UnixMilli(), TimeDT: t.Format(time.RFC3339),
		Metadata: ocsfMetadata{Version: OCSFVersion, Profiles: []string{"cloud", "datetime"}, Product: product},
		FindingInfo: ocsfFindingInfo{
			UID: FindingUID(r), Title: title, Desc: r.Message, Types: []string{OCSFFindingTy},
		},
		Cloud: ocsfCloud{Provider: "AWS", Region: r.Region,
			Account: ocsfAccount{UID: r.AccountID, Name: r.AccountName, Type: "AWS Account", TypeID: 10}},
		Resources: []ocsfResource{{UID: r.ResourceARN, Name: r.ResourceName, Type: r.ResourceType, Region: r.Region,
			Data: ocsfResourceData{AZs: r.AZs, AZIDs: r.AZIDs}}},
		Unmapped: ocsfUnmapped{CheckID: r.CheckID, Service: r.Service, Risk: bool(r.Risk), Engine: r.Engine, Muted: r.Muted},
	}
	if text.Remediation != "" {
		f.Remediation = &ocsfRemediation{Desc: text.Remediation}
	}
	return f
}
