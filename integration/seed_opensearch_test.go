package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	opensearchtypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"

	"github.com/faultline/faultline/analysers"
)

// seedOpenSearch creates public and VPC domains: single data node, zone
// awareness off, zone awareness over two and three AZs (one with Multi-AZ
// with Standby), a zone-aware VPC domain whose subnets share one AZ, and an
// Elasticsearch-engine domain; with and without dedicated master nodes
// (moto echoes DedicatedMasterEnabled/Count), so that zone-aware domains get
// their quorum verdict (OPENSEARCH-3 lost with one zone, OPENSEARCH-4 kept on
// data nodes only, OPENSEARCH-2 healthy with 3 masters over 3 zones); eleven
// in all, so DescribeDomains is called in three batches. moto reports no VPCOptions.AvailabilityZones, so the AZs come
// from the subnets. Covered by fakes only: domains whose deletion is in
// progress (moto removes a domain at once) and subnets that no longer exist.
func seedOpenSearch(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	a, b, c := cfg.Region+"a", cfg.Region+"b", cfg.Region+"c"
	// A second subnet in AZ a, for a zone-aware domain whose subnets share
	// one AZ (AWS would refuse it; moto does not check).
	vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	extra, err := ec2.NewFromConfig(cfg).CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: vpcs.Vpcs[0].VpcId, CidrBlock: aws.String("172.31.201.0/24"), AvailabilityZone: aws.String(a),
	})
	if err != nil {
		t.Fatal(err)
	}
	api := opensearch.NewFromConfig(cfg)
	account := accountOf(t, ctx, cfg)
	// create makes a domain with n data nodes; zones > 0 turns zone
	// awareness on over that many AZs; masters > 0 adds that many dedicated
	// master nodes; subnetIDs make it a VPC domain.
	create := func(name, engine string, n, zones, masters int32, standby bool, subnetIDs ...string) (arn, id, version string) {
		t.Helper()
		cc := &opensearchtypes.ClusterConfig{InstanceType: opensearchtypes.OpenSearchPartitionInstanceTypeR6gLargeSearch,
			InstanceCount: aws.Int32(n), ZoneAwarenessEnabled: aws.Bool(zones > 0)}
		if zones > 0 {
			cc.ZoneAwarenessConfig = &opensearchtypes.ZoneAwarenessConfig{AvailabilityZoneCount: aws.Int32(zones)}
		}
		if standby {
			cc.MultiAZWithStandbyEnabled = aws.Bool(true)
		}
		if masters > 0 {
			cc.DedicatedMasterEnabled, cc.DedicatedMasterCount = aws.Bool(true), aws.Int32(masters)
			cc.DedicatedMasterType = opensearchtypes.OpenSearchPartitionInstanceTypeM6gLargeSearch
		}
		in := &opensearch.CreateDomainInput{DomainName: aws.String(name), ClusterConfig: cc}
		if engine != "" {
			in.EngineVersion = aws.String(engine)
		}
		if len(subnetIDs) > 0 {
			in.VPCOptions = &opensearchtypes.VPCOptions{SubnetIds: subnetIDs}
		}
		out, err := api.CreateDomain(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		// The rows expect the domain ID and engine version as AWS forms them,
		// not as moto echoed them.
		return aws.ToString(out.DomainStatus.ARN), account + "/" + name, engine
	}
	r := cfg.Region
	var rows []row
	add := func(name, risk, msg, check string, arn, id, version string) {
		severity := "HIGH"
		if check == "OPENSEARCH-4" {
			severity = "MEDIUM"
		}
		rows = append(rows, row{"opensearch", r, arn, name, id, risk, version, msg, check, severity})
	}
	const (
		down     = " and an outage of that zone makes the domain unavailable."
		keeps    = ", so it keeps serving, and keeps its quorum (2 of 3 masters left), if one zone fails."
		noQuorum = ", so the domain cannot elect a cluster manager until the zone returns."
		onData   = ", and the cluster manager then runs on data nodes that are taking over the lost zone's shards."
	)
	arn, id, v := create("os-public-solo", "OpenSearch_2.11", 1, 0, 0, false)
	add("os-public-solo", "True", "OpenSearch domain os-public-solo has a single data node, so an outage of its Availability Zone makes the domain unavailable.", "OPENSEARCH-1", arn, id, v)
	arn, id, v = create("os-vpc-solo", "OpenSearch_2.11", 1, 0, 0, false, subnets[a])
	add("os-vpc-solo", "True", "OpenSearch domain os-vpc-solo has a single data node in "+a+", so an outage of its Availability Zone makes the domain unavailable.", "OPENSEARCH-1", arn, id, v)
	arn, id, v = create("os-public-flat", "OpenSearch_2.11", 3, 0, 0, false)
	add("os-public-flat", "True", "OpenSearch domain os-public-flat has zone awareness disabled, so all 3 data nodes are in one Availability Zone"+down, "OPENSEARCH-2", arn, id, v)
	arn, id, v = create("os-vpc-flat", "OpenSearch_2.11", 2, 0, 0, false, subnets[b])
	add("os-vpc-flat", "True", "OpenSearch domain os-vpc-flat has zone awareness disabled, so both data nodes are in one Availability Zone ("+b+")"+down, "OPENSEARCH-2", arn, id, v)
	arn, id, v = create("os-public-zones", "OpenSearch_2.11", 4, 2, 0, false)
	add("os-public-zones", "True", "OpenSearch domain os-public-zones has zone awareness over 2 Availability Zones but no dedicated master nodes: its 4 data nodes elect the cluster manager, and losing the zone holding 2 of them leaves 2 of 4, short of the quorum of 3"+noQuorum, "OPENSEARCH-3", arn, id, v)
	arn, id, v = create("os-public-standby", "OpenSearch_2.11", 3, 3, 3, true)
	add("os-public-standby", "False", "OpenSearch domain os-public-standby has zone awareness enabled and spreads 3 data nodes over 3 Availability Zones with 3 dedicated master nodes and one zone held as standby (Multi-AZ with Standby)"+keeps, "OPENSEARCH-2", arn, id, v)
	arn, id, v = create("os-vpc-zones", "OpenSearch_2.11", 3, 3, 0, false, subnets[c], subnets[a], subnets[b])
	add("os-vpc-zones", "True", "OpenSearch domain os-vpc-zones spreads 3 data nodes over 3 Availability Zones ("+a+", "+b+", "+c+") but has no dedicated master nodes: losing one zone leaves 2 of 3 master-eligible data nodes (a quorum needs 2)"+onData, "OPENSEARCH-4", arn, id, v)
	arn, id, v = create("os-vpc-masters", "OpenSearch_2.11", 3, 3, 3, false, subnets[b], subnets[c], subnets[a])
	add("os-vpc-masters", "False", "OpenSearch domain os-vpc-masters has zone awareness enabled and spreads 3 data nodes over 3 Availability Zones ("+a+", "+b+", "+c+") with 3 dedicated master nodes"+keeps, "OPENSEARCH-2", arn, id, v)
	arn, id, v = create("os-vpc-masters-2az", "OpenSearch_2.11", 4, 2, 3, false, subnets[a], subnets[b])
	add("os-vpc-masters-2az", "True", "OpenSearch domain os-vpc-masters-2az has 3 dedicated master nodes over 2 Availability Zones ("+a+", "+b+"): losing the zone holding 2 of them leaves 1 of 3, short of the quorum of 2"+noQuorum, "OPENSEARCH-3", arn, id, v)
	arn, id, v = create("os-vpc-same-az", "OpenSearch_2.11", 2, 2, 0, false, subnets[a], aws.ToString(extra.Subnet.SubnetId))
	add("os-vpc-same-az", "True", "OpenSearch domain os-vpc-same-az has zone awareness enabled for 2 Availability Zones, but its VPC subnets are all in one Availability Zone ("+a+"), so an outage of that zone makes the domain unavailable.", "OPENSEARCH-2", arn, id, v)
	arn, id, v = create("es-vpc-zones", "Elasticsearch_7.10", 2, 2, 0, false, subnets[a], subnets[b])
	add("es-vpc-zones", "True", "OpenSearch domain es-vpc-zones has zone awareness over 2 Availability Zones ("+a+", "+b+") but no dedicated master nodes: its 2 data nodes elect the cluster manager, and losing the zone holding 1 of them leaves 1 of 2, short of the quorum of 2"+noQuorum, "OPENSEARCH-3", arn, id, v)
	return rows
}

func TestMotoOpenSearch(t *testing.T) {
	checkAnalyser(t, analysers.OpenSearch, seedOpenSearch, "100000000303", "ap-southeast-2")
}
