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
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elasticachetypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/inventory"
)

// ResolveKinds are the inventory kinds the resolver may read beside the
// network: each a full listing of the region, so that a snapshot holds what
// any reference needs.
var ResolveKinds = []inventory.Loader{
	inventory.Instances, inventory.LambdaFunctions, inventory.DBInstances, inventory.DBClusters,
	inventory.StandaloneCacheClusters, inventory.CacheClusters, inventory.ReplicationGroups, inventory.CacheSubnetGroups,
	inventory.EFSMountTargets, inventory.LoadBalancers, inventory.Listeners,
	inventory.ECSClusters, inventory.ECSServices, inventory.ECSTasks,
}

// Kinds are every kind `faultline reach` reads: the network's and the
// resolver's.
var Kinds = append(append([]inventory.Loader{}, inventory.NetworkKinds...), ResolveKinds...)

// ResolveActions are the IAM actions the resolver calls, sorted.
var ResolveActions = inventory.ActionsOf(ResolveKinds...)

// Resolver turns references into interfaces: the resources are looked up
// in the scope's kinds (read on first use, live or from a snapshot), their
// interfaces in the scope's network.
type Resolver struct {
	Scope *inventory.Scope
	Net   *inventory.Network
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
		eni, ok := r.Net.ENIs[ref.ID]
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
	if why := r.Net.Unreadable[kind]; why != "" {
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
	sn, ok := r.Net.Subnets[subnetID]
	if !ok {
		return Iface{}, fmt.Errorf("subnet %s not found%s", subnetID, unreadable(r.Net, inventory.KindSubnets))
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
	fns, err := inventory.LambdaFunctions.Items(ctx, r.Scope)
	i := slices.IndexFunc(fns, func(fn lambdatypes.FunctionConfiguration) bool { return isFunction(fn, ref.ID) })
	switch {
	case i < 0 && err != nil:
		return wrap(ref, "lambda:ListFunctions", err)
	case i < 0:
		return &NotFoundError{Ref: ref}
	}
	cfg := fns[i]
	if cfg.VpcConfig == nil || len(cfg.VpcConfig.SubnetIds) == 0 {
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

// isFunction reports whether id (a name or an ARN, qualified or not) names
// fn. The listing holds each function's unpublished version: a qualified
// ARN is taken as its function.
func isFunction(fn lambdatypes.FunctionConfiguration, id string) bool {
	if !strings.HasPrefix(id, "arn:") {
		return aws.ToString(fn.FunctionName) == id
	}
	if parts := strings.Split(id, ":"); len(parts) > 7 {
		id = strings.Join(parts[:7], ":")
	}
	return aws.ToString(fn.FunctionArn) == id
}

func (r *Resolver) enisWhere(keep func(*inventory.ENI) bool) []*inventory.ENI {
	var out []*inventory.ENI
	for _, id := range sortedIDs(r.Net.ENIs) {
		if e := r.Net.ENIs[id]; keep(e) {
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
	byID := instancePattern.MatchString(ref.ID)
	all, err := inventory.Instances.Items(ctx, r.Scope)
	var found int
	for _, inst := range all {
		if byID && aws.ToString(inst.InstanceId) != ref.ID || !byID && nameTag(inst.Tags) != ref.ID {
			continue
		}
		if inst.State != nil && (inst.State.Name == ec2types.InstanceStateNameTerminated || inst.State.Name == ec2types.InstanceStateNameShuttingDown) {
			continue
		}
		found++
		for _, n := range inst.NetworkInterfaces {
			eni, ok := r.Net.ENIs[aws.ToString(n.NetworkInterfaceId)]
			if !ok {
				return fmt.Errorf("%s: network interface %s of %s not in the inventory%s", ref, aws.ToString(n.NetworkInterfaceId), aws.ToString(inst.InstanceId), unreadable(r.Net, inventory.KindENIs))
			}
			i := r.eniIface(eni)
			i.Label = aws.ToString(inst.InstanceId) + " " + i.Label
			res.Ifaces = append(res.Ifaces, i)
		}
	}
	// A listing that failed part-way may hide more instances of that Name.
	if err != nil && (found == 0 || !byID) {
		return wrap(ref, "ec2:DescribeInstances", err)
	}
	if found == 0 {
		return &NotFoundError{Ref: ref}
	}
	return nil
}

func nameTag(tags []ec2types.Tag) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == "Name" {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func (r *Resolver) endpoint(ref Ref, res *Resource) error {
	ep, ok := r.Net.Endpoints[ref.ID]
	if !ok {
		return r.missing(ref, inventory.KindEndpoints)
	}
	if len(ep.ENIs) == 0 {
		return &UnsupportedError{Ref: ref, Why: "a " + ep.Type + " endpoint has no network interfaces; it is a route target: ask for ip:ADDRESS of " + ep.Service}
	}
	res.Port = 443
	for _, id := range ep.ENIs {
		eni, ok := r.Net.ENIs[id]
		if !ok {
			return fmt.Errorf("%s: network interface %s not in the inventory", ref, id)
		}
		res.Ifaces = append(res.Ifaces, r.eniIface(eni))
	}
	return nil
}

func (r *Resolver) rds(ctx context.Context, ref Ref, res *Resource) error {
	instances, err := inventory.DBInstances.Items(ctx, r.Scope)
	if db, ok := dbInstance(instances, ref.ID); ok {
		return r.rdsInstances(ref, res, []rdstypes.DBInstance{db})
	}
	if err != nil {
		return wrap(ref, "rds:DescribeDBInstances", err)
	}
	clusters, err := inventory.DBClusters.Items(ctx, r.Scope)
	i := slices.IndexFunc(clusters, func(c rdstypes.DBCluster) bool { return strings.EqualFold(aws.ToString(c.DBClusterIdentifier), ref.ID) })
	switch {
	case i < 0 && err != nil:
		return wrap(ref, "rds:DescribeDBClusters", err)
	case i < 0:
		return &NotFoundError{Ref: ref}
	}
	cl := clusters[i]
	var members []rdstypes.DBInstance
	for _, m := range cl.DBClusterMembers {
		if db, ok := dbInstance(instances, aws.ToString(m.DBInstanceIdentifier)); ok {
			members = append(members, db)
		}
	}
	if len(members) == 0 {
		return &UnsupportedError{Ref: ref, Why: "the cluster has no instances, so nothing listens"}
	}
	if err := r.rdsInstances(ref, res, members); err != nil {
		return err
	}
	if p := aws.ToInt32(cl.Port); p > 0 {
		res.Port = int(p)
	}
	return nil
}

// dbInstance finds a DB instance by identifier (RDS compares them without
// case).
func dbInstance(instances []rdstypes.DBInstance, id string) (rdstypes.DBInstance, bool) {
	i := slices.IndexFunc(instances, func(db rdstypes.DBInstance) bool { return strings.EqualFold(aws.ToString(db.DBInstanceIdentifier), id) })
	if i < 0 {
		return rdstypes.DBInstance{}, false
	}
	return instances[i], true
}

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
	c, ok, err := r.findCacheCluster(ctx, ref.ID)
	switch {
	case ok:
		return r.cacheCluster(ctx, ref, res, c)
	case err != nil:
		return wrap(ref, "elasticache:DescribeCacheClusters", err)
	}
	g, ok, err := r.findReplicationGroup(ctx, ref.ID)
	switch {
	case !ok && err != nil:
		return wrap(ref, "elasticache:DescribeReplicationGroups", err)
	case !ok:
		return &NotFoundError{Ref: ref}
	}
	if len(g.MemberClusters) == 0 {
		return &UnsupportedError{Ref: ref, Why: "the replication group lists no member clusters"}
	}
	for _, m := range g.MemberClusters {
		c, ok, err := r.findCacheCluster(ctx, m)
		switch {
		case !ok && err != nil:
			return wrap(ref, "elasticache:DescribeCacheClusters", err)
		case !ok:
			return &NotFoundError{Ref: ref}
		}
		if err := r.cacheCluster(ctx, ref, res, c); err != nil {
			return err
		}
	}
	if p := groupPort(g); p > 0 {
		res.Port = p
	}
	return nil
}

// findCacheCluster looks a cache cluster up: among the clusters outside
// replication groups first, which come with their nodes, then among all.
func (r *Resolver) findCacheCluster(ctx context.Context, id string) (elasticachetypes.CacheCluster, bool, error) {
	var firstErr error
	for _, k := range []*inventory.Kind[elasticachetypes.CacheCluster]{inventory.StandaloneCacheClusters, inventory.CacheClusters} {
		list, err := k.Items(ctx, r.Scope)
		if i := slices.IndexFunc(list, func(c elasticachetypes.CacheCluster) bool { return aws.ToString(c.CacheClusterId) == id }); i >= 0 {
			return list[i], true, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return elasticachetypes.CacheCluster{}, false, firstErr
}

func (r *Resolver) findReplicationGroup(ctx context.Context, id string) (elasticachetypes.ReplicationGroup, bool, error) {
	groups, err := inventory.ReplicationGroups.Items(ctx, r.Scope)
	if i := slices.IndexFunc(groups, func(g elasticachetypes.ReplicationGroup) bool { return aws.ToString(g.ReplicationGroupId) == id }); i >= 0 {
		return groups[i], true, nil
	}
	return elasticachetypes.ReplicationGroup{}, false, err
}

// groupPort is the port of a replication group's endpoint, or 0.
func groupPort(g elasticachetypes.ReplicationGroup) int {
	switch {
	case g.ConfigurationEndpoint != nil:
		return int(aws.ToInt32(g.ConfigurationEndpoint.Port))
	case len(g.NodeGroups) > 0 && g.NodeGroups[0].PrimaryEndpoint != nil:
		return int(aws.ToInt32(g.NodeGroups[0].PrimaryEndpoint.Port))
	}
	return 0
}

// cacheCluster places a cache cluster in its cache subnet group's subnets.
// Its port is its nodes' (listed for clusters outside replication groups),
// else its configuration endpoint's, else its replication group's, else
// the engine's default.
func (r *Resolver) cacheCluster(ctx context.Context, ref Ref, res *Resource, c elasticachetypes.CacheCluster) error {
	var groups []string
	for _, g := range c.SecurityGroups {
		groups = append(groups, aws.ToString(g.SecurityGroupId))
	}
	rgPort := 0
	if rg := aws.ToString(c.ReplicationGroupId); rg != "" {
		if g, ok, _ := r.findReplicationGroup(ctx, rg); ok {
			rgPort = groupPort(g)
		}
	}
	switch {
	case len(c.CacheNodes) > 0 && c.CacheNodes[0].Endpoint != nil && aws.ToInt32(c.CacheNodes[0].Endpoint.Port) > 0:
		res.Port = int(aws.ToInt32(c.CacheNodes[0].Endpoint.Port))
	case c.ConfigurationEndpoint != nil && aws.ToInt32(c.ConfigurationEndpoint.Port) > 0:
		res.Port = int(aws.ToInt32(c.ConfigurationEndpoint.Port))
	case rgPort > 0:
		res.Port = rgPort
	case strings.HasPrefix(aws.ToString(c.Engine), "memcached"):
		res.Port = 11211
	default:
		res.Port = 6379 // Redis and Valkey default port
	}
	subnetGroups, err := inventory.CacheSubnetGroups.Items(ctx, r.Scope)
	name := aws.ToString(c.CacheSubnetGroupName)
	i := slices.IndexFunc(subnetGroups, func(g elasticachetypes.CacheSubnetGroup) bool { return aws.ToString(g.CacheSubnetGroupName) == name })
	switch {
	case i < 0 && err != nil:
		return wrap(ref, "elasticache:DescribeCacheSubnetGroups", err)
	case i < 0:
		return &UnsupportedError{Ref: ref, Why: "cache subnet group " + name + " not found"}
	}
	for _, s := range subnetGroups[i].Subnets {
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
	fss, err := inventory.EFSMountTargets.Items(ctx, r.Scope)
	i := slices.IndexFunc(fss, func(fs inventory.EFSFileSystem) bool { return aws.ToString(fs.FileSystem.FileSystemId) == ref.ID })
	switch {
	case i < 0 && err != nil:
		return wrap(ref, "elasticfilesystem:DescribeMountTargets", err)
	case i < 0:
		return &NotFoundError{Ref: ref}
	}
	for _, mt := range fss[i].MountTargets {
		eni, ok := r.Net.ENIs[aws.ToString(mt.NetworkInterfaceId)]
		if !ok {
			return fmt.Errorf("%s: network interface %s of mount target %s not in the inventory", ref, aws.ToString(mt.NetworkInterfaceId), aws.ToString(mt.MountTargetId))
		}
		i := r.eniIface(eni)
		i.Label = aws.ToString(mt.MountTargetId) + " " + i.Label
		res.Ifaces = append(res.Ifaces, i)
	}
	if len(res.Ifaces) == 0 {
		return &UnsupportedError{Ref: ref, Why: "the file system has no mount targets"}
	}
	return nil
}

func (r *Resolver) elbv2(ctx context.Context, ref Ref, res *Resource) error {
	lbs, err := inventory.LoadBalancers.Items(ctx, r.Scope)
	i := slices.IndexFunc(lbs, func(lb elbv2types.LoadBalancer) bool {
		if strings.HasPrefix(ref.ID, "arn:") {
			return aws.ToString(lb.LoadBalancerArn) == ref.ID
		}
		return aws.ToString(lb.LoadBalancerName) == ref.ID
	})
	switch {
	case i < 0 && err != nil:
		return wrap(ref, "elasticloadbalancing:DescribeLoadBalancers", err)
	case i < 0:
		return &NotFoundError{Ref: ref}
	}
	lb := lbs[i]
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
	listeners, err := inventory.Listeners.Items(ctx, r.Scope)
	if err != nil {
		return wrap(ref, "elasticloadbalancing:DescribeListeners", err)
	}
	var ports []int
	for _, l := range listeners {
		if aws.ToString(l.LoadBalancerArn) != lbARN {
			continue
		}
		if p := int(aws.ToInt32(l.Port)); !slices.Contains(ports, p) {
			ports = append(ports, p)
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
	services, err := inventory.ECSServices.Items(ctx, r.Scope)
	i := slices.IndexFunc(services, func(s inventory.ECSService) bool {
		return isECSCluster(s.ClusterARN, cluster) && (s.Name == service || s.ARN == service)
	})
	switch {
	case i < 0 && err != nil:
		return wrap(ref, "ecs:DescribeServices", err)
	case i < 0 || services[i].Status == "INACTIVE":
		return &NotFoundError{Ref: ref}
	}
	svc := services[i]
	tasks, err := inventory.ECSTasks.Items(ctx, r.Scope)
	if err != nil {
		return wrap(ref, "ecs:ListTasks", err)
	}
	for _, t := range tasks {
		// A service's tasks are in the group service:NAME of its cluster.
		if t.ClusterARN != svc.ClusterARN || t.Group != "service:"+svc.Name {
			continue
		}
		for _, id := range t.ENIs {
			if eni, ok := r.Net.ENIs[id]; ok {
				res.Ifaces = append(res.Ifaces, r.eniIface(eni))
			}
		}
	}
	if len(res.Ifaces) > 0 {
		return nil
	}
	if svc.AwsVPC == nil {
		return &UnsupportedError{Ref: ref, Why: "no task runs and the service has no awsvpc network configuration"}
	}
	for _, subnet := range sortedCopy(svc.AwsVPC.Subnets) {
		i, err := r.standIn(subnet, svc.AwsVPC.SecurityGroups, "ECS task of "+svc.Name)
		if err != nil {
			return err
		}
		i.NoPublicIP = !svc.AwsVPC.AssignPublicIP
		res.Ifaces = append(res.Ifaces, i)
	}
	res.Notes = append(res.Notes, "no task of the ECS service runs; the service's subnets and security groups stand in for its tasks")
	return nil
}

// isECSCluster reports whether clusterARN is the cluster a reference names
// (by name or ARN).
func isECSCluster(clusterARN, name string) bool {
	return clusterARN == name || strings.HasSuffix(clusterARN, ":cluster/"+name)
}

func (r *Resolver) ip(ref Ref, res *Resource) error {
	p, err := ParseAddress(ref.ID)
	if err != nil {
		return err
	}
	if p.IsSingleIP() {
		if eni, ok := r.Net.ENIByIP(p.Addr()); ok {
			i := r.eniIface(eni)
			i.Addrs = []netip.Prefix{p}
			res.Ifaces = []Iface{i}
			return nil
		}
	}
	if sn, ok := r.Net.SubnetContaining(p.Addr()); ok && (coverage(sn.CIDR, p) == yes || slices.ContainsFunc(sn.IPv6CIDRs, func(c netip.Prefix) bool { return coverage(c, p) == yes })) {
		res.Ifaces = []Iface{{Label: p.String() + " in " + sn.ID, SubnetID: sn.ID, VPCID: sn.VPCID, Addrs: []netip.Prefix{p}, Ephemeral: EphemeralGeneric,
			GroupsUnknown: "no network interface in this region holds " + p.String() + ", so its security groups are unknown"}}
		return nil
	}
	if vpc, ok := r.Net.VPCContaining(p.Addr()); ok {
		return &UnsupportedError{Ref: ref, Why: p.String() + " is in " + vpc.ID + " but in no subnet of it"}
	}
	res.Ifaces = []Iface{{Label: p.String() + " (outside the region's VPCs)", Addrs: []netip.Prefix{p}, External: true, Ephemeral: EphemeralGeneric}}
	return nil
}
