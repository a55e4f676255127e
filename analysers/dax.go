package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dax"
	daxtypes "github.com/aws/aws-sdk-go-v2/service/dax/types"

	"github.com/faultline/faultline/inventory"
)

// daxAPI holds exactly the calls the dax analyser makes. The SDK has no
// paginator for DAX DescribeClusters, so the loader loops on NextToken.
type daxAPI interface {
	DescribeClusters(ctx context.Context, params *dax.DescribeClustersInput, optFns ...func(*dax.Options)) (*dax.DescribeClustersOutput, error)
}

var (
	daxOneAZ = Check{ID: "DAX-1", Severity: SeverityHigh,
		Description: "DAX cluster with no node, a single node, or all its nodes in one Availability Zone",
		Remediation: "Run at least three nodes and spread them over several Availability Zones (subnet group with subnets in several Availability Zones)."}
	daxHealthy = Check{ID: "DAX-2", Severity: SeverityInfo,
		Description: "DAX cluster with nodes in at least two Availability Zones",
		Remediation: "None needed for Availability Zone resilience."}
)

// daxClusters are the region's DAX clusters.
var daxClusters = &inventory.Kind[daxtypes.Cluster]{
	Name:    "dax/clusters",
	Actions: []string{"dax:DescribeClusters"},
	APIs:    []reflect.Type{apiOf[daxAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(daxtypes.Cluster)) error {
		return loadDAXClusters(ctx, dax.NewFromConfig(s.Config()), add)
	},
}

// loadDAXClusters reads every page of DescribeClusters (the SDK has no
// paginator for it).
func loadDAXClusters(ctx context.Context, api daxAPI, add func(daxtypes.Cluster)) error {
	var token *string
	for {
		out, err := api.DescribeClusters(ctx, &dax.DescribeClustersInput{NextToken: token})
		if err != nil {
			return err
		}
		for _, c := range out.Clusters {
			add(c)
		}
		// Stop on the last page, and on a token repeated by a faulty server.
		next := aws.ToString(out.NextToken)
		if next == "" || next == aws.ToString(token) {
			return nil
		}
		token = aws.String(next)
	}
}

var DAX = Analyser{
	Name:   "dax",
	Checks: []Check{daxOneAZ, daxHealthy},
	Kinds:  []inventory.Loader{daxClusters},
	Run:    analyseDAX,
}

// analyseDAX judges every cluster read, even when the listing failed
// part-way (the error is the task's).
func analyseDAX(ctx context.Context, s *inventory.Scope, emit Emit) error {
	clusters, err := daxClusters.Items(ctx, s)
	t := TargetOf(s)
	for _, c := range clusters {
		// Clusters being deleted ("deleting", "deleted") are not judged.
		if status := strings.ToLower(aws.ToString(c.Status)); status == "deleting" || status == "deleted" {
			continue
		}
		emit(judgeDAXCluster(c, t))
	}
	return err
}

// judgeDAXCluster counts the distinct Availability Zones of the cluster's
// nodes. Nodes is optional: a cluster still being created lists none.
func judgeDAXCluster(c daxtypes.Cluster, t Target) Finding {
	name := aws.ToString(c.ClusterName)
	var nodeAZs []string
	unknown := 0
	for _, n := range c.Nodes {
		az := aws.ToString(n.AvailabilityZone)
		if az == "" {
			unknown++
		}
		nodeAZs = append(nodeAZs, az)
	}
	azs := distinct(nodeAZs...)
	n := len(c.Nodes)
	const down = "so an Availability Zone failure takes it down"
	var f Finding
	switch {
	case len(azs) >= 2:
		f = finding(daxHealthy, false, fmt.Sprintf("DAX cluster %s has %s spread over %d Availability Zones (%s).",
			name, plural(n, "node"), len(azs), list(azs)))
	case n == 0:
		status := aws.ToString(c.Status)
		if status == "" {
			status = "not reported"
		}
		f = finding(daxOneAZ, true, fmt.Sprintf("DAX cluster %s has no nodes yet (status %s), so it cannot be shown to span Availability Zones.",
			name, status))
	case n == 1 && len(azs) == 1:
		f = finding(daxOneAZ, true, fmt.Sprintf("DAX cluster %s has a single node (%s), %s.", name, azs[0], down))
	case n == 1:
		f = finding(daxOneAZ, true, fmt.Sprintf("DAX cluster %s has a single node, whose Availability Zone is not reported, %s.", name, down))
	case len(azs) == 0:
		f = finding(daxOneAZ, true, fmt.Sprintf("DAX cluster %s has %s, none of which reports its Availability Zone, so it cannot be shown to span Availability Zones.",
			name, plural(n, "node")))
	case unknown > 0:
		f = finding(daxOneAZ, true, fmt.Sprintf("DAX cluster %s has %s in one reported Availability Zone (%s) and %s whose Availability Zone is not reported, so it cannot be shown to span Availability Zones.",
			name, plural(n-unknown, "node"), azs[0], plural(unknown, "node")))
	default:
		f = finding(daxOneAZ, true, fmt.Sprintf("DAX cluster %s has %s, all in one Availability Zone (%s), %s.",
			name, plural(n, "node"), azs[0], down))
	}
	f.ResourceType = "AWS::DAX::Cluster"
	if len(azs) > 0 {
		f.AZs = azs
	}
	f.ResourceARN = aws.ToString(c.ClusterArn)
	if f.ResourceARN == "" {
		f.ResourceARN = t.ARN("dax", t.Region, "cache/"+name)
	}
	f.ResourceName = name
	return f
}
