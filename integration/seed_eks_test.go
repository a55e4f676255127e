package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/faultline/faultline/analysers"
)

// seedEKS seeds clusters with control planes in one and in several AZs, and
// managed node groups all in one AZ, one AZ each in different AZs, and
// across AZs. moto holds everything the eks analyser reads (it does not
// check the subnets or the roles); the paths it cannot produce, clusters
// and node groups being deleted or failed and subnets that do not exist,
// are tested with fixtures only (analysers/eks_test.go).
func seedEKS(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"
	api := eks.NewFromConfig(cfg)
	role := "arn:aws:iam::" + accountOf(t, ctx, cfg) + ":role/eks"
	cluster := func(name string, zones ...string) string {
		var ids []string
		for _, z := range zones {
			ids = append(ids, subnets[z])
		}
		out, err := api.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: ids}})
		if err != nil {
			t.Fatalf("create cluster %s: %v", name, err)
		}
		return aws.ToString(out.Cluster.Arn)
	}
	nodegroup := func(cluster, name string, zones ...string) string {
		var ids []string
		for _, z := range zones {
			ids = append(ids, subnets[z])
		}
		out, err := api.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name),
			NodeRole: aws.String(role), Subnets: ids, ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(2), MinSize: aws.Int32(1), MaxSize: aws.Int32(3)}})
		if err != nil {
			t.Fatalf("create node group %s/%s: %v", cluster, name, err)
		}
		return aws.ToString(out.Nodegroup.NodegroupArn)
	}

	oneAZ := cluster("eks-one-az", a)
	oneAZng := nodegroup("eks-one-az", "ng-a", a)
	perAZ := cluster("eks-per-az", a, b)
	perAZa := nodegroup("eks-per-az", "ng-a", a)
	perAZb := nodegroup("eks-per-az", "ng-b", b)
	multi := cluster("eks-multi", a, b, c)
	multiNG := nodegroup("eks-multi", "ng-all", a, b, c)
	bare := cluster("eks-no-nodes", a, b)

	ng := func(cluster, name string) string {
		return "EKS managed node group " + name + " of cluster " + cluster + " (desired 2 nodes)"
	}
	return []row{
		{"eks", r, oneAZ, "eks-one-az", "", "True", "",
			"EKS cluster eks-one-az puts its control-plane network interfaces in 1 subnet, all in one Availability Zone (" + a + "): an outage of that zone cuts the nodes off from the Kubernetes API.", "EKS-1", "HIGH"},
		{"eks", r, oneAZng, "ng-a", "", "True", "",
			ng("eks-one-az", "ng-a") + " launches its nodes in 1 subnet, all in one Availability Zone (" + a + "): pods that only this group can run (by label, taint or EBS volume) stop if that zone fails.", "EKS-2", "MEDIUM"},
		{"eks", r, oneAZ, "eks-one-az", "", "True", "",
			"EKS cluster eks-one-az has 1 managed node group, all in one Availability Zone (" + a + "): an outage of that zone takes down every managed node of the cluster.", "EKS-3", "HIGH"},

		{"eks", r, perAZ, "eks-per-az", "", "False", "",
			"EKS cluster eks-per-az puts its control-plane network interfaces in 2 subnets across 2 Availability Zones (" + a + ", " + b + ").", "EKS-1", "HIGH"},
		{"eks", r, perAZa, "ng-a", "", "True", "",
			ng("eks-per-az", "ng-a") + " launches its nodes in 1 subnet, all in one Availability Zone (" + a + "): pods that only this group can run (by label, taint or EBS volume) stop if that zone fails.", "EKS-2", "MEDIUM"},
		{"eks", r, perAZb, "ng-b", "", "True", "",
			ng("eks-per-az", "ng-b") + " launches its nodes in 1 subnet, all in one Availability Zone (" + b + "): pods that only this group can run (by label, taint or EBS volume) stop if that zone fails.", "EKS-2", "MEDIUM"},
		{"eks", r, perAZ, "eks-per-az", "", "False", "",
			"EKS cluster eks-per-az has 2 managed node groups, each in one Availability Zone but not all in the same one (ng-a: " + a + "; ng-b: " + b + "), so its managed nodes span 2 Availability Zones (" + a + ", " + b + ").", "EKS-3", "HIGH"},

		{"eks", r, multi, "eks-multi", "", "False", "",
			"EKS cluster eks-multi puts its control-plane network interfaces in 3 subnets across 3 Availability Zones (" + a + ", " + b + ", " + c + ").", "EKS-1", "HIGH"},
		{"eks", r, multiNG, "ng-all", "", "False", "",
			ng("eks-multi", "ng-all") + " launches its nodes in 3 subnets across 3 Availability Zones (" + a + ", " + b + ", " + c + ").", "EKS-2", "MEDIUM"},
		{"eks", r, multi, "eks-multi", "", "False", "",
			"EKS cluster eks-multi has 1 managed node group whose nodes span 3 Availability Zones (" + a + ", " + b + ", " + c + ").", "EKS-3", "HIGH"},

		{"eks", r, bare, "eks-no-nodes", "", "False", "",
			"EKS cluster eks-no-nodes puts its control-plane network interfaces in 2 subnets across 2 Availability Zones (" + a + ", " + b + ").", "EKS-1", "HIGH"},
		{"eks", r, bare, "eks-no-nodes", "", "False", "",
			"EKS cluster eks-no-nodes has no managed node group, so no managed node depends on one Availability Zone; nodes outside managed node groups (self-managed groups, Karpenter, EKS Auto Mode, Fargate) are not judged by this check.", "EKS-3", "HIGH"},
	}
}

func TestMotoEKS(t *testing.T) {
	checkAnalyser(t, analysers.EKS, seedEKS, "100000004002", "ap-south-1")
}
