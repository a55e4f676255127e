package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dax"

	"github.com/faultline/faultline/analysers"
)

// seedDAX creates the DAX cases moto 5.2.1 can represent. moto puts every
// node in <region>a (so the healthy multi-AZ case is covered by fakes only),
// lists a cluster's nodes only once it is "available", which it becomes after
// a few DescribeClusters calls (4 in moto 5.2.1); before that it answers
// "creating" with no Nodes. The seeder describes the clusters that must show
// nodes until they are available, and leaves one cluster undescribed so
// that the analyser meets a cluster still being created. A deleted cluster
// vanishes from moto on the next DescribeClusters, so "deleting" is covered
// by fakes.
func seedDAX(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := dax.NewFromConfig(cfg)
	r := cfg.Region
	create := func(name string, nodes int32, describe bool) string {
		out, err := api.CreateCluster(ctx, &dax.CreateClusterInput{
			ClusterName: aws.String(name), NodeType: aws.String("dax.t3.small"), ReplicationFactor: nodes,
			IamRoleArn: aws.String("arn:aws:iam::" + accountOf(t, ctx, cfg) + ":role/dax"),
		})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		// Each DescribeClusters naming the cluster moves moto's state machine
		// on; it turns "available", and lists the nodes, after a few calls.
		for try := 0; describe; try++ {
			got, err := api.DescribeClusters(ctx, &dax.DescribeClustersInput{ClusterNames: []string{name}})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Clusters) == 1 && aws.ToString(got.Clusters[0].Status) == "available" {
				break
			}
			if try == 20 {
				t.Fatalf("%s never became available", name)
			}
		}
		return aws.ToString(out.Cluster.ClusterArn)
	}
	a := r + "a"
	return []row{
		{"dax", r, create("dax-one-node", 1, true), "dax-one-node", "", "True", "",
			"DAX cluster dax-one-node has a single node (" + a + "), so an Availability Zone failure takes it down.", "DAX-1", "HIGH"},
		{"dax", r, create("dax-three-nodes", 3, true), "dax-three-nodes", "", "True", "",
			"DAX cluster dax-three-nodes has 3 nodes, all in one Availability Zone (" + a + "), so an Availability Zone failure takes it down.", "DAX-1", "HIGH"},
		{"dax", r, create("dax-creating", 3, false), "dax-creating", "", "True", "",
			"DAX cluster dax-creating has no nodes yet (status creating), so it cannot be shown to span Availability Zones.", "DAX-1", "HIGH"},
	}
}

func TestMotoDAX(t *testing.T) {
	checkAnalyser(t, analysers.DAX, seedDAX, "100000000203", "eu-west-3")
}
