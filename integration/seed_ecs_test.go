package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/faultline/faultline/analysers"
)

// defaultSecurityGroup is the default VPC's default security group: moto's
// CreateService and RunTask need one in an awsvpc configuration.
func defaultSecurityGroup(t *testing.T, ctx context.Context, cfg aws.Config) string {
	t.Helper()
	out, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{"default"}}},
	})
	if err != nil || len(out.SecurityGroups) == 0 {
		t.Fatalf("default security group: %v", err)
	}
	return aws.ToString(out.SecurityGroups[0].GroupId)
}

// seedECS seeds Fargate services in one and in two AZs, a single-task
// service and an EC2 service, and runs the Fargate services' tasks.
//
// moto 5.2.1 does not hold what these paths need, so they are tested with
// fixtures only (analysers/ecs_test.go):
//   - placementStrategy and placementConstraints: CreateService drops them,
//     so the EC2 service here has ECS's default strategy (ECS-3 not a risk)
//     and no AZ constraint; the risky strategies and memberOf constraints
//     are judged in TestJudgeECSPlacement and TestJudgeECSConfinement;
//   - capacityProviderStrategy: CreateService drops it too;
//   - a task's availabilityZone: moto's tasks report none, so the tasks
//     here are placed by the subnet of their awsvpc interface (the fallback
//     path); the reported zone is judged in TestJudgeECSTasks;
//   - services do not start tasks in moto, so the tasks of a service are
//     started by RunTask with the service's group (service:NAME), and the
//     EC2 service has no task at all (RunTask on EC2 needs a registered
//     container instance).
func seedECS(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	sg := defaultSecurityGroup(t, ctx, cfg)
	r := cfg.Region
	a, b := r+"a", r+"b"
	api := ecs.NewFromConfig(cfg)
	const cluster = "zd-web"
	if _, err := api.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cluster)}); err != nil {
		t.Fatal(err)
	}
	// moto echoes a task's containers' cpu and memory as numbers, where the
	// API (and the Go SDK) has strings: tools/moto/moto_server_go.py makes
	// them strings, so that DescribeTasks decodes.
	container := []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}
	if _, err := api.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("zd-app"), NetworkMode: ecstypes.NetworkModeAwsvpc, ContainerDefinitions: container,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("zd-bridge"), NetworkMode: ecstypes.NetworkModeBridge, ContainerDefinitions: container,
	}); err != nil {
		t.Fatal(err)
	}
	awsvpc := func(ids ...string) *ecstypes.NetworkConfiguration {
		return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: ids, SecurityGroups: []string{sg}}}
	}
	service := func(name string, launch ecstypes.LaunchType, taskDef string, desired int32, network *ecstypes.NetworkConfiguration) string {
		out, err := api.CreateService(ctx, &ecs.CreateServiceInput{
			Cluster: aws.String(cluster), ServiceName: aws.String(name), TaskDefinition: aws.String(taskDef),
			DesiredCount: aws.Int32(desired), LaunchType: launch, NetworkConfiguration: network,
		})
		if err != nil {
			t.Fatalf("create service %s: %v", name, err)
		}
		return aws.ToString(out.Service.ServiceArn)
	}
	run := func(group string, count int32, subnet string) {
		in := &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: aws.String("zd-app"), Count: aws.Int32(count),
			LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: awsvpc(subnet)}
		if group != "" {
			in.Group = aws.String(group)
		}
		if _, err := api.RunTask(ctx, in); err != nil {
			t.Fatalf("run task %s: %v", group, err)
		}
	}

	oneAZ := service("fargate-one-az", ecstypes.LaunchTypeFargate, "zd-app", 2, awsvpc(subnets[a]))
	run("service:fargate-one-az", 2, subnets[a])
	spread := service("fargate-spread", ecstypes.LaunchTypeFargate, "zd-app", 2, awsvpc(subnets[a], subnets[b]))
	run("service:fargate-spread", 1, subnets[a])
	run("service:fargate-spread", 1, subnets[b])
	solo := service("fargate-solo", ecstypes.LaunchTypeFargate, "zd-app", 1, awsvpc(subnets[a], subnets[b]))
	ec2Default := service("ec2-default", ecstypes.LaunchTypeEc2, "zd-bridge", 2, nil)
	// A standalone task (group family:zd-app) belongs to no service.
	run("", 1, subnets[a])

	label := func(name string) string { return "ECS service " + name + " (cluster " + cluster + ")" }
	return []row{
		{"ecs", r, oneAZ, "fargate-one-az", "", "True", "",
			label("fargate-one-az") + " places its tasks in 1 subnet, all in one Availability Zone (" + a + "): an outage of that zone stops every task and ECS cannot start replacements elsewhere.", "ECS-1", "HIGH"},
		{"ecs", r, oneAZ, "fargate-one-az", "", "True", "",
			label("fargate-one-az") + " runs all 2 of its tasks in one Availability Zone (" + a + "), desired 2: an outage of that zone stops the service until ECS starts replacements in another zone.", "ECS-2", "MEDIUM"},
		{"ecs", r, spread, "fargate-spread", "", "False", "",
			label("fargate-spread") + " places its tasks in 2 subnets across 2 Availability Zones (" + a + ", " + b + ").", "ECS-1", "HIGH"},
		{"ecs", r, spread, "fargate-spread", "", "False", "",
			label("fargate-spread") + " runs 2 tasks across 2 Availability Zones (" + a + ": 1, " + b + ": 1), desired 2.", "ECS-2", "MEDIUM"},
		{"ecs", r, solo, "fargate-solo", "", "False", "",
			label("fargate-solo") + " places its tasks in 2 subnets across 2 Availability Zones (" + a + ", " + b + ").", "ECS-1", "HIGH"},
		{"ecs", r, solo, "fargate-solo", "", "True", "",
			label("fargate-solo") + " has a desired count of 1, so its only task is in one Availability Zone at a time: an outage of that zone stops the service until ECS starts a replacement in another zone.", "ECS-4", "MEDIUM"},
		{"ecs", r, ec2Default, "ec2-default", "", "False", "",
			label("ec2-default") + " has no running task (desired 2), so there is no task placement to judge.", "ECS-2", "MEDIUM"},
		{"ecs", r, ec2Default, "ec2-default", "", "False", "",
			label("ec2-default") + " sets no placement strategy, so ECS spreads its tasks across Availability Zones (the default for services: spread by attribute:ecs.availability-zone).", "ECS-3", "MEDIUM"},
	}
}

func TestMotoECS(t *testing.T) {
	checkAnalyser(t, analysers.ECS, seedECS, "100000004001", "eu-west-2")
}
