package analysers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dax"
	daxtypes "github.com/aws/aws-sdk-go-v2/service/dax/types"

	"github.com/faultline/faultline/inventory"
)

var daxTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

func daxARN(name string) string {
	return "arn:aws:dax:us-east-1:111111111111:cache/" + name
}

// daxCluster builds an available cluster whose nodes are in azs ("" for a
// node whose AZ is not reported).
func daxCluster(name string, azs ...string) daxtypes.Cluster {
	c := daxtypes.Cluster{ClusterName: aws.String(name), ClusterArn: aws.String(daxARN(name)), Status: aws.String("available"),
		TotalNodes: aws.Int32(int32(len(azs)))}
	for i, az := range azs {
		n := daxtypes.Node{NodeId: aws.String(name + "-" + strconv.Itoa(i+1))}
		if az != "" {
			n.AvailabilityZone = aws.String(az)
		}
		c.Nodes = append(c.Nodes, n)
	}
	return c
}

func TestJudgeDAXCluster(t *testing.T) {
	const a, b, c = "us-east-1a", "us-east-1b", "us-east-1c"
	creating := daxCluster("creating")
	creating.Status, creating.TotalNodes = aws.String("creating"), aws.Int32(3)
	noStatus := daxCluster("no-status")
	noStatus.Status = nil
	noARN := daxCluster("no-arn", a, b)
	noARN.ClusterArn = nil
	cnTarget := Target{AccountID: "111111111111", Partition: "aws-cn", Region: "cn-northwest-1"}

	cases := []struct {
		name    string
		c       daxtypes.Cluster
		t       Target
		check   string
		sev     Severity
		risk    bool
		arn     string
		message string
		azs     []string
	}{
		{"nodes in three AZs", daxCluster("spread", a, b, c), daxTarget, "DAX-2", SeverityInfo, false, daxARN("spread"),
			"DAX cluster spread has 3 nodes spread over 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"still creating, no nodes listed", creating, daxTarget, "DAX-1", SeverityHigh, true, daxARN("creating"),
			"DAX cluster creating has no nodes yet (status creating), so it cannot be shown to span Availability Zones.",
			nil},
		{"no nodes, no status", noStatus, daxTarget, "DAX-1", SeverityHigh, true, daxARN("no-status"),
			"DAX cluster no-status has no nodes yet (status not reported), so it cannot be shown to span Availability Zones.",
			nil},
		{"single node", daxCluster("one", b), daxTarget, "DAX-1", SeverityHigh, true, daxARN("one"),
			"DAX cluster one has a single node (us-east-1b), so an Availability Zone failure takes it down.",
			[]string{"us-east-1b"}},
		{"single node without AZ", daxCluster("one-noaz", ""), daxTarget, "DAX-1", SeverityHigh, true, daxARN("one-noaz"),
			"DAX cluster one-noaz has a single node, whose Availability Zone is not reported, so an Availability Zone failure takes it down.",
			nil},
		{"nodes report no AZ", daxCluster("no-az", "", "", ""), daxTarget, "DAX-1", SeverityHigh, true, daxARN("no-az"),
			"DAX cluster no-az has 3 nodes, none of which reports its Availability Zone, so it cannot be shown to span Availability Zones.",
			nil},
		{"one node without AZ", daxCluster("part-az", a, "", a), daxTarget, "DAX-1", SeverityHigh, true, daxARN("part-az"),
			"DAX cluster part-az has 2 nodes in one reported Availability Zone (us-east-1a) and 1 node whose Availability Zone is not reported, so it cannot be shown to span Availability Zones.",
			[]string{"us-east-1a"}},
		{"every node in one AZ", daxCluster("one-az", a, a, a), daxTarget, "DAX-1", SeverityHigh, true, daxARN("one-az"),
			"DAX cluster one-az has 3 nodes, all in one Availability Zone (us-east-1a), so an Availability Zone failure takes it down.",
			[]string{"us-east-1a"}},
		{"no ARN: ARN in the caller's partition", noARN, cnTarget, "DAX-2", SeverityInfo, false, "arn:aws-cn:dax:cn-northwest-1:111111111111:cache/no-arn",
			"DAX cluster no-arn has 2 nodes spread over 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDAXCluster(c.c, c.t)
			if f.CheckID != c.check || f.Severity != c.sev || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.sev, c.risk, c.message)
			}
			if f.ResourceARN != c.arn || f.ResourceName != aws.ToString(c.c.ClusterName) || f.ResourceID != "" || f.Engine != "" ||
				f.ResourceType != "AWS::DAX::Cluster" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

// fakeDAX serves DescribeClusters in pages (NextToken "1", "2", ...), or an
// error. With repeat set, it answers every call with the same token, like a
// faulty server.
type fakeDAX struct {
	pages  [][]daxtypes.Cluster
	err    error
	repeat bool
	calls  int
}

func (f *fakeDAX) DescribeClusters(_ context.Context, in *dax.DescribeClustersInput, _ ...func(*dax.Options)) (*dax.DescribeClustersOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if f.repeat {
		return &dax.DescribeClustersOutput{Clusters: f.pages[0], NextToken: aws.String("same")}, nil
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &dax.DescribeClustersOutput{Clusters: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func daxNames(clusters []daxtypes.Cluster) []string {
	var out []string
	for _, c := range clusters {
		out = append(out, aws.ToString(c.ClusterName))
	}
	return out
}

func TestLoadDAXClustersReadsEveryPage(t *testing.T) {
	deleting := daxCluster("p1-deleting", "us-east-1a")
	deleting.Status = aws.String("deleting")
	api := &fakeDAX{pages: [][]daxtypes.Cluster{
		{daxCluster("p1-one", "us-east-1a"), deleting},
		{daxCluster("p2-ok", "us-east-1a", "us-east-1b", "us-east-1c")},
	}}
	var got []daxtypes.Cluster
	if err := loadDAXClusters(context.Background(), api, func(c daxtypes.Cluster) { got = append(got, c) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1-one", "p1-deleting", "p2-ok"}; !slices.Equal(daxNames(got), want) || api.calls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", daxNames(got), api.calls, want)
	}
	err := loadDAXClusters(context.Background(), &fakeDAX{err: accessDenied("AccessDeniedException")}, func(daxtypes.Cluster) {
		t.Error("a cluster from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

// A server that repeats its NextToken must not loop forever.
func TestLoadDAXClustersStopsOnRepeatedToken(t *testing.T) {
	api := &fakeDAX{pages: [][]daxtypes.Cluster{{daxCluster("only", "us-east-1a")}}, repeat: true}
	var got []daxtypes.Cluster
	if err := loadDAXClusters(context.Background(), api, func(c daxtypes.Cluster) { got = append(got, c) }); err != nil {
		t.Fatal(err)
	}
	if api.calls != 2 || len(got) != 2 {
		t.Fatalf("got %d calls and %d clusters, want 2 and 2", api.calls, len(got))
	}
}

func TestAnalyseDAX(t *testing.T) {
	deleting := daxCluster("p1-deleting", "us-east-1a")
	deleting.Status = aws.String("deleting")
	creating := daxCluster("p2-creating")
	creating.Status = aws.String("creating")
	s := testScope()
	inventory.Put(s, daxClusters, []daxtypes.Cluster{
		daxCluster("p1-one", "us-east-1a"), deleting, daxCluster("p2-ok", "us-east-1a", "us-east-1b", "us-east-1c"), creating,
	}, nil)
	var got []Finding
	if err := analyseDAX(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, check string
		risk        bool
	}{{"p1-one", "DAX-1", true}, {"p2-ok", "DAX-2", false}, {"p2-creating", "DAX-1", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceName, got[i].CheckID, got[i].Risk, w.name, w.check, w.risk)
		}
	}
}

func TestAnalyseDAXAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, daxClusters, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseDAX(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

func TestAnalyseDAXKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, daxClusters, []daxtypes.Cluster{daxCluster("page1", "us-east-1a")}, throttled)
	var got []Finding
	if err := analyseDAX(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceName != "page1" {
		t.Fatalf("findings: %+v", got)
	}
}
