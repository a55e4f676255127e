//go:build legacy

package analysers

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	redshifttypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"
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
	cases := []struct {
		name     string
		cluster  redshifttypes.Cluster
		check    string
		severity Severity
		risk     bool
		message  string
	}{
		{"Multi-AZ, secondary AZ unknown", redshiftTestCluster("rs-maz", "us-east-1a", "Enabled"), "REDSHIFT-1", SeverityHigh, false,
			"Redshift cluster rs-maz is Multi-AZ (primary compute in us-east-1a, secondary compute in another Availability Zone), so it keeps serving if one Availability Zone fails."},
		{"Multi-AZ, secondary AZ known", withSecondary, "REDSHIFT-1", SeverityHigh, false,
			"Redshift cluster rs-maz2 is Multi-AZ (primary compute in us-east-1a, secondary compute in us-east-1c), so it keeps serving if one Availability Zone fails."},
		{"Multi-AZ, secondary without AZ", emptySecondary, "REDSHIFT-1", SeverityHigh, false,
			"Redshift cluster rs-maz3 is Multi-AZ (primary compute in us-east-1a, secondary compute in another Availability Zone), so it keeps serving if one Availability Zone fails."},
		{"MultiAZ Disabled", redshiftTestCluster("rs-off", "us-east-1b", "Disabled"), "REDSHIFT-1", SeverityHigh, true, single("rs-off", "us-east-1b")},
		{"MultiAZ missing", redshiftTestCluster("rs-old", "us-east-1a", ""), "REDSHIFT-1", SeverityHigh, true, single("rs-old", "us-east-1a")},
		{"MultiAZ unexpected value", redshiftTestCluster("rs-odd", "us-east-1a", "enabled-ish"), "REDSHIFT-1", SeverityHigh, true, single("rs-odd", "us-east-1a")},
		{"relocation disabled", relocationOff, "REDSHIFT-1", SeverityHigh, true, single("rs-reloc-off", "us-east-1b")},
		{"no optional fields", bare, "REDSHIFT-1", SeverityHigh, true, single("bare", "Availability Zone not reported")},
		{"single-AZ with relocation", relocating, "REDSHIFT-2", SeverityMedium, true,
			"Redshift cluster rs-reloc runs all its compute in one Availability Zone (us-east-1b) without Multi-AZ; Availability Zone relocation is enabled, so AWS can move it to another zone after a zone failure, with downtime during the move."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRedshiftCluster(c.cluster, redshiftTestTarget)
			if f.CheckID != c.check || f.Severity != c.severity || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.severity, c.risk, c.message)
			}
			id := aws.ToString(c.cluster.ClusterIdentifier)
			if f.ResourceARN != "arn:aws:redshift:us-east-1:111111111111:cluster:"+id || f.ResourceName != id || f.ResourceID != id || f.Engine != "" {
				t.Errorf("resource columns: %+v", f)
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

func TestAnalyseRedshiftReadsEveryPage(t *testing.T) {
	deleting := redshiftTestCluster("rs-deleting", "us-east-1a", "")
	deleting.ClusterStatus = aws.String("deleting")
	finalSnapshot := redshiftTestCluster("rs-final", "us-east-1a", "")
	finalSnapshot.ClusterStatus = aws.String("final-snapshot")
	api := &fakeRedshift{pages: [][]redshifttypes.Cluster{
		{redshiftTestCluster("p1-single", "us-east-1a", "Disabled"), deleting},
		{redshiftTestCluster("p2-maz", "us-east-1b", "Enabled"), finalSnapshot, redshiftTestCluster("p2-old", "us-east-1c", "")},
	}}
	var got []Finding
	if err := analyseRedshift(context.Background(), api, redshiftTestTarget, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		risk bool
	}{{"p1-single", true}, {"p2-maz", false}, {"p2-old", true}}
	if len(got) != len(want) || api.calls != 2 {
		t.Fatalf("got %d findings in %d calls, want %d in 2: %+v", len(got), api.calls, len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %v, want %s %v", i, got[i].ResourceName, got[i].Risk, w.name, w.risk)
		}
	}
}

func TestAnalyseRedshiftAccessDenied(t *testing.T) {
	var got []Finding
	err := analyseRedshift(context.Background(), &fakeRedshift{err: accessDenied("AccessDenied")}, redshiftTestTarget, collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}
