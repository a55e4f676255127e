package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	elasticachetypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/faultline/faultline/analysers"
)

// seedElastiCache creates a risky and a healthy example of every ElastiCache
// case moto 5.2.1 can represent. moto quirks (see moto.md): CacheNodes are
// always empty, so a memcached cluster's AZ is known only when a single AZ
// is given; NumCacheClusters is ignored (replicas only through
// ReplicasPerNodeGroup); unspecified AZs default to us-east-1a/b in every
// region, so every group here names its AZs; cluster mode needs
// ClusterMode=enabled. Serverless caches are not implemented (HTTP 500).
func seedElastiCache(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := elasticache.NewFromConfig(cfg)
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"

	cluster := func(in *elasticache.CreateCacheClusterInput) string {
		in.CacheNodeType = aws.String("cache.t3.micro")
		out, err := api.CreateCacheCluster(ctx, in)
		if err != nil {
			t.Fatalf("create cache cluster %s: %v", aws.ToString(in.CacheClusterId), err)
		}
		return aws.ToString(out.CacheCluster.ARN)
	}
	group := func(in *elasticache.CreateReplicationGroupInput) string {
		in.ReplicationGroupDescription = aws.String("faultline test")
		in.CacheNodeType = aws.String("cache.t3.micro")
		out, err := api.CreateReplicationGroup(ctx, in)
		if err != nil {
			t.Fatalf("create replication group %s: %v", aws.ToString(in.ReplicationGroupId), err)
		}
		return aws.ToString(out.ReplicationGroup.ARN)
	}
	shard := func(id, primary string, replicas ...string) elasticachetypes.NodeGroupConfiguration {
		return elasticachetypes.NodeGroupConfiguration{NodeGroupId: aws.String(id), PrimaryAvailabilityZone: aws.String(primary),
			ReplicaAvailabilityZones: replicas, ReplicaCount: aws.Int32(int32(len(replicas)))}
	}
	ec := func(arn, id, risk, engine, msg, check, sev string) row {
		return row{"elasticache", r, arn, id, id, risk, engine, msg, check, sev}
	}

	// Being deleted: not judged.
	cluster(&elasticache.CreateCacheClusterInput{CacheClusterId: aws.String("redis-deleting"), Engine: aws.String("redis")})
	if _, err := api.DeleteCacheCluster(ctx, &elasticache.DeleteCacheClusterInput{CacheClusterId: aws.String("redis-deleting")}); err != nil {
		t.Fatal(err)
	}
	group(&elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("rg-deleting"), Engine: aws.String("redis"),
		AutomaticFailoverEnabled: aws.Bool(false), PreferredCacheClusterAZs: []string{a}})
	if _, err := api.DeleteReplicationGroup(ctx, &elasticache.DeleteReplicationGroupInput{ReplicationGroupId: aws.String("rg-deleting")}); err != nil {
		t.Fatal(err)
	}

	return []row{
		ec(cluster(&elasticache.CreateCacheClusterInput{CacheClusterId: aws.String("mc-one-az"), Engine: aws.String("memcached"),
			NumCacheNodes: aws.Int32(2), PreferredAvailabilityZone: aws.String(a)}),
			"mc-one-az", "True", "memcached",
			"ElastiCache memcached cluster mc-one-az has 2 nodes, all in one Availability Zone ("+a+"), and memcached does not replicate data between nodes, so an Availability Zone failure takes the whole cache down.",
			"ELASTICACHE-1", "HIGH"),
		// moto reports no AZ at all for a cross-AZ memcached cluster; the
		// cross-AZ (ELASTICACHE-2) branch is covered by fakes.
		ec(cluster(&elasticache.CreateCacheClusterInput{CacheClusterId: aws.String("mc-cross-az"), Engine: aws.String("memcached"),
			NumCacheNodes: aws.Int32(2), AZMode: elasticachetypes.AZModeCrossAz, PreferredAvailabilityZones: []string{a, b}}),
			"mc-cross-az", "True", "memcached",
			"ElastiCache memcached cluster mc-cross-az has 2 nodes whose Availability Zones are not reported, and memcached does not replicate data between nodes, so the data on the nodes of a failed Availability Zone is lost.",
			"ELASTICACHE-1", "HIGH"),
		ec(cluster(&elasticache.CreateCacheClusterInput{CacheClusterId: aws.String("redis-single"), Engine: aws.String("redis"),
			PreferredAvailabilityZone: aws.String(a)}),
			"redis-single", "True", "redis",
			"ElastiCache redis cache cluster redis-single is not in a replication group: it is a single node in "+a+" with no replica, so an Availability Zone failure takes it down.",
			"ELASTICACHE-3", "HIGH"),
		ec(cluster(&elasticache.CreateCacheClusterInput{CacheClusterId: aws.String("valkey-single"), Engine: aws.String("valkey")}),
			"valkey-single", "True", "valkey",
			"ElastiCache valkey cache cluster valkey-single is not in a replication group: it is a single node with no replica (its Availability Zone is not reported), so an Availability Zone failure takes it down.",
			"ELASTICACHE-3", "HIGH"),
		ec(group(&elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("rg-no-failover"), Engine: aws.String("redis"),
			AutomaticFailoverEnabled: aws.Bool(false), PreferredCacheClusterAZs: []string{a}}),
			"rg-no-failover", "True", "redis",
			"ElastiCache redis replication group rg-no-failover (cluster mode disabled) is at risk: automatic failover is disabled, so no replica takes over automatically if the primary's Availability Zone fails; the group has no replica (1 node in "+a+").",
			"ELASTICACHE-4", "HIGH"),
		ec(group(&elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("rg-one-az"), Engine: aws.String("redis"),
			AutomaticFailoverEnabled: aws.Bool(true), MultiAZEnabled: aws.Bool(true), ReplicasPerNodeGroup: aws.Int32(1),
			PreferredCacheClusterAZs: []string{a, a}}),
			"rg-one-az", "True", "redis",
			"ElastiCache redis replication group rg-one-az (cluster mode disabled) is at risk: the group has all 2 nodes in one Availability Zone ("+a+"), even though Multi-AZ is enabled.",
			"ELASTICACHE-6", "HIGH"),
		ec(group(&elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("rg-healthy"), Engine: aws.String("valkey"),
			AutomaticFailoverEnabled: aws.Bool(true), MultiAZEnabled: aws.Bool(true), ReplicasPerNodeGroup: aws.Int32(2),
			PreferredCacheClusterAZs: []string{a, b, c}}),
			"rg-healthy", "False", "valkey",
			"ElastiCache valkey replication group rg-healthy (cluster mode disabled) has automatic failover enabled and its 3 nodes spread over 3 Availability Zones ("+a+", "+b+", "+c+").",
			"ELASTICACHE-7", "INFO"),
		ec(group(&elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("rg-cme-one-shard"), Engine: aws.String("redis"),
			ClusterMode: elasticachetypes.ClusterModeEnabled, NumNodeGroups: aws.Int32(1), AutomaticFailoverEnabled: aws.Bool(true),
			NodeGroupConfiguration: []elasticachetypes.NodeGroupConfiguration{shard("0001", a, b)}}),
			"rg-cme-one-shard", "False", "redis",
			"ElastiCache redis replication group rg-cme-one-shard (cluster mode enabled, 1 shard) has automatic failover enabled and every shard has nodes in at least 2 Availability Zones ("+a+", "+b+").",
			"ELASTICACHE-7", "INFO"),
		ec(group(&elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("rg-cme-no-replica"), Engine: aws.String("redis"),
			ClusterMode: elasticachetypes.ClusterModeEnabled, NumNodeGroups: aws.Int32(2), AutomaticFailoverEnabled: aws.Bool(true),
			NodeGroupConfiguration: []elasticachetypes.NodeGroupConfiguration{shard("0001", a, b), shard("0002", b)}}),
			"rg-cme-no-replica", "True", "redis",
			"ElastiCache redis replication group rg-cme-no-replica (cluster mode enabled, 2 shards) is at risk: shard 0002 has no replica (1 node in "+b+").",
			"ELASTICACHE-5", "HIGH"),
		ec(group(&elasticache.CreateReplicationGroupInput{ReplicationGroupId: aws.String("rg-cme-one-az"), Engine: aws.String("redis"),
			ClusterMode: elasticachetypes.ClusterModeEnabled, NumNodeGroups: aws.Int32(2), AutomaticFailoverEnabled: aws.Bool(true),
			MultiAZEnabled:         aws.Bool(true),
			NodeGroupConfiguration: []elasticachetypes.NodeGroupConfiguration{shard("0001", a, a), shard("0002", b, b)}}),
			"rg-cme-one-az", "True", "redis",
			"ElastiCache redis replication group rg-cme-one-az (cluster mode enabled, 2 shards) is at risk: shard 0001 has all 2 nodes in one Availability Zone ("+a+"); shard 0002 has all 2 nodes in one Availability Zone ("+b+"), even though Multi-AZ is enabled.",
			"ELASTICACHE-6", "HIGH"),
	}
}

// The analyser calls DescribeServerlessCaches last, after emitting every
// cluster and replication group row; moto does not implement it, so the
// serverless rows are covered by fakes (analysers/elasticache_test.go).
func TestMotoElastiCache(t *testing.T) {
	checkAnalyserUntilUnimplemented(t, analysers.ElastiCache, seedElastiCache, "100000000201", "ap-southeast-2", "DescribeServerlessCaches")
}
