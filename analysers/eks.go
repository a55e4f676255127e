package analysers

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/inventory"
)

// eksClustersAPI and eksNodegroupsAPI hold exactly the calls the eks
// analyser's kinds make.
type eksClustersAPI interface {
	eks.ListClustersAPIClient
	DescribeCluster(context.Context, *eks.DescribeClusterInput, ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
}

type eksNodegroupsAPI interface {
	eks.ListNodegroupsAPIClient
	DescribeNodegroup(context.Context, *eks.DescribeNodegroupInput, ...func(*eks.Options)) (*eks.DescribeNodegroupOutput, error)
}

var (
	eksControlPlaneOneAZ = Check{ID: "EKS-1", Severity: SeverityHigh,
		Description: "Cluster whose VPC subnets, where the control plane puts its network interfaces, are all in one Availability Zone",
		Remediation: "Update the cluster's VPC configuration with subnets in at least two (ideally three) Availability Zones."}
	eksNodegroupOneAZ = Check{ID: "EKS-2", Severity: SeverityMedium,
		Description: "Managed node group whose subnets are all in one Availability Zone",
		Remediation: "Give the node group subnets in several Availability Zones, or keep one node group per zone on purpose (EBS-backed workloads with Cluster Autoscaler) with sibling groups in the other zones."}
	eksNodesOneAZ = Check{ID: "EKS-3", Severity: SeverityHigh,
		Description: "Cluster whose managed node groups are all in one and the same Availability Zone",
		Remediation: "Add managed node groups (or subnets of the existing ones) in at least two more Availability Zones."}
)

// eksClusters are the region's clusters, each as DescribeCluster gives it.
var eksClusters = &inventory.Kind[ekstypes.Cluster]{
	Name:    "eks/clusters",
	Actions: []string{"eks:DescribeCluster", "eks:ListClusters"},
	APIs:    []reflect.Type{apiOf[eksClustersAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ekstypes.Cluster)) error {
		return loadEKSClusters(ctx, eks.NewFromConfig(s.Config()), add)
	},
}

// loadEKSClusters lists the cluster names and describes each; a cluster
// deleted between the two calls (ResourceNotFoundException) is left out.
func loadEKSClusters(ctx context.Context, api eksClustersAPI, add func(ekstypes.Cluster)) error {
	p := eks.NewListClustersPaginator(api, &eks.ListClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, name := range page.Clusters {
			out, err := api.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
			if eksNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if out.Cluster != nil {
				add(*out.Cluster)
			}
		}
	}
	return nil
}

// eksNodegroups are the managed node groups of every cluster of
// eksClusters, each as DescribeNodegroup gives it.
var eksNodegroups = &inventory.Kind[ekstypes.Nodegroup]{
	Name:    "eks/nodegroups",
	Actions: []string{"eks:DescribeCluster", "eks:DescribeNodegroup", "eks:ListClusters", "eks:ListNodegroups"},
	APIs:    []reflect.Type{apiOf[eksNodegroupsAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ekstypes.Nodegroup)) error {
		clusters, err := eksClusters.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadEKSNodegroups(ctx, eks.NewFromConfig(s.Config()), clusters, add)
	},
}

// loadEKSNodegroups lists and describes each cluster's node groups; a
// cluster or node group deleted meanwhile (ResourceNotFoundException) is
// left out.
func loadEKSNodegroups(ctx context.Context, api eksNodegroupsAPI, clusters []ekstypes.Cluster, add func(ekstypes.Nodegroup)) error {
	for _, c := range clusters {
		p := eks.NewListNodegroupsPaginator(api, &eks.ListNodegroupsInput{ClusterName: c.Name})
	pages:
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if eksNotFound(err) {
				break pages
			}
			if err != nil {
				return err
			}
			for _, name := range page.Nodegroups {
				out, err := api.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: c.Name, NodegroupName: aws.String(name)})
				if eksNotFound(err) {
					continue
				}
				if err != nil {
					return err
				}
				if out.Nodegroup != nil {
					add(*out.Nodegroup)
				}
			}
		}
	}
	return nil
}

// eksNotFound reports whether err is EKS saying the cluster or node group
// does not exist (any more).
func eksNotFound(err error) bool {
	var nf *ekstypes.ResourceNotFoundException
	var apiErr smithy.APIError
	return errors.As(err, &nf) || (errors.As(err, &apiErr) && apiErr.ErrorCode() == "ResourceNotFoundException")
}

var EKS = Analyser{
	Name:   "eks",
	Checks: []Check{eksControlPlaneOneAZ, eksNodegroupOneAZ, eksNodesOneAZ},
	Kinds:  []inventory.Loader{eksClusters, eksNodegroups, inventory.Subnets},
	Run:    analyseEKS,
}

// eksJudgedCluster reports whether a cluster is judged: clusters being
// deleted and clusters whose creation failed are not.
func eksJudgedCluster(c ekstypes.Cluster) bool {
	return c.Status != ekstypes.ClusterStatusDeleting && c.Status != ekstypes.ClusterStatusFailed
}

// eksJudgedNodegroup reports whether a node group's nodes count: groups
// being deleted and groups whose creation failed have none to keep.
func eksJudgedNodegroup(ng ekstypes.Nodegroup) bool {
	return ng.Status != ekstypes.NodegroupStatusDeleting && ng.Status != ekstypes.NodegroupStatusCreateFailed
}

// analyseEKS emits each cluster's control-plane row (EKS-1), then each
// managed node group's row (EKS-2), then each cluster's node row (EKS-3).
// Clusters read before a failed listing are judged and the error is the
// task's. A failed subnet read fails the task before anything is judged
// (placing with missing subnets would report subnets "not found"). A node
// group listing that failed part-way keeps the EKS-2 rows of the groups
// read, but no EKS-3 row: a cluster whose groups were not all read could be
// reported as having all its nodes in one zone.
func analyseEKS(ctx context.Context, s *inventory.Scope, emit Emit) error {
	all, listErr := eksClusters.Items(ctx, s)
	var clusters []ekstypes.Cluster
	for _, c := range all {
		if eksJudgedCluster(c) {
			clusters = append(clusters, c)
		}
	}
	if len(clusters) == 0 {
		return listErr
	}
	subnets, err := inventory.SubnetsByID(ctx, s)
	if err != nil {
		return err
	}
	for _, c := range clusters {
		emit(judgeEKSControlPlane(c, subnets))
	}
	if listErr != nil {
		// The node groups kind reads the clusters first and would fail
		// with the same error.
		return listErr
	}
	groups, ngErr := eksNodegroups.Items(ctx, s)
	byCluster := map[string][]ekstypes.Nodegroup{}
	for _, ng := range groups {
		if !eksJudgedNodegroup(ng) {
			continue
		}
		emit(judgeEKSNodegroup(ng, subnets))
		byCluster[aws.ToString(ng.ClusterName)] = append(byCluster[aws.ToString(ng.ClusterName)], ng)
	}
	if ngErr != nil {
		return ngErr
	}
	for _, c := range clusters {
		emit(judgeEKSNodes(c, byCluster[aws.ToString(c.Name)], subnets))
	}
	return nil
}

func eksClusterFinding(f Finding, c ekstypes.Cluster) Finding {
	f.ResourceType = "AWS::EKS::Cluster"
	f.ResourceARN = aws.ToString(c.Arn)
	f.ResourceName = aws.ToString(c.Name)
	return f
}

// judgeEKSControlPlane is EKS-1: the zones of the cluster's subnets, where
// EKS puts the control plane's network interfaces (the nodes' way to the
// Kubernetes API).
func judgeEKSControlPlane(c ekstypes.Cluster, subnets map[string]inventory.Subnet) Finding {
	label := "EKS cluster " + aws.ToString(c.Name)
	var ids []string
	if c.ResourcesVpcConfig != nil {
		ids = c.ResourcesVpcConfig.SubnetIds
	}
	f := judgeSubnetSpread(eksControlPlaneOneAZ, label, "puts its control-plane network interfaces in",
		"lists no VPC subnets, so its control-plane network interfaces cannot be placed in any Availability Zone.",
		"an outage of that zone cuts the nodes off from the Kubernetes API.", ids, subnets)
	return eksClusterFinding(f, c)
}

// judgeEKSNodegroup is EKS-2: the zones of a managed node group's subnets.
func judgeEKSNodegroup(ng ekstypes.Nodegroup, subnets map[string]inventory.Subnet) Finding {
	label := "EKS managed node group " + aws.ToString(ng.NodegroupName) + " of cluster " + aws.ToString(ng.ClusterName)
	if sc := ng.ScalingConfig; sc != nil && sc.DesiredSize != nil {
		label += fmt.Sprintf(" (desired %d nodes)", aws.ToInt32(sc.DesiredSize))
	}
	f := judgeSubnetSpread(eksNodegroupOneAZ, label, "launches its nodes in",
		"lists no subnets, so its nodes cannot be placed in any Availability Zone.",
		"pods that only this group can run (by label, taint or EBS volume) stop if that zone fails.", ng.Subnets, subnets)
	f.ResourceType = "AWS::EKS::Nodegroup"
	f.ResourceARN = aws.ToString(ng.NodegroupArn)
	f.ResourceName = aws.ToString(ng.NodegroupName)
	return f
}

// judgeEKSNodes is EKS-3: the zones of all the cluster's managed node
// groups together. Groups that are each in one zone, in different zones,
// are fine: the cluster's nodes span those zones.
func judgeEKSNodes(c ekstypes.Cluster, groups []ekstypes.Nodegroup, subnets map[string]inventory.Subnet) Finding {
	label := "EKS cluster " + aws.ToString(c.Name)
	var ids []string
	var perGroup []string
	allSingle := true
	groups = slices.Clone(groups)
	sort.Slice(groups, func(i, j int) bool {
		return aws.ToString(groups[i].NodegroupName) < aws.ToString(groups[j].NodegroupName)
	})
	for _, ng := range groups {
		ids = append(ids, ng.Subnets...)
		p := placeSubnets(ng.Subnets, subnets)
		perGroup = append(perGroup, aws.ToString(ng.NodegroupName)+": "+list(p.AZs))
		allSingle = allSingle && len(p.AZs) <= 1
	}
	place := placeSubnets(ids, subnets)
	azs, unknown := place.AZs, place.Unknown
	n := len(groups)
	groupsLabel := plural(n, "managed node group")
	var f Finding
	switch {
	case n == 0:
		f = finding(eksNodesOneAZ, false, fmt.Sprintf("%s has no managed node group, so no managed node depends on one Availability Zone; nodes outside managed node groups (self-managed groups, Karpenter, EKS Auto Mode, Fargate) are not judged by this check.", label))
	case len(azs) >= 2 && allSingle:
		f = finding(eksNodesOneAZ, false, fmt.Sprintf("%s has %s, each in one Availability Zone but not all in the same one (%s), so its managed nodes span %d Availability Zones (%s).",
			label, groupsLabel, strings.Join(perGroup, "; "), len(azs), list(azs)))
	case len(azs) >= 2:
		f = finding(eksNodesOneAZ, false, fmt.Sprintf("%s has %s whose nodes span %d Availability Zones (%s).",
			label, groupsLabel, len(azs), list(azs)))
	case len(azs) == 0:
		f = finding(eksNodesOneAZ, true, fmt.Sprintf("%s has %s whose subnets could not be found (%s), so their Availability Zones are unknown.",
			label, groupsLabel, list(unknown)))
	case len(unknown) > 0:
		f = finding(eksNodesOneAZ, true, fmt.Sprintf("%s has %s; only %s could be placed (%s) and %s could not be found (%s).",
			label, groupsLabel, plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown)))
	default:
		f = finding(eksNodesOneAZ, true, fmt.Sprintf("%s has %s, all in one Availability Zone (%s): an outage of that zone takes down every managed node of the cluster.",
			label, groupsLabel, list(azs)))
	}
	f.AZs, f.AZIDs = place.AZs, place.AZIDs
	return eksClusterFinding(f, c)
}
