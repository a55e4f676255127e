//go:build legacy

package analysers

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	cloudhsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"
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
	}{
		// moto can represent only this case: its clusters never have HSMs
		// (CreateHsm is not implemented). Every other case is fakes only.
		{"no HSM", cloudhsmCluster("cluster-none"), true,
			"CloudHSM cluster cluster-none has no HSM, so nothing serves its requests; it needs HSMs in at least two Availability Zones."},
		{"only deleted HSMs", cloudhsmCluster("cluster-deleting",
			cloudhsmHSM(cloudhsmA, cloudhsmtypes.HsmStateDeleteInProgress), cloudhsmHSM(cloudhsmB, cloudhsmtypes.HsmStateDeleted)), true,
			"CloudHSM cluster cluster-deleting has no HSM, so nothing serves its requests; it needs HSMs in at least two Availability Zones."},
		{"one HSM", cloudhsmCluster("cluster-one", cloudhsmHSM(cloudhsmA, cloudhsmActive)), true,
			"CloudHSM cluster cluster-one has 1 HSM, in us-gov-west-1a: a failure of that Availability Zone stops the cluster."},
		{"two HSMs in one AZ", cloudhsmCluster("cluster-same", cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM(cloudhsmA, cloudhsmActive)), true,
			"CloudHSM cluster cluster-same has 2 HSMs, all in one Availability Zone (us-gov-west-1a): a failure of that zone stops the cluster."},
		{"second AZ only on a deleted HSM", cloudhsmCluster("cluster-shrinking",
			cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM(cloudhsmB, cloudhsmtypes.HsmStateDeleteInProgress)), true,
			"CloudHSM cluster cluster-shrinking has 1 HSM, in us-gov-west-1a: a failure of that Availability Zone stops the cluster."},
		{"two AZs", cloudhsmCluster("cluster-ok",
			cloudhsmHSM(cloudhsmB, cloudhsmActive), cloudhsmHSM(cloudhsmA, cloudhsmtypes.HsmStateCreateInProgress), cloudhsmHSM(cloudhsmA, cloudhsmActive)), false,
			"CloudHSM cluster cluster-ok has 3 HSMs across 2 Availability Zones (us-gov-west-1a, us-gov-west-1b), so it keeps serving if one zone fails."},
		{"one HSM without AZ", cloudhsmCluster("cluster-unplaced", cloudhsmHSM("", cloudhsmActive)), true,
			"CloudHSM cluster cluster-unplaced has 1 HSM in at most one known Availability Zone (none); 1 HSM reports no Availability Zone, so the cluster cannot be shown to span two zones."},
		{"some HSMs without AZ", cloudhsmCluster("cluster-partial",
			cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM("", cloudhsmActive), cloudhsmHSM("", cloudhsmActive)), true,
			"CloudHSM cluster cluster-partial has 3 HSMs in at most one known Availability Zone (us-gov-west-1a); 2 HSMs report no Availability Zone, so the cluster cannot be shown to span two zones."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeCloudHSMCluster(cloudhsmTarget, c.c)
			if f.CheckID != "CLOUDHSM-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant CLOUDHSM-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			id := aws.ToString(c.c.ClusterId)
			if f.ResourceARN != "arn:aws-us-gov:cloudhsm:us-gov-west-1:111111111111:cluster/"+id ||
				f.ResourceName != id || f.ResourceID != id || f.Engine != "" {
				t.Errorf("resource columns: %+v", f)
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

func TestAnalyseCloudHSMReadsEveryPage(t *testing.T) {
	deleted := cloudhsmCluster("p1-deleted", cloudhsmHSM(cloudhsmA, cloudhsmActive))
	deleted.State = cloudhsmtypes.ClusterStateDeleted
	deleting := cloudhsmCluster("p2-deleting")
	deleting.State = cloudhsmtypes.ClusterStateDeleteInProgress
	api := &fakeCloudHSM{pages: [][]cloudhsmtypes.Cluster{
		{cloudhsmCluster("p1-one", cloudhsmHSM(cloudhsmA, cloudhsmActive)), deleted},
		{cloudhsmCluster("p2-ok", cloudhsmHSM(cloudhsmA, cloudhsmActive), cloudhsmHSM(cloudhsmB, cloudhsmActive)), deleting,
			cloudhsmCluster("p2-empty")},
	}}
	var got []Finding
	if err := analyseCloudHSM(context.Background(), api, cloudhsmTarget, collect(&got)); err != nil {
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
	if api.calls != 2 {
		t.Errorf("%d calls, want 2", api.calls)
	}
}

func TestAnalyseCloudHSMAccessDenied(t *testing.T) {
	var got []Finding
	err := analyseCloudHSM(context.Background(), &fakeCloudHSM{err: accessDenied("AccessDeniedException")}, cloudhsmTarget, collect(&got))
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

func TestCloudHSMAnalyserDeclaration(t *testing.T) {
	if CloudHSM.Name != "cloudhsm" || CloudHSM.Global {
		t.Errorf("name/global: %q %v", CloudHSM.Name, CloudHSM.Global)
	}
	n := 0
	for _, api := range CloudHSM.ClientAPIs {
		for i := 0; i < api.NumMethod(); i++ {
			n++
			if name := api.Method(i).Name; !strings.HasPrefix(name, "Describe") || CloudHSM.Actions[0] != "cloudhsm:"+name {
				t.Errorf("method %s, actions %v", name, CloudHSM.Actions)
			}
		}
	}
	if n != 1 || len(CloudHSM.Actions) != 1 {
		t.Errorf("%d methods, actions %v", n, CloudHSM.Actions)
	}
}
