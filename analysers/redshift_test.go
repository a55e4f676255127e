package analysers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	redshifttypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"

	"github.com/faultline/faultline/inventory"
)

var redshiftTestTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

func redshiftTestCluster(id, az, multiAZ string) redshifttypes.Cluster {
	c := redshifttypes.Cluster{ClusterIdentifier: aws.String(id), AvailabilityZone: aws.String(az), ClusterStatus: aws.String("available")}
	if multiAZ != "" {
		c.MultiAZ = aws.String(multiAZ)
	}
	return c
}

// moto 5.2.1 returns no MultiAZ, MultiAZSecondary or
// AvailabilityZoneRelocationStatus, so the Multi-AZ and relocation cases are
// covered by these fakes only; the integration seed proves the single-AZ ones.
func TestJudgeRedshiftCluster(t *testing.T) {
	withSecondary := redshiftTestCluster("rs-maz2", "us-east-1a", "Enabled")
	withSecondary.MultiAZSecondary = &redshifttypes.SecondaryClusterInfo{AvailabilityZone: aws.String("us-east-1c")}
	emptySecondary := redshiftTestCluster("rs-maz3", "us-east-1a", "Enabled")
	emptySecondary.MultiAZSecondary = &redshifttypes.SecondaryClusterInfo{}
	relocating := redshiftTestCluster("rs-reloc", "us-east-1b", "Disabled")
	relocating.AvailabilityZoneRelocationStatus = aws.String("enabled")
	relocationOff := redshiftTestCluster("rs-reloc-off", "us-east-1b", "Disabled")
	relocationOff.AvailabilityZoneRelocationStatus = aws.String("disabled")
	bare := redshifttypes.Cluster{ClusterIdentifier: aws.String("bare")} // every optional field missing
	single := func(id, az string) string {
		return "Redshift cluster " + id + " runs all its compute in one Availability Zone (" + az +
			") without Multi-AZ or Availability Zone relocation, so an outage of that zone takes it down."
	}
	a, b := []string{"us-east-1a"}, []string{"us-east-1b"}
	cases := []struct {
		name     string
		cluster  redshifttypes.Cluster
		check    string
		severity Severity
		risk     bool
		message  string
		azs      []string
	}{
		{"Multi-AZ, secondary AZ unknown", redshiftTestCluster("rs-maz", "us-east-1a", "Enabled"), "REDSHIFT-1", SeverityHigh, false,
			"Redshift cluster rs-maz is Multi-AZ (primary compute in us-east-1a, secondary compute in another Availability Zone), so it keeps serving if one Availability Zone fails.", a},
		{"Multi-AZ, secondary AZ known", withSecondary, "REDSHIFT-1", SeverityHigh, false,
			"Redshift cluster rs-maz2 is Multi-AZ (primary compute in us-east-1a, secondary compute in us-east-1c), so it keeps serving if one Availability Zone fails.",
			[]string{"us-east-1a", "us-east-1c"}},
		{"Multi-AZ, secondary without AZ", emptySecondary, "REDSHIFT-1", SeverityHigh, false,
			"Redshift cluster rs-maz3 is Multi-AZ (primary compute in us-east-1a, secondary compute in another Availability Zone), so it keeps serving if one Availability Zone fails.", a},
		{"MultiAZ Disabled", redshiftTestCluster("rs-off", "us-east-1b", "Disabled"), "REDSHIFT-1", SeverityHigh, true, single("rs-off", "us-east-1b"), b},
		{"MultiAZ missing", redshiftTestCluster("rs-old", "us-east-1a", ""), "REDSHIFT-1", SeverityHigh, true, single("rs-old", "us-east-1a"), a},
		{"MultiAZ unexpected value", redshiftTestCluster("rs-odd", "us-east-1a", "enabled-ish"), "REDSHIFT-1", SeverityHigh, true, single("rs-odd", "us-east-1a"), a},
		{"relocation disabled", relocationOff, "REDSHIFT-1", SeverityHigh, true, single("rs-reloc-off", "us-east-1b"), b},
		{"no optional fields", bare, "REDSHIFT-1", SeverityHigh, true, single("bare", "Availability Zone not reported"), nil},
		{"single-AZ with relocation", relocating, "REDSHIFT-2", SeverityMedium, true,
			"Redshift cluster rs-reloc runs all its compute in one Availability Zone (us-east-1b) without Multi-AZ; Availability Zone relocation is enabled, so AWS can move it to another zone after a zone failure, with downtime during the move.", b},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRedshiftCluster(c.cluster, redshiftTestTarget)
			if f.CheckID != c.check || f.Severity != c.severity || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.severity, c.risk, c.message)
			}
			id := aws.ToString(c.cluster.ClusterIdentifier)
			if f.ResourceARN != "arn:aws:redshift:us-east-1:111111111111:cluster:"+id || f.ResourceName != id || f.ResourceID != id || f.Engine != "" ||
				f.ResourceType != "AWS::Redshift::Cluster" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

func TestJudgeRedshiftClusterPartition(t *testing.T) {
	target := Target{AccountID: "222222222222", Partition: "aws-cn", Region: "cn-north-1"}
	f := judgeRedshiftCluster(redshiftTestCluster("rs-cn", "cn-north-1a", ""), target)
	if f.ResourceARN != "arn:aws-cn:redshift:cn-north-1:222222222222:cluster:rs-cn" {
		t.Errorf("ARN %s", f.ResourceARN)
	}
}

// fakeRedshift serves DescribeClusters page by page (the Marker is the page
// index), or an error.
type fakeRedshift struct {
	pages [][]redshifttypes.Cluster
	err   error
	calls int
}

func (f *fakeRedshift) DescribeClusters(_ context.Context, in *redshift.DescribeClustersInput, _ ...func(*redshift.Options)) (*redshift.DescribeClustersOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	i := rdsFakePage(in.Marker)
	return &redshift.DescribeClustersOutput{Clusters: f.pages[i], Marker: rdsFakeNext(i, len(f.pages))}, nil
}

// redshiftTestPages are two pages of clusters, with clusters on their way
// out that are not judged.
func redshiftTestPages() [][]redshifttypes.Cluster {
	deleting := redshiftTestCluster("rs-deleting", "us-east-1a", "")
	deleting.ClusterStatus = aws.String("deleting")
	finalSnapshot := redshiftTestCluster("rs-final", "us-east-1a", "")
	finalSnapshot.ClusterStatus = aws.String("final-snapshot")
	return [][]redshifttypes.Cluster{
		{redshiftTestCluster("p1-single", "us-east-1a", "Disabled"), deleting},
		{redshiftTestCluster("p2-maz", "us-east-1b", "Enabled"), finalSnapshot, redshiftTestCluster("p2-old", "us-east-1c", "")},
	}
}

func TestLoadRedshiftClustersReadsEveryPage(t *testing.T) {
	api := &fakeRedshift{pages: redshiftTestPages()}
	var got []string
	if err := loadRedshiftClusters(context.Background(), api, func(c redshifttypes.Cluster) {
		got = append(got, aws.ToString(c.ClusterIdentifier))
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1-single", "rs-deleting", "p2-maz", "rs-final", "p2-old"}; !slices.Equal(got, want) || api.calls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.calls, want)
	}
	err := loadRedshiftClusters(context.Background(), &fakeRedshift{err: accessDenied("AccessDenied")}, func(redshifttypes.Cluster) {
		t.Error("a cluster from a denied listing")
	})
	requireCode(t, err, "AccessDenied")
}

func TestAnalyseRedshift(t *testing.T) {
	s := testScope()
	inventory.Put(s, redshiftClusters, slices.Concat(redshiftTestPages()...), nil)
	var got []Finding
	if err := analyseRedshift(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		risk bool
	}{{"p1-single", true}, {"p2-maz", false}, {"p2-old", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %v, want %s %v", i, got[i].ResourceName, got[i].Risk, w.name, w.risk)
		}
	}
	// The ARN is built in the scope's account, partition and region.
	if got[0].ResourceARN != "arn:aws:redshift:us-east-1:111111111111:cluster:p1-single" {
		t.Errorf("ARN %s", got[0].ResourceARN)
	}
}

func TestAnalyseRedshiftAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, redshiftClusters, nil, accessDenied("AccessDenied"))
	var got []Finding
	requireCode(t, analyseRedshift(context.Background(), s, collect(&got)), "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

func TestAnalyseRedshiftKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, redshiftClusters, redshiftTestPages()[0], throttled)
	var got []Finding
	if err := analyseRedshift(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceName != "p1-single" {
		t.Fatalf("findings: %+v", got)
	}
}
