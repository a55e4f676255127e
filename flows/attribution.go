package flows

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

// Resource types a side can have.
const (
	TypeInstance     = "ec2:instance"
	TypeLambda       = "lambda:function"
	TypeRDS          = "rds:db"
	TypeElastiCache  = "elasticache:cluster"
	TypeALB          = "elasticloadbalancing:app"
	TypeNLB          = "elasticloadbalancing:net"
	TypeGWLB         = "elasticloadbalancing:gwy"
	TypeCLB          = "elasticloadbalancing:classic"
	TypeNAT          = "ec2:natgateway"
	TypeEndpoint     = "ec2:vpc-endpoint"
	TypeEFS          = "efs:mount-target"
	TypeENI          = "ec2:network-interface" // an interface nothing more is known about
	TypeAWSService   = "aws:service"
	TypeInternet     = "internet"
	TypeUnknown      = "unknown"
	typeOtherPrefix  = "eni:" // eni:<InterfaceType> or eni:<RequesterId>
	lambdaDescPrefix = "AWS Lambda VPC ENI-"
)

// Owner is the resource behind an interface. Arns holds every resource the
// interface may serve (several for a shared Lambda ENI or ambiguous RDS).
type Owner struct {
	Type    string
	Arns    []string
	Service string // the endpoint's service name, for TypeEndpoint
	Tags    map[string]string
}

// Function is a VPC-attached Lambda function.
type Function struct {
	Name, ARN       string
	Subnets, Groups []string
	Tags            map[string]string
}

// DB is an RDS DB instance.
type DB struct {
	ID, ARN         string
	Subnets, Groups []string
	Tags            map[string]string
}

// MountTarget is an EFS mount target.
type MountTarget struct {
	ID, FileSystemID, FileSystemARN string
	Tags                            map[string]string
}

// Facts are what flows reads beyond the network inventory to name the
// resources behind interfaces, in one account and region. They are plain
// data so that attribution can be tested without AWS.
type Facts struct {
	Account, Region, Partition string
	Instances                  map[string]map[string]string // instance ID -> tags
	Functions                  []Function
	DBs                        []DB
	CacheGroups                map[string]string      // member cache cluster ID -> replication group ID
	MountTargets               map[string]MountTarget // interface ID -> mount target
	// FlowLogged holds the VPC, subnet and interface IDs that have a flow
	// log, so that traffic logged at both ends is counted once.
	FlowLogged map[string]bool
	// Unreadable maps what could not be read to why; attribution then
	// falls back to the interface's description.
	Unreadable map[string]string
}

// FactKinds are the inventory kinds LoadFacts reads.
var FactKinds = []inventory.Loader{inventory.Instances, inventory.FlowLogs, inventory.LambdaFunctions, inventory.LambdaFunctionTags,
	inventory.DBInstances, inventory.ReplicationGroups, inventory.EFSMountTargets}

// Kinds are every kind `faultline flows` reads of an account and region:
// the network's and the facts'.
var Kinds = append(append([]inventory.Loader{}, inventory.NetworkKinds...), FactKinds...)

// Actions are the IAM actions flows calls, sorted: the kinds', and the
// readers'.
var Actions = func() []string {
	a := inventory.ActionsOf(Kinds...)
	a = append(a,
		"logs:FilterLogEvents",
		"s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
		"sts:GetCallerIdentity",
	)
	sort.Strings(a)
	return slices.Compact(a)
}()

// factStep is one part of the facts: the action its Unreadable entry
// names, and how it reads its kind into the facts.
type factStep struct {
	action string
	load   func(context.Context, *inventory.Scope, *Facts) error
}

var factSteps = []factStep{
	{"ec2:DescribeInstances", loadInstances},
	{"ec2:DescribeFlowLogs", loadFlowLogged},
	{"lambda:ListFunctions", loadFunctions},
	{"rds:DescribeDBInstances", loadDBs},
	{"elasticache:DescribeReplicationGroups", loadCacheGroups},
	{"elasticfilesystem:DescribeMountTargets", loadMountTargets},
}

// LoadFacts reads the facts of s from its kinds (live or from a snapshot).
// A kind refused by IAM marks its part unreadable, with what was read
// before the refusal, and loading goes on; other errors end it.
func LoadFacts(ctx context.Context, s *inventory.Scope) (*Facts, error) {
	f := &Facts{Account: s.AccountID, Region: s.Region, Partition: s.Partition, Instances: map[string]map[string]string{},
		CacheGroups: map[string]string{}, MountTargets: map[string]MountTarget{}, FlowLogged: map[string]bool{}, Unreadable: map[string]string{}}
	for _, st := range factSteps {
		err := st.load(ctx, s, f)
		switch {
		case err == nil:
		case inventory.IsAccessDenied(err):
			f.Unreadable[st.action] = err.Error()
		default:
			return nil, fmt.Errorf("%s in %s %s: %w", st.action, s.AccountID, s.Region, err)
		}
	}
	return f, nil
}

func loadInstances(ctx context.Context, s *inventory.Scope, f *Facts) error {
	list, err := inventory.Instances.Items(ctx, s)
	for _, i := range list {
		f.Instances[aws.ToString(i.InstanceId)] = ec2Tags(i.Tags)
	}
	return err
}

func ec2Tags(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func loadFlowLogged(ctx context.Context, s *inventory.Scope, f *Facts) error {
	list, err := inventory.FlowLogs.Items(ctx, s)
	for _, fl := range list {
		// A flow log that records only REJECT does not log the bytes a
		// summary counts.
		if fl.TrafficType != ec2types.TrafficTypeReject {
			f.FlowLogged[aws.ToString(fl.ResourceId)] = true
		}
	}
	return err
}

// loadFunctions keeps the functions attached to a VPC (the others have no
// interface to attribute) with their tags; tags IAM refuses are marked
// unreadable and the functions kept without them.
func loadFunctions(ctx context.Context, s *inventory.Scope, f *Facts) error {
	fns, err := inventory.LambdaFunctions.Items(ctx, s)
	var tags map[string]map[string]string
	if err == nil {
		list, terr := inventory.LambdaFunctionTags.Items(ctx, s)
		switch {
		case terr == nil:
		case inventory.IsAccessDenied(terr):
			f.Unreadable["lambda:ListTags"] = terr.Error()
		default:
			return terr
		}
		tags = map[string]map[string]string{}
		for _, t := range list {
			tags[t.FunctionARN] = t.Tags
		}
	}
	for _, fn := range fns {
		if fn.VpcConfig == nil || len(fn.VpcConfig.SubnetIds) == 0 {
			continue
		}
		f.Functions = append(f.Functions, Function{Name: aws.ToString(fn.FunctionName), ARN: aws.ToString(fn.FunctionArn),
			Subnets: fn.VpcConfig.SubnetIds, Groups: fn.VpcConfig.SecurityGroupIds, Tags: tags[aws.ToString(fn.FunctionArn)]})
	}
	return err
}

func loadDBs(ctx context.Context, s *inventory.Scope, f *Facts) error {
	list, err := inventory.DBInstances.Items(ctx, s)
	for _, d := range list {
		db := DB{ID: aws.ToString(d.DBInstanceIdentifier), ARN: aws.ToString(d.DBInstanceArn), Tags: map[string]string{}}
		if d.DBSubnetGroup != nil {
			for _, s := range d.DBSubnetGroup.Subnets {
				db.Subnets = append(db.Subnets, aws.ToString(s.SubnetIdentifier))
			}
		}
		for _, g := range d.VpcSecurityGroups {
			db.Groups = append(db.Groups, aws.ToString(g.VpcSecurityGroupId))
		}
		for _, t := range d.TagList {
			db.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		f.DBs = append(f.DBs, db)
	}
	return err
}

func loadCacheGroups(ctx context.Context, s *inventory.Scope, f *Facts) error {
	list, err := inventory.ReplicationGroups.Items(ctx, s)
	for _, g := range list {
		for _, m := range g.MemberClusters {
			f.CacheGroups[m] = aws.ToString(g.ReplicationGroupId)
		}
	}
	return err
}

func loadMountTargets(ctx context.Context, s *inventory.Scope, f *Facts) error {
	list, err := inventory.EFSMountTargets.Items(ctx, s)
	for _, it := range list {
		fs := it.FileSystem
		tags := map[string]string{}
		for _, t := range fs.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		for _, mt := range it.MountTargets {
			f.MountTargets[aws.ToString(mt.NetworkInterfaceId)] = MountTarget{ID: aws.ToString(mt.MountTargetId),
				FileSystemID: aws.ToString(fs.FileSystemId), FileSystemARN: aws.ToString(fs.FileSystemArn), Tags: tags}
		}
	}
	return err
}

// arn builds an ARN in the facts' partition and region.
func (f *Facts) arn(service, account, resource string) string {
	return "arn:" + f.Partition + ":" + service + ":" + f.Region + ":" + account + ":" + resource
}

// Attribute names the resource behind e. It trusts, in order: the
// inventory's own links (instance attachment, NAT gateway and endpoint
// interface lists, EFS mount targets), then the descriptions AWS writes on
// the interfaces it creates for services, then InterfaceType and
// RequesterId. Descriptions are AWS's, so they are checked by exact prefix.
func Attribute(inv *inventory.Network, f *Facts, e *inventory.ENI) Owner {
	acct := e.OwnerID
	if acct == "" {
		acct = f.Account
	}
	desc := e.Description
	if e.InstanceID != "" && !e.RequesterManaged {
		owner := e.InstanceOwnerID
		if owner == "" || !isAccountID(owner) {
			owner = acct
		}
		tags := f.Instances[e.InstanceID]
		return Owner{Type: TypeInstance, Arns: []string{f.arn("ec2", owner, "instance/"+e.InstanceID)}, Tags: mergeTags(e.Tags, tags)}
	}
	for _, id := range sortedIDs(inv.NATGateways) {
		n := inv.NATGateways[id]
		if slices.Contains(n.ENIs, e.ID) {
			return Owner{Type: TypeNAT, Arns: []string{f.arn("ec2", acct, "natgateway/"+n.ID)}, Tags: mergeTags(e.Tags, n.Tags)}
		}
	}
	if id, ok := strings.CutPrefix(desc, "Interface for NAT Gateway "); ok {
		return Owner{Type: TypeNAT, Arns: []string{f.arn("ec2", acct, "natgateway/"+id)}, Tags: e.Tags}
	}
	for _, id := range sortedIDs(inv.Endpoints) {
		ep := inv.Endpoints[id]
		if slices.Contains(ep.ENIs, e.ID) {
			return Owner{Type: TypeEndpoint, Arns: []string{f.arn("ec2", acct, "vpc-endpoint/"+ep.ID)}, Service: ep.Service, Tags: mergeTags(e.Tags, ep.Tags)}
		}
	}
	if id, ok := strings.CutPrefix(desc, "VPC Endpoint Interface "); ok {
		return Owner{Type: TypeEndpoint, Arns: []string{f.arn("ec2", acct, "vpc-endpoint/"+id)}, Tags: e.Tags}
	}
	if mt, ok := f.MountTargets[e.ID]; ok {
		return Owner{Type: TypeEFS, Arns: []string{mt.FileSystemARN}, Tags: mergeTags(e.Tags, mt.Tags)}
	}
	if rest, ok := strings.CutPrefix(desc, "EFS mount target for "); ok {
		fs, _, _ := strings.Cut(rest, " ")
		return Owner{Type: TypeEFS, Arns: []string{f.arn("elasticfilesystem", acct, "file-system/"+fs)}, Tags: e.Tags}
	}
	if e.InterfaceType == "lambda" || strings.HasPrefix(desc, lambdaDescPrefix) {
		return lambdaOwner(f, e)
	}
	if desc == "RDSNetworkInterface" || e.RequesterID == "amazon-rds" {
		return rdsOwner(f, e)
	}
	if id, ok := strings.CutPrefix(desc, "ElastiCache "); ok && id != "" && !strings.Contains(id, " ") {
		o := Owner{Type: TypeElastiCache, Arns: []string{f.arn("elasticache", acct, "cluster:"+id)}, Tags: e.Tags}
		if g, ok := f.CacheGroups[id]; ok {
			o.Arns = append(o.Arns, f.arn("elasticache", acct, "replicationgroup:"+g))
		}
		return o
	}
	if lb, ok := strings.CutPrefix(desc, "ELB "); ok && lb != "" && !strings.Contains(lb, " ") {
		typ := TypeCLB
		switch {
		case strings.HasPrefix(lb, "app/"):
			typ = TypeALB
		case strings.HasPrefix(lb, "net/"):
			typ = TypeNLB
		case strings.HasPrefix(lb, "gwy/"):
			typ = TypeGWLB
		}
		return Owner{Type: typ, Arns: []string{f.arn("elasticloadbalancing", acct, "loadbalancer/"+lb)}, Tags: e.Tags}
	}
	o := Owner{Type: TypeENI, Arns: []string{f.arn("ec2", acct, "network-interface/"+e.ID)}, Tags: e.Tags}
	switch {
	case e.InterfaceType != "" && e.InterfaceType != "interface":
		o.Type = typeOtherPrefix + e.InterfaceType
	case e.RequesterManaged && e.RequesterID != "":
		o.Type = typeOtherPrefix + e.RequesterID
	}
	return o
}

// lambdaOwner: a Hyperplane ENI serves every function of the account that
// shares its subnet and its exact set of security groups, so the owner is
// that set. The description names only the function that created it; it is
// used when the function list could not be read or no longer matches.
func lambdaOwner(f *Facts, e *inventory.ENI) Owner {
	o := Owner{Type: TypeLambda, Arns: []string{}, Tags: e.Tags}
	var tags []map[string]string
	for _, fn := range f.Functions {
		if slices.Contains(fn.Subnets, e.SubnetID) && sameSet(fn.Groups, e.Groups) {
			o.Arns = append(o.Arns, fn.ARN)
			tags = append(tags, fn.Tags)
		}
	}
	if len(o.Arns) == 0 {
		if name := strings.TrimPrefix(e.Description, lambdaDescPrefix); name != e.Description && name != "" {
			// Older (pre-Hyperplane) descriptions end in a UUID after the
			// name; prefer a listed function whose name is a prefix.
			best := ""
			for _, fn := range f.Functions {
				if (name == fn.Name || strings.HasPrefix(name, fn.Name+"-")) && len(fn.Name) > len(best) {
					best = fn.Name
					o.Arns = []string{fn.ARN}
					tags = []map[string]string{fn.Tags}
				}
			}
			if best == "" && f.Unreadable["lambda:ListFunctions"] != "" {
				o.Arns = []string{f.arn("lambda", accountOf(f, e), "function:"+name)}
			}
		}
	}
	sort.Strings(o.Arns)
	o.Tags = mergeTags(e.Tags, commonTags(tags))
	return o
}

// rdsOwner: RDS interfaces carry no instance ID, so they are matched by
// subnet and security groups; every match is reported.
func rdsOwner(f *Facts, e *inventory.ENI) Owner {
	o := Owner{Type: TypeRDS, Arns: []string{}}
	var tags []map[string]string
	for _, db := range f.DBs {
		if slices.Contains(db.Subnets, e.SubnetID) && sameSet(db.Groups, e.Groups) {
			o.Arns = append(o.Arns, db.ARN)
			tags = append(tags, db.Tags)
		}
	}
	sort.Strings(o.Arns)
	o.Tags = mergeTags(e.Tags, commonTags(tags))
	return o
}

func accountOf(f *Facts, e *inventory.ENI) string {
	if e.OwnerID != "" {
		return e.OwnerID
	}
	return f.Account
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// commonTags are the tags every one of several resources has with the same
// value: for a shared interface, only those describe the traffic for sure.
func commonTags(all []map[string]string) map[string]string {
	if len(all) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range all[0] {
		same := true
		for _, m := range all[1:] {
			if m[k] != v {
				same = false
				break
			}
		}
		if same {
			out[k] = v
		}
	}
	return out
}

// mergeTags: the resource's tags win over the interface's.
func mergeTags(eni, res map[string]string) map[string]string {
	if len(eni) == 0 && len(res) == 0 {
		return nil
	}
	out := make(map[string]string, len(eni)+len(res))
	for k, v := range eni {
		out[k] = v
	}
	for k, v := range res {
		out[k] = v
	}
	return out
}

func sortedIDs[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
