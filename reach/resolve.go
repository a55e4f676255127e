package reach

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/inventory"
)

// Read-only clients the resolver uses, one narrow interface per service.
type (
	InstancesAPI interface {
		ec2.DescribeInstancesAPIClient
	}
	LambdaAPI interface {
		GetFunction(context.Context, *lambda.GetFunctionInput, ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	}
	RDSAPI interface {
		rds.DescribeDBInstancesAPIClient
		rds.DescribeDBClustersAPIClient
	}
	ElastiCacheAPI interface {
		elasticache.DescribeCacheClustersAPIClient
		elasticache.DescribeReplicationGroupsAPIClient
		elasticache.DescribeCacheSubnetGroupsAPIClient
	}
	EFSAPI interface {
		efs.DescribeMountTargetsAPIClient
	}
	ELBv2API interface {
		elbv2.DescribeLoadBalancersAPIClient
		elbv2.DescribeListenersAPIClient
	}
	ECSAPI interface {
		DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
		ecs.ListTasksAPIClient
		DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	}
)

// ResolveActions are the IAM actions the resolver calls, sorted.
var ResolveActions = []string{
	"ec2:DescribeInstances",
	"ecs:DescribeServices",
	"ecs:DescribeTasks",
	"ecs:ListTasks",
	"elasticache:DescribeCacheClusters",
	"elasticache:DescribeCacheSubnetGroups",
	"elasticache:DescribeReplicationGroups",
	"elasticfilesystem:DescribeMountTargets",
	"elasticloadbalancing:DescribeListeners",
	"elasticloadbalancing:DescribeLoadBalancers",
	"lambda:GetFunction",
	"rds:DescribeDBClusters",
	"rds:DescribeDBInstances",
}

// Resolver turns references into interfaces over an inventory.
type Resolver struct {
	Inv         *inventory.Network
	EC2         InstancesAPI
	Lambda      LambdaAPI
	RDS         RDSAPI
	ElastiCache ElastiCacheAPI
	EFS         EFSAPI
	ELBv2       ELBv2API
	ECS         ECSAPI
}

// NotFoundError: the resource does not exist (a usage error).
type NotFoundError struct{ Ref Ref }

func (e *NotFoundError) Error() string {
	return e.Ref.String() + " not found in " + "this account and region"
}

// UnreadableError: the resource could not be read (the answer is unknown).
type UnreadableError struct {
	Ref    Ref
	Action string
	Err    error
}

func (e *UnreadableError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s cannot be read: %s", e.Ref, e.Action)
	}
	return fmt.Sprintf("%s cannot be read: %s refused (%s)", e.Ref, e.Action, errCode(e.Err))
}

func (e *UnreadableError) Unwrap() error { return e.Err }

// UnsupportedError: the resource exists but reach cannot place it in a VPC.
type UnsupportedError struct {
	Ref Ref
	Why string
}

func (e *UnsupportedError) Error() string { return e.Ref.String() + ": " + e.Why }

func errCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return err.Error()
}

func hasCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && slices.Contains(codes, apiErr.ErrorCode())
}

// wrap classifies an API error of action on ref.
func wrap(ref Ref, action string, err error, notFound ...string) error {
	switch {
	case hasCode(err, notFound...):
		return &NotFoundError{Ref: ref}
	case inventory.IsAccessDenied(err):
		return &UnreadableError{Ref: ref, Action: action, Err: err}
	}
	return fmt.Errorf("%s: %s: %w", ref, action, err)
}

// Resolve finds ref's interfaces.
func (r *Resolver) Resolve(ctx context.Context, ref Ref) (Resource, error) {
	res := Resource{Type: ref.Type, ID: ref.ID, Label: ref.String()}
	var err error
	switch ref.Type {
	case "lambda":
		err = r.lambda(ctx, ref, &res)
	case "ec2":
		err = r.instance(ctx, ref, &res)
	case "eni":
		eni, ok := r.Inv.ENIs[ref.ID]
		if !ok {
			return res, r.missing(ref, inventory.KindENIs)
		}
		res.Ifaces = []Iface{r.eniIface(eni)}
	case "vpce":
		err = r.endpoint(ref, &res)
	case "rds":
		err = r.rds(ctx, ref, &res)
	case "elasticache":
		err = r.elasticache(ctx, ref, &res)
	case "efs":
		err = r.efs(ctx, ref, &res)
	case "elbv2":
		err = r.elbv2(ctx, ref, &res)
	case "ecs":
		err = r.ecs(ctx, ref, &res)
	case "ip":
		err = r.ip(ref, &res)
	default:
		err = fmt.Errorf("unknown type %q", ref.Type)
	}
	return res, err
}

// missing is NotFound, unless the kind could not be read at all.
func (r *Resolver) missing(ref Ref, kind string) error {
	if why := r.Inv.Unreadable[kind]; why != "" {
		return &UnreadableError{Ref: ref, Action: why}
	}
	return &NotFoundError{Ref: ref}
}

func hostPrefix(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }

// awsClientTypes are interface types whose clients use 1024-65535 as
// ephemeral ports (N8).
var awsClientTypes = []string{"lambda", "nat_gateway", "natGateway", "network_load_balancer", "load_balancer"}

func (r *Resolver) eniIface(eni *inventory.ENI) Iface {
	i := Iface{ENIID: eni.ID, SubnetID: eni.SubnetID, VPCID: eni.VPCID, Groups: eni.Groups, NoPublicIP: len(eni.PublicIPs) == 0, Ephemeral: EphemeralGeneric}
	for _, a := range eni.Addresses {
		i.Addrs = append(i.Addrs, hostPrefix(a))
	}
	if len(eni.PublicIPs) > 0 {
		i.PublicIP = eni.PublicIPs[0]
	}
	if slices.Contains(awsClientTypes, eni.InterfaceType) {
		i.Ephemeral = EphemeralAWS
	}
	addr := "no address"
	if len(eni.Addresses) > 0 {
		addr = eni.Addresses[0].String()
	}
	i.Label = fmt.Sprintf("%s %s in %s", eni.ID, addr, eni.SubnetID)
	return i
}

// standIn is a subnet standing in for interfaces whose addresses cannot be
// known: the subnet's whole CIDR is the address, so only rules covering all
// of it count as matches.
func (r *Resolver) standIn(subnetID string, groups []string, what string) (Iface, error) {
	sn, ok := r.Inv.Subnets[subnetID]
	if !ok {
		return Iface{}, fmt.Errorf("subnet %s not found%s", subnetID, unreadable(r.Inv, inventory.KindSubnets))
	}
	i := Iface{SubnetID: sn.ID, VPCID: sn.VPCID, Groups: groups, Ephemeral: EphemeralGeneric,
		Label: fmt.Sprintf("%s %s (%s, address unknown)", sn.ID, sn.CIDR, what)}
	if sn.CIDR.IsValid() {
		i.Addrs = append(i.Addrs, sn.CIDR)
	}
	i.Addrs = append(i.Addrs, sn.IPv6CIDRs...)
	return i, nil
}

func (r *Resolver) lambda(ctx context.Context, ref Ref, res *Resource) error {
	out, err := r.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ref.ID)})
	if err != nil {
		return wrap(ref, "lambda:GetFunction", err, "ResourceNotFoundException")
	}
	cfg := out.Configuration
	if cfg == nil || cfg.VpcConfig == nil || len(cfg.VpcConfig.SubnetIds) == 0 {
		return &UnsupportedError{Ref: ref, Why: "the function is not attached to a VPC: it runs in Lambda's own network and reaches only public endpoints"}
	}
	res.Label = "lambda:" + aws.ToString(cfg.FunctionName)
	groups := cfg.VpcConfig.SecurityGroupIds
	// Hyperplane ENIs are shared by every function with the same subnet and
	// groups (F2); where EC2 lists them, their addresses are used.
	for _, subnet := range sortedCopy(cfg.VpcConfig.SubnetIds) {
		enis := r.enisWhere(func(e *inventory.ENI) bool {
			return e.InterfaceType == "lambda" && e.SubnetID == subnet && sameSet(e.Groups, groups)
		})
		if len(enis) > 0 {
			for _, e := range enis {
				i := r.eniIface(e)
				i.Ephemeral, i.NoPublicIP = EphemeralAWS, true
				res.Ifaces = append(res.Ifaces, i)
			}
			continue
		}
		i, err := r.standIn(subnet, groups, "Lambda Hyperplane ENI")
		if err != nil {
			return err
		}
		i.Ephemeral, i.NoPublicIP = EphemeralAWS, true
		res.Ifaces = append(res.Ifaces, i)
	}
	res.Notes = append(res.Notes, "the Lambda function's Hyperplane ENIs are not listed by EC2; each of its subnets stands in for them, with the subnet's whole CIDR as the address")
	return nil
}

func (r *Resolver) enisWhere(keep func(*inventory.ENI) bool) []*inventory.ENI {
	var out []*inventory.ENI
	for _, id := range sortedIDs(r.Inv.ENIs) {
		if e := r.Inv.ENIs[id]; keep(e) {
			out = append(out, e)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	return slices.Equal(sortedCopy(a), sortedCopy(b))
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

func (r *Resolver) instance(ctx context.Context, ref Ref, res *Resource) error {
	in := &ec2.DescribeInstancesInput{}
	if instancePattern.MatchString(ref.ID) {
		in.InstanceIds = []string{ref.ID}
	} else {
		in.Filters = []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{ref.ID}}}
	}
	p := ec2.NewDescribeInstancesPaginator(r.EC2, in)
	var found int
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return wrap(ref, "ec2:DescribeInstances", err, "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed")
		}
		for _, rsv := range page.Reservations {
			for _, inst := range rsv.Instances {
				if inst.State != nil && (inst.State.Name == ec2types.InstanceStateNameTerminated || inst.State.Name == ec2types.InstanceStateNameShuttingDown) {
					continue
				}
				found++
				for _, n := range inst.NetworkInterfaces {
					eni, ok := r.Inv.ENIs[aws.ToString(n.NetworkInterfaceId)]
					if !ok {
						return fmt.Errorf("%s: network interface %s of %s not in the inventory%s", ref, aws.ToString(n.NetworkInterfaceId), aws.ToString(inst.InstanceId), unreadable(r.Inv, inventory.KindENIs))
					}
					i := r.eniIface(eni)
					i.Label = aws.ToString(inst.InstanceId) + " " + i.Label
					res.Ifaces = append(res.Ifaces, i)
				}
			}
		}
	}
	if found == 0 {
		return &NotFoundError{Ref: ref}
	}
	return nil
}

func (r *Resolver) endpoint(ref Ref, res *Resource) error {
	ep, ok := r.Inv.Endpoints[ref.ID]
	if !ok {
		return r.missing(ref, inventory.KindEndpoints)
	}
	if len(ep.ENIs) == 0 {
		return &UnsupportedError{Ref: ref, Why: "a " + ep.Type + " endpoint has no network interfaces; it is a route target: ask for ip:ADDRESS of " + ep.Service}
	}
	res.Port = 443
	for _, id := range ep.ENIs {
		eni, ok := r.Inv.ENIs[id]
		if !ok {
			return fmt.Errorf("%s: network interface %s not in the inventory", ref, id)
		}
		res.Ifaces = append(res.Ifaces, r.eniIface(eni))
	}
	return nil
}

func (r *Resolver) rds(ctx context.Context, ref Ref, res *Resource) error {
	out, err := r.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(ref.ID)})
	if err == nil && len(out.DBInstances) > 0 {
		return r.rdsInstances(ref, res, out.DBInstances)
	}
	if err != nil && !hasCode(err, "DBInstanceNotFound", "DBInstanceNotFoundFault") {
		return wrap(ref, "rds:DescribeDBInstances", err)
	}
	cl, err := r.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(ref.ID)})
	if err != nil {
		return wrap(ref, "rds:DescribeDBClusters", err, "DBClusterNotFoundFault", "DBClusterNotFound")
	}
	if len(cl.DBClusters) == 0 {
		return &NotFoundError{Ref: ref}
	}
	var members []rdstypes.DBInstance
	for _, m := range cl.DBClusters[0].DBClusterMembers {
		o, err := r.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: m.DBInstanceIdentifier})
		if err != nil {
			return wrap(ref, "rds:DescribeDBInstances", err)
		}
		members = append(members, o.DBInstances...)
	}
	if len(members) == 0 {
		return &UnsupportedError{Ref: ref, Why: "the cluster has no instances, so nothing listens"}
	}
	if err := r.rdsInstances(ref, res, members); err != nil {
		return err
	}
	if p := aws.ToInt32(cl.DBClusters[0].Port); p > 0 {
		res.Port = int(p)
	}
	return nil
}

// rdsInstances places DB instances in their subnet group's subnets in the
// instance's AZ (every subnet for Multi-AZ, where a failover moves it).
// RDS ENIs cannot be tied to one instance, so each subnet stands in.
func (r *Resolver) rdsInstances(ref Ref, res *Resource, instances []rdstypes.DBInstance) error {
	seen := map[string]bool{}
	for _, db := range instances {
		if p := aws.ToInt32(db.DbInstancePort); p > 0 && res.Port == 0 {
			res.Port = int(p)
		}
		if db.Endpoint != nil && aws.ToInt32(db.Endpoint.Port) > 0 {
			res.Port = int(aws.ToInt32(db.Endpoint.Port))
		}
		var groups []string
		for _, g := range db.VpcSecurityGroups {
			if s := aws.ToString(g.Status); s == "" || s == "active" || s == "adding" {
				groups = append(groups, aws.ToString(g.VpcSecurityGroupId))
			}
		}
		if db.DBSubnetGroup == nil {
			return &UnsupportedError{Ref: ref, Why: "the DB instance has no DB subnet group"}
		}
		az := aws.ToString(db.AvailabilityZone)
		for _, s := range db.DBSubnetGroup.Subnets {
			id := aws.ToString(s.SubnetIdentifier)
			inAZ := s.SubnetAvailabilityZone == nil || aws.ToString(s.SubnetAvailabilityZone.Name) == az
			if st := aws.ToString(s.SubnetStatus); (st != "" && st != "Active") || seen[id] || (!inAZ && !aws.ToBool(db.MultiAZ) && az != "") {
				continue
			}
			seen[id] = true
			i, err := r.standIn(id, groups, "RDS "+aws.ToString(db.DBInstanceIdentifier))
			if err != nil {
				return err
			}
			i.NoPublicIP = !aws.ToBool(db.PubliclyAccessible)
			res.Ifaces = append(res.Ifaces, i)
		}
	}
	res.Notes = append(res.Notes, "RDS network interfaces cannot be tied to one instance; the DB subnet group's subnets stand in for them")
	return nil
}

func (r *Resolver) elasticache(ctx context.Context, ref Ref, res *Resource) error {
	out, err := r.ElastiCache.DescribeCacheClusters(ctx, &elasticache.DescribeCacheClustersInput{CacheClusterId: aws.String(ref.ID), ShowCacheNodeInfo: aws.Bool(true)})
	if err != nil && !hasCode(err, "CacheClusterNotFound", "CacheClusterNotFoundFault") {
		return wrap(ref, "elasticache:DescribeCacheClusters", err)
	}
	if err == nil && len(out.CacheClusters) > 0 {
		return r.cacheCluster(ctx, ref, res, out.CacheClusters[0].CacheClusterId)
	}
	rg, err := r.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: aws.String(ref.ID)})
	if err != nil {
		return wrap(ref, "elasticache:DescribeReplicationGroups", err, "ReplicationGroupNotFoundFault", "ReplicationGroupNotFound")
	}
	if len(rg.ReplicationGroups) == 0 {
		return &NotFoundError{Ref: ref}
	}
	g := rg.ReplicationGroups[0]
	if len(g.MemberClusters) == 0 {
		return &UnsupportedError{Ref: ref, Why: "the replication group lists no member clusters"}
	}
	for _, m := range g.MemberClusters {
		if err := r.cacheCluster(ctx, ref, res, aws.String(m)); err != nil {
			return err
		}
	}
	switch {
	case g.ConfigurationEndpoint != nil:
		res.Port = int(aws.ToInt32(g.ConfigurationEndpoint.Port))
	case len(g.NodeGroups) > 0 && g.NodeGroups[0].PrimaryEndpoint != nil:
		res.Port = int(aws.ToInt32(g.NodeGroups[0].PrimaryEndpoint.Port))
	}
	return nil
}

func (r *Resolver) cacheCluster(ctx context.Context, ref Ref, res *Resource, id *string) error {
	out, err := r.ElastiCache.DescribeCacheClusters(ctx, &elasticache.DescribeCacheClustersInput{CacheClusterId: id, ShowCacheNodeInfo: aws.Bool(true)})
	if err != nil {
		return wrap(ref, "elasticache:DescribeCacheClusters", err, "CacheClusterNotFound", "CacheClusterNotFoundFault")
	}
	if len(out.CacheClusters) == 0 {
		return &NotFoundError{Ref: ref}
	}
	c := out.CacheClusters[0]
	var groups []string
	for _, g := range c.SecurityGroups {
		groups = append(groups, aws.ToString(g.SecurityGroupId))
	}
	switch {
	case len(c.CacheNodes) > 0 && c.CacheNodes[0].Endpoint != nil && aws.ToInt32(c.CacheNodes[0].Endpoint.Port) > 0:
		res.Port = int(aws.ToInt32(c.CacheNodes[0].Endpoint.Port))
	case c.ConfigurationEndpoint != nil && aws.ToInt32(c.ConfigurationEndpoint.Port) > 0:
		res.Port = int(aws.ToInt32(c.ConfigurationEndpoint.Port))
	case strings.HasPrefix(aws.ToString(c.Engine), "memcached"):
		res.Port = 11211
	default:
		res.Port = 6379 // Redis and Valkey default port
	}
	sg, err := r.ElastiCache.DescribeCacheSubnetGroups(ctx, &elasticache.DescribeCacheSubnetGroupsInput{CacheSubnetGroupName: c.CacheSubnetGroupName})
	if err != nil {
		return wrap(ref, "elasticache:DescribeCacheSubnetGroups", err)
	}
	if len(sg.CacheSubnetGroups) == 0 {
		return &UnsupportedError{Ref: ref, Why: "cache subnet group " + aws.ToString(c.CacheSubnetGroupName) + " not found"}
	}
	for _, s := range sg.CacheSubnetGroups[0].Subnets {
		id := aws.ToString(s.SubnetIdentifier)
		if slices.ContainsFunc(res.Ifaces, func(i Iface) bool { return i.SubnetID == id && sameSet(i.Groups, groups) }) {
			continue
		}
		i, err := r.standIn(id, groups, "ElastiCache "+aws.ToString(c.CacheClusterId))
		if err != nil {
			return err
		}
		i.NoPublicIP = true
		res.Ifaces = append(res.Ifaces, i)
	}
	res.Notes = appendOnce(res.Notes, "ElastiCache node interfaces cannot be tied to a node; the cache subnet group's subnets stand in for them")
	return nil
}

func (r *Resolver) efs(ctx context.Context, ref Ref, res *Resource) error {
	res.Port = 2049
	p := efs.NewDescribeMountTargetsPaginator(r.EFS, &efs.DescribeMountTargetsInput{FileSystemId: aws.String(ref.ID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return wrap(ref, "elasticfilesystem:DescribeMountTargets", err, "FileSystemNotFound")
		}
		for _, mt := range page.MountTargets {
			eni, ok := r.Inv.ENIs[aws.ToString(mt.NetworkInterfaceId)]
			if !ok {
				return fmt.Errorf("%s: network interface %s of mount target %s not in the inventory", ref, aws.ToString(mt.NetworkInterfaceId), aws.ToString(mt.MountTargetId))
			}
			i := r.eniIface(eni)
			i.Label = aws.ToString(mt.MountTargetId) + " " + i.Label
			res.Ifaces = append(res.Ifaces, i)
		}
	}
	if len(res.Ifaces) == 0 {
		return &UnsupportedError{Ref: ref, Why: "the file system has no mount targets"}
	}
	return nil
}

func (r *Resolver) elbv2(ctx context.Context, ref Ref, res *Resource) error {
	in := &elbv2.DescribeLoadBalancersInput{Names: []string{ref.ID}}
	if strings.HasPrefix(ref.ID, "arn:") {
		in = &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{ref.ID}}
	}
	out, err := r.ELBv2.DescribeLoadBalancers(ctx, in)
	if err != nil {
		return wrap(ref, "elasticloadbalancing:DescribeLoadBalancers", err, "LoadBalancerNotFound")
	}
	if len(out.LoadBalancers) == 0 {
		return &NotFoundError{Ref: ref}
	}
	lb := out.LoadBalancers[0]
	res.Label = "elbv2:" + aws.ToString(lb.LoadBalancerName)
	lbARN := aws.ToString(lb.LoadBalancerArn)
	// A load balancer's ENIs carry the description "ELB app/NAME/ID" (or net/...).
	desc := "ELB " + lbARN[strings.Index(lbARN, "loadbalancer/")+len("loadbalancer/"):]
	for _, az := range lb.AvailabilityZones {
		subnet := aws.ToString(az.SubnetId)
		enis := r.enisWhere(func(e *inventory.ENI) bool { return e.Description == desc && e.SubnetID == subnet })
		for _, e := range enis {
			i := r.eniIface(e)
			i.Unfiltered = len(lb.SecurityGroups) == 0
			res.Ifaces = append(res.Ifaces, i)
		}
		if len(enis) == 0 {
			i, err := r.standIn(subnet, lb.SecurityGroups, "load balancer node")
			if err != nil {
				return err
			}
			i.Unfiltered, i.Ephemeral = len(lb.SecurityGroups) == 0, EphemeralAWS
			res.Ifaces = append(res.Ifaces, i)
		}
	}
	lp := elbv2.NewDescribeListenersPaginator(r.ELBv2, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
	var ports []int
	for lp.HasMorePages() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			return wrap(ref, "elasticloadbalancing:DescribeListeners", err)
		}
		for _, l := range page.Listeners {
			if p := int(aws.ToInt32(l.Port)); !slices.Contains(ports, p) {
				ports = append(ports, p)
			}
		}
	}
	if len(ports) == 1 {
		res.Port = ports[0]
	}
	return nil
}

func (r *Resolver) ecs(ctx context.Context, ref Ref, res *Resource) error {
	cluster, service, two := strings.Cut(ref.ID, "/")
	if !two {
		cluster, service = "default", ref.ID
	}
	out, err := r.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil {
		return wrap(ref, "ecs:DescribeServices", err, "ClusterNotFoundException", "ServiceNotFoundException")
	}
	if len(out.Services) == 0 || aws.ToString(out.Services[0].Status) == "INACTIVE" {
		return &NotFoundError{Ref: ref}
	}
	svc := out.Services[0]
	var taskARNs []string
	p := ecs.NewListTasksPaginator(r.ECS, &ecs.ListTasksInput{Cluster: aws.String(cluster), ServiceName: aws.String(service)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return wrap(ref, "ecs:ListTasks", err)
		}
		taskARNs = append(taskARNs, page.TaskArns...)
	}
	for start := 0; start < len(taskARNs); start += 100 {
		batch := taskARNs[start:min(start+100, len(taskARNs))]
		tasks, err := r.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: batch})
		if err != nil {
			return wrap(ref, "ecs:DescribeTasks", err)
		}
		for _, t := range tasks.Tasks {
			for _, a := range t.Attachments {
				for _, d := range a.Details {
					if aws.ToString(d.Name) != "networkInterfaceId" {
						continue
					}
					if eni, ok := r.Inv.ENIs[aws.ToString(d.Value)]; ok {
						res.Ifaces = append(res.Ifaces, r.eniIface(eni))
					}
				}
			}
		}
	}
	if len(res.Ifaces) > 0 {
		return nil
	}
	if svc.NetworkConfiguration == nil || svc.NetworkConfiguration.AwsvpcConfiguration == nil {
		return &UnsupportedError{Ref: ref, Why: "no task runs and the service has no awsvpc network configuration"}
	}
	vpcCfg := svc.NetworkConfiguration.AwsvpcConfiguration
	for _, subnet := range sortedCopy(vpcCfg.Subnets) {
		i, err := r.standIn(subnet, vpcCfg.SecurityGroups, "ECS task of "+aws.ToString(svc.ServiceName))
		if err != nil {
			return err
		}
		i.NoPublicIP = vpcCfg.AssignPublicIp != "ENABLED"
		res.Ifaces = append(res.Ifaces, i)
	}
	res.Notes = append(res.Notes, "no task of the ECS service runs; the service's subnets and security groups stand in for its tasks")
	return nil
}

// ip resolves an address: the ENI holding it, else the subnet it falls in
// (security groups unknown), else a place outside the region's VPCs.
func (r *Resolver) ip(ref Ref, res *Resource) error {
	p, err := ParseAddress(ref.ID)
	if err != nil {
		return err
	}
	if p.IsSingleIP() {
		if eni, ok := r.Inv.ENIByIP(p.Addr()); ok {
			i := r.eniIface(eni)
			i.Addrs = []netip.Prefix{p}
			res.Ifaces = []Iface{i}
			return nil
		}
	}
	if sn, ok := r.Inv.SubnetContaining(p.Addr()); ok && (coverage(sn.CIDR, p) == yes || slices.ContainsFunc(sn.IPv6CIDRs, func(c netip.Prefix) bool { return coverage(c, p) == yes })) {
		res.Ifaces = []Iface{{Label: p.String() + " in " + sn.ID, SubnetID: sn.ID, VPCID: sn.VPCID, Addrs: []netip.Prefix{p}, Ephemeral: EphemeralGeneric,
			GroupsUnknown: "no network interface in this region holds " + p.String() + ", so its security groups are unknown"}}
		return nil
	}
	if vpc, ok := r.Inv.VPCContaining(p.Addr()); ok {
		return &UnsupportedError{Ref: ref, Why: p.String() + " is in " + vpc.ID + " but in no subnet of it"}
	}
	res.Ifaces = []Iface{{Label: p.String() + " (outside the region's VPCs)", Addrs: []netip.Prefix{p}, External: true, Ephemeral: EphemeralGeneric}}
	return nil
}
