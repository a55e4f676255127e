//go:build legacy

package analysers

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	redshifttypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"
)

// redshiftAPI holds exactly the calls the redshift analyser makes.
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

var Redshift = Analyser{
	Name:       "redshift",
	Actions:    []string{"redshift:DescribeClusters"},
	Checks:     []Check{redshiftSingleAZ, redshiftRelocation},
	ClientAPIs: []reflect.Type{apiOf[redshiftAPI]()},
	Run: func(ctx context.Context, cfg aws.Config, t Target, emit Emit) error {
		return analyseRedshift(ctx, redshift.NewFromConfig(cfg), t, emit)
	},
}

func analyseRedshift(ctx context.Context, api redshiftAPI, t Target, emit Emit) error {
	p := redshift.NewDescribeClustersPaginator(api, &redshift.DescribeClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range page.Clusters {
			// Clusters on their way out ("deleting", and "final-snapshot",
			// the snapshot taken just before deletion) are not judged.
			if s := aws.ToString(c.ClusterStatus); s == "deleting" || s == "final-snapshot" {
				continue
			}
			emit(judgeRedshiftCluster(c, t))
		}
	}
	return nil
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
	switch {
	case aws.ToString(c.MultiAZ) == "Enabled":
		secondary := "another Availability Zone"
		if c.MultiAZSecondary != nil && aws.ToString(c.MultiAZSecondary.AvailabilityZone) != "" {
			secondary = aws.ToString(c.MultiAZSecondary.AvailabilityZone)
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
	f.ResourceARN = t.ARN("redshift", t.Region, "cluster:"+id)
	f.ResourceName = id
	f.ResourceID = id
	return f
}
