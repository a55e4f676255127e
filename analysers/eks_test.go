package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/faultline/faultline/inventory"
)

func eksTestCluster(name string, subnets ...string) ekstypes.Cluster {
	return ekstypes.Cluster{Name: aws.String(name), Arn: aws.String("arn:aws:eks:us-east-1:111111111111:cluster/" + name),
		Status: ekstypes.ClusterStatusActive, ResourcesVpcConfig: &ekstypes.VpcConfigResponse{SubnetIds: subnets, VpcId: aws.String("vpc-1")}}
}

func eksTestNodegroup(cluster, name string, subnets ...string) ekstypes.Nodegroup {
	return ekstypes.Nodegroup{ClusterName: aws.String(cluster), NodegroupName: aws.String(name), Status: ekstypes.NodegroupStatusActive,
		NodegroupArn: aws.String("arn:aws:eks:us-east-1:111111111111:nodegroup/" + cluster + "/" + name + "/uuid"), Subnets: subnets}
}

func TestJudgeEKSControlPlane(t *testing.T) {
	cases := []struct {
		name       string
		c          ekstypes.Cluster
		risk       bool
		message    string
		azs, azIDs []string
	}{
		{"one AZ", eksTestCluster("one", "subnet-a1", "subnet-a2"), true,
			"EKS cluster one puts its control-plane network interfaces in 2 subnets, all in one Availability Zone (us-east-1a): an outage of that zone cuts the nodes off from the Kubernetes API.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"two AZs", eksTestCluster("two", "subnet-a1", "subnet-b1"), false,
			"EKS cluster two puts its control-plane network interfaces in 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"deleted subnet", eksTestCluster("gone", "subnet-b1", "subnet-gone"), true,
			"EKS cluster gone puts its control-plane network interfaces in 2 subnets; only 1 Availability Zone could be placed (us-east-1b) and 1 subnet could not be found (subnet-gone).",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
		{"no subnet found", eksTestCluster("lost", "subnet-gone"), true,
			"EKS cluster lost puts its control-plane network interfaces in 1 subnet, none of which could be found (subnet-gone), so its Availability Zones are unknown.", nil, nil},
		{"no VPC config", ekstypes.Cluster{Name: aws.String("bare"), Arn: aws.String("arn:bare")}, true,
			"EKS cluster bare lists no VPC subnets, so its control-plane network interfaces cannot be placed in any Availability Zone.", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeEKSControlPlane(c.c, testSubnetIndex())
			if f.CheckID != "EKS-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant EKS-1 %v %q", f.CheckID, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceType != "AWS::EKS::Cluster" || f.ResourceARN != aws.ToString(c.c.Arn) || f.ResourceName != aws.ToString(c.c.Name) {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

func TestJudgeEKSNodegroup(t *testing.T) {
	sized := eksTestNodegroup("prod", "sized", "subnet-a1")
	sized.ScalingConfig = &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(3)}
	cases := []struct {
		name       string
		ng         ekstypes.Nodegroup
		risk       bool
		message    string
		azs, azIDs []string
	}{
		{"one AZ, desired size", sized, true,
			"EKS managed node group sized of cluster prod (desired 3 nodes) launches its nodes in 1 subnet, all in one Availability Zone (us-east-1a): pods that only this group can run (by label, taint or EBS volume) stop if that zone fails.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"two AZs", eksTestNodegroup("prod", "multi", "subnet-a1", "subnet-b1"), false,
			"EKS managed node group multi of cluster prod launches its nodes in 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"deleted subnet", eksTestNodegroup("prod", "gone", "subnet-gone"), true,
			"EKS managed node group gone of cluster prod launches its nodes in 1 subnet, none of which could be found (subnet-gone), so its Availability Zones are unknown.",
			nil, nil},
		{"no subnets", eksTestNodegroup("prod", "none"), true,
			"EKS managed node group none of cluster prod lists no subnets, so its nodes cannot be placed in any Availability Zone.", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeEKSNodegroup(c.ng, testSubnetIndex())
			if f.CheckID != "EKS-2" || f.Severity != SeverityMedium || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant EKS-2 %v %q", f.CheckID, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceType != "AWS::EKS::Nodegroup" || f.ResourceARN != aws.ToString(c.ng.NodegroupArn) || f.ResourceName != aws.ToString(c.ng.NodegroupName) {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

func TestJudgeEKSNodes(t *testing.T) {
	cases := []struct {
		name       string
		groups     []ekstypes.Nodegroup
		risk       bool
		message    string
		azs, azIDs []string
	}{
		{"no managed node group", nil, false,
			"EKS cluster prod has no managed node group, so no managed node depends on one Availability Zone; nodes outside managed node groups (self-managed groups, Karpenter, EKS Auto Mode, Fargate) are not judged by this check.",
			nil, nil},
		{"all in the same AZ", []ekstypes.Nodegroup{eksTestNodegroup("prod", "ng-2", "subnet-a2"), eksTestNodegroup("prod", "ng-1", "subnet-a1")}, true,
			"EKS cluster prod has 2 managed node groups, all in one Availability Zone (us-east-1a): an outage of that zone takes down every managed node of the cluster.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"one AZ each, different AZs", []ekstypes.Nodegroup{eksTestNodegroup("prod", "ng-b", "subnet-b1"), eksTestNodegroup("prod", "ng-a", "subnet-a1", "subnet-a2")}, false,
			"EKS cluster prod has 2 managed node groups, each in one Availability Zone but not all in the same one (ng-a: us-east-1a; ng-b: us-east-1b), so its managed nodes span 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"no subnet found", []ekstypes.Nodegroup{eksTestNodegroup("prod", "ng-x", "subnet-gone")}, true,
			"EKS cluster prod has 1 managed node group whose subnets could not be found (subnet-gone), so their Availability Zones are unknown.", nil, nil},
		{"a multi-AZ group", []ekstypes.Nodegroup{eksTestNodegroup("prod", "ng", "subnet-a1", "subnet-b1")}, false,
			"EKS cluster prod has 1 managed node group whose nodes span 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"one AZ placed, a subnet not found", []ekstypes.Nodegroup{eksTestNodegroup("prod", "ng-a", "subnet-a1"), eksTestNodegroup("prod", "ng-x", "subnet-gone")}, true,
			"EKS cluster prod has 2 managed node groups; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-gone).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
	}
	c0 := eksTestCluster("prod", "subnet-a1", "subnet-b1")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			order := slices.Clone(c.groups)
			f := judgeEKSNodes(c0, c.groups, testSubnetIndex())
			if f.CheckID != "EKS-3" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant EKS-3 %v %q", f.CheckID, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceType != "AWS::EKS::Cluster" || f.ResourceARN != aws.ToString(c0.Arn) || f.ResourceName != "prod" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
			if !reflect.DeepEqual(order, c.groups) {
				t.Error("judgeEKSNodes reordered its argument")
			}
		})
	}
}

// eksRows are the findings as "name CHECK risk".
func eksRows(fs []Finding) []string { return ecsRows(fs) }

func eksEstate() ([]ekstypes.Cluster, []ekstypes.Nodegroup) {
	deleting := eksTestCluster("deleting", "subnet-a1")
	deleting.Status = ekstypes.ClusterStatusDeleting
	goingNG := eksTestNodegroup("spread", "ng-going", "subnet-a1")
	goingNG.Status = ekstypes.NodegroupStatusDeleting
	return []ekstypes.Cluster{eksTestCluster("one-az", "subnet-a1"), eksTestCluster("spread", "subnet-a1", "subnet-b1"), deleting},
		[]ekstypes.Nodegroup{eksTestNodegroup("one-az", "ng-1", "subnet-a1"), eksTestNodegroup("one-az", "ng-2", "subnet-a2"),
			eksTestNodegroup("spread", "ng-a", "subnet-a1"), eksTestNodegroup("spread", "ng-b", "subnet-b1"), goingNG}
}

func TestAnalyseEKS(t *testing.T) {
	clusters, groups := eksEstate()
	s := testScope()
	inventory.Put(s, eksClusters, clusters, nil)
	inventory.Put(s, eksNodegroups, groups, nil)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseEKS(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []string{"one-az EKS-1 risk", "spread EKS-1 ok",
		"ng-1 EKS-2 risk", "ng-2 EKS-2 risk", "ng-a EKS-2 risk", "ng-b EKS-2 risk",
		"one-az EKS-3 risk", "spread EKS-3 ok"}
	if rows := eksRows(got); !slices.Equal(rows, want) {
		t.Errorf("rows %v\nwant %v", rows, want)
	}

	// The items are written to snapshots and read back: a scope of
	// round-tripped items gives the same findings.
	back := testScope()
	eksRoundTrip(t, s, back, eksClusters)
	eksRoundTrip(t, s, back, eksNodegroups)
	inventory.Put(back, inventory.Subnets, testSubnets, nil)
	var again []Finding
	if err := analyseEKS(context.Background(), back, collect(&again)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, got) {
		t.Errorf("after a round trip:\n%+v\nwant\n%+v", again, got)
	}
}

func eksRoundTrip[T any](t *testing.T, from, to *inventory.Scope, k *inventory.Kind[T]) {
	t.Helper()
	items, err := k.Items(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(items)
	if err != nil {
		t.Fatalf("%s: %v", k.Name, err)
	}
	var back []T
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("%s: %v", k.Name, err)
	}
	inventory.Put(to, k, back, nil)
}

// No cluster: nothing else is read (the fixture fails any kind not put).
func TestAnalyseEKSNoCluster(t *testing.T) {
	s := testScope()
	inventory.Put(s, eksClusters, nil, nil)
	var got []Finding
	if err := analyseEKS(context.Background(), s, collect(&got)); err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseEKSAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, eksClusters, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseEKS(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	clusters, groups := eksEstate()
	// A denied subnet read judges nothing half-placed.
	s = testScope()
	inventory.Put(s, eksClusters, clusters, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseEKS(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// Denied node groups keep the control-plane rows.
	s = testScope()
	inventory.Put(s, eksClusters, clusters, nil)
	inventory.Put(s, eksNodegroups, nil, accessDenied("AccessDeniedException"))
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	requireCode(t, analyseEKS(context.Background(), s, collect(&got)), "AccessDeniedException")
	if rows := eksRows(got); !slices.Equal(rows, []string{"one-az EKS-1 risk", "spread EKS-1 ok"}) {
		t.Errorf("rows %v", rows)
	}
	// Node groups read part-way keep their rows, but no cluster's EKS-3
	// row: spread's ng-b could be on the missing page.
	s = testScope()
	throttled := errors.New("throttled")
	inventory.Put(s, eksClusters, clusters, nil)
	inventory.Put(s, eksNodegroups, groups[:3], throttled)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	got = nil
	if err := analyseEKS(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v", err)
	}
	if rows := eksRows(got); !slices.Equal(rows, []string{"one-az EKS-1 risk", "spread EKS-1 ok", "ng-1 EKS-2 risk", "ng-2 EKS-2 risk", "ng-a EKS-2 risk"}) {
		t.Errorf("rows %v", rows)
	}
	// Clusters read before a failed listing are judged; their node groups
	// (a kind that reads the clusters first) are not read.
	s = testScope()
	inventory.Put(s, eksClusters, clusters[:1], throttled)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	got = nil
	if err := analyseEKS(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v", err)
	}
	if rows := eksRows(got); !slices.Equal(rows, []string{"one-az EKS-1 risk"}) {
		t.Errorf("rows %v", rows)
	}
}

// fakeEKS serves ListClusters and ListNodegroups one name per page (the
// token is the next index), and describes what it lists. Names in gone are
// listed but described as ResourceNotFoundException; failOn fails that
// operation with err.
type fakeEKS struct {
	clusters []string
	groups   map[string][]string
	gone     map[string]bool
	failOn   string
	err      error
	calls    map[string]int
}

func (f *fakeEKS) call(op string) error {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	if op == f.failOn {
		return f.err
	}
	return nil
}

func eksFakePage(names []string, token *string) ([]string, *string) {
	i, _ := strconv.Atoi(aws.ToString(token))
	if i >= len(names) {
		return nil, nil
	}
	var next *string
	if i+1 < len(names) {
		next = aws.String(strconv.Itoa(i + 1))
	}
	return names[i : i+1], next
}

func eksNotFoundErr(what string) error {
	return &ekstypes.ResourceNotFoundException{Message: aws.String(what + " not found")}
}

func (f *fakeEKS) ListClusters(_ context.Context, in *eks.ListClustersInput, _ ...func(*eks.Options)) (*eks.ListClustersOutput, error) {
	if err := f.call("ListClusters"); err != nil {
		return nil, err
	}
	names, next := eksFakePage(f.clusters, in.NextToken)
	return &eks.ListClustersOutput{Clusters: names, NextToken: next}, nil
}

func (f *fakeEKS) DescribeCluster(_ context.Context, in *eks.DescribeClusterInput, _ ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	if err := f.call("DescribeCluster"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	if f.gone[name] {
		return nil, eksNotFoundErr(name)
	}
	c := eksTestCluster(name, "subnet-a1")
	return &eks.DescribeClusterOutput{Cluster: &c}, nil
}

func (f *fakeEKS) ListNodegroups(_ context.Context, in *eks.ListNodegroupsInput, _ ...func(*eks.Options)) (*eks.ListNodegroupsOutput, error) {
	if err := f.call("ListNodegroups"); err != nil {
		return nil, err
	}
	cluster := aws.ToString(in.ClusterName)
	if f.gone[cluster] {
		return nil, eksNotFoundErr(cluster)
	}
	names, next := eksFakePage(f.groups[cluster], in.NextToken)
	return &eks.ListNodegroupsOutput{Nodegroups: names, NextToken: next}, nil
}

func (f *fakeEKS) DescribeNodegroup(_ context.Context, in *eks.DescribeNodegroupInput, _ ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error) {
	if err := f.call("DescribeNodegroup"); err != nil {
		return nil, err
	}
	cluster, name := aws.ToString(in.ClusterName), aws.ToString(in.NodegroupName)
	if f.gone[cluster+"/"+name] {
		return nil, eksNotFoundErr(name)
	}
	ng := eksTestNodegroup(cluster, name, "subnet-a1")
	return &eks.DescribeNodegroupOutput{Nodegroup: &ng}, nil
}

func TestLoadEKSClustersReadsEveryPage(t *testing.T) {
	api := &fakeEKS{clusters: []string{"c1", "c-gone", "c2"}, gone: map[string]bool{"c-gone": true}}
	var names []string
	if err := loadEKSClusters(context.Background(), api, func(c ekstypes.Cluster) { names = append(names, aws.ToString(c.Name)) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"c1", "c2"}) || api.calls["ListClusters"] != 3 || api.calls["DescribeCluster"] != 3 {
		t.Errorf("clusters %v, calls %v", names, api.calls)
	}
	for _, op := range []string{"ListClusters", "DescribeCluster"} {
		denied := &fakeEKS{clusters: []string{"c1"}, failOn: op, err: accessDenied("AccessDeniedException")}
		requireCode(t, loadEKSClusters(context.Background(), denied, func(ekstypes.Cluster) { t.Errorf("a cluster from a denied %s", op) }),
			"AccessDeniedException")
	}
}

func TestLoadEKSNodegroupsReadsEveryPage(t *testing.T) {
	api := &fakeEKS{
		groups: map[string][]string{"c1": {"ng-1", "ng-gone", "ng-2"}, "c2": {"ng-3"}},
		gone:   map[string]bool{"c1/ng-gone": true, "c-gone": true},
	}
	clusters := []ekstypes.Cluster{eksTestCluster("c1"), eksTestCluster("c-gone"), eksTestCluster("c2")}
	var names []string
	err := loadEKSNodegroups(context.Background(), api, clusters, func(ng ekstypes.Nodegroup) {
		names = append(names, aws.ToString(ng.ClusterName)+"/"+aws.ToString(ng.NodegroupName))
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"c1/ng-1", "c1/ng-2", "c2/ng-3"}) || api.calls["ListNodegroups"] != 5 || api.calls["DescribeNodegroup"] != 4 {
		t.Errorf("node groups %v, calls %v", names, api.calls)
	}
	for _, op := range []string{"ListNodegroups", "DescribeNodegroup"} {
		denied := &fakeEKS{groups: map[string][]string{"c1": {"ng-1"}}, failOn: op, err: accessDenied("AccessDeniedException")}
		requireCode(t, loadEKSNodegroups(context.Background(), denied, clusters[:1], func(ekstypes.Nodegroup) { t.Errorf("a node group from a denied %s", op) }),
			"AccessDeniedException")
	}
}

// The node group kind reads the clusters from the scope first, and fails
// with their error without a call (the scope is live: a call would go out).
func TestEKSNodegroupsReadTheClustersFirst(t *testing.T) {
	s := inventory.NewLive().Scope(inventory.Account{ID: "111111111111", Partition: "aws"}, "us-east-1")
	inventory.Put(s, eksClusters, nil, accessDenied("AccessDeniedException"))
	requireCode(t, eksNodegroups.Read(context.Background(), s), "AccessDeniedException")
}
