package integration

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	memorydbtypes "github.com/aws/aws-sdk-go-v2/service/memorydb/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/faultline/faultline/analysers"
)

// memorydbReplicaCountZero replaces the UpdateCluster request body: the Go
// SDK omits ReplicaCount when it is 0 (a value type), and moto ignores
// NumReplicasPerShard=0 at creation, so this is the only way to seed a
// one-node shard.
func memorydbReplicaCountZero(cluster string) func(*memorydb.Options) {
	body := []byte(fmt.Sprintf(`{"ClusterName":%q,"ReplicaConfiguration":{"ReplicaCount":0}}`, cluster))
	return func(o *memorydb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Build.Add(middleware.BuildMiddlewareFunc("memorydbReplicaCountZero",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					req, ok := in.Request.(*smithyhttp.Request)
					if !ok {
						return next.HandleBuild(ctx, in)
					}
					req, err := req.SetStream(bytes.NewReader(body))
					if err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					req.ContentLength = int64(len(body))
					in.Request = req
					return next.HandleBuild(ctx, in)
				}), middleware.After)
		})
	}
}

// seedMemoryDB creates one MemoryDB cluster per case moto can represent.
// moto picks node AZs at random among <region>a..d (and re-picks them on
// every UpdateCluster ReplicaConfiguration), so the seeder re-rolls each
// cluster until its placement is the wanted one and builds the expected
// message from the AZs moto reports. Shards in one cluster always have the
// same number of nodes in moto: mixed shards are covered by fakes.
func seedMemoryDB(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := memorydb.NewFromConfig(cfg)
	r := cfg.Region
	create := func(name string, shards int32) string {
		out, err := api.CreateCluster(ctx, &memorydb.CreateClusterInput{
			ClusterName: aws.String(name), NodeType: aws.String("db.t4g.small"), ACLName: aws.String("open-access"),
			NumShards: aws.Int32(shards),
		})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.Cluster.ARN)
	}
	shardAZs := func(name string) [][]string {
		out, err := api.DescribeClusters(ctx, &memorydb.DescribeClustersInput{ClusterName: aws.String(name), ShowShardDetails: aws.Bool(true)})
		if err != nil || len(out.Clusters) != 1 {
			t.Fatalf("describe %s: %v", name, err)
		}
		var azs [][]string
		for _, sh := range out.Clusters[0].Shards {
			var nodes []string
			for _, n := range sh.Nodes {
				nodes = append(nodes, aws.ToString(n.AvailabilityZone))
			}
			azs = append(azs, nodes)
		}
		return azs
	}
	// reroll re-creates the nodes (one replica per shard) until ok accepts
	// their AZs; each try succeeds with probability 1/4 or more.
	reroll := func(name string, ok func([][]string) bool) [][]string {
		for try := 0; try < 200; try++ {
			if azs := shardAZs(name); ok(azs) {
				return azs
			}
			if _, err := api.UpdateCluster(ctx, &memorydb.UpdateClusterInput{ClusterName: aws.String(name),
				ReplicaConfiguration: &memorydbtypes.ReplicaConfigurationRequest{ReplicaCount: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		t.Fatalf("%s: moto never gave the wanted placement", name)
		return nil
	}
	sameAZ := func(nodes []string) bool { return len(nodes) == 2 && nodes[0] == nodes[1] }

	single := create("mdb-single-node", 1)
	if _, err := api.UpdateCluster(ctx, &memorydb.UpdateClusterInput{ClusterName: aws.String("mdb-single-node")},
		memorydbReplicaCountZero("mdb-single-node")); err != nil {
		t.Fatal(err)
	}
	singleAZs := shardAZs("mdb-single-node")
	if len(singleAZs) != 1 || len(singleAZs[0]) != 1 {
		t.Fatalf("mdb-single-node: want 1 shard of 1 node, got %v", singleAZs)
	}

	oneAZ := create("mdb-one-az", 1)
	oneAZs := reroll("mdb-one-az", func(azs [][]string) bool { return len(azs) == 1 && sameAZ(azs[0]) })

	multi := create("mdb-multi-az", 2)
	multiAZs := reroll("mdb-multi-az", func(azs [][]string) bool {
		return len(azs) == 2 && len(azs[0]) == 2 && len(azs[1]) == 2 && !sameAZ(azs[0]) && !sameAZ(azs[1])
	})
	union := map[string]bool{}
	for _, sh := range multiAZs {
		for _, az := range sh {
			union[az] = true
		}
	}
	var all []string
	for az := range union {
		all = append(all, az)
	}
	sort.Strings(all)
	allList := all[0]
	for _, az := range all[1:] {
		allList += ", " + az
	}

	// moto reports no Engine for MemoryDB clusters: the column stays empty.
	return []row{
		{"memorydb", r, single, "mdb-single-node", "", "True", "",
			"MemoryDB cluster mdb-single-node (1 shard) is at risk: shard 0001 has no replica (1 node in " + singleAZs[0][0] + ").",
			"MEMORYDB-1", "HIGH"},
		{"memorydb", r, oneAZ, "mdb-one-az", "", "True", "",
			"MemoryDB cluster mdb-one-az (1 shard) is at risk: shard 0001 has all 2 nodes in one Availability Zone (" + oneAZs[0][0] + ").",
			"MEMORYDB-2", "HIGH"},
		{"memorydb", r, multi, "mdb-multi-az", "", "False", "",
			"MemoryDB cluster mdb-multi-az (2 shards) has nodes in at least 2 Availability Zones in every shard (" + allList + ").",
			"MEMORYDB-3", "INFO"},
	}
}

func TestMotoMemoryDB(t *testing.T) {
	checkAnalyser(t, analysers.MemoryDB, seedMemoryDB, "100000000202", "eu-central-1")
}
