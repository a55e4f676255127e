package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"

	"github.com/faultline/faultline/analysers"
)

// seedMSK creates provisioned clusters with client subnets in three, two
// and one AZ (AWS refuses one; moto does not) and a serverless cluster.
// moto lists every cluster as CREATING and ignores maxResults, so the
// deleting and failed states, broker node groups that report ZoneIds,
// subnets that cannot be found and the two-page read are covered by the
// unit tests' fakes only.
func seedMSK(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"
	api := kafka.NewFromConfig(cfg)
	provisioned := func(name string, brokers int32, subnetIDs ...string) string {
		t.Helper()
		out, err := api.CreateClusterV2(ctx, &kafka.CreateClusterV2Input{ClusterName: aws.String(name),
			Provisioned: &kafkatypes.ProvisionedRequest{KafkaVersion: aws.String("3.6.0"), NumberOfBrokerNodes: aws.Int32(brokers),
				BrokerNodeGroupInfo: &kafkatypes.BrokerNodeGroupInfo{ClientSubnets: subnetIDs, InstanceType: aws.String("kafka.m5.large")}}})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.ClusterArn)
	}
	serverless := func(name string, subnetIDs ...string) string {
		t.Helper()
		out, err := api.CreateClusterV2(ctx, &kafka.CreateClusterV2Input{ClusterName: aws.String(name),
			Serverless: &kafkatypes.ServerlessRequest{VpcConfigs: []kafkatypes.VpcConfig{{SubnetIds: subnetIDs}}}})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.ClusterArn)
	}
	mskRow := func(arn, name, risk, msg, check, severity string) row {
		return row{"msk", r, arn, name, arn[strings.LastIndexByte(arn, '/')+1:], risk, "", msg, check, severity}
	}
	return []row{
		mskRow(provisioned("msk-three-azs", 6, subnets[c], subnets[a], subnets[b]), "msk-three-azs", "False",
			"MSK cluster msk-three-azs has 6 broker nodes in 3 client subnets across 3 Availability Zones ("+a+", "+b+", "+c+
				"), so it keeps a majority of each partition's replicas if one zone fails.", "MSK-2", "MEDIUM"),
		mskRow(provisioned("msk-two-azs", 4, subnets[a], subnets[b]), "msk-two-azs", "True",
			"MSK cluster msk-two-azs has 4 broker nodes in 2 client subnets across 2 Availability Zones ("+a+", "+b+
				"): losing one zone takes half of the brokers, and partitions with two of their three replicas in that zone fall below min.insync.replicas=2 and stop accepting writes; MSK recommends three Availability Zones.",
			"MSK-2", "MEDIUM"),
		mskRow(provisioned("msk-one-az", 1, subnets[b]), "msk-one-az", "True",
			"MSK cluster msk-one-az has 1 broker node in 1 client subnet, all in one Availability Zone ("+b+
				"), so an outage of that zone takes the whole cluster down.", "MSK-1", "HIGH"),
		mskRow(serverless("msk-serverless", subnets[a], subnets[b]), "msk-serverless", "False",
			"MSK Serverless cluster msk-serverless has no brokers of its own to place: MSK spreads its capacity over the region's Availability Zones (its client subnets are in 2 Availability Zones: "+a+", "+b+").",
			"MSK-3", "INFO"),
	}
}

func TestMotoMSK(t *testing.T) {
	checkAnalyser(t, analysers.MSK, seedMSK, "105000000502", "eu-west-3")
}
