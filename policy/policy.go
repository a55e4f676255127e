// Package policy builds the least-privilege IAM policy of a faultline
// invocation from what the code declares: every analyser's Actions, the calls
// the core makes to set an account up, and the delivery and cross-account
// calls the command line asks for. Nothing here is hand-written per service,
// so the policy cannot drift from the code.
//
// Statement IDs are stable, because users delete the statements of services
// they do not scan:
//
//   - Core: sts:GetCallerIdentity, ec2:DescribeRegions and, except in a
//     member account's role, the Organizations reads of the account names,
//     the payer and the accounts.
//   - Placement: the zone lookups that give every finding its zone IDs
//     (ec2:DescribeSubnets, ec2:DescribeAvailabilityZones). Without them the
//     scan still judges everything; availability_zone_ids stays empty.
//   - One statement per service, its Sid the service key with a capital first
//     letter (Rds, Globalaccelerator, Vpce ...).
//   - Reach: the actions of the reachability checks, when given.
//   - AssumeRole: sts:AssumeRole into the scan role.
//   - DeliveryS3, DeliveryEventBridge: the uploads and events of a run.
//   - DeliverySecurityHub: --security-hub's imports, in every scanned account
//     (the member roles too: each account imports into its own Security Hub).
package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/delivery"
	"github.com/faultline/faultline/internal/inputs"
	"github.com/faultline/faultline/inventory"
)

// Version is the IAM policy grammar version; 2012-10-17 is the only one that
// supports policy variables and is what AWS documents for new policies.
const Version = "2012-10-17"

// Sids of the statements that do not belong to one service.
const (
	SidCore                = "Core"
	SidPlacement           = "Placement"
	SidReach               = "Reach"
	SidFlows               = "Flows"
	SidAssumeRole          = "AssumeRole"
	SidDeliveryS3          = "DeliveryS3"
	SidDeliveryEventBridge = "DeliveryEventBridge"
	SidDeliveryKMS         = "DeliveryKMS"
	SidDeliverySecurityHub = "DeliverySecurityHub"
)

// CoreActions are the calls every scan makes in every account it scans,
// outside the analysers: who the caller is and which regions are enabled.
// sts:GetCallerIdentity needs no permission on AWS; it is listed so that
// readers see the call.
var CoreActions = []string{
	"ec2:DescribeRegions",
	"sts:GetCallerIdentity",
}

// PlacementActions are the reads of the engine's zone lookups, sorted.
func PlacementActions() []string {
	var actions []string
	for _, k := range inventory.ZoneKinds {
		actions = append(actions, k.IAMActions()...)
	}
	slices.Sort(actions)
	return actions
}

// OrganizationActions read the account names, the payer and, for --accounts
// ALL, the accounts, once per run with the scanning account's credentials.
// They fail softly (the name columns stay empty) for an account that may not
// read its organization; granting them there costs nothing.
var OrganizationActions = []string{
	"organizations:DescribeOrganization",
	"organizations:ListAccounts",
}

// AllAccounts is the --accounts value meaning every account of the
// organization.
const AllAccounts = "ALL"

// Options are the parts of a faultline command line that decide the policy.
type Options struct {
	// Partition of every ARN in the policy: aws, aws-cn or aws-us-gov.
	// Empty means aws, or the event bus's partition when one is given.
	Partition string
	// Services are the service keys scanned; nil means every service.
	Services []string
	// Bucket and OutputPrefix are --bucket and -o: objects are written to
	// s3://Bucket/<delivery.KeyPrefix(OutputPrefix)><file name>.
	Bucket       string
	OutputPrefix string
	// KMSKeyID is --sse-kms-key-id: a key ARN, key ID, alias name or alias
	// ARN that S3 encrypts the uploads with.
	KMSKeyID string
	// EventBusARN is --event-bus-arn.
	EventBusARN string
	// SecurityHub is --security-hub: BatchImportFindings into the default
	// product of each scanned account.
	SecurityHub bool
	// Accounts is --accounts: nil for the caller's account only, ["ALL"]
	// for the whole organization, or account IDs.
	Accounts []string
	// AssumeRole is --aws-assume-role, a role name with an optional path.
	AssumeRole string
	// ExternalID is --external-id; it becomes a condition on sts:AssumeRole.
	ExternalID string
	// MemberAccount builds the policy of the role assumed in a member
	// account: only the reads made there (no Organizations reads, which the
	// scanning account makes).
	MemberAccount bool
	// ReachActions are the IAM actions of the reachability checks (the reach
	// package's Actions); nil leaves the Reach statement out.
	ReachActions []string
	// FlowsActions are the IAM actions of `faultline flows` (the flows
	// package's Actions); nil leaves the Flows statement out.
	FlowsActions []string
}

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one Allow statement. Action and Resource are always lists so
// that every statement has the same shape for tools that read the file.
type Statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Sid is the statement ID of a service's statement: the service key with its
// first letter in upper case (IAM Sids allow only letters and digits, and
// service keys are lower-case letters and digits).
func Sid(service string) string {
	if service == "" {
		return ""
	}
	return strings.ToUpper(service[:1]) + service[1:]
}

// Build returns the policy for opts, or an error that names the bad option.
// Statements come in a fixed order (Core, Placement, services sorted by Sid, Reach,
// AssumeRole, DeliveryS3, DeliveryEventBridge), actions and resources sorted,
// so equal options give byte-equal JSON.
func Build(opts Options) (Document, error) {
	partition, err := resolvePartition(opts)
	if err != nil {
		return Document{}, err
	}
	services, err := selectAnalysers(opts.Services)
	if err != nil {
		return Document{}, err
	}
	if err := checkAccounts(opts.Accounts); err != nil {
		return Document{}, err
	}
	doc := Document{Version: Version}
	core := slices.Clone(CoreActions)
	if !opts.MemberAccount {
		core = append(core, OrganizationActions...)
	}
	doc.Statement = append(doc.Statement, allow(SidCore, core, "*"))
	if len(services) > 0 {
		doc.Statement = append(doc.Statement, allow(SidPlacement, PlacementActions(), "*"))
	}

	var perService []Statement
	for _, a := range services {
		// Describe/List/Get calls of these services do not support
		// resource-level permissions (or only for resources whose names
		// faultline cannot know before it lists them), so "*".
		perService = append(perService, allow(Sid(a.Name), a.Actions(), "*"))
	}
	sort.Slice(perService, func(i, j int) bool { return perService[i].Sid < perService[j].Sid })
	doc.Statement = append(doc.Statement, perService...)

	if len(opts.ReachActions) > 0 {
		doc.Statement = append(doc.Statement, allow(SidReach, opts.ReachActions, "*"))
	}
	if len(opts.FlowsActions) > 0 {
		// s3:GetObject and logs:FilterLogEvents read whatever bucket or log
		// group the user names at run time, hence "*"; narrow it to your
		// flow-log bucket and log group if you can.
		doc.Statement = append(doc.Statement, allow(SidFlows, opts.FlowsActions, "*"))
	}
	if st, ok, err := assumeRoleStatement(opts, partition); err != nil {
		return Document{}, err
	} else if ok {
		doc.Statement = append(doc.Statement, st)
	}
	if st, ok, err := s3Statement(opts, partition); err != nil {
		return Document{}, err
	} else if ok {
		doc.Statement = append(doc.Statement, st)
	}
	if st, ok, err := kmsStatement(opts, partition); err != nil {
		return Document{}, err
	} else if ok {
		doc.Statement = append(doc.Statement, st)
	}
	if opts.EventBusARN != "" {
		// The bus ARN was validated (and its partition checked) above.
		doc.Statement = append(doc.Statement, allow(SidDeliveryEventBridge, []string{"events:PutEvents"}, opts.EventBusARN))
	}
	if opts.SecurityHub {
		doc.Statement = append(doc.Statement, allow(SidDeliverySecurityHub, []string{"securityhub:BatchImportFindings"},
			"arn:"+partition+":securityhub:*:*:product/*/default"))
	}
	return doc, nil
}

// MemberRole returns opts without what only the scanning account does
// (delivery, assuming roles, reading the organization): what a member
// account's scan role must allow. --security-hub stays: each account's
// findings are imported with its own role.
func MemberRole(opts Options) Options {
	return Options{Partition: opts.Partition, Services: opts.Services, ReachActions: opts.ReachActions, FlowsActions: opts.FlowsActions, SecurityHub: opts.SecurityHub, MemberAccount: true}
}

// JSON is the document as indented JSON with a final newline, the form of
// minimal_iam_policy.json.
func (d Document) JSON() []byte {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		// Only strings, lists and maps of strings: marshalling cannot fail.
		panic(err)
	}
	return append(b, '\n')
}

// Actions returns every action the document allows, sorted and distinct.
func (d Document) Actions() []string {
	var out []string
	for _, s := range d.Statement {
		out = append(out, s.Action...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Without returns a copy of d with action removed from every statement;
// statements left with no action are dropped (IAM rejects empty ones).
func (d Document) Without(action string) Document {
	out := Document{Version: d.Version}
	for _, s := range d.Statement {
		s.Action = slices.DeleteFunc(slices.Clone(s.Action), func(a string) bool { return a == action })
		if len(s.Action) > 0 {
			out.Statement = append(out.Statement, s)
		}
	}
	return out
}

func allow(sid string, actions []string, resources ...string) Statement {
	a := slices.Clone(actions)
	slices.Sort(a)
	r := slices.Clone(resources)
	slices.Sort(r)
	return Statement{Sid: sid, Effect: "Allow", Action: slices.Compact(a), Resource: slices.Compact(r)}
}

func resolvePartition(opts Options) (string, error) {
	p := opts.Partition
	if p != "" && !slices.Contains(inputs.Partitions, p) {
		return "", fmt.Errorf("unknown partition %q; valid: %s", p, strings.Join(inputs.Partitions, ", "))
	}
	if opts.EventBusARN != "" {
		bus, err := inputs.EventBusARN(opts.EventBusARN)
		if err != nil {
			return "", err
		}
		switch {
		case p == "":
			p = bus.Partition
		case p != bus.Partition:
			return "", fmt.Errorf("event bus %s is in partition %s, not %s", opts.EventBusARN, bus.Partition, p)
		}
	}
	if p == "" {
		p = "aws"
	}
	return p, nil
}

func selectAnalysers(services []string) ([]analysers.Analyser, error) {
	if services == nil {
		return analysers.All, nil
	}
	if len(services) == 0 {
		return nil, errors.New("no service selected")
	}
	var out []analysers.Analyser
	for _, name := range services {
		a, ok := analysers.ByName(name)
		if !ok {
			return nil, fmt.Errorf("unknown service %q", name)
		}
		if !slices.ContainsFunc(out, func(b analysers.Analyser) bool { return b.Name == name }) {
			out = append(out, a)
		}
	}
	return out, nil
}

// checkAccounts accepts nil, ["ALL"] or account IDs.
func checkAccounts(accounts []string) error {
	if accounts == nil {
		return nil
	}
	if len(accounts) == 0 {
		return errors.New("no account given")
	}
	if slices.Contains(accounts, AllAccounts) {
		if len(accounts) > 1 {
			return errors.New("ALL cannot be combined with account IDs")
		}
		return nil
	}
	for _, id := range accounts {
		if err := inputs.AccountID(id); err != nil {
			return err
		}
	}
	return nil
}

// assumeRoleStatement allows sts:AssumeRole into the scan role: in each
// listed account, in any account for ALL, and in the caller's own account
// (which the policy cannot know, so any account) without --accounts.
func assumeRoleStatement(opts Options, partition string) (Statement, bool, error) {
	if opts.AssumeRole == "" {
		if opts.ExternalID != "" {
			return Statement{}, false, errors.New("an external ID needs a role to assume")
		}
		return Statement{}, false, nil
	}
	if err := inputs.RoleName(opts.AssumeRole); err != nil {
		return Statement{}, false, err
	}
	name := strings.TrimPrefix(opts.AssumeRole, "/") // a path's leading slash follows "role/" in the ARN
	if err := literal("role name", name); err != nil {
		return Statement{}, false, err
	}
	accounts := opts.Accounts
	if len(accounts) == 0 || accounts[0] == AllAccounts {
		accounts = []string{"*"}
	}
	var roles []string
	for _, id := range accounts {
		roles = append(roles, "arn:"+partition+":iam::"+id+":role/"+name)
	}
	st := allow(SidAssumeRole, []string{"sts:AssumeRole"}, roles...)
	if opts.ExternalID != "" {
		st.Condition = map[string]map[string]string{"StringEquals": {"sts:ExternalId": opts.ExternalID}}
	}
	return st, true, nil
}

// s3Statement allows s3:PutObject under the output prefix only: the object
// keys are delivery.KeyPrefix(-o) followed by the file name.
func s3Statement(opts Options, partition string) (Statement, bool, error) {
	if opts.Bucket == "" {
		if opts.OutputPrefix != "" {
			return Statement{}, false, errors.New("an output prefix needs a bucket")
		}
		return Statement{}, false, nil
	}
	if err := inputs.BucketName(opts.Bucket); err != nil {
		return Statement{}, false, err
	}
	prefix := delivery.KeyPrefix(opts.OutputPrefix)
	if err := literal("output prefix", prefix); err != nil {
		return Statement{}, false, err
	}
	return allow(SidDeliveryS3, []string{"s3:PutObject"}, "arn:"+partition+":s3:::"+opts.Bucket+"/"+prefix+"*"), true, nil
}

// kmsStatement allows S3 to encrypt the uploads with the caller's KMS key:
// PutObject with SSE-KMS needs kms:GenerateDataKey on the key. A key ARN is
// the resource itself; a key ID names a key in some region and account; an
// alias cannot be a resource, so it becomes a kms:RequestAlias condition.
func kmsStatement(opts Options, partition string) (Statement, bool, error) {
	key := opts.KMSKeyID
	if key == "" {
		return Statement{}, false, nil
	}
	if opts.Bucket == "" {
		return Statement{}, false, errors.New("a KMS key needs a bucket")
	}
	if err := literal("KMS key", key); err != nil {
		return Statement{}, false, err
	}
	actions := []string{"kms:GenerateDataKey"}
	switch {
	case strings.HasPrefix(key, "arn:") && strings.Contains(key, ":alias/"):
		st := allow(SidDeliveryKMS, actions, "*")
		st.Condition = map[string]map[string]string{"StringEquals": {"kms:RequestAlias": key[strings.Index(key, ":alias/")+1:]}}
		return st, true, nil
	case strings.HasPrefix(key, "arn:"):
		return allow(SidDeliveryKMS, actions, key), true, nil
	case strings.HasPrefix(key, "alias/"):
		st := allow(SidDeliveryKMS, actions, "*")
		st.Condition = map[string]map[string]string{"StringEquals": {"kms:RequestAlias": key}}
		return st, true, nil
	}
	return allow(SidDeliveryKMS, actions, "arn:"+partition+":kms:*:*:key/"+key), true, nil
}

// literal rejects text that IAM would read as a wildcard or a policy
// variable inside a resource ARN, which would widen the grant.
func literal(what, s string) error {
	if strings.ContainsAny(s, "*?") || strings.Contains(s, "${") {
		return fmt.Errorf("%s %q must not contain *, ? or ${ (IAM would read them as wildcards or variables)", what, s)
	}
	return nil
}
