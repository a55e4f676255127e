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

	"github.com/faultline/faultline/inventory"
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

// Target says where a task runs: the scope's account, partition and region,
// for the ARNs an analyser has to build.
type Target struct {
	AccountID string
	Partition string
	Region    string // GlobalRegion for global services
}

// TargetOf is the target of a scope.
func TargetOf(s *inventory.Scope) Target {
	return Target{AccountID: s.AccountID, Partition: s.Partition, Region: s.Region}
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
	// ResourceType is the CloudFormation type of what is judged
	// (AWS::RDS::DBInstance).
	ResourceType string
	// AZs are the Availability Zone names the resource is placed in, sorted;
	// AZIDs their zone IDs in the same order. The engine fills AZIDs from
	// AZs when the analyser leaves them empty.
	AZs   []string
	AZIDs []string
}

// Emit hands a finding to the engine. It blocks rather than drop a finding.
type Emit func(Finding)

// Analyser describes one service: a rule over the inventory. Run reads the
// kinds it needs from the scope (each read once per account and region,
// whoever asks first) and emits every finding as soon as it is made, so that
// a task failing half-way keeps what it found.
type Analyser struct {
	// Name is the --services key and the service column.
	Name string
	// Global services run once per account whatever --regions says; their
	// kinds call the endpoint in GlobalRegion.
	Global       bool
	GlobalRegion string
	Checks       []Check
	// Kinds are every inventory kind Run may read (in any region's scope).
	// Their actions are the analyser's IAM actions, and their client
	// interfaces are checked to hold only read calls.
	Kinds []inventory.Loader
	Run   func(ctx context.Context, s *inventory.Scope, emit Emit) error
}

// Actions are the IAM actions the analyser's kinds call, sorted. The zone
// lookups the engine makes to give findings their zone IDs are not among
// them: they are the policy's Placement statement, and a scan without them
// still judges everything (the IDs stay empty).
func (a Analyser) Actions() []string {
	var actions []string
	for _, k := range a.Kinds {
		actions = append(actions, k.IAMActions()...)
	}
	return distinct(actions...)
}

// ClientAPIs are the narrow interfaces the analyser's kinds talk to.
func (a Analyser) ClientAPIs() []reflect.Type {
	var apis []reflect.Type
	for _, k := range a.Kinds {
		apis = append(apis, k.ClientAPIs()...)
	}
	return apis
}

// apiOf returns the reflect.Type of the interface I, for ClientAPIs.
func apiOf[I any]() reflect.Type { return reflect.TypeOf((*I)(nil)).Elem() }

// finding starts a Finding for check c.
func finding(c Check, risk bool, msg string) Finding {
	return Finding{CheckID: c.ID, Severity: c.Severity, Risk: risk, Message: msg}
}
