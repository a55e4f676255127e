// Package analysers holds one file per AWS service. Each file declares an
// Analyser: its service key, whether it is global, the IAM actions it calls,
// its checks, and a Run function that reads the service through a narrow,
// read-only client interface and emits findings.
//
// The judgement of a resource is a pure function from SDK types to Findings,
// so every rule branch is table-tested without any client.
package analysers

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// GlobalRegion is the region column written for global services.
const GlobalRegion = "global"

// Severity of a check, from the point of view of an Availability Zone failure.
type Severity string

const (
	SeverityHigh   Severity = "HIGH"
	SeverityMedium Severity = "MEDIUM"
	SeverityLow    Severity = "LOW"
	SeverityInfo   Severity = "INFO"
)

// Check is the static description of one rule. IDs are stable: dashboards and
// suppression lists key on them.
type Check struct {
	ID          string
	Severity    Severity
	Description string
	Remediation string
}

// Target says where a task runs. Partition comes from the caller's identity
// and is used for every ARN an analyser has to build.
type Target struct {
	AccountID string
	Partition string
	Region    string // GlobalRegion for global services
}

// ARN builds an ARN in the target's partition.
func (t Target) ARN(service, region, resource string) string {
	return "arn:" + t.Partition + ":" + service + ":" + region + ":" + t.AccountID + ":" + resource
}

// Finding is one row: one resource judged by one check. The engine adds the
// account, region, service and timestamp columns.
type Finding struct {
	CheckID      string
	Severity     Severity
	ResourceARN  string
	ResourceName string
	ResourceID   string
	Risk         bool
	Engine       string
	Message      string
}

// Emit hands a finding to the engine. It blocks rather than drop a finding.
type Emit func(Finding)

// Analyser describes one service. Run reads the service with cfg (region and
// credentials already set) and emits every finding as soon as it is made, so
// that a task failing half-way keeps what it found.
type Analyser struct {
	// Name is the --services key and the service column.
	Name string
	// Global services run once per account whatever --regions says; Region is
	// the endpoint region used to call them.
	Global       bool
	GlobalRegion string
	// Actions are the IAM actions Run may call; the generated policy is built
	// from them.
	Actions []string
	Checks  []Check
	// ClientAPIs are the narrow interfaces Run talks to. A test checks that
	// they hold only read calls.
	ClientAPIs []reflect.Type
	Run        func(ctx context.Context, cfg aws.Config, t Target, emit Emit) error
}

// apiOf returns the reflect.Type of the interface I, for ClientAPIs.
func apiOf[I any]() reflect.Type { return reflect.TypeOf((*I)(nil)).Elem() }

// finding starts a Finding for check c.
func finding(c Check, risk bool, msg string) Finding {
	return Finding{CheckID: c.ID, Severity: c.Severity, Risk: risk, Message: msg}
}
