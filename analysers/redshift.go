package analysers

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	redshifttypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"

	"github.com/faultline/faultline/inventory"
)

// redshiftAPI holds exactly the calls of the redshift analyser's kind.
type redshiftAPI interface {
	redshift.DescribeClustersAPIClient
}

var (
	redshiftSingleAZ = Check{ID: "REDSHIFT-1", Severity: SeverityHigh,
		Description: "Provisioned Redshift cluster whose compute runs in one Availability Zone (Multi-AZ not enabled)",
		Remediation: "Enable Multi-AZ on the cluster (RA3 node types), or at least enable Availability Zone relocation."}
	redshiftRelocation = Check{ID: "REDSHIFT-2", Severity: SeverityMedium,
		Description: "Single-AZ Redshift cluster with Availability Zone relocation enabled: AWS can move it to another zone after a zone failure, with downtime during the move",
		Remediation: "Enable Multi-AZ on the cluster (RA3 node types) to keep serving through a zone failure."}
)

// redshiftClusters are the region's provisioned clusters.
var redshiftClusters = &inventory.Kind[redshifttypes.Cluster]{
	Name:    "redshift/clusters",
	Actions: []string{"redshift:DescribeClusters"},
	APIs:    []reflect.Type{apiOf[redshiftAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(redshifttypes.Cluster)) error {
		return loadRedshiftClusters(ctx, redshift.NewFromConfig(s.Config()), add)
	},
}

func loadRedshiftClusters(ctx context.Context, api redshiftAPI, add func(redshifttypes.Cluster)) error {
	p := redshift.NewDescribeClustersPaginator(api, &redshift.DescribeClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range page.Clusters {
			add(c)
		}
	}
	return nil
}

var Redshift = Analyser{
	Name:   "redshift",
	Checks: []Check{redshiftSingleAZ, redshiftRelocation},
	Kinds:  []inventory.Loader{redshiftClusters},
	Run:    analyseRedshift,
}

// analyseRedshift judges every cluster read, even when the listing failed
// part-way (the error is the task's).
func analyseRedshift(ctx context.Context, s *inventory.Scope, emit Emit) error {
	clusters, err := redshiftClusters.Items(ctx, s)
	t := TargetOf(s)
	for _, c := range clusters {
		// Clusters on their way out ("deleting", and "final-snapshot", the
		// snapshot taken just before deletion) are not judged.
		if st := aws.ToString(c.ClusterStatus); st == "deleting" || st == "final-snapshot" {
			continue
		}
		emit(judgeRedshiftCluster(c, t))
	}
	return err
}

// judgeRedshiftCluster judges a provisioned cluster by its MultiAZ setting:
// "Enabled" is healthy; missing or any other value is a single-AZ cluster.
// The API gives no cluster ARN: it is built in the caller's partition.
func judgeRedshiftCluster(c redshifttypes.Cluster, t Target) Finding {
	id := aws.ToString(c.ClusterIdentifier)
	az := aws.ToString(c.AvailabilityZone)
	if az == "" {
		az = "Availability Zone not reported"
	}
	var f Finding
	// The primary compute's zone, and the secondary's when it is reported.
	placed := []string{aws.ToString(c.AvailabilityZone)}
	switch {
	case aws.ToString(c.MultiAZ) == "Enabled":
		secondary := "another Availability Zone"
		if c.MultiAZSecondary != nil && aws.ToString(c.MultiAZSecondary.AvailabilityZone) != "" {
			secondary = aws.ToString(c.MultiAZSecondary.AvailabilityZone)
			placed = append(placed, secondary)
		}
		f = finding(redshiftSingleAZ, false, fmt.Sprintf(
			"Redshift cluster %s is Multi-AZ (primary compute in %s, secondary compute in %s), so it keeps serving if one Availability Zone fails.",
			id, az, secondary))
	case aws.ToString(c.AvailabilityZoneRelocationStatus) == "enabled":
		f = finding(redshiftRelocation, true, fmt.Sprintf(
			"Redshift cluster %s runs all its compute in one Availability Zone (%s) without Multi-AZ; Availability Zone relocation is enabled, so AWS can move it to another zone after a zone failure, with downtime during the move.",
			id, az))
	default:
		f = finding(redshiftSingleAZ, true, fmt.Sprintf(
			"Redshift cluster %s runs all its compute in one Availability Zone (%s) without Multi-AZ or Availability Zone relocation, so an outage of that zone takes it down.",
			id, az))
	}
	f.ResourceType = "AWS::Redshift::Cluster"
	f.AZs = distinct(placed...)
	f.ResourceARN = t.ARN("redshift", t.Region, "cluster:"+id)
	f.ResourceName = id
	f.ResourceID = id
	return f
}
