package analysers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	elasticachetypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/faultline/faultline/inventory"
)

var elasticacheTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

func elasticacheClusterARN(id string) string {
	return "arn:aws:elasticache:us-east-1:111111111111:cluster:" + id
}

func elasticacheGroupARN(id string) string {
	return "arn:aws:elasticache:us-east-1:111111111111:replicationgroup:" + id
}

func elasticacheCluster(id, engine string, nodeAZs ...string) elasticachetypes.CacheCluster {
	c := elasticachetypes.CacheCluster{CacheClusterId: aws.String(id), ARN: aws.String(elasticacheClusterARN(id)),
		Engine: aws.String(engine), NumCacheNodes: aws.Int32(int32(len(nodeAZs))), CacheClusterStatus: aws.String("available")}
	for i, az := range nodeAZs {
		c.CacheNodes = append(c.CacheNodes, elasticachetypes.CacheNode{CacheNodeId: aws.String(strconv.Itoa(i + 1)), CustomerAvailabilityZone: aws.String(az)})
	}
	return c
}

// elasticacheNodeGroup builds a node group whose members are in azs ("" for
// a member whose AZ is not reported).
func elasticacheNodeGroup(id string, azs ...string) elasticachetypes.NodeGroup {
	ng := elasticachetypes.NodeGroup{NodeGroupId: aws.String(id), Status: aws.String("available")}
	for i, az := range azs {
		m := elasticachetypes.NodeGroupMember{CacheClusterId: aws.String(id + "-" + strconv.Itoa(i+1))}
		if az != "" {
			m.PreferredAvailabilityZone = aws.String(az)
		}
		ng.NodeGroupMembers = append(ng.NodeGroupMembers, m)
	}
	return ng
}

func elasticacheGroup(id string, failover elasticachetypes.AutomaticFailoverStatus, multiAZ elasticachetypes.MultiAZStatus, clusterMode bool, groups ...elasticachetypes.NodeGroup) elasticachetypes.ReplicationGroup {
	rg := elasticachetypes.ReplicationGroup{ReplicationGroupId: aws.String(id), ARN: aws.String(elasticacheGroupARN(id)),
		AutomaticFailover: failover, MultiAZ: multiAZ, ClusterEnabled: aws.Bool(clusterMode), NodeGroups: groups,
		Engine: aws.String("redis"), Status: aws.String("available")}
	if clusterMode {
		rg.ClusterMode = elasticachetypes.ClusterModeEnabled
	} else {
		rg.ClusterMode = elasticachetypes.ClusterModeDisabled
	}
	return rg
}

func TestJudgeElastiCacheCluster(t *testing.T) {
	crossNoAZ := elasticacheCluster("mc-multiple", "memcached")
	crossNoAZ.NumCacheNodes = aws.Int32(3)
	crossNoAZ.PreferredAvailabilityZone = aws.String("Multiple")
	unreported := elasticacheCluster("mc-unreported", "memcached", "", "")
	unreported.NumCacheNodes = nil // count falls back to the listed nodes
	preferred := elasticacheCluster("mc-preferred", "memcached")
	preferred.NumCacheNodes = aws.Int32(2)
	preferred.PreferredAvailabilityZone = aws.String("us-east-1a")
	redisAZ := elasticacheCluster("redis-a", "redis")
	redisAZ.NumCacheNodes = aws.Int32(1)
	redisAZ.PreferredAvailabilityZone = aws.String("us-east-1a")
	noEngine := elasticacheCluster("odd", "", "us-east-1b")
	noEngine.Engine, noEngine.ARN = nil, nil
	cnTarget := Target{AccountID: "111111111111", Partition: "aws-cn", Region: "cn-north-1"}

	cases := []struct {
		name    string
		c       elasticachetypes.CacheCluster
		t       Target
		check   string
		sev     Severity
		risk    bool
		arn     string
		engine  string
		message string
		azs     []string
	}{
		{"memcached in two AZs", elasticacheCluster("mc-spread", "memcached", "us-east-1b", "us-east-1a", "us-east-1b"), elasticacheTarget,
			"ELASTICACHE-2", SeverityMedium, true, elasticacheClusterARN("mc-spread"), "memcached",
			"ElastiCache memcached cluster mc-spread has 3 nodes in 2 Availability Zones (us-east-1a, us-east-1b), but memcached does not replicate data between nodes, so the data on the nodes of a failed Availability Zone is lost.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"memcached nodes in one AZ", elasticacheCluster("mc-one", "memcached", "us-east-1a", "us-east-1a"), elasticacheTarget,
			"ELASTICACHE-1", SeverityHigh, true, elasticacheClusterARN("mc-one"), "memcached",
			"ElastiCache memcached cluster mc-one has 2 nodes, all in one Availability Zone (us-east-1a), and memcached does not replicate data between nodes, so an Availability Zone failure takes the whole cache down.",
			[]string{"us-east-1a"}},
		{"memcached with only a preferred AZ", preferred, elasticacheTarget,
			"ELASTICACHE-1", SeverityHigh, true, elasticacheClusterARN("mc-preferred"), "memcached",
			"ElastiCache memcached cluster mc-preferred has 2 nodes, all in one Availability Zone (us-east-1a), and memcached does not replicate data between nodes, so an Availability Zone failure takes the whole cache down.",
			[]string{"us-east-1a"}},
		{"memcached cross-AZ with no node detail", crossNoAZ, elasticacheTarget,
			"ELASTICACHE-1", SeverityHigh, true, elasticacheClusterARN("mc-multiple"), "memcached",
			"ElastiCache memcached cluster mc-multiple has 3 nodes whose Availability Zones are not reported, and memcached does not replicate data between nodes, so the data on the nodes of a failed Availability Zone is lost.",
			nil},
		{"memcached nodes without AZ", unreported, elasticacheTarget,
			"ELASTICACHE-1", SeverityHigh, true, elasticacheClusterARN("mc-unreported"), "memcached",
			"ElastiCache memcached cluster mc-unreported has 2 nodes whose Availability Zones are not reported, and memcached does not replicate data between nodes, so the data on the nodes of a failed Availability Zone is lost.",
			nil},
		{"redis single node from its node", elasticacheCluster("redis-node", "redis", "us-east-1c"), elasticacheTarget,
			"ELASTICACHE-3", SeverityHigh, true, elasticacheClusterARN("redis-node"), "redis",
			"ElastiCache redis cache cluster redis-node is not in a replication group: it is a single node in us-east-1c with no replica, so an Availability Zone failure takes it down.",
			[]string{"us-east-1c"}},
		{"redis single node from its preferred AZ", redisAZ, elasticacheTarget,
			"ELASTICACHE-3", SeverityHigh, true, elasticacheClusterARN("redis-a"), "redis",
			"ElastiCache redis cache cluster redis-a is not in a replication group: it is a single node in us-east-1a with no replica, so an Availability Zone failure takes it down.",
			[]string{"us-east-1a"}},
		{"valkey single node, AZ unknown", elasticacheCluster("valkey-x", "valkey"), elasticacheTarget,
			"ELASTICACHE-3", SeverityHigh, true, elasticacheClusterARN("valkey-x"), "valkey",
			"ElastiCache valkey cache cluster valkey-x is not in a replication group: it is a single node with no replica (its Availability Zone is not reported), so an Availability Zone failure takes it down.",
			nil},
		{"no engine and no ARN: ARN in the caller's partition", noEngine, cnTarget,
			"ELASTICACHE-3", SeverityHigh, true, "arn:aws-cn:elasticache:cn-north-1:111111111111:cluster:odd", "",
			"ElastiCache cache cluster odd is not in a replication group: it is a single node in us-east-1b with no replica, so an Availability Zone failure takes it down.",
			[]string{"us-east-1b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeElastiCacheCluster(c.c, c.t)
			if f.CheckID != c.check || f.Severity != c.sev || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.sev, c.risk, c.message)
			}
			id := aws.ToString(c.c.CacheClusterId)
			if f.ResourceARN != c.arn || f.ResourceName != id || f.ResourceID != id || f.Engine != c.engine ||
				f.ResourceType != "AWS::ElastiCache::CacheCluster" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

func TestJudgeElastiCacheReplicationGroup(t *testing.T) {
	const (
		on       = elasticachetypes.AutomaticFailoverStatusEnabled
		off      = elasticachetypes.AutomaticFailoverStatusDisabled
		multiOn  = elasticachetypes.MultiAZStatusEnabled
		multiOff = elasticachetypes.MultiAZStatusDisabled
		a, b, c  = "us-east-1a", "us-east-1b", "us-east-1c"
	)
	ng := elasticacheNodeGroup
	enabling := elasticacheGroup("rg-enabling", elasticachetypes.AutomaticFailoverStatusEnabling, multiOn, false, ng("0001", a, b, a))
	disabling := elasticacheGroup("rg-disabling", elasticachetypes.AutomaticFailoverStatusDisabling, multiOff, false, ng("0001", a, b))
	unreportedFailover := elasticacheGroup("rg-no-status", "", multiOff, false, ng("0001", a, b))
	modeOnly := elasticacheGroup("rg-mode-only", on, multiOn, true, ng("0001", a, b))
	modeOnly.ClusterEnabled = nil // cluster mode known from ClusterMode alone
	flagOnly := elasticacheGroup("rg-flag-only", on, multiOn, true, ng("0001", a, b), ng("0002", c, a))
	flagOnly.ClusterMode = ""
	noARN := elasticacheGroup("rg-no-arn", on, multiOn, false, ng("0001", a, b))
	noARN.ARN = nil

	cases := []struct {
		name    string
		rg      elasticachetypes.ReplicationGroup
		engine  string
		check   string
		sev     Severity
		risk    bool
		arn     string
		message string
		azs     []string
	}{
		{"failover disabled, single node", elasticacheGroup("rg-off", off, multiOff, false, ng("0001", a)), "redis",
			"ELASTICACHE-4", SeverityHigh, true, elasticacheGroupARN("rg-off"),
			"ElastiCache redis replication group rg-off (cluster mode disabled) is at risk: automatic failover is disabled, so no replica takes over automatically if the primary's Availability Zone fails; the group has no replica (1 node in us-east-1a).",
			[]string{"us-east-1a"}},
		{"failover disabled, replica elsewhere", elasticacheGroup("rg-off-2az", off, multiOff, false, ng("0001", a, b)), "redis",
			"ELASTICACHE-4", SeverityHigh, true, elasticacheGroupARN("rg-off-2az"),
			"ElastiCache redis replication group rg-off-2az (cluster mode disabled) is at risk: automatic failover is disabled, so no replica takes over automatically if the primary's Availability Zone fails.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"failover being disabled", disabling, "valkey",
			"ELASTICACHE-4", SeverityHigh, true, elasticacheGroupARN("rg-disabling"),
			"ElastiCache valkey replication group rg-disabling (cluster mode disabled) is at risk: automatic failover is being disabled, so no replica takes over automatically if the primary's Availability Zone fails.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"failover not reported", unreportedFailover, "redis",
			"ELASTICACHE-4", SeverityHigh, true, elasticacheGroupARN("rg-no-status"),
			"ElastiCache redis replication group rg-no-status (cluster mode disabled) is at risk: automatic failover is not reported.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"cluster mode, shard without replica", elasticacheGroup("rg-cme", on, multiOn, true, ng("0001", a, b), ng("0002", c)), "redis",
			"ELASTICACHE-5", SeverityHigh, true, elasticacheGroupARN("rg-cme"),
			"ElastiCache redis replication group rg-cme (cluster mode enabled, 2 shards) is at risk: shard 0002 has no replica (1 node in us-east-1c).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"cluster mode, shard without replica or AZ", elasticacheGroup("rg-cme-noaz", on, multiOff, true, ng("0001", "")), "redis",
			"ELASTICACHE-5", SeverityHigh, true, elasticacheGroupARN("rg-cme-noaz"),
			"ElastiCache redis replication group rg-cme-noaz (cluster mode enabled, 1 shard) is at risk: shard 0001 has no replica (1 node, Availability Zone not reported).",
			nil},
		{"shard listing no nodes", elasticacheGroup("rg-empty-shard", on, multiOff, true, ng("0001", a, b), ng("0002")), "redis",
			"ELASTICACHE-5", SeverityHigh, true, elasticacheGroupARN("rg-empty-shard"),
			"ElastiCache redis replication group rg-empty-shard (cluster mode enabled, 2 shards) is at risk: shard 0002 lists no nodes.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"no replica and one-AZ shards are both named", elasticacheGroup("rg-mixed", on, multiOn, true, ng("0001", a), ng("0002", b, b), ng("0003", a, c)), "redis",
			"ELASTICACHE-5", SeverityHigh, true, elasticacheGroupARN("rg-mixed"),
			"ElastiCache redis replication group rg-mixed (cluster mode enabled, 3 shards) is at risk: shard 0001 has no replica (1 node in us-east-1a); shard 0002 has all 2 nodes in one Availability Zone (us-east-1b), even though Multi-AZ is enabled.",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"cluster mode disabled, one AZ despite Multi-AZ", elasticacheGroup("rg-one-az", on, multiOn, false, ng("0001", a, a, a)), "redis",
			"ELASTICACHE-6", SeverityHigh, true, elasticacheGroupARN("rg-one-az"),
			"ElastiCache redis replication group rg-one-az (cluster mode disabled) is at risk: the group has all 3 nodes in one Availability Zone (us-east-1a), even though Multi-AZ is enabled.",
			[]string{"us-east-1a"}},
		{"cluster mode, every shard in one AZ, Multi-AZ off", elasticacheGroup("rg-cme-one-az", on, multiOff, true, ng("0001", a, a), ng("0002", b, b)), "redis",
			"ELASTICACHE-6", SeverityHigh, true, elasticacheGroupARN("rg-cme-one-az"),
			"ElastiCache redis replication group rg-cme-one-az (cluster mode enabled, 2 shards) is at risk: shard 0001 has all 2 nodes in one Availability Zone (us-east-1a); shard 0002 has all 2 nodes in one Availability Zone (us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}},
		{"members report no AZ", elasticacheGroup("rg-no-az", on, multiOff, false, ng("0001", "", "")), "redis",
			"ELASTICACHE-6", SeverityHigh, true, elasticacheGroupARN("rg-no-az"),
			"ElastiCache redis replication group rg-no-az (cluster mode disabled) is at risk: the group reports no Availability Zone for its 2 nodes.",
			nil},
		{"one member without AZ", elasticacheGroup("rg-part-az", on, multiOff, true, ng("0001", a, "", a)), "redis",
			"ELASTICACHE-6", SeverityHigh, true, elasticacheGroupARN("rg-part-az"),
			"ElastiCache redis replication group rg-part-az (cluster mode enabled, 1 shard) is at risk: shard 0001 has 2 nodes in one reported Availability Zone (us-east-1a) and 1 node whose Availability Zone is not reported.",
			[]string{"us-east-1a"}},
		{"no node groups", elasticacheGroup("rg-creating", on, multiOn, false), "redis",
			"ELASTICACHE-6", SeverityHigh, true, elasticacheGroupARN("rg-creating"),
			"ElastiCache redis replication group rg-creating (cluster mode disabled) is at risk: it reports no node groups, so its placement cannot be checked.",
			nil},
		{"healthy, cluster mode disabled, failover enabling", enabling, "valkey",
			"ELASTICACHE-7", SeverityInfo, false, elasticacheGroupARN("rg-enabling"),
			"ElastiCache valkey replication group rg-enabling (cluster mode disabled) has automatic failover enabled and its 3 nodes spread over 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}},
		{"healthy, cluster mode enabled with one shard (ClusterMode only)", modeOnly, "redis",
			"ELASTICACHE-7", SeverityInfo, false, elasticacheGroupARN("rg-mode-only"),
			"ElastiCache redis replication group rg-mode-only (cluster mode enabled, 1 shard) has automatic failover enabled and every shard has nodes in at least 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}},
		{"healthy, cluster mode enabled (ClusterEnabled only)", flagOnly, "redis",
			"ELASTICACHE-7", SeverityInfo, false, elasticacheGroupARN("rg-flag-only"),
			"ElastiCache redis replication group rg-flag-only (cluster mode enabled, 2 shards) has automatic failover enabled and every shard has nodes in at least 2 Availability Zones (us-east-1a, us-east-1b, us-east-1c).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"no engine known, no ARN", noARN, "",
			"ELASTICACHE-7", SeverityInfo, false, elasticacheGroupARN("rg-no-arn"),
			"ElastiCache replication group rg-no-arn (cluster mode disabled) has automatic failover enabled and its 2 nodes spread over 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeElastiCacheReplicationGroup(c.rg, c.engine, elasticacheTarget)
			if f.CheckID != c.check || f.Severity != c.sev || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.sev, c.risk, c.message)
			}
			id := aws.ToString(c.rg.ReplicationGroupId)
			if f.ResourceARN != c.arn || f.ResourceName != id || f.ResourceID != id || f.Engine != c.engine ||
				f.ResourceType != "AWS::ElastiCache::ReplicationGroup" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

func TestJudgeElastiCacheServerless(t *testing.T) {
	cases := []struct {
		name    string
		sc      elasticachetypes.ServerlessCache
		arn     string
		engine  string
		message string
	}{
		{"valkey", elasticachetypes.ServerlessCache{ServerlessCacheName: aws.String("sc1"), Engine: aws.String("valkey"),
			ARN: aws.String("arn:aws:elasticache:us-east-1:111111111111:serverlesscache:sc1")},
			"arn:aws:elasticache:us-east-1:111111111111:serverlesscache:sc1", "valkey",
			"ElastiCache valkey serverless cache sc1 is replicated across several Availability Zones by ElastiCache by design."},
		{"no engine, no ARN", elasticachetypes.ServerlessCache{ServerlessCacheName: aws.String("sc2")},
			"arn:aws:elasticache:us-east-1:111111111111:serverlesscache:sc2", "",
			"ElastiCache serverless cache sc2 is replicated across several Availability Zones by ElastiCache by design."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeElastiCacheServerless(c.sc, elasticacheTarget)
			if f.CheckID != "ELASTICACHE-8" || f.Severity != SeverityInfo || f.Risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q, want ELASTICACHE-8 INFO false %q", f.CheckID, f.Severity, f.Risk, f.Message, c.message)
			}
			name := aws.ToString(c.sc.ServerlessCacheName)
			if f.ResourceARN != c.arn || f.ResourceName != name || f.ResourceID != name || f.Engine != c.engine ||
				f.ResourceType != "AWS::ElastiCache::ServerlessCache" {
				t.Errorf("resource columns: %+v", f)
			}
			if f.AZs != nil || f.AZIDs != nil {
				t.Errorf("a serverless cache placed in %v %v", f.AZs, f.AZIDs)
			}
		})
	}
}

// elasticachePage returns the page index a Marker asks for and the Marker of
// the next page, for fakes that serve n pages.
func elasticachePage(marker *string, n int) (int, *string) {
	i := 0
	if marker != nil {
		i, _ = strconv.Atoi(*marker)
	}
	if i+1 < n {
		return i, aws.String(strconv.Itoa(i + 1))
	}
	return i, nil
}

// fakeElastiCache is a region's ElastiCache estate, page by page, with the
// error each listing fails with (on its first call). standalone are the
// clusters listed with ShowCacheClustersNotInReplicationGroups, all the
// listing without that flag (used to find member clusters' engines). It
// serves DescribeServerlessCaches, the analyser's own kind; the others are
// the inventory's, whose loaders the inventory tests.
type fakeElastiCache struct {
	standalone, all      [][]elasticachetypes.CacheCluster
	groups               [][]elasticachetypes.ReplicationGroup
	serverless           [][]elasticachetypes.ServerlessCache
	clustersErr, allErr  error
	groupsErr, serverErr error
}

func (f *fakeElastiCache) DescribeServerlessCaches(_ context.Context, in *elasticache.DescribeServerlessCachesInput, _ ...func(*elasticache.Options)) (*elasticache.DescribeServerlessCachesOutput, error) {
	if f.serverErr != nil {
		return nil, f.serverErr
	}
	if len(f.serverless) == 0 {
		return &elasticache.DescribeServerlessCachesOutput{}, nil
	}
	i, next := elasticachePage(in.NextToken, len(f.serverless))
	return &elasticache.DescribeServerlessCachesOutput{ServerlessCaches: f.serverless[i], NextToken: next}, nil
}

// elasticacheTwoPages is an estate with two pages of every listing, a cluster
// and a group being deleted, and a member cluster that a faulty listing
// returns among the standalone ones.
func elasticacheTwoPages() *fakeElastiCache {
	deletingCluster := elasticacheCluster("p1-deleting", "redis", "us-east-1a")
	deletingCluster.CacheClusterStatus = aws.String("deleting")
	member := elasticacheCluster("p2-member", "redis", "us-east-1a")
	member.ReplicationGroupId = aws.String("p2-group")
	deletingGroup := elasticacheGroup("p1-group-deleting", elasticachetypes.AutomaticFailoverStatusDisabled, "", false, elasticacheNodeGroup("0001", "us-east-1a"))
	deletingGroup.Status = aws.String("deleting")
	deletingCache := elasticachetypes.ServerlessCache{ServerlessCacheName: aws.String("p1-sc-deleting"), Status: aws.String("deleting")}
	return &fakeElastiCache{
		standalone: [][]elasticachetypes.CacheCluster{
			{elasticacheCluster("p1-memcached", "memcached", "us-east-1a"), deletingCluster},
			{elasticacheCluster("p2-redis", "redis", "us-east-1b"), member},
		},
		all: [][]elasticachetypes.CacheCluster{
			{elasticacheCluster("p1-group-001", "valkey")},
			{elasticacheCluster("p2-group-001", "redis"), elasticacheCluster("p2-group-002", "redis")},
		},
		groups: [][]elasticachetypes.ReplicationGroup{
			{elasticacheGroup("p1-group", elasticachetypes.AutomaticFailoverStatusDisabled, "", false, elasticacheNodeGroup("0001", "us-east-1a")), deletingGroup},
			{elasticacheGroup("p2-group", elasticachetypes.AutomaticFailoverStatusEnabled, elasticachetypes.MultiAZStatusEnabled, false,
				elasticacheNodeGroup("0001", "us-east-1a", "us-east-1b"))},
		},
		serverless: [][]elasticachetypes.ServerlessCache{
			{{ServerlessCacheName: aws.String("p1-sc"), Engine: aws.String("redis"), Status: aws.String("available")}, deletingCache},
			{{ServerlessCacheName: aws.String("p2-sc"), Engine: aws.String("valkey"), Status: aws.String("available")}},
		},
	}
}

// elasticacheNames are the names of items, in order.
func elasticacheNames[T any](items []T, name func(T) *string) []string {
	var out []string
	for _, it := range items {
		out = append(out, aws.ToString(name(it)))
	}
	return out
}

func TestLoadElastiCacheServerlessCachesReadsEveryPage(t *testing.T) {
	var caches []elasticachetypes.ServerlessCache
	if err := loadElastiCacheServerlessCaches(context.Background(), elasticacheTwoPages(), func(sc elasticachetypes.ServerlessCache) {
		caches = append(caches, sc)
	}); err != nil {
		t.Fatal(err)
	}
	// The loader keeps every item as listed: the rule skips what is deleted.
	got := elasticacheNames(caches, func(sc elasticachetypes.ServerlessCache) *string { return sc.ServerlessCacheName })
	if want := []string{"p1-sc", "p1-sc-deleting", "p2-sc"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
}

func TestLoadElastiCacheServerlessCachesAccessDenied(t *testing.T) {
	api := &fakeElastiCache{serverErr: accessDenied("AccessDenied")}
	requireCode(t, loadElastiCacheServerlessCaches(context.Background(), api, func(elasticachetypes.ServerlessCache) {
		t.Error("a cache from a denied listing")
	}), "AccessDenied")
}

// elasticacheListing is a listing of the estate as a loader reads it: every
// page's items, or none and the error its first call fails with.
func elasticacheListing[T any](pages [][]T, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return slices.Concat(pages...), nil
}

// elasticacheScope is a fixture scope holding the listings of api (each
// kind's items as its loader reads them, or its error); the full cluster
// listing is put only when withAll is set, so that a rule reading it
// unasked fails.
func elasticacheScope(t *testing.T, api *fakeElastiCache, withAll bool) *inventory.Scope {
	t.Helper()
	s := testScope()
	standalone, err := elasticacheListing(api.standalone, api.clustersErr)
	inventory.Put(s, elasticacheStandaloneClusters, standalone, err)
	if withAll {
		all, err := elasticacheListing(api.all, api.allErr)
		inventory.Put(s, elasticacheClusters, all, err)
	}
	groups, err := elasticacheListing(api.groups, api.groupsErr)
	inventory.Put(s, elasticacheReplicationGroups, groups, err)
	var caches []elasticachetypes.ServerlessCache
	err = loadElastiCacheServerlessCaches(context.Background(), api, func(sc elasticachetypes.ServerlessCache) { caches = append(caches, sc) })
	inventory.Put(s, elasticacheServerlessCaches, caches, err)
	return s
}

type elasticacheWant struct {
	name, check string
	risk        bool
}

func elasticacheRequire(t *testing.T, got []Finding, want []elasticacheWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceName, got[i].CheckID, got[i].Risk, w.name, w.check, w.risk)
		}
	}
}

var elasticacheClusterRows = []elasticacheWant{{"p1-memcached", "ELASTICACHE-1", true}, {"p2-redis", "ELASTICACHE-3", true}}
var elasticacheGroupRows = []elasticacheWant{{"p1-group", "ELASTICACHE-4", true}, {"p2-group", "ELASTICACHE-7", false}}

// Every group reports its engine, so the full cluster listing is not read
// (the fixture does not hold it: reading it would fail the task).
func TestAnalyseElastiCache(t *testing.T) {
	var got []Finding
	if err := analyseElastiCache(context.Background(), elasticacheScope(t, elasticacheTwoPages(), false), collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]elasticacheWant{}, elasticacheClusterRows...), elasticacheGroupRows...),
		elasticacheWant{"p1-sc", "ELASTICACHE-8", false}, elasticacheWant{"p2-sc", "ELASTICACHE-8", false})
	elasticacheRequire(t, got, want)
	if got[3].Engine != "redis" || got[5].Engine != "valkey" {
		t.Errorf("engines: %+v", got)
	}
	if got[1].ResourceARN != elasticacheClusterARN("p2-redis") || !slices.Equal(got[1].AZs, []string{"us-east-1b"}) ||
		got[3].ResourceType != "AWS::ElastiCache::ReplicationGroup" || !slices.Equal(got[3].AZs, []string{"us-east-1a", "us-east-1b"}) {
		t.Errorf("resource columns: %+v", got)
	}
}

// A group that does not report its Engine takes its member clusters' engine,
// from the full cluster listing.
func TestAnalyseElastiCacheEngineFromMembers(t *testing.T) {
	noEngine := func(id string, members ...string) elasticachetypes.ReplicationGroup {
		rg := elasticacheGroup(id, elasticachetypes.AutomaticFailoverStatusEnabled, elasticachetypes.MultiAZStatusEnabled, false,
			elasticacheNodeGroup("0001", "us-east-1a", "us-east-1b"))
		rg.Engine = nil
		rg.MemberClusters = members
		return rg
	}
	orphan := noEngine("rg-orphan")
	orphan.NodeGroups[0].NodeGroupMembers[0].CacheClusterId = aws.String("gone-001")
	s := testScope()
	inventory.Put(s, elasticacheStandaloneClusters, nil, nil)
	inventory.Put(s, elasticacheClusters, []elasticachetypes.CacheCluster{
		elasticacheCluster("rg-valkey-001", "valkey"), elasticacheCluster("rg-redis-002", "redis")}, nil)
	inventory.Put(s, elasticacheReplicationGroups, []elasticachetypes.ReplicationGroup{
		noEngine("rg-valkey", "rg-valkey-001"), noEngine("rg-redis", "rg-redis-001", "rg-redis-002"), orphan}, nil)
	inventory.Put(s, elasticacheServerlessCaches, nil, nil)
	var got []Finding
	if err := analyseElastiCache(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Engine != "valkey" || got[1].Engine != "redis" || got[2].Engine != "" {
		t.Fatalf("engines: %+v", got)
	}
	if !strings.HasPrefix(got[0].Message, "ElastiCache valkey replication group rg-valkey ") ||
		!strings.HasPrefix(got[2].Message, "ElastiCache replication group rg-orphan ") {
		t.Errorf("messages: %q / %q", got[0].Message, got[2].Message)
	}
}

func TestAnalyseElastiCacheAccessDenied(t *testing.T) {
	var got []Finding
	api := elasticacheTwoPages()
	api.clustersErr = accessDenied("AccessDenied")
	err := analyseElastiCache(context.Background(), elasticacheScope(t, api, false), collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

// A failing later listing keeps every row judged before it.
func TestAnalyseElastiCacheLaterFailureKeepsRows(t *testing.T) {
	t.Run("replication groups", func(t *testing.T) {
		api := elasticacheTwoPages()
		api.groupsErr = accessDenied("AccessDenied")
		var got []Finding
		requireCode(t, analyseElastiCache(context.Background(), elasticacheScope(t, api, false), collect(&got)), "AccessDenied")
		elasticacheRequire(t, got, elasticacheClusterRows)
	})
	t.Run("member engines", func(t *testing.T) {
		api := elasticacheTwoPages()
		api.groups[0][0].Engine = nil
		api.allErr = accessDenied("AccessDenied")
		var got []Finding
		requireCode(t, analyseElastiCache(context.Background(), elasticacheScope(t, api, true), collect(&got)), "AccessDenied")
		elasticacheRequire(t, got, elasticacheClusterRows)
	})
	// moto 5.2.1 does not implement DescribeServerlessCaches (HTTP 500), and
	// a region or partition without ElastiCache Serverless may refuse it:
	// the cluster and group rows must survive.
	t.Run("serverless caches", func(t *testing.T) {
		api := elasticacheTwoPages()
		api.serverErr = accessDenied("InvalidParameterValue")
		var got []Finding
		requireCode(t, analyseElastiCache(context.Background(), elasticacheScope(t, api, false), collect(&got)), "InvalidParameterValue")
		elasticacheRequire(t, got, append(append([]elasticacheWant{}, elasticacheClusterRows...), elasticacheGroupRows...))
	})
}

// A listing that failed part-way has what it read judged, and its error ends
// the task; a group whose engine is to come from a full cluster listing that
// failed part-way is not judged (it could be named without its engine).
func TestAnalyseElastiCacheKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	throttled := errors.New("throttled on page 2")
	estate := func() (*inventory.Scope, *fakeElastiCache) {
		api := elasticacheTwoPages()
		s := elasticacheScope(t, api, false)
		return s, api
	}
	t.Run("standalone clusters", func(t *testing.T) {
		s, api := estate()
		inventory.Put(s, elasticacheStandaloneClusters, api.standalone[0], throttled)
		var got []Finding
		if err := analyseElastiCache(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
			t.Fatalf("err %v, want the listing's", err)
		}
		elasticacheRequire(t, got, elasticacheClusterRows[:1])
	})
	t.Run("replication groups", func(t *testing.T) {
		s, api := estate()
		inventory.Put(s, elasticacheReplicationGroups, api.groups[0], throttled)
		var got []Finding
		if err := analyseElastiCache(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
			t.Fatalf("err %v, want the listing's", err)
		}
		elasticacheRequire(t, got, append(append([]elasticacheWant{}, elasticacheClusterRows...), elasticacheGroupRows[0]))
	})
	t.Run("serverless caches", func(t *testing.T) {
		s, api := estate()
		inventory.Put(s, elasticacheServerlessCaches, api.serverless[0], throttled)
		var got []Finding
		if err := analyseElastiCache(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
			t.Fatalf("err %v, want the listing's", err)
		}
		elasticacheRequire(t, got, append(append(append([]elasticacheWant{}, elasticacheClusterRows...), elasticacheGroupRows...),
			elasticacheWant{"p1-sc", "ELASTICACHE-8", false}))
	})
	t.Run("member engines", func(t *testing.T) {
		s, api := estate()
		groups := append([]elasticachetypes.ReplicationGroup{}, api.groups[1]...)
		groups[0].Engine = nil // p2-group, whose members are on page 2
		groups = append([]elasticachetypes.ReplicationGroup{api.groups[0][0]}, groups...)
		inventory.Put(s, elasticacheReplicationGroups, groups, nil)
		inventory.Put(s, elasticacheClusters, api.all[0], throttled)
		var got []Finding
		if err := analyseElastiCache(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
			t.Fatalf("err %v, want the full listing's", err)
		}
		elasticacheRequire(t, got, append(append([]elasticacheWant{}, elasticacheClusterRows...), elasticacheGroupRows[0]))
	})
}

func TestElastiCacheAnalyserDeclaration(t *testing.T) {
	want := []string{"elasticache:DescribeCacheClusters",
		"elasticache:DescribeReplicationGroups", "elasticache:DescribeServerlessCaches"}
	if got := ElastiCache.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
