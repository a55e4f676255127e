package inventory

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	elasticachetypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// The resource kinds reach and flows place on the network: each a full
// listing of the region (so that a snapshot holds it), read once per scope.
// Where an analyser reads the same listing it uses the same name, item type
// and call, so that the two are one kind. A kind that needs another one's
// items (the listeners of the load balancers, the tags of the functions)
// reads it from the scope, and declares its actions too.

// The narrow read-only client of each resource kind.
type (
	lambdaTagsAPI interface {
		ListTags(context.Context, *lambda.ListTagsInput, ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
	}
	efsMountTargetsAPI interface {
		efs.DescribeFileSystemsAPIClient
		efs.DescribeMountTargetsAPIClient
	}
	ecsServicesAPI interface {
		ecs.ListServicesAPIClient
		DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	}
	ecsTasksAPI interface {
		ecs.ListTasksAPIClient
		DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	}
)

// Instances are the region's EC2 instances, in every state, out of their
// reservations (the globalaccelerator analyser's kind too).
var Instances = &Kind[ec2types.Instance]{
	Name:    "ec2/instances",
	Actions: []string{"ec2:DescribeInstances"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeInstancesAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.Instance)) error {
		return loadInstances(ctx, ec2Client(s), add)
	},
}

func loadInstances(ctx context.Context, api ec2.DescribeInstancesAPIClient, add func(ec2types.Instance)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeInstancesPaginator(api, &ec2.DescribeInstancesInput{}),
		func(o *ec2.DescribeInstancesOutput) []ec2types.Reservation { return o.Reservations },
		func(r ec2types.Reservation) {
			for _, i := range r.Instances {
				add(i)
			}
		})
}

// FlowLogs are the region's flow logs.
var FlowLogs = &Kind[ec2types.FlowLog]{
	Name:    "ec2/flow-logs",
	Actions: []string{"ec2:DescribeFlowLogs"},
	APIs:    []reflect.Type{APIOf[ec2.DescribeFlowLogsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(ec2types.FlowLog)) error {
		return loadFlowLogs(ctx, ec2Client(s), add)
	},
}

func loadFlowLogs(ctx context.Context, api ec2.DescribeFlowLogsAPIClient, add func(ec2types.FlowLog)) error {
	return pages[*ec2.Options](ctx, ec2.NewDescribeFlowLogsPaginator(api, &ec2.DescribeFlowLogsInput{}),
		func(o *ec2.DescribeFlowLogsOutput) []ec2types.FlowLog { return o.FlowLogs }, add)
}

// LambdaFunctions are the region's functions (the lambda analyser's kind).
var LambdaFunctions = &Kind[lambdatypes.FunctionConfiguration]{
	Name:    "lambda/functions",
	Actions: []string{"lambda:ListFunctions"},
	APIs:    []reflect.Type{APIOf[lambda.ListFunctionsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(lambdatypes.FunctionConfiguration)) error {
		return loadLambdaFunctions(ctx, lambda.NewFromConfig(s.Config()), add)
	},
}

func loadLambdaFunctions(ctx context.Context, api lambda.ListFunctionsAPIClient, add func(lambdatypes.FunctionConfiguration)) error {
	return pages[*lambda.Options](ctx, lambda.NewListFunctionsPaginator(api, &lambda.ListFunctionsInput{}),
		func(o *lambda.ListFunctionsOutput) []lambdatypes.FunctionConfiguration { return o.Functions }, add)
}

// FunctionTags are one function's tags.
type FunctionTags struct {
	FunctionARN string            `json:"function_arn"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// LambdaFunctionTags are the tags of every function attached to a VPC (the
// only ones with interfaces to name), one ListTags each.
var LambdaFunctionTags = &Kind[FunctionTags]{
	Name:    "lambda/function-tags",
	Actions: []string{"lambda:ListFunctions", "lambda:ListTags"},
	APIs:    []reflect.Type{APIOf[lambdaTagsAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(FunctionTags)) error {
		fns, err := LambdaFunctions.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadLambdaFunctionTags(ctx, lambda.NewFromConfig(s.Config()), fns, add)
	},
}

func loadLambdaFunctionTags(ctx context.Context, api lambdaTagsAPI, fns []lambdatypes.FunctionConfiguration, add func(FunctionTags)) error {
	for _, fn := range fns {
		if fn.VpcConfig == nil || len(fn.VpcConfig.SubnetIds) == 0 {
			continue
		}
		out, err := api.ListTags(ctx, &lambda.ListTagsInput{Resource: fn.FunctionArn})
		if err != nil {
			return err
		}
		add(FunctionTags{FunctionARN: aws.ToString(fn.FunctionArn), Tags: out.Tags})
	}
	return nil
}

// DBInstances are the region's DB instances as the RDS API lists them
// (Aurora, Neptune and DocumentDB members included): the rds analyser's kind.
var DBInstances = &Kind[rdstypes.DBInstance]{
	Name:    "rds/db-instances",
	Actions: []string{"rds:DescribeDBInstances"},
	APIs:    []reflect.Type{APIOf[rds.DescribeDBInstancesAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(rdstypes.DBInstance)) error {
		return loadDBInstances(ctx, rds.NewFromConfig(s.Config()), add)
	},
}

func loadDBInstances(ctx context.Context, api rds.DescribeDBInstancesAPIClient, add func(rdstypes.DBInstance)) error {
	return pages[*rds.Options](ctx, rds.NewDescribeDBInstancesPaginator(api, &rds.DescribeDBInstancesInput{}),
		func(o *rds.DescribeDBInstancesOutput) []rdstypes.DBInstance { return o.DBInstances }, add)
}

// DBClusters are the region's DB clusters as the RDS API lists them: the rds
// analyser's kind.
var DBClusters = &Kind[rdstypes.DBCluster]{
	Name:    "rds/db-clusters",
	Actions: []string{"rds:DescribeDBClusters"},
	APIs:    []reflect.Type{APIOf[rds.DescribeDBClustersAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(rdstypes.DBCluster)) error {
		return loadDBClusters(ctx, rds.NewFromConfig(s.Config()), add)
	},
}

func loadDBClusters(ctx context.Context, api rds.DescribeDBClustersAPIClient, add func(rdstypes.DBCluster)) error {
	return pages[*rds.Options](ctx, rds.NewDescribeDBClustersPaginator(api, &rds.DescribeDBClustersInput{}),
		func(o *rds.DescribeDBClustersOutput) []rdstypes.DBCluster { return o.DBClusters }, add)
}

// CacheClusters are every cache cluster of the region, replication group
// members included, as DescribeCacheClusters lists them by default (the
// elasticache analyser's kind: no node detail).
var CacheClusters = &Kind[elasticachetypes.CacheCluster]{
	Name:    "elasticache/cache-clusters",
	Actions: []string{"elasticache:DescribeCacheClusters"},
	APIs:    []reflect.Type{APIOf[elasticache.DescribeCacheClustersAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(elasticachetypes.CacheCluster)) error {
		return loadCacheClusters(ctx, elasticache.NewFromConfig(s.Config()), add)
	},
}

// StandaloneCacheClusters are the region's cache clusters that are in no
// replication group, with their nodes (the elasticache analyser's kind).
var StandaloneCacheClusters = &Kind[elasticachetypes.CacheCluster]{
	Name:    "elasticache/standalone-cache-clusters",
	Actions: []string{"elasticache:DescribeCacheClusters"},
	APIs:    []reflect.Type{APIOf[elasticache.DescribeCacheClustersAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(elasticachetypes.CacheCluster)) error {
		return loadStandaloneCacheClusters(ctx, elasticache.NewFromConfig(s.Config()), add)
	},
}

func loadCacheClusters(ctx context.Context, api elasticache.DescribeCacheClustersAPIClient, add func(elasticachetypes.CacheCluster)) error {
	return loadCacheClusterListing(ctx, api, &elasticache.DescribeCacheClustersInput{}, add)
}

func loadStandaloneCacheClusters(ctx context.Context, api elasticache.DescribeCacheClustersAPIClient, add func(elasticachetypes.CacheCluster)) error {
	return loadCacheClusterListing(ctx, api, &elasticache.DescribeCacheClustersInput{
		ShowCacheClustersNotInReplicationGroups: aws.Bool(true),
		ShowCacheNodeInfo:                       aws.Bool(true),
	}, add)
}

func loadCacheClusterListing(ctx context.Context, api elasticache.DescribeCacheClustersAPIClient, in *elasticache.DescribeCacheClustersInput, add func(elasticachetypes.CacheCluster)) error {
	return pages[*elasticache.Options](ctx, elasticache.NewDescribeCacheClustersPaginator(api, in),
		func(o *elasticache.DescribeCacheClustersOutput) []elasticachetypes.CacheCluster {
			return o.CacheClusters
		}, add)
}

// ReplicationGroups are the region's replication groups (the elasticache
// analyser's kind).
var ReplicationGroups = &Kind[elasticachetypes.ReplicationGroup]{
	Name:    "elasticache/replication-groups",
	Actions: []string{"elasticache:DescribeReplicationGroups"},
	APIs:    []reflect.Type{APIOf[elasticache.DescribeReplicationGroupsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(elasticachetypes.ReplicationGroup)) error {
		return loadReplicationGroups(ctx, elasticache.NewFromConfig(s.Config()), add)
	},
}

func loadReplicationGroups(ctx context.Context, api elasticache.DescribeReplicationGroupsAPIClient, add func(elasticachetypes.ReplicationGroup)) error {
	return pages[*elasticache.Options](ctx, elasticache.NewDescribeReplicationGroupsPaginator(api, &elasticache.DescribeReplicationGroupsInput{}),
		func(o *elasticache.DescribeReplicationGroupsOutput) []elasticachetypes.ReplicationGroup {
			return o.ReplicationGroups
		}, add)
}

// CacheSubnetGroups are the region's cache subnet groups.
var CacheSubnetGroups = &Kind[elasticachetypes.CacheSubnetGroup]{
	Name:    "elasticache/cache-subnet-groups",
	Actions: []string{"elasticache:DescribeCacheSubnetGroups"},
	APIs:    []reflect.Type{APIOf[elasticache.DescribeCacheSubnetGroupsAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(elasticachetypes.CacheSubnetGroup)) error {
		return loadCacheSubnetGroups(ctx, elasticache.NewFromConfig(s.Config()), add)
	},
}

func loadCacheSubnetGroups(ctx context.Context, api elasticache.DescribeCacheSubnetGroupsAPIClient, add func(elasticachetypes.CacheSubnetGroup)) error {
	return pages[*elasticache.Options](ctx, elasticache.NewDescribeCacheSubnetGroupsPaginator(api, &elasticache.DescribeCacheSubnetGroupsInput{}),
		func(o *elasticache.DescribeCacheSubnetGroupsOutput) []elasticachetypes.CacheSubnetGroup {
			return o.CacheSubnetGroups
		}, add)
}

// EFSFileSystem is a file system with every one of its mount targets.
type EFSFileSystem struct {
	FileSystem   efstypes.FileSystemDescription    `json:"file_system"`
	MountTargets []efstypes.MountTargetDescription `json:"mount_targets,omitempty"`
}

// EFSMountTargets are the region's file systems, each with all its mount
// targets (One Zone ones too). It is not the efs analyser's
// efs/file-systems, which reads the mount targets of Regional file systems
// only.
var EFSMountTargets = &Kind[EFSFileSystem]{
	Name:    "efs/mount-targets",
	Actions: []string{"elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets"},
	APIs:    []reflect.Type{APIOf[efsMountTargetsAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(EFSFileSystem)) error {
		return loadEFSMountTargets(ctx, efs.NewFromConfig(s.Config()), add)
	},
}

// loadEFSMountTargets hands each file system over once its mount targets
// are read; one deleted between the two calls (FileSystemNotFound) is left
// out.
func loadEFSMountTargets(ctx context.Context, api efsMountTargetsAPI, add func(EFSFileSystem)) error {
	p := efs.NewDescribeFileSystemsPaginator(api, &efs.DescribeFileSystemsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
	next:
		for _, fs := range page.FileSystems {
			item := EFSFileSystem{FileSystem: fs}
			mp := efs.NewDescribeMountTargetsPaginator(api, &efs.DescribeMountTargetsInput{FileSystemId: fs.FileSystemId})
			for mp.HasMorePages() {
				mpage, err := mp.NextPage(ctx)
				if hasErrorCode(err, "FileSystemNotFound") {
					continue next
				}
				if err != nil {
					return err
				}
				item.MountTargets = append(item.MountTargets, mpage.MountTargets...)
			}
			add(item)
		}
	}
	return nil
}

// LoadBalancers are the region's Application, Network and Gateway Load
// Balancers (the globalaccelerator analyser's kind too).
var LoadBalancers = &Kind[elbv2types.LoadBalancer]{
	Name:    "elasticloadbalancingv2/load-balancers",
	Actions: []string{"elasticloadbalancing:DescribeLoadBalancers"},
	APIs:    []reflect.Type{APIOf[elbv2.DescribeLoadBalancersAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(elbv2types.LoadBalancer)) error {
		return loadLoadBalancers(ctx, elbv2.NewFromConfig(s.Config()), add)
	},
}

func loadLoadBalancers(ctx context.Context, api elbv2.DescribeLoadBalancersAPIClient, add func(elbv2types.LoadBalancer)) error {
	return pages[*elbv2.Options](ctx, elbv2.NewDescribeLoadBalancersPaginator(api, &elbv2.DescribeLoadBalancersInput{}),
		func(o *elbv2.DescribeLoadBalancersOutput) []elbv2types.LoadBalancer { return o.LoadBalancers }, add)
}

// Listeners are the listeners of every load balancer of LoadBalancers.
var Listeners = &Kind[elbv2types.Listener]{
	Name:    "elasticloadbalancingv2/listeners",
	Actions: []string{"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers"},
	APIs:    []reflect.Type{APIOf[elbv2.DescribeListenersAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(elbv2types.Listener)) error {
		lbs, err := LoadBalancers.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadListeners(ctx, elbv2.NewFromConfig(s.Config()), lbs, add)
	},
}

func loadListeners(ctx context.Context, api elbv2.DescribeListenersAPIClient, lbs []elbv2types.LoadBalancer, add func(elbv2types.Listener)) error {
	for _, lb := range lbs {
		err := pages[*elbv2.Options](ctx, elbv2.NewDescribeListenersPaginator(api, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn}),
			func(o *elbv2.DescribeListenersOutput) []elbv2types.Listener { return o.Listeners }, add)
		if err != nil {
			return err
		}
	}
	return nil
}

// ECSClusters are the ARNs of the region's ECS clusters.
var ECSClusters = &Kind[string]{
	Name:    "ecs/clusters",
	Actions: []string{"ecs:ListClusters"},
	APIs:    []reflect.Type{APIOf[ecs.ListClustersAPIClient]()},
	Load: func(ctx context.Context, s *Scope, add func(string)) error {
		return loadECSClusters(ctx, ecs.NewFromConfig(s.Config()), add)
	},
}

func loadECSClusters(ctx context.Context, api ecs.ListClustersAPIClient, add func(string)) error {
	return pages[*ecs.Options](ctx, ecs.NewListClustersPaginator(api, &ecs.ListClustersInput{}),
		func(o *ecs.ListClustersOutput) []string { return o.ClusterArns }, add)
}

// ECSService is what reach and the ecs analyser need of an ECS service:
// where its tasks run and how ECS places them. (The SDK's Service holds
// document fields that do not round-trip JSON.)
type ECSService struct {
	ARN        string `json:"arn"`
	Name       string `json:"name"`
	ClusterARN string `json:"cluster_arn"`
	Status     string `json:"status"`
	// AwsVPC is the service's awsvpc network configuration, nil without.
	AwsVPC *ECSNetwork `json:"awsvpc,omitempty"`
	// LaunchType is EC2, FARGATE or EXTERNAL; empty when the service uses a
	// capacity provider strategy (its own, CapacityProviders, or the
	// cluster's default).
	LaunchType string `json:"launch_type,omitempty"`
	// CapacityProviders are the providers of the service's capacity
	// provider strategy, in its order (FARGATE, FARGATE_SPOT, or an Auto
	// Scaling group provider's name).
	CapacityProviders []string `json:"capacity_providers,omitempty"`
	// SchedulingStrategy is REPLICA or DAEMON.
	SchedulingStrategy   string                   `json:"scheduling_strategy,omitempty"`
	DesiredCount         int32                    `json:"desired_count,omitempty"`
	PlacementStrategy    []ECSPlacementStrategy   `json:"placement_strategy,omitempty"`
	PlacementConstraints []ECSPlacementConstraint `json:"placement_constraints,omitempty"`
}

// ECSPlacementStrategy is one placement strategy of a service, in order
// (spread on attribute:ecs.availability-zone, binpack on memory, random).
type ECSPlacementStrategy struct {
	Type  string `json:"type"`
	Field string `json:"field,omitempty"`
}

// ECSPlacementConstraint is one placement constraint of a service
// (memberOf with a cluster query expression, or distinctInstance).
type ECSPlacementConstraint struct {
	Type       string `json:"type"`
	Expression string `json:"expression,omitempty"`
}

// ECSNetwork is an awsvpc network configuration.
type ECSNetwork struct {
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"security_groups,omitempty"`
	AssignPublicIP bool     `json:"assign_public_ip,omitempty"`
}

// ECSTask is what reach needs of a running task: its service (its group,
// service:NAME) and network interfaces.
type ECSTask struct {
	ARN        string   `json:"arn"`
	ClusterARN string   `json:"cluster_arn"`
	Group      string   `json:"group,omitempty"`
	ENIs       []string `json:"network_interfaces,omitempty"`
	// AZ is the task's Availability Zone as ECS reports it, and Subnet the
	// subnet of its awsvpc network interface (the ecs analyser places a
	// task by it when the zone is not reported).
	AZ     string `json:"availability_zone,omitempty"`
	Subnet string `json:"subnet,omitempty"`
}

func ecsService(svc ecstypes.Service) ECSService {
	out := ECSService{ARN: aws.ToString(svc.ServiceArn), Name: aws.ToString(svc.ServiceName), ClusterARN: aws.ToString(svc.ClusterArn),
		Status: aws.ToString(svc.Status)}
	if svc.NetworkConfiguration != nil && svc.NetworkConfiguration.AwsvpcConfiguration != nil {
		c := svc.NetworkConfiguration.AwsvpcConfiguration
		out.AwsVPC = &ECSNetwork{Subnets: c.Subnets, SecurityGroups: c.SecurityGroups, AssignPublicIP: c.AssignPublicIp == ecstypes.AssignPublicIpEnabled}
	}
	out.LaunchType, out.SchedulingStrategy, out.DesiredCount = string(svc.LaunchType), string(svc.SchedulingStrategy), svc.DesiredCount
	for _, p := range svc.CapacityProviderStrategy {
		out.CapacityProviders = append(out.CapacityProviders, aws.ToString(p.CapacityProvider))
	}
	for _, p := range svc.PlacementStrategy {
		out.PlacementStrategy = append(out.PlacementStrategy, ECSPlacementStrategy{Type: string(p.Type), Field: aws.ToString(p.Field)})
	}
	for _, p := range svc.PlacementConstraints {
		out.PlacementConstraints = append(out.PlacementConstraints, ECSPlacementConstraint{Type: string(p.Type), Expression: aws.ToString(p.Expression)})
	}
	return out
}

func ecsTask(t ecstypes.Task) ECSTask {
	out := ECSTask{ARN: aws.ToString(t.TaskArn), ClusterARN: aws.ToString(t.ClusterArn), Group: aws.ToString(t.Group), AZ: aws.ToString(t.AvailabilityZone)}
	for _, a := range t.Attachments {
		for _, d := range a.Details {
			switch aws.ToString(d.Name) {
			case "networkInterfaceId":
				out.ENIs = append(out.ENIs, aws.ToString(d.Value))
			case "subnetId":
				if out.Subnet == "" {
					out.Subnet = aws.ToString(d.Value)
				}
			}
		}
	}
	return out
}

// ECSServices are the services of every ECS cluster of the region.
var ECSServices = &Kind[ECSService]{
	Name:    "ecs/services",
	Actions: []string{"ecs:DescribeServices", "ecs:ListClusters", "ecs:ListServices"},
	APIs:    []reflect.Type{APIOf[ecsServicesAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(ECSService)) error {
		clusters, err := ECSClusters.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadECSServices(ctx, ecs.NewFromConfig(s.Config()), clusters, add)
	},
}

// loadECSServices lists each cluster's services and describes them ten at
// a time (DescribeServices' limit).
func loadECSServices(ctx context.Context, api ecsServicesAPI, clusters []string, add func(ECSService)) error {
	for _, cluster := range clusters {
		var arns []string
		err := pages[*ecs.Options](ctx, ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(cluster)}),
			func(o *ecs.ListServicesOutput) []string { return o.ServiceArns }, func(arn string) { arns = append(arns, arn) })
		if err != nil {
			return err
		}
		for _, batch := range batches(arns, 10) {
			out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: batch})
			if err != nil {
				return err
			}
			for _, svc := range out.Services {
				add(ecsService(svc))
			}
		}
	}
	return nil
}

// ECSTasks are the running tasks of every ECS cluster of the region.
var ECSTasks = &Kind[ECSTask]{
	Name:    "ecs/tasks",
	Actions: []string{"ecs:DescribeTasks", "ecs:ListClusters", "ecs:ListTasks"},
	APIs:    []reflect.Type{APIOf[ecsTasksAPI]()},
	Load: func(ctx context.Context, s *Scope, add func(ECSTask)) error {
		clusters, err := ECSClusters.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadECSTasks(ctx, ecs.NewFromConfig(s.Config()), clusters, add)
	},
}

// loadECSTasks lists each cluster's running tasks (ListTasks' default) and
// describes them a hundred at a time (DescribeTasks' limit).
func loadECSTasks(ctx context.Context, api ecsTasksAPI, clusters []string, add func(ECSTask)) error {
	for _, cluster := range clusters {
		var arns []string
		err := pages[*ecs.Options](ctx, ecs.NewListTasksPaginator(api, &ecs.ListTasksInput{Cluster: aws.String(cluster)}),
			func(o *ecs.ListTasksOutput) []string { return o.TaskArns }, func(arn string) { arns = append(arns, arn) })
		if err != nil {
			return err
		}
		for _, batch := range batches(arns, 100) {
			out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: batch})
			if err != nil {
				return err
			}
			for _, t := range out.Tasks {
				add(ecsTask(t))
			}
		}
	}
	return nil
}
