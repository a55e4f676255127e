package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"

	"github.com/faultline/faultline/analysers"
)

// seedCloudHSM creates a cluster over two AZs' subnets. moto never puts an
// HSM in a cluster (CreateHsm is not implemented, Hsms is always []), so only
// the no-HSM case can be proven here; the one-HSM, one-AZ and two-AZ cases
// are covered by fakes. A deleted cluster is dropped by moto rather than
// listed as DELETED, so the skipping of deleted clusters is fakes-only too.
func seedCloudHSM(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	r := cfg.Region
	out, err := cloudhsmv2.NewFromConfig(cfg).CreateCluster(ctx, &cloudhsmv2.CreateClusterInput{
		HsmType:   aws.String("hsm1.medium"),
		SubnetIds: []string{subnets[r+"a"], subnets[r+"b"]},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Cluster.ClusterId)
	arn := "arn:aws:cloudhsm:" + r + ":" + accountOf(t, ctx, cfg) + ":cluster/" + id
	return []row{{"cloudhsm", r, arn, id, id, "True", "",
		"CloudHSM cluster " + id + " has no HSM, so nothing serves its requests; it needs HSMs in at least two Availability Zones.",
		"CLOUDHSM-1", "HIGH"}}
}

func TestMotoCloudHSM(t *testing.T) {
	checkAnalyser(t, analysers.CloudHSM, seedCloudHSM, "100000000402", "us-west-2")
}
