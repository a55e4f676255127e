package analysers

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudhsmv2"
	cloudhsmtypes "github.com/aws/aws-sdk-go-v2/service/cloudhsmv2/types"

	"github.com/faultline/faultline/inventory"
)

// cloudhsmAPI holds exactly the calls the cloudhsm analyser makes.
type cloudhsmAPI interface {
	cloudhsmv2.DescribeClustersAPIClient
}

var cloudhsmClusterCheck = Check{ID: "CLOUDHSM-1", Severity: SeverityHigh,
	Description: "CloudHSM cluster with no HSM, one HSM, or all its HSMs in one Availability Zone",
	Remediation: "Run at least two HSMs in the cluster, in different Availability Zones."}

// cloudhsmClusters are the region's CloudHSM (v2) clusters, with their HSMs.
var cloudhsmClusters = &inventory.Kind[cloudhsmtypes.Cluster]{
	Name: "cloudhsm/clusters",
	// The IAM prefix of CloudHSM (v2) is cloudhsm.
	Actions: []string{"cloudhsm:DescribeClusters"},
	APIs:    []reflect.Type{apiOf[cloudhsmAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(cloudhsmtypes.Cluster)) error {
		return loadCloudHSMClusters(ctx, cloudhsmv2.NewFromConfig(s.Config()), add)
	},
}

func loadCloudHSMClusters(ctx context.Context, api cloudhsmAPI, add func(cloudhsmtypes.Cluster)) error {
	p := cloudhsmv2.NewDescribeClustersPaginator(api, &cloudhsmv2.DescribeClustersInput{})
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

var CloudHSM = Analyser{
	Name:   "cloudhsm",
	Checks: []Check{cloudhsmClusterCheck},
	Kinds:  []inventory.Loader{cloudhsmClusters},
	Run:    analyseCloudHSM,
}

// cloudhsmGone are the cluster and HSM states that are not counted: the
// cluster or HSM is deleted or being deleted and serves no request again.
var cloudhsmGone = map[string]bool{"DELETED": true, "DELETE_IN_PROGRESS": true}

// analyseCloudHSM judges every cluster read, even when the listing failed
// part-way (the error is the task's).
func analyseCloudHSM(ctx context.Context, s *inventory.Scope, emit Emit) error {
	clusters, err := cloudhsmClusters.Items(ctx, s)
	t := TargetOf(s)
	for _, c := range clusters {
		if cloudhsmGone[string(c.State)] {
			continue
		}
		emit(judgeCloudHSMCluster(t, c))
	}
	return err
}

// judgeCloudHSMCluster counts the cluster's live HSMs and their distinct
// Availability Zones. A cluster without an HSM serves nothing: it is a risk,
// not a pass.
func judgeCloudHSMCluster(t Target, c cloudhsmtypes.Cluster) Finding {
	id := aws.ToString(c.ClusterId)
	n, unknown := 0, 0
	var azs []string
	for _, h := range c.Hsms {
		if cloudhsmGone[string(h.State)] {
			continue
		}
		n++
		if az := aws.ToString(h.AvailabilityZone); az != "" {
			azs = append(azs, az)
		} else {
			unknown++
		}
	}
	azs = distinct(azs...)
	var f Finding
	switch {
	case n == 0:
		f = finding(cloudhsmClusterCheck, true, fmt.Sprintf(
			"CloudHSM cluster %s has no HSM, so nothing serves its requests; it needs HSMs in at least two Availability Zones.", id))
	case len(azs) >= 2:
		f = finding(cloudhsmClusterCheck, false, fmt.Sprintf(
			"CloudHSM cluster %s has %s across %d Availability Zones (%s), so it keeps serving if one zone fails.",
			id, plural(n, "HSM"), len(azs), list(azs)))
	case unknown > 0:
		verb := "reports"
		if unknown > 1 {
			verb = "report"
		}
		f = finding(cloudhsmClusterCheck, true, fmt.Sprintf(
			"CloudHSM cluster %s has %s in at most one known Availability Zone (%s); %s %s no Availability Zone, so the cluster cannot be shown to span two zones.",
			id, plural(n, "HSM"), list(azs), plural(unknown, "HSM"), verb))
	case n == 1:
		f = finding(cloudhsmClusterCheck, true, fmt.Sprintf(
			"CloudHSM cluster %s has 1 HSM, in %s: a failure of that Availability Zone stops the cluster.", id, list(azs)))
	default:
		f = finding(cloudhsmClusterCheck, true, fmt.Sprintf(
			"CloudHSM cluster %s has %s, all in one Availability Zone (%s): a failure of that zone stops the cluster.",
			id, plural(n, "HSM"), list(azs)))
	}
	// CloudFormation has no CloudHSM type: the service's own name is used.
	f.ResourceType = "AWS::CloudHSM::Cluster"
	if len(azs) > 0 {
		f.AZs = azs
	}
	f.ResourceARN = t.ARN("cloudhsm", t.Region, "cluster/"+id)
	f.ResourceName = id
	f.ResourceID = id
	return f
}
