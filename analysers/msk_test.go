package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"

	"github.com/faultline/faultline/inventory"
)

// mskTestSubnets are the test subnets and one in us-east-1c (use1-az3).
var mskTestSubnets = append(slices.Clone(testSubnets), inventory.Subnet{ID: "subnet-c1", VPCID: "vpc-1", AZ: "us-east-1c", AZID: "use1-az3"})

func mskTestSubnetIndex() map[string]inventory.Subnet {
	m := map[string]inventory.Subnet{}
	for _, s := range mskTestSubnets {
		m[s.ID] = s
	}
	return m
}

func mskTestArn(name string) string {
	return "arn:aws:kafka:us-east-1:111111111111:cluster/" + name + "/0a1b2c3d-" + name
}

func mskTestCluster(name string, brokers int32, subnets ...string) kafkatypes.Cluster {
	return kafkatypes.Cluster{ClusterName: aws.String(name), ClusterArn: aws.String(mskTestArn(name)),
		ClusterType: kafkatypes.ClusterTypeProvisioned, State: kafkatypes.ClusterStateActive,
		Provisioned: &kafkatypes.Provisioned{NumberOfBrokerNodes: aws.Int32(brokers),
			BrokerNodeGroupInfo: &kafkatypes.BrokerNodeGroupInfo{ClientSubnets: subnets, InstanceType: aws.String("kafka.m5.large")}}}
}

func mskTestServerless(name string, subnets ...string) kafkatypes.Cluster {
	c := kafkatypes.Cluster{ClusterName: aws.String(name), ClusterArn: aws.String("arn:aws:kafka:us-east-1:111111111111:serverless-cluster/" + name + "/0a1b2c3d-" + name),
		ClusterType: kafkatypes.ClusterTypeServerless, State: kafkatypes.ClusterStateActive, Serverless: &kafkatypes.Serverless{}}
	if len(subnets) > 0 {
		c.Serverless.VpcConfigs = []kafkatypes.VpcConfig{{SubnetIds: subnets[:1]}, {SubnetIds: subnets[1:]}}
	}
	return c
}

// moto 5.2.1 lists every cluster as CREATING and echoes the broker node
// group it was given, so deleting and failed clusters, zone IDs that stand
// in for subnets not found, and missing fields are covered by these fakes
// only.
func TestJudgeMSKCluster(t *testing.T) {
	withZones := func(c kafkatypes.Cluster, zones ...string) kafkatypes.Cluster {
		c.Provisioned.BrokerNodeGroupInfo.ZoneIds = zones
		return c
	}
	noGroup := mskTestCluster("no-group", 3)
	noGroup.Provisioned.BrokerNodeGroupInfo = nil
	noProvisioned := mskTestCluster("no-provisioned", 3)
	noProvisioned.Provisioned = nil
	untyped := mskTestServerless("untyped", "subnet-a1", "subnet-b1")
	untyped.ClusterType = ""
	abc := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	abcID := []string{"use1-az1", "use1-az2", "use1-az3"}
	ab, abID := abc[:2], abcID[:2]
	const keeps = ", so it keeps a majority of each partition's replicas if one zone fails."
	const half = ": losing one zone takes half of the brokers, and partitions with two of their three replicas in that zone fall below min.insync.replicas=2 and stop accepting writes; MSK recommends three Availability Zones."
	const down = ", so an outage of that zone takes the whole cluster down."
	cases := []struct {
		name, check string
		cluster     kafkatypes.Cluster
		severity    Severity
		risk        bool
		message     string
		azs, azIDs  []string
	}{
		{"three AZs", "MSK-2", mskTestCluster("three", 6, "subnet-c1", "subnet-a1", "subnet-b1"), SeverityMedium, false,
			"MSK cluster three has 6 broker nodes in 3 client subnets across 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c)" + keeps, abc, abcID},
		{"two AZs", "MSK-2", mskTestCluster("two", 4, "subnet-a1", "subnet-b1"), SeverityMedium, true,
			"MSK cluster two has 4 broker nodes in 2 client subnets across 2 Availability Zones (us-east-1a, us-east-1b)" + half, ab, abID},
		{"three subnets in two AZs", "MSK-2", mskTestCluster("three-in-two", 3, "subnet-a1", "subnet-a2", "subnet-b1"), SeverityMedium, true,
			"MSK cluster three-in-two has 3 broker nodes in 3 client subnets across 2 Availability Zones (us-east-1a, us-east-1b)" + half, ab, abID},
		{"one subnet", "MSK-1", mskTestCluster("one", 1, "subnet-b1"), SeverityHigh, true,
			"MSK cluster one has 1 broker node in 1 client subnet, all in one Availability Zone (us-east-1b)" + down, abc[1:2], abcID[1:2]},
		{"two subnets in one AZ", "MSK-1", mskTestCluster("same", 2, "subnet-a1", "subnet-a2"), SeverityHigh, true,
			"MSK cluster same has 2 broker nodes in 2 client subnets, all in one Availability Zone (us-east-1a)" + down, abc[:1], abcID[:1]},
		{"a subnet not found, zone IDs say three", "MSK-2", withZones(mskTestCluster("zones", 3, "subnet-a1", "subnet-b1", "subnet-gone"), "use1-az3", "use1-az1", "use1-az2"),
			SeverityMedium, false,
			"MSK cluster zones has 3 broker nodes in 3 Availability Zones (zone IDs use1-az1, use1-az2, use1-az3); 1 client subnet could not be found (subnet-gone)" + keeps, abc, abcID},
		{"zone IDs only, one not in any subnet", "MSK-2", withZones(mskTestCluster("zones-only", 3), "use1-az1", "use1-az2", "use1-az9"), SeverityMedium, false,
			"MSK cluster zones-only has 3 broker nodes in 3 Availability Zones (zone IDs use1-az1, use1-az2, use1-az9)" + keeps, ab, abID},
		{"a subnet not found, zone IDs say no more", "MSK-2", withZones(mskTestCluster("few-zones", 3, "subnet-a1", "subnet-b1", "subnet-gone"), "use1-az1"),
			SeverityMedium, true,
			"MSK cluster few-zones has 3 broker nodes in 3 client subnets; only 2 Availability Zones could be placed (us-east-1a, us-east-1b) and 1 subnet could not be found (subnet-gone)" + half, ab, abID},
		{"a subnet not found, three AZs placed", "MSK-2", mskTestCluster("enough", 4, "subnet-a1", "subnet-b1", "subnet-c1", "subnet-gone"), SeverityMedium, false,
			"MSK cluster enough has 4 broker nodes in 4 client subnets; only 3 Availability Zones could be placed (us-east-1a, us-east-1b, us-east-1c) and 1 subnet could not be found (subnet-gone)" + keeps, abc, abcID},
		{"no subnet found", "MSK-1", mskTestCluster("lost", 3, "subnet-x", "subnet-y"), SeverityHigh, true,
			"MSK cluster lost has 3 broker nodes in 2 client subnets; only 0 Availability Zones could be placed (none) and 2 subnets could not be found (subnet-x, subnet-y).", []string{}, []string{}},
		{"one AZ placed, a subnet not found", "MSK-1", mskTestCluster("half-lost", 2, "subnet-a1", "subnet-y"), SeverityHigh, true,
			"MSK cluster half-lost has 2 broker nodes in 2 client subnets; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-y).", abc[:1], abcID[:1]},
		{"no client subnets", "MSK-1", mskTestCluster("bare", 3), SeverityHigh, true,
			"MSK cluster bare has 3 broker nodes; it lists no client subnets, so its brokers cannot be placed in any Availability Zone.", []string{}, []string{}},
		{"no broker node group", "MSK-1", noGroup, SeverityHigh, true,
			"MSK cluster no-group has 3 broker nodes; it lists no client subnets, so its brokers cannot be placed in any Availability Zone.", []string{}, []string{}},
		{"no provisioned details", "MSK-1", noProvisioned, SeverityHigh, true,
			"MSK cluster no-provisioned has its broker nodes (count not reported); it lists no client subnets, so its brokers cannot be placed in any Availability Zone.", []string{}, []string{}},
		{"serverless", "MSK-3", mskTestServerless("sls", "subnet-a1", "subnet-b1", "subnet-a2"), SeverityInfo, false,
			"MSK Serverless cluster sls has no brokers of its own to place: MSK spreads its capacity over the region's Availability Zones (its client subnets are in 2 Availability Zones: us-east-1a, us-east-1b).", ab, abID},
		{"serverless without VPC configs", "MSK-3", mskTestServerless("sls-bare"), SeverityInfo, false,
			"MSK Serverless cluster sls-bare has no brokers of its own to place: MSK spreads its capacity over the region's Availability Zones.", []string{}, []string{}},
		{"serverless without a cluster type", "MSK-3", untyped, SeverityInfo, false,
			"MSK Serverless cluster untyped has no brokers of its own to place: MSK spreads its capacity over the region's Availability Zones (its client subnets are in 2 Availability Zones: us-east-1a, us-east-1b).", ab, abID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeMSKCluster(c.cluster, mskTestSubnetIndex())
			if f.CheckID != c.check || f.Severity != c.severity || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.severity, c.risk, c.message)
			}
			name := aws.ToString(c.cluster.ClusterName)
			wantType := "AWS::MSK::Cluster"
			if c.check == "MSK-3" {
				wantType = "AWS::MSK::ServerlessCluster"
			}
			if f.ResourceARN != aws.ToString(c.cluster.ClusterArn) || f.ResourceName != name || f.ResourceID != "0a1b2c3d-"+name ||
				f.ResourceType != wantType || f.Engine != "" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

// fakeMSK serves ListClustersV2 page by page (the NextToken is the page
// index), or an error.
type fakeMSK struct {
	pages [][]kafkatypes.Cluster
	err   error
	calls int
}

func (f *fakeMSK) ListClustersV2(_ context.Context, in *kafka.ListClustersV2Input, _ ...func(*kafka.Options)) (*kafka.ListClustersV2Output, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if in.ClusterTypeFilter != nil || in.ClusterNameFilter != nil {
		return nil, errors.New("the listing must not be filtered")
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &kafka.ListClustersV2Output{ClusterInfoList: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

// mskTestPages are two pages of clusters, with a deleting and a failed one
// that are not judged.
func mskTestPages() [][]kafkatypes.Cluster {
	deleting := mskTestCluster("deleting", 1, "subnet-a1")
	deleting.State = kafkatypes.ClusterStateDeleting
	failed := mskTestCluster("failed", 1, "subnet-a1")
	failed.State = kafkatypes.ClusterStateFailed
	creating := mskTestCluster("p2-creating", 3, "subnet-a1", "subnet-b1", "subnet-c1")
	creating.State = kafkatypes.ClusterStateCreating
	return [][]kafkatypes.Cluster{
		{mskTestCluster("p1-two", 2, "subnet-a1", "subnet-b1"), deleting, mskTestServerless("p1-sls", "subnet-a1", "subnet-b1")},
		{failed, creating, mskTestCluster("p2-one", 1, "subnet-a2")},
	}
}

func TestLoadMSKClustersReadsEveryPage(t *testing.T) {
	api := &fakeMSK{pages: mskTestPages()}
	var got []string
	if err := loadMSKClusters(context.Background(), api, func(c kafkatypes.Cluster) { got = append(got, aws.ToString(c.ClusterName)) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1-two", "deleting", "p1-sls", "failed", "p2-creating", "p2-one"}; !slices.Equal(got, want) || api.calls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.calls, want)
	}
	err := loadMSKClusters(context.Background(), &fakeMSK{err: accessDenied("AccessDeniedException")}, func(kafkatypes.Cluster) {
		t.Error("a cluster from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

type mskWant struct {
	check, name string
	risk        bool
}

func mskCheckFindings(t *testing.T, got []Finding, want []mskWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].CheckID != w.check || got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].CheckID, got[i].ResourceName, got[i].Risk, w.check, w.name, w.risk)
		}
	}
}

func TestAnalyseMSK(t *testing.T) {
	s := testScope()
	inventory.Put(s, mskClusters, slices.Concat(mskTestPages()...), nil)
	inventory.Put(s, inventory.Subnets, mskTestSubnets, nil)
	var got []Finding
	if err := analyseMSK(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	mskCheckFindings(t, got, []mskWant{{"MSK-2", "p1-two", true}, {"MSK-3", "p1-sls", false}, {"MSK-2", "p2-creating", false}, {"MSK-1", "p2-one", true}})
}

// Clusters that name no subnets, or only gone ones, need no subnet read
// (the subnets are not in the scope, so reading them would fail).
func TestAnalyseMSKReadsSubnetsOnlyWhenNeeded(t *testing.T) {
	deleting := mskTestCluster("deleting", 1, "subnet-a1")
	deleting.State = kafkatypes.ClusterStateDeleting
	s := testScope()
	inventory.Put(s, mskClusters, []kafkatypes.Cluster{deleting, mskTestServerless("sls"), mskTestCluster("bare", 3)}, nil)
	var got []Finding
	if err := analyseMSK(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	mskCheckFindings(t, got, []mskWant{{"MSK-3", "sls", false}, {"MSK-1", "bare", true}})
}

func TestAnalyseMSKAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, mskClusters, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseMSK(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, mskClusters, mskTestPages()[0], nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseMSK(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
}

func TestAnalyseMSKKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, mskClusters, mskTestPages()[0], throttled)
	inventory.Put(s, inventory.Subnets, mskTestSubnets, nil)
	var got []Finding
	if err := analyseMSK(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	mskCheckFindings(t, got, []mskWant{{"MSK-2", "p1-two", true}, {"MSK-3", "p1-sls", false}})
}

// Clusters are written to snapshots and read back.
func TestMSKClustersRoundTripJSON(t *testing.T) {
	in := slices.Concat(mskTestPages()...)
	in[0].Provisioned.BrokerNodeGroupInfo.ZoneIds = []string{"use1-az1", "use1-az2"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back []kafkatypes.Cluster
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(in) {
		t.Fatalf("%d clusters back, want %d", len(back), len(in))
	}
	for i := range in {
		if a, b := judgeMSKCluster(in[i], mskTestSubnetIndex()), judgeMSKCluster(back[i], mskTestSubnetIndex()); a.Message != b.Message || a.ResourceARN != b.ResourceARN {
			t.Errorf("cluster %d changed in a round trip:\n%+v\n%+v", i, a, b)
		}
	}
	if back[4].State != kafkatypes.ClusterStateCreating || back[2].ClusterType != kafkatypes.ClusterTypeServerless {
		t.Errorf("state or type lost: %+v %+v", back[4], back[2])
	}
}
