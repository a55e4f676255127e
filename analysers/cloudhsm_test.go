package analysers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	cloudhsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"

	"github.com/faultline/faultline/inventory"
)

// cloudhsmTarget is in the GovCloud partition, so that an ARN built with
// "aws" fails.
var cloudhsmTarget = Target{AccountID: "111111111111", Partition: "aws-us-gov", Region: "us-gov-west-1"}

func cloudhsmHSM(az string, state cloudhsmtypes.HsmState) cloudhsmtypes.Hsm {
	h := cloudhsmtypes.Hsm{HsmId: aws.String("hsm-" + az), State: state}
	if az != "" {
		h.AvailabilityZone = aws.String(az)
	}
	return h
}

func cloudhsmCluster(id string, hsms ...cloudhsmtypes.Hsm) cloudhsmtypes.Cluster {
	return cloudhsmtypes.Cluster{ClusterId: aws.String(id), State: cloudhsmtypes.ClusterStateActive, Hsms: hsms}
}

const (
	cloudhsmA      = "us-gov-west-1a"
	cloudhsmB      = "us-gov-west-1b"
	cloudhsmActive = cloudhsmtypes.HsmStateActive
)

func TestJudgeCloudHSMCluster(t *testing.T) {
	cases := []struct {
		name    string
		c       cloudhsmtypes.Cluster
		risk    bool
		message string
		azs     []string
	}{
		// moto can represent only this case: its clusters never have HSMs
		// (CreateHsm is not implemented). Every other case is fakes only.
		{"no HSM", cloudhsmCluster("cluster-none"), true,
			"CloudHSM cluster cluster-none has no HSM, so nothing serves its requests; it needs HSMs in at least two Availability Zones.",
			nil},
		{"only deleted HSMs", cloudhsmCluster("cluster-deleting",
			cloudhsmHSM(cloudhsmA, cloudhsmtypes.HsmStateDeleteInProgress), cloudhsmHSM(cloudhsmB, cloudhsmtypes.HsmStateDeleted)), true,
			"CloudHSM cluster cluster-deleting has no HSM, so nothing serves its requests; it needs HSMs in at least two Availability Zones.",
			nil},
		{"one HSM", cloudhsmCluster("cluster-one", cloudhsmHSM(cloudhsmA, cloudhsmActive)), true,
			"CloudHSM cluster cluster-one has 1 HSM, in us-gov-west-1a: a failure of that Availability Zone stops the cluster.",
			[]string{cloudhsmA}},
		{"two HSMs in one AZ", cloudhsmCluster("cluster-same", cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM(cloudhsmA, cloudhsmActive)), true,
			"CloudHSM cluster cluster-same has 2 HSMs, all in one Availability Zone (us-gov-west-1a): a failure of that zone stops the cluster.",
			[]string{cloudhsmA}},
		{"second AZ only on a deleted HSM", cloudhsmCluster("cluster-shrinking",
			cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM(cloudhsmB, cloudhsmtypes.HsmStateDeleteInProgress)), true,
			"CloudHSM cluster cluster-shrinking has 1 HSM, in us-gov-west-1a: a failure of that Availability Zone stops the cluster.",
			[]string{cloudhsmA}},
		{"two AZs", cloudhsmCluster("cluster-ok",
			cloudhsmHSM(cloudhsmB, cloudhsmActive), cloudhsmHSM(cloudhsmA, cloudhsmtypes.HsmStateCreateInProgress), cloudhsmHSM(cloudhsmA, cloudhsmActive)), false,
			"CloudHSM cluster cluster-ok has 3 HSMs across 2 Availability Zones (us-gov-west-1a, us-gov-west-1b), so it keeps serving if one zone fails.",
			[]string{cloudhsmA, cloudhsmB}},
		{"one HSM without AZ", cloudhsmCluster("cluster-unplaced", cloudhsmHSM("", cloudhsmActive)), true,
			"CloudHSM cluster cluster-unplaced has 1 HSM in at most one known Availability Zone (none); 1 HSM reports no Availability Zone, so the cluster cannot be shown to span two zones.",
			nil},
		{"some HSMs without AZ", cloudhsmCluster("cluster-partial",
			cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM("", cloudhsmActive), cloudhsmHSM("", cloudhsmActive)), true,
			"CloudHSM cluster cluster-partial has 3 HSMs in at most one known Availability Zone (us-gov-west-1a); 2 HSMs report no Availability Zone, so the cluster cannot be shown to span two zones.",
			[]string{cloudhsmA}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeCloudHSMCluster(cloudhsmTarget, c.c)
			if f.CheckID != "CLOUDHSM-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant CLOUDHSM-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			id := aws.ToString(c.c.ClusterId)
			if f.ResourceARN != "arn:aws-us-gov:cloudhsm:us-gov-west-1:111111111111:cluster/"+id ||
				f.ResourceName != id || f.ResourceID != id || f.Engine != "" || f.ResourceType != "AWS::CloudHSM::Cluster" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

// fakeCloudHSM serves DescribeClusters in pages (the token is the page
// index), or an error.
type fakeCloudHSM struct {
	pages [][]cloudhsmtypes.Cluster
	err   error
	calls int
}

func (f *fakeCloudHSM) DescribeClusters(_ context.Context, in *cloudhsmv2.DescribeClustersInput, _ ...func(*cloudhsmv2.Options)) (*cloudhsmv2.DescribeClustersOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &cloudhsmv2.DescribeClustersOutput{Clusters: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

// cloudhsmTestScope is an empty fixture scope in cloudhsmTarget's partition
// and region.
func cloudhsmTestScope() *inventory.Scope {
	return inventory.NewFixture().Scope(inventory.Account{ID: cloudhsmTarget.AccountID, Partition: cloudhsmTarget.Partition}, cloudhsmTarget.Region)
}

func TestLoadCloudHSMClustersReadsEveryPage(t *testing.T) {
	deleted := cloudhsmCluster("p1-deleted", cloudhsmHSM(cloudhsmA, cloudhsmActive))
	deleted.State = cloudhsmtypes.ClusterStateDeleted
	api := &fakeCloudHSM{pages: [][]cloudhsmtypes.Cluster{
		{cloudhsmCluster("p1-one", cloudhsmHSM(cloudhsmA, cloudhsmActive)), deleted},
		{cloudhsmCluster("p2-empty")},
	}}
	var got []string
	if err := loadCloudHSMClusters(context.Background(), api, func(c cloudhsmtypes.Cluster) { got = append(got, aws.ToString(c.ClusterId)) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1-one", "p1-deleted", "p2-empty"}; !slices.Equal(got, want) || api.calls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.calls, want)
	}
	err := loadCloudHSMClusters(context.Background(), &fakeCloudHSM{err: accessDenied("AccessDeniedException")}, func(cloudhsmtypes.Cluster) {
		t.Error("a cluster from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

func TestAnalyseCloudHSM(t *testing.T) {
	deleted := cloudhsmCluster("p1-deleted", cloudhsmHSM(cloudhsmA, cloudhsmActive))
	deleted.State = cloudhsmtypes.ClusterStateDeleted
	deleting := cloudhsmCluster("p2-deleting")
	deleting.State = cloudhsmtypes.ClusterStateDeleteInProgress
	s := cloudhsmTestScope()
	inventory.Put(s, cloudhsmClusters, []cloudhsmtypes.Cluster{
		cloudhsmCluster("p1-one", cloudhsmHSM(cloudhsmA, cloudhsmActive)), deleted,
		cloudhsmCluster("p2-ok", cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM(cloudhsmB, cloudhsmActive)), deleting,
		cloudhsmCluster("p2-empty"),
	}, nil)
	var got []Finding
	if err := analyseCloudHSM(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id   string
		risk bool
	}{{"p1-one", true}, {"p2-ok", false}, {"p2-empty", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceID != w.id || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %v, want %s %v", i, got[i].ResourceID, got[i].Risk, w.id, w.risk)
		}
	}
	if got[0].ResourceARN != "arn:aws-us-gov:cloudhsm:us-gov-west-1:111111111111:cluster/p1-one" {
		t.Errorf("ARN %s: not built from the scope's partition and region", got[0].ResourceARN)
	}
}

func TestAnalyseCloudHSMAccessDenied(t *testing.T) {
	s := cloudhsmTestScope()
	inventory.Put(s, cloudhsmClusters, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseCloudHSM(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

func TestAnalyseCloudHSMKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := cloudhsmTestScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, cloudhsmClusters, []cloudhsmtypes.Cluster{cloudhsmCluster("page1")}, throttled)
	var got []Finding
	if err := analyseCloudHSM(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceID != "page1" {
		t.Fatalf("findings: %+v", got)
	}
}

// The analyser calls only CloudHSM's DescribeClusters, and the zone lookups'
// EC2 calls, each declared as its IAM action (CloudHSM v2's prefix is
// cloudhsm).
func TestCloudHSMAnalyserDeclaration(t *testing.T) {
	if CloudHSM.Name != "cloudhsm" || CloudHSM.Global {
		t.Errorf("name/global: %q %v", CloudHSM.Name, CloudHSM.Global)
	}
	var methods []string
	for _, api := range CloudHSM.ClientAPIs() {
		for i := 0; i < api.NumMethod(); i++ {
			name := api.Method(i).Name
			methods = append(methods, name)
			if !strings.HasPrefix(name, "Describe") {
				t.Errorf("method %s is not a Describe call", name)
			}
		}
	}
	slices.Sort(methods)
	if want := []string{"DescribeClusters"}; !slices.Equal(methods, want) {
		t.Errorf("methods %v, want %v", methods, want)
	}
	if got, want := CloudHSM.Actions(), []string{"cloudhsm:DescribeClusters"}; !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
