package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"

	"github.com/faultline/faultline/analysers"
)

// seedRedshift creates single-AZ clusters. moto 5.2.1 neither stores nor
// returns MultiAZ, MultiAZSecondary or AvailabilityZoneRelocationStatus, so
// the Multi-AZ (healthy) and relocation-enabled cases are covered by the unit
// tests' fakes only; a cluster without MultiAZ is exactly the field-missing
// case that crashed the Python tool.
func seedRedshift(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := redshift.NewFromConfig(cfg)
	r := cfg.Region
	account := accountOf(t, ctx, cfg)
	create := func(id, az string, nodes int32) string {
		in := &redshift.CreateClusterInput{
			ClusterIdentifier: aws.String(id), NodeType: aws.String("ra3.xlplus"),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("Password123"),
		}
		if az != "" {
			in.AvailabilityZone = aws.String(az)
		}
		if nodes > 1 {
			in.ClusterType, in.NumberOfNodes = aws.String("multi-node"), aws.Int32(nodes)
		} else {
			in.ClusterType = aws.String("single-node")
		}
		if _, err := api.CreateCluster(ctx, in); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
		return "arn:aws:redshift:" + r + ":" + account + ":cluster:" + id
	}
	single := func(id, az string) string {
		return "Redshift cluster " + id + " runs all its compute in one Availability Zone (" + az +
			") without Multi-AZ or Availability Zone relocation, so an outage of that zone takes it down."
	}
	return []row{
		{"redshift", r, create("rs-single-node", r+"b", 1), "rs-single-node", "rs-single-node", "True", "", single("rs-single-node", r+"b"), "REDSHIFT-1", "HIGH"},
		// No AZ given: moto places the cluster in <region>a.
		{"redshift", r, create("rs-multi-node", "", 3), "rs-multi-node", "rs-multi-node", "True", "", single("rs-multi-node", r+"a"), "REDSHIFT-1", "HIGH"},
	}
}

func TestMotoRedshift(t *testing.T) {
	checkAnalyser(t, analysers.Redshift, seedRedshift, "100000000103", "ap-southeast-2")
}
