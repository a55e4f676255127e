package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	elasticachetypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/faultline/faultline/inventory"
)

// elasticacheServerlessAPI holds exactly the calls of the serverless
// caches' loader.
type elasticacheServerlessAPI interface {
	elasticache.DescribeServerlessCachesAPIClient
}

var (
	elasticacheMemcachedOneAZ = Check{ID: "ELASTICACHE-1", Severity: SeverityHigh,
		Description: "Memcached cluster whose nodes are all in one Availability Zone, or whose node Availability Zones are not reported: memcached does not replicate data between nodes",
		Remediation: "Spread the nodes over several Availability Zones (AZMode cross-az) and make the application tolerate cache misses, or move the data to a Valkey or Redis OSS replication group with Multi-AZ."}
	elasticacheMemcachedSpread = Check{ID: "ELASTICACHE-2", Severity: SeverityMedium,
		Description: "Memcached cluster spread over several Availability Zones: memcached does not replicate data between nodes, so the data of a failed Availability Zone is lost",
		Remediation: "Make the application tolerate the loss of part of the cache, or move the data to a Valkey or Redis OSS replication group with Multi-AZ."}
	elasticacheStandalone = Check{ID: "ELASTICACHE-3", Severity: SeverityHigh,
		Description: "Valkey or Redis OSS cache cluster outside any replication group: a single node with no replica",
		Remediation: "Create a replication group with at least one replica in another Availability Zone and automatic failover with Multi-AZ enabled."}
	elasticacheFailoverOff = Check{ID: "ELASTICACHE-4", Severity: SeverityHigh,
		Description: "Replication group with automatic failover disabled (or being disabled)",
		Remediation: "Enable automatic failover and Multi-AZ on the replication group (it needs at least one replica in each node group)."}
	elasticacheNoReplica = Check{ID: "ELASTICACHE-5", Severity: SeverityHigh,
		Description: "Replication group with a node group (shard) that has no replica",
		Remediation: "Add at least one replica in another Availability Zone to every node group."}
	elasticacheShardOneAZ = Check{ID: "ELASTICACHE-6", Severity: SeverityHigh,
		Description: "Replication group with a node group (shard) whose nodes are all in one Availability Zone, even when Multi-AZ is enabled",
		Remediation: "Move or add replicas so that every node group has nodes in at least two Availability Zones."}
	elasticacheGroupHealthy = Check{ID: "ELASTICACHE-7", Severity: SeverityInfo,
		Description: "Replication group with automatic failover enabled and every node group in at least two Availability Zones",
		Remediation: "None needed for Availability Zone resilience."}
	elasticacheServerless = Check{ID: "ELASTICACHE-8", Severity: SeverityInfo,
		Description: "Serverless cache: ElastiCache replicates it across several Availability Zones by design",
		Remediation: "None needed for Availability Zone resilience."}
)

// The inventory's kinds, which reach and flows read too (their loaders are
// tested there): elasticacheStandaloneClusters are the region's cache
// clusters that are in no replication group, with their nodes
// (ShowCacheNodeInfo); elasticacheClusters are every cache cluster of the
// region, replication group members included, without node detail, only
// read to find the engine of a replication group that does not report its
// own; elasticacheReplicationGroups are the region's replication groups.
var (
	elasticacheStandaloneClusters = inventory.StandaloneCacheClusters
	elasticacheClusters           = inventory.CacheClusters
	elasticacheReplicationGroups  = inventory.ReplicationGroups
)

// elasticacheServerlessCaches are the region's serverless caches.
var elasticacheServerlessCaches = &inventory.Kind[elasticachetypes.ServerlessCache]{
	Name:    "elasticache/serverless-caches",
	Actions: []string{"elasticache:DescribeServerlessCaches"},
	APIs:    []reflect.Type{apiOf[elasticacheServerlessAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(elasticachetypes.ServerlessCache)) error {
		return loadElastiCacheServerlessCaches(ctx, elasticache.NewFromConfig(s.Config()), add)
	},
}

func loadElastiCacheServerlessCaches(ctx context.Context, api elasticacheServerlessAPI, add func(elasticachetypes.ServerlessCache)) error {
	p := elasticache.NewDescribeServerlessCachesPaginator(api, &elasticache.DescribeServerlessCachesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, sc := range page.ServerlessCaches {
			add(sc)
		}
	}
	return nil
}

var ElastiCache = Analyser{
	Name: "elasticache",
	Checks: []Check{elasticacheMemcachedOneAZ, elasticacheMemcachedSpread, elasticacheStandalone, elasticacheFailoverOff,
		elasticacheNoReplica, elasticacheShardOneAZ, elasticacheGroupHealthy, elasticacheServerless},
	Kinds: []inventory.Loader{elasticacheStandaloneClusters, elasticacheClusters, elasticacheReplicationGroups,
		elasticacheServerlessCaches},
	Run: analyseElastiCache,
}

// elasticacheIgnored reports whether a cluster, replication group or
// serverless cache is being deleted or is deleted: such resources are not
// judged ("deleting", "deleted", in any case).
func elasticacheIgnored(status *string) bool {
	s := strings.ToLower(aws.ToString(status))
	return s == "deleting" || s == "deleted"
}

// analyseElastiCache emits the standalone cache clusters first, then the
// replication groups, then the serverless caches, so that a failure of a
// later listing (DescribeServerlessCaches is the newest and least available
// operation) keeps every row already judged. A listing that failed part-way
// has what it read judged, and its error ends the task before the next
// listing is read (as when the listings were read in the task).
func analyseElastiCache(ctx context.Context, s *inventory.Scope, emit Emit) error {
	t := TargetOf(s)
	clusters, err := elasticacheStandaloneClusters.Items(ctx, s)
	for _, c := range clusters {
		// Members of a replication group are judged with their group.
		if elasticacheIgnored(c.CacheClusterStatus) || aws.ToString(c.ReplicationGroupId) != "" {
			continue
		}
		emit(judgeElastiCacheCluster(c, t))
	}
	if err != nil {
		return err
	}

	groups, err := elasticacheReplicationGroups.Items(ctx, s)
	engines := &elasticacheEngines{scope: s}
	for _, rg := range groups {
		if elasticacheIgnored(rg.Status) {
			continue
		}
		engine, engineErr := engines.of(ctx, rg)
		if engineErr != nil {
			return engineErr
		}
		emit(judgeElastiCacheReplicationGroup(rg, engine, t))
	}
	if err != nil {
		return err
	}

	caches, err := elasticacheServerlessCaches.Items(ctx, s)
	for _, sc := range caches {
		if elasticacheIgnored(sc.Status) {
			continue
		}
		emit(judgeElastiCacheServerless(sc, t))
	}
	return err
}

// elasticacheEngines finds a replication group's engine: the group's own
// Engine field, or else the engine of its member clusters. The member
// clusters are not in the standalone listing, so the first group without an
// Engine reads the listing of every cluster (elasticacheClusters, once per
// scope).
//
// When that listing failed, even part-way, the group is not judged and the
// error is the task's: a member missing from a partial listing would name the
// group without its engine, a wrong row rather than a missing one.
type elasticacheEngines struct {
	scope     *inventory.Scope
	byCluster map[string]string
}

func (e *elasticacheEngines) of(ctx context.Context, rg elasticachetypes.ReplicationGroup) (string, error) {
	if engine := aws.ToString(rg.Engine); engine != "" {
		return engine, nil
	}
	if e.byCluster == nil {
		all, err := elasticacheClusters.Items(ctx, e.scope)
		if err != nil {
			return "", err
		}
		e.byCluster = elasticacheEnginesByCluster(all)
	}
	return elasticacheGroupEngine(rg, e.byCluster), nil
}

// elasticacheEnginesByCluster indexes clusters' engines by cluster ID.
func elasticacheEnginesByCluster(clusters []elasticachetypes.CacheCluster) map[string]string {
	known := make(map[string]string, len(clusters))
	for _, c := range clusters {
		known[aws.ToString(c.CacheClusterId)] = aws.ToString(c.Engine)
	}
	return known
}

// elasticacheGroupEngine is the engine of the first member cluster of rg
// that byCluster knows, or "".
func elasticacheGroupEngine(rg elasticachetypes.ReplicationGroup, byCluster map[string]string) string {
	ids := append([]string{}, rg.MemberClusters...)
	for _, ng := range rg.NodeGroups {
		for _, m := range ng.NodeGroupMembers {
			ids = append(ids, aws.ToString(m.CacheClusterId))
		}
	}
	for _, id := range ids {
		if engine := byCluster[id]; engine != "" {
			return engine
		}
	}
	return ""
}

// elasticacheSubject is "ElastiCache redis cache cluster c1", or without the
// engine when none is reported.
func elasticacheSubject(engine, kind, name string) string {
	if engine == "" {
		return "ElastiCache " + kind + " " + name
	}
	return "ElastiCache " + engine + " " + kind + " " + name
}

// judgeElastiCacheCluster judges a cache cluster that is not in a
// replication group. Memcached never replicates between its nodes, so it is
// always a risk; a Valkey or Redis OSS cluster outside a replication group is
// a single node with no replica.
func judgeElastiCacheCluster(c elasticachetypes.CacheCluster, t Target) Finding {
	id := aws.ToString(c.CacheClusterId)
	engine := aws.ToString(c.Engine)
	var nodeAZs []string
	for _, n := range c.CacheNodes {
		nodeAZs = append(nodeAZs, aws.ToString(n.CustomerAvailabilityZone))
	}
	// PreferredAvailabilityZone is "Multiple" for a cross-AZ cluster.
	if pref := aws.ToString(c.PreferredAvailabilityZone); pref != "" && !strings.EqualFold(pref, "Multiple") {
		nodeAZs = append(nodeAZs, pref)
	}
	azs := distinct(nodeAZs...)
	nodes := int(aws.ToInt32(c.NumCacheNodes))
	if nodes == 0 {
		nodes = len(c.CacheNodes)
	}
	subject := elasticacheSubject(engine, "cluster", id)
	var f Finding
	switch {
	case strings.EqualFold(engine, "memcached") && len(azs) >= 2:
		f = finding(elasticacheMemcachedSpread, true, fmt.Sprintf(
			"%s has %s in %d Availability Zones (%s), but memcached does not replicate data between nodes, so the data on the nodes of a failed Availability Zone is lost.",
			subject, plural(nodes, "node"), len(azs), list(azs)))
	case strings.EqualFold(engine, "memcached") && len(azs) == 1:
		f = finding(elasticacheMemcachedOneAZ, true, fmt.Sprintf(
			"%s has %s, all in one Availability Zone (%s), and memcached does not replicate data between nodes, so an Availability Zone failure takes the whole cache down.",
			subject, plural(nodes, "node"), list(azs)))
	case strings.EqualFold(engine, "memcached"):
		f = finding(elasticacheMemcachedOneAZ, true, fmt.Sprintf(
			"%s has %s whose Availability Zones are not reported, and memcached does not replicate data between nodes, so the data on the nodes of a failed Availability Zone is lost.",
			subject, plural(nodes, "node")))
	case len(azs) == 0:
		f = finding(elasticacheStandalone, true, fmt.Sprintf(
			"%s is not in a replication group: it is a single node with no replica (its Availability Zone is not reported), so an Availability Zone failure takes it down.",
			elasticacheSubject(engine, "cache cluster", id)))
	default:
		f = finding(elasticacheStandalone, true, fmt.Sprintf(
			"%s is not in a replication group: it is a single node in %s with no replica, so an Availability Zone failure takes it down.",
			elasticacheSubject(engine, "cache cluster", id), list(azs)))
	}
	f.ResourceType = "AWS::ElastiCache::CacheCluster"
	if len(azs) > 0 {
		f.AZs = azs
	}
	f.ResourceARN = aws.ToString(c.ARN)
	if f.ResourceARN == "" {
		f.ResourceARN = t.ARN("elasticache", t.Region, "cluster:"+id)
	}
	f.ResourceName = id
	f.ResourceID = id
	f.Engine = engine
	return f
}

// elasticacheClusterMode reports whether a replication group runs in cluster
// mode (several shards possible), from ClusterEnabled or ClusterMode.
func elasticacheClusterMode(rg elasticachetypes.ReplicationGroup) bool {
	return aws.ToBool(rg.ClusterEnabled) || rg.ClusterMode == elasticachetypes.ClusterModeEnabled
}

// judgeElastiCacheReplicationGroup judges a replication group by its
// failover setting and by the real Availability Zones of the members of each
// node group (MultiAZ alone proves nothing about placement). The row takes
// the check of the first problem found (failover, then missing replicas, then
// one-AZ node groups); its message names every problem.
func judgeElastiCacheReplicationGroup(rg elasticachetypes.ReplicationGroup, engine string, t Target) Finding {
	id := aws.ToString(rg.ReplicationGroupId)
	clusterMode := elasticacheClusterMode(rg)
	subject := elasticacheSubject(engine, "replication group", id)
	if clusterMode {
		subject += " (cluster mode enabled, " + plural(len(rg.NodeGroups), "shard") + ")"
	} else {
		subject += " (cluster mode disabled)"
	}

	var problems []string
	var checks []Check
	switch rg.AutomaticFailover {
	case elasticachetypes.AutomaticFailoverStatusDisabled:
		problems = append(problems, "automatic failover is disabled, so no replica takes over automatically if the primary's Availability Zone fails")
		checks = append(checks, elasticacheFailoverOff)
	case elasticachetypes.AutomaticFailoverStatusDisabling:
		problems = append(problems, "automatic failover is being disabled, so no replica takes over automatically if the primary's Availability Zone fails")
		checks = append(checks, elasticacheFailoverOff)
	case "":
		problems = append(problems, "automatic failover is not reported")
		checks = append(checks, elasticacheFailoverOff)
	}

	var allAZs []string
	var noReplica, oneAZ []string
	for _, ng := range rg.NodeGroups {
		who := "the group"
		if clusterMode {
			who = "shard " + aws.ToString(ng.NodeGroupId)
		}
		var memberAZs []string
		for _, m := range ng.NodeGroupMembers {
			memberAZs = append(memberAZs, aws.ToString(m.PreferredAvailabilityZone))
		}
		missing, single, azs := judgeShard(who, memberAZs)
		allAZs = append(allAZs, azs...)
		if missing != "" {
			noReplica = append(noReplica, missing)
		}
		if single != "" {
			oneAZ = append(oneAZ, single)
		}
	}
	if len(rg.NodeGroups) == 0 {
		oneAZ = append(oneAZ, "it reports no node groups, so its placement cannot be checked")
	}
	if len(noReplica) > 0 {
		problems = append(problems, noReplica...)
		checks = append(checks, elasticacheNoReplica)
	}
	if len(oneAZ) > 0 {
		if rg.MultiAZ == elasticachetypes.MultiAZStatusEnabled && len(rg.NodeGroups) > 0 {
			oneAZ[len(oneAZ)-1] += ", even though Multi-AZ is enabled"
		}
		problems = append(problems, oneAZ...)
		checks = append(checks, elasticacheShardOneAZ)
	}

	var f Finding
	azs := distinct(allAZs...)
	switch {
	case len(problems) > 0:
		f = finding(checks[0], true, fmt.Sprintf("%s is at risk: %s.", subject, strings.Join(problems, "; ")))
	case clusterMode:
		f = finding(elasticacheGroupHealthy, false, fmt.Sprintf(
			"%s has automatic failover enabled and every shard has nodes in at least 2 Availability Zones (%s).",
			subject, list(azs)))
	default:
		nodes := 0
		for _, ng := range rg.NodeGroups {
			nodes += len(ng.NodeGroupMembers)
		}
		f = finding(elasticacheGroupHealthy, false, fmt.Sprintf(
			"%s has automatic failover enabled and its %s spread over %d Availability Zones (%s).",
			subject, plural(nodes, "node"), len(azs), list(azs)))
	}
	f.ResourceType = "AWS::ElastiCache::ReplicationGroup"
	if len(azs) > 0 {
		f.AZs = azs
	}
	f.ResourceARN = aws.ToString(rg.ARN)
	if f.ResourceARN == "" {
		f.ResourceARN = t.ARN("elasticache", t.Region, "replicationgroup:"+id)
	}
	f.ResourceName = id
	f.ResourceID = id
	f.Engine = engine
	return f
}

// judgeElastiCacheServerless: a serverless cache is replicated across
// several Availability Zones by design. Its row has no zones: the check
// judges none (ElastiCache places the cache).
func judgeElastiCacheServerless(sc elasticachetypes.ServerlessCache, t Target) Finding {
	name := aws.ToString(sc.ServerlessCacheName)
	engine := aws.ToString(sc.Engine)
	f := finding(elasticacheServerless, false, fmt.Sprintf(
		"%s is replicated across several Availability Zones by ElastiCache by design.",
		elasticacheSubject(engine, "serverless cache", name)))
	f.ResourceType = "AWS::ElastiCache::ServerlessCache"
	f.ResourceARN = aws.ToString(sc.ARN)
	if f.ResourceARN == "" {
		f.ResourceARN = t.ARN("elasticache", t.Region, "serverlesscache:"+name)
	}
	f.ResourceName = name
	f.ResourceID = name
	f.Engine = engine
	return f
}
