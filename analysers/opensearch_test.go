package analysers

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	opensearchtypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"

	"github.com/faultline/faultline/inventory"
)

var opensearchTestTarget = Target{AccountID: "111111111111", Partition: "aws-cn", Region: "cn-northwest-1"}

var opensearchTestSubnets = []inventory.Subnet{
	{ID: "subnet-a", VPCID: "vpc-1", AZ: "cn-northwest-1a", AZID: "cnnw1-az1"},
	{ID: "subnet-b", VPCID: "vpc-1", AZ: "cn-northwest-1b", AZID: "cnnw1-az2"},
	{ID: "subnet-c", VPCID: "vpc-1", AZ: "cn-northwest-1c", AZID: "cnnw1-az3"},
	{ID: "subnet-a2", VPCID: "vpc-1", AZ: "cn-northwest-1a", AZID: "cnnw1-az1"},
}

func opensearchTestSubnetIndex() map[string]inventory.Subnet {
	m := map[string]inventory.Subnet{}
	for _, s := range opensearchTestSubnets {
		m[s.ID] = s
	}
	return m
}

// opensearchDomain builds a public domain with n data nodes; zones > 0
// enables zone awareness over that many AZs.
func opensearchDomain(name string, n, zones int32) opensearchtypes.DomainStatus {
	cc := &opensearchtypes.ClusterConfig{InstanceCount: aws.Int32(n), ZoneAwarenessEnabled: aws.Bool(zones > 0)}
	if zones > 0 {
		cc.ZoneAwarenessConfig = &opensearchtypes.ZoneAwarenessConfig{AvailabilityZoneCount: aws.Int32(zones)}
	}
	return opensearchtypes.DomainStatus{
		DomainName:    aws.String(name),
		DomainId:      aws.String("111111111111/" + name),
		ARN:           aws.String("arn:aws-cn:es:cn-northwest-1:111111111111:domain/" + name),
		EngineVersion: aws.String("OpenSearch_2.11"),
		ClusterConfig: cc,
		Deleted:       aws.Bool(false),
	}
}

// opensearchMasters gives d n dedicated master nodes.
func opensearchMasters(d opensearchtypes.DomainStatus, n int32) opensearchtypes.DomainStatus {
	d.ClusterConfig.DedicatedMasterEnabled = aws.Bool(true)
	d.ClusterConfig.DedicatedMasterCount = aws.Int32(n)
	return d
}

// opensearchVPCDomain is opensearchDomain inside a VPC.
func opensearchVPCDomain(name string, n, zones int32, subnets ...string) opensearchtypes.DomainStatus {
	d := opensearchDomain(name, n, zones)
	d.VPCOptions = &opensearchtypes.VPCDerivedInfo{SubnetIds: subnets, VPCId: aws.String("vpc-1")}
	return d
}

// opensearchSeverity is each check's severity, as the rows carry it.
var opensearchSeverity = map[string]Severity{"OPENSEARCH-1": SeverityHigh, "OPENSEARCH-2": SeverityHigh, "OPENSEARCH-3": SeverityHigh, "OPENSEARCH-4": SeverityMedium}

func TestJudgeOpenSearch(t *testing.T) {
	standby := opensearchMasters(opensearchVPCDomain("standby", 6, 3, "subnet-a", "subnet-b", "subnet-c"), 3)
	standby.ClusterConfig.MultiAZWithStandbyEnabled = aws.Bool(true)
	publicStandby := opensearchMasters(opensearchDomain("pub-standby", 3, 3), 3)
	publicStandby.ClusterConfig.MultiAZWithStandbyEnabled = aws.Bool(true)
	noMasterCount := opensearchDomain("no-master-count", 3, 3)
	noMasterCount.ClusterConfig.DedicatedMasterEnabled = aws.Bool(true)
	noDataCount := opensearchDomain("no-data-count", 0, 3)
	noDataCount.ClusterConfig.InstanceCount = nil
	mastersNoDataCount := opensearchMasters(opensearchDomain("masters-no-data-count", 0, 3), 3)
	mastersNoDataCount.ClusterConfig.InstanceCount = nil
	defaultZones := opensearchDomain("default-zones", 4, 2)
	defaultZones.ClusterConfig.ZoneAwarenessConfig = nil
	noConfig := opensearchDomain("no-config", 0, 0)
	noConfig.ClusterConfig = nil
	reported := opensearchMasters(opensearchVPCDomain("reported", 2, 2, "subnet-unlisted-1", "subnet-unlisted-2"), 3)
	reported.VPCOptions.AvailabilityZones = []string{"cn-northwest-1b", "cn-northwest-1a"}
	noARN := opensearchDomain("no-arn", 1, 0)
	noARN.ARN = nil
	es := opensearchDomain("legacy", 2, 0)
	es.EngineVersion = aws.String("Elasticsearch_7.10")
	emptyVPC := opensearchDomain("empty-vpc", 2, 2)
	emptyVPC.VPCOptions = &opensearchtypes.VPCDerivedInfo{}
	cases := []struct {
		name    string
		d       opensearchtypes.DomainStatus
		check   string
		risk    bool
		message string
		azs     []string
		azIDs   []string
	}{
		{"public single node", opensearchDomain("solo", 1, 0),
			"OPENSEARCH-1", true, "OpenSearch domain solo has a single data node, so an outage of its Availability Zone makes the domain unavailable.",
			nil, nil},
		{"VPC single node", opensearchVPCDomain("vpc-solo", 1, 0, "subnet-a"),
			"OPENSEARCH-1", true, "OpenSearch domain vpc-solo has a single data node in cn-northwest-1a, so an outage of its Availability Zone makes the domain unavailable.",
			[]string{"cn-northwest-1a"}, []string{"cnnw1-az1"}},
		{"single node even with zone awareness flag", opensearchDomain("solo-za", 1, 2),
			"OPENSEARCH-1", true, "OpenSearch domain solo-za has a single data node, so an outage of its Availability Zone makes the domain unavailable.",
			nil, nil},
		{"public, zone awareness off", opensearchDomain("flat", 3, 0),
			"OPENSEARCH-2", true, "OpenSearch domain flat has zone awareness disabled, so all 3 data nodes are in one Availability Zone and an outage of that zone makes the domain unavailable.",
			nil, nil},
		{"VPC, zone awareness off", opensearchVPCDomain("vpc-flat", 2, 0, "subnet-b"),
			"OPENSEARCH-2", true, "OpenSearch domain vpc-flat has zone awareness disabled, so both data nodes are in one Availability Zone (cn-northwest-1b) and an outage of that zone makes the domain unavailable.",
			[]string{"cn-northwest-1b"}, []string{"cnnw1-az2"}},
		{"no cluster config", noConfig,
			"OPENSEARCH-2", true, "OpenSearch domain no-config has zone awareness disabled, so all its data nodes are in one Availability Zone and an outage of that zone makes the domain unavailable.",
			nil, nil},
		{"zone aware over one AZ (AWS allows 2 or 3)", opensearchDomain("one-zone", 2, 1),
			"OPENSEARCH-2", true, "OpenSearch domain one-zone has zone awareness enabled for only 1 Availability Zone, so an outage of that zone makes the domain unavailable.",
			nil, nil},
		// Zone awareness on: the quorum decides (OPENSEARCH-3/4), and only a
		// domain with 3 dedicated masters over 3 zones and 3 data nodes is
		// healthy (an OPENSEARCH-2 row).
		{"public, 3 data nodes over 3 AZs, no dedicated masters", opensearchDomain("pub3", 3, 3),
			"OPENSEARCH-4", true, "OpenSearch domain pub3 spreads 3 data nodes over 3 Availability Zones but has no dedicated master nodes: losing one zone leaves 2 of 3 master-eligible data nodes (a quorum needs 2), and the cluster manager then runs on data nodes that are taking over the lost zone's shards.",
			nil, nil},
		{"public, 3 data nodes and 3 dedicated masters over 3 AZs", opensearchMasters(opensearchDomain("pub3-masters", 3, 3), 3),
			"OPENSEARCH-2", false, "OpenSearch domain pub3-masters has zone awareness enabled and spreads 3 data nodes over 3 Availability Zones with 3 dedicated master nodes, so it keeps serving, and keeps its quorum (2 of 3 masters left), if one zone fails.",
			nil, nil},
		{"public, 5 dedicated masters over 3 AZs", opensearchMasters(opensearchDomain("pub-five", 6, 3), 5),
			"OPENSEARCH-2", false, "OpenSearch domain pub-five has zone awareness enabled and spreads 6 data nodes over 3 Availability Zones with 5 dedicated master nodes, so it keeps serving, and keeps its quorum (3 of 5 masters left), if one zone fails.",
			nil, nil},
		{"public, zone aware, default AZ count: 4 data nodes over 2 AZs", defaultZones,
			"OPENSEARCH-3", true, "OpenSearch domain default-zones has zone awareness over 2 Availability Zones but no dedicated master nodes: its 4 data nodes elect the cluster manager, and losing the zone holding 2 of them leaves 2 of 4, short of the quorum of 3, so the domain cannot elect a cluster manager until the zone returns.",
			nil, nil},
		{"public, Multi-AZ with Standby", publicStandby,
			"OPENSEARCH-2", false, "OpenSearch domain pub-standby has zone awareness enabled and spreads 3 data nodes over 3 Availability Zones with 3 dedicated master nodes and one zone held as standby (Multi-AZ with Standby), so it keeps serving, and keeps its quorum (2 of 3 masters left), if one zone fails.",
			nil, nil},
		{"VPC, 2 data nodes over 2 AZs, no dedicated masters", opensearchVPCDomain("vpc2", 2, 2, "subnet-b", "subnet-a"),
			"OPENSEARCH-3", true, "OpenSearch domain vpc2 has zone awareness over 2 Availability Zones (cn-northwest-1a, cn-northwest-1b) but no dedicated master nodes: its 2 data nodes elect the cluster manager, and losing the zone holding 1 of them leaves 1 of 2, short of the quorum of 2, so the domain cannot elect a cluster manager until the zone returns.",
			[]string{"cn-northwest-1a", "cn-northwest-1b"}, []string{"cnnw1-az1", "cnnw1-az2"}},
		{"public, 2 data nodes over 3 AZs, no dedicated masters", opensearchDomain("two-of-three", 2, 3),
			"OPENSEARCH-3", true, "OpenSearch domain two-of-three has zone awareness over 3 Availability Zones but no dedicated master nodes: its 2 data nodes elect the cluster manager, and losing the zone holding 1 of them leaves 1 of 2, short of the quorum of 2, so the domain cannot elect a cluster manager until the zone returns.",
			nil, nil},
		{"VPC, 6 data nodes over 3 AZs, no dedicated masters", opensearchVPCDomain("vpc6", 6, 3, "subnet-a", "subnet-b", "subnet-c"),
			"OPENSEARCH-4", true, "OpenSearch domain vpc6 spreads 6 data nodes over 3 Availability Zones (cn-northwest-1a, cn-northwest-1b, cn-northwest-1c) but has no dedicated master nodes: losing one zone leaves 4 of 6 master-eligible data nodes (a quorum needs 4), and the cluster manager then runs on data nodes that are taking over the lost zone's shards.",
			[]string{"cn-northwest-1a", "cn-northwest-1b", "cn-northwest-1c"}, []string{"cnnw1-az1", "cnnw1-az2", "cnnw1-az3"}},
		{"VPC, Multi-AZ with Standby over 3 AZs", standby,
			"OPENSEARCH-2", false, "OpenSearch domain standby has zone awareness enabled and spreads 6 data nodes over 3 Availability Zones (cn-northwest-1a, cn-northwest-1b, cn-northwest-1c) with 3 dedicated master nodes and one zone held as standby (Multi-AZ with Standby), so it keeps serving, and keeps its quorum (2 of 3 masters left), if one zone fails.",
			[]string{"cn-northwest-1a", "cn-northwest-1b", "cn-northwest-1c"}, []string{"cnnw1-az1", "cnnw1-az2", "cnnw1-az3"}},
		{"VPC, AZs reported by the API: 3 dedicated masters over 2 AZs", reported,
			"OPENSEARCH-3", true, "OpenSearch domain reported has 3 dedicated master nodes over 2 Availability Zones (cn-northwest-1a, cn-northwest-1b): losing the zone holding 2 of them leaves 1 of 3, short of the quorum of 2, so the domain cannot elect a cluster manager until the zone returns.",
			[]string{"cn-northwest-1a", "cn-northwest-1b"}, nil},
		{"3 dedicated masters over 3 AZs but 2 data nodes", opensearchMasters(opensearchVPCDomain("two-data", 2, 3, "subnet-a", "subnet-b", "subnet-c"), 3),
			"OPENSEARCH-4", true, "OpenSearch domain two-data has 3 dedicated master nodes over 3 Availability Zones (cn-northwest-1a, cn-northwest-1b, cn-northwest-1c), which keep a quorum if one zone fails, but only 2 data nodes, so losing a zone leaves 1 data node to hold every shard.",
			[]string{"cn-northwest-1a", "cn-northwest-1b", "cn-northwest-1c"}, []string{"cnnw1-az1", "cnnw1-az2", "cnnw1-az3"}},
		{"1 dedicated master", opensearchMasters(opensearchDomain("one-master", 3, 3), 1),
			"OPENSEARCH-3", true, "OpenSearch domain one-master has 1 dedicated master node over 3 Availability Zones: losing the zone holding 1 of them leaves 0 of 1, short of the quorum of 1, so the domain cannot elect a cluster manager until the zone returns.",
			nil, nil},
		{"dedicated masters without a count", noMasterCount,
			"OPENSEARCH-4", true, "OpenSearch domain no-master-count has zone awareness over 3 Availability Zones and dedicated master nodes enabled, but reports no dedicated master count, so its quorum cannot be counted.",
			nil, nil},
		{"data node count not reported, no dedicated masters", noDataCount,
			"OPENSEARCH-2", false, "OpenSearch domain no-data-count has zone awareness enabled and spreads its data nodes over 3 Availability Zones, so it keeps serving if one zone fails.",
			nil, nil},
		{"data node count not reported, 3 dedicated masters", mastersNoDataCount,
			"OPENSEARCH-2", false, "OpenSearch domain masters-no-data-count has zone awareness enabled and spreads its data nodes over 3 Availability Zones with 3 dedicated master nodes, so it keeps serving, and keeps its quorum (2 of 3 masters left), if one zone fails.",
			nil, nil},
		{"VPC, zone aware but subnets in one AZ", opensearchVPCDomain("vpc-same", 4, 2, "subnet-a", "subnet-a2"),
			"OPENSEARCH-2", true, "OpenSearch domain vpc-same has zone awareness enabled for 2 Availability Zones, but its VPC subnets are all in one Availability Zone (cn-northwest-1a), so an outage of that zone makes the domain unavailable.",
			[]string{"cn-northwest-1a"}, []string{"cnnw1-az1"}},
		{"VPC, zone aware, a subnet not found", opensearchVPCDomain("vpc-gone", 2, 2, "subnet-a", "subnet-gone"),
			"OPENSEARCH-2", true, "OpenSearch domain vpc-gone has zone awareness enabled for 2 Availability Zones, but its VPC subnets are known to be in only 1 Availability Zone (cn-northwest-1a): 1 subnet could not be found (subnet-gone).",
			[]string{"cn-northwest-1a"}, []string{"cnnw1-az1"}},
		{"VPC options without subnets count as public", emptyVPC,
			"OPENSEARCH-3", true, "OpenSearch domain empty-vpc has zone awareness over 2 Availability Zones but no dedicated master nodes: its 2 data nodes elect the cluster manager, and losing the zone holding 1 of them leaves 1 of 2, short of the quorum of 2, so the domain cannot elect a cluster manager until the zone returns.",
			nil, nil},
		{"Elasticsearch engine", es,
			"OPENSEARCH-2", true, "OpenSearch domain legacy has zone awareness disabled, so both data nodes are in one Availability Zone and an outage of that zone makes the domain unavailable.",
			nil, nil},
		{"no ARN in the answer: built in the caller's partition", noARN,
			"OPENSEARCH-1", true, "OpenSearch domain no-arn has a single data node, so an outage of its Availability Zone makes the domain unavailable.",
			nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeOpenSearch(c.d, opensearchTestSubnetIndex(), opensearchTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			name := aws.ToString(c.d.DomainName)
			if f.ResourceARN != "arn:aws-cn:es:cn-northwest-1:111111111111:domain/"+name || f.ResourceName != name ||
				f.ResourceID != "111111111111/"+name || f.Engine != aws.ToString(c.d.EngineVersion) || f.Severity != opensearchSeverity[c.check] ||
				f.ResourceType != "AWS::OpenSearchService::Domain" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

// fakeOpenSearch lists names and describes them, recording the batches it
// was asked for; failOn fails the DescribeDomains call with that index.
type fakeOpenSearch struct {
	domains []opensearchtypes.DomainStatus
	listErr error
	failOn  int
	descErr error
	batches [][]string
}

func (f *fakeOpenSearch) ListDomainNames(_ context.Context, _ *opensearch.ListDomainNamesInput, _ ...func(*opensearch.Options)) (*opensearch.ListDomainNamesOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	out := &opensearch.ListDomainNamesOutput{}
	for _, d := range f.domains {
		out.DomainNames = append(out.DomainNames, opensearchtypes.DomainInfo{DomainName: d.DomainName, EngineType: opensearchtypes.EngineTypeOpenSearch})
	}
	return out, nil
}

func (f *fakeOpenSearch) DescribeDomains(_ context.Context, in *opensearch.DescribeDomainsInput, _ ...func(*opensearch.Options)) (*opensearch.DescribeDomainsOutput, error) {
	f.batches = append(f.batches, in.DomainNames)
	if f.descErr != nil && len(f.batches)-1 == f.failOn {
		return nil, f.descErr
	}
	if len(in.DomainNames) > 5 {
		return nil, accessDenied("ValidationException")
	}
	out := &opensearch.DescribeDomainsOutput{}
	for _, name := range in.DomainNames {
		for _, d := range f.domains {
			if aws.ToString(d.DomainName) == name {
				out.DomainStatusList = append(out.DomainStatusList, d)
			}
		}
	}
	return out, nil
}

// opensearchEight is a public domain, a VPC domain, five more, and one whose
// deletion is in progress: eight names, so two DescribeDomains batches.
func opensearchEight() []opensearchtypes.DomainStatus {
	deleting := opensearchDomain("d-deleting", 1, 0)
	deleting.Deleted = aws.Bool(true)
	return []opensearchtypes.DomainStatus{
		opensearchDomain("d1-public", 1, 0),
		opensearchVPCDomain("d2-vpc", 2, 2, "subnet-a", "subnet-b"),
		opensearchDomain("d3", 3, 3),
		deleting,
		opensearchDomain("d5", 2, 0),
		opensearchMasters(opensearchVPCDomain("d6-vpc", 3, 3, "subnet-a", "subnet-b", "subnet-c"), 3),
		opensearchVPCDomain("d7-vpc", 2, 2, "subnet-a", "subnet-a2"),
		opensearchDomain("d8", 2, 2),
	}
}

// opensearchNames are the names of domains, in order.
func opensearchNames(domains []opensearchtypes.DomainStatus) []string {
	var names []string
	for _, d := range domains {
		names = append(names, aws.ToString(d.DomainName))
	}
	return names
}

// Neither call pages: the "two pages" of this loader are its two
// DescribeDomains batches (at most five names each), both read.
func TestLoadOpenSearchDomainsBatchesOfFive(t *testing.T) {
	api := &fakeOpenSearch{domains: opensearchEight()}
	var got []opensearchtypes.DomainStatus
	if err := loadOpenSearchDomains(context.Background(), api, func(d opensearchtypes.DomainStatus) { got = append(got, d) }); err != nil {
		t.Fatal(err)
	}
	if len(api.batches) != 2 || len(api.batches[0]) != 5 || len(api.batches[1]) != 3 {
		t.Fatalf("DescribeDomains batches: %v", api.batches)
	}
	// Every domain is read, the one being deleted too: the rule skips it.
	if want := opensearchNames(opensearchEight()); !slices.Equal(opensearchNames(got), want) {
		t.Errorf("read %v, want %v", opensearchNames(got), want)
	}
	err := loadOpenSearchDomains(context.Background(), &fakeOpenSearch{listErr: accessDenied("AccessDeniedException")}, func(opensearchtypes.DomainStatus) {
		t.Error("an item from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

// A failing second DescribeDomains batch ends the read with its error,
// keeping the first batch.
func TestLoadOpenSearchDomainsSecondBatchFailureKeepsFirst(t *testing.T) {
	api := &fakeOpenSearch{domains: opensearchEight(), failOn: 1, descErr: accessDenied("AccessDeniedException")}
	var got []opensearchtypes.DomainStatus
	err := loadOpenSearchDomains(context.Background(), api, func(d opensearchtypes.DomainStatus) { got = append(got, d) })
	requireCode(t, err, "AccessDeniedException")
	if want := opensearchNames(opensearchEight()[:5]); !slices.Equal(opensearchNames(got), want) {
		t.Fatalf("read %v, want %v", opensearchNames(got), want)
	}
}

func TestAnalyseOpenSearch(t *testing.T) {
	s := testScope()
	inventory.Put(s, opensearchDomains, opensearchEight(), nil)
	inventory.Put(s, inventory.Subnets, opensearchTestSubnets, nil)
	var got []Finding
	if err := analyseOpenSearch(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		risk bool
	}{{"d1-public", true}, {"d2-vpc", true}, {"d3", true}, {"d5", true}, {"d6-vpc", false}, {"d7-vpc", true}, {"d8", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %v, want %s %v", i, got[i].ResourceName, got[i].Risk, w.name, w.risk)
		}
	}
}

func TestAnalyseOpenSearchAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, opensearchDomains, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseOpenSearch(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, opensearchDomains, opensearchEight(), nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseOpenSearch(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// Public domains, and VPC domains being deleted, need no subnet read.
	s = testScope()
	deleting := opensearchVPCDomain("vpc-deleting", 2, 2, "subnet-a")
	deleting.Deleted = aws.Bool(true)
	inventory.Put(s, opensearchDomains, []opensearchtypes.DomainStatus{opensearchDomain("pub", 3, 3), deleting}, nil)
	if err := analyseOpenSearch(context.Background(), s, collect(&got)); err != nil || len(got) != 1 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

// A read that failed part-way (here the second DescribeDomains batch) fails
// the task, but the domains read before it keep their findings.
func TestAnalyseOpenSearchKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	denied := accessDenied("AccessDeniedException")
	inventory.Put(s, opensearchDomains, opensearchEight()[:5], denied)
	inventory.Put(s, inventory.Subnets, opensearchTestSubnets, nil)
	var got []Finding
	if err := analyseOpenSearch(context.Background(), s, collect(&got)); !errors.Is(err, denied) {
		t.Fatalf("err %v, want the read's", err)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.ResourceName)
	}
	if strings.Join(names, ",") != "d1-public,d2-vpc,d3,d5" {
		t.Fatalf("want the first batch's findings, got %v", names)
	}
}

func TestOpenSearchActions(t *testing.T) {
	want := []string{"ec2:DescribeSubnets", "es:DescribeDomains", "es:ListDomainNames"}
	if got := OpenSearch.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
