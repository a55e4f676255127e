package inventory

import (
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

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
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/internal/readonly"
)

// The fake serves the resource listings too, two items over two pages
// each (the per-parent listings: two per parent).

func (f *fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	if err := f.call("DescribeInstances"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.Reservation {
		return ec2types.Reservation{Instances: []ec2types.Instance{{InstanceId: id("i-", i)}}}
	}), in.NextToken)
	return &ec2.DescribeInstancesOutput{Reservations: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeFlowLogs(_ context.Context, in *ec2.DescribeFlowLogsInput, _ ...func(*ec2.Options)) (*ec2.DescribeFlowLogsOutput, error) {
	if err := f.call("DescribeFlowLogs"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) ec2types.FlowLog { return ec2types.FlowLog{FlowLogId: id("fl-", i)} }), in.NextToken)
	return &ec2.DescribeFlowLogsOutput{FlowLogs: items, NextToken: next}, nil
}

func (f *fakeEC2) ListFunctions(_ context.Context, in *lambda.ListFunctionsInput, _ ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	if err := f.call("ListFunctions"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) lambdatypes.FunctionConfiguration {
		return lambdatypes.FunctionConfiguration{FunctionName: id("fn-", i), FunctionArn: id("arn:aws:lambda:us-east-1:111111111111:function:fn-", i)}
	}), in.Marker)
	return &lambda.ListFunctionsOutput{Functions: items, NextMarker: next}, nil
}

func (f *fakeEC2) ListTags(_ context.Context, in *lambda.ListTagsInput, _ ...func(*lambda.Options)) (*lambda.ListTagsOutput, error) {
	if err := f.call("ListTags"); err != nil {
		return nil, err
	}
	return &lambda.ListTagsOutput{Tags: map[string]string{"arn": aws.ToString(in.Resource)}}, nil
}

func (f *fakeEC2) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	if err := f.call("DescribeDBInstances"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) rdstypes.DBInstance { return rdstypes.DBInstance{DBInstanceIdentifier: id("db-", i)} }), in.Marker)
	return &rds.DescribeDBInstancesOutput{DBInstances: items, Marker: next}, nil
}

func (f *fakeEC2) DescribeDBClusters(_ context.Context, in *rds.DescribeDBClustersInput, _ ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	if err := f.call("DescribeDBClusters"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) rdstypes.DBCluster { return rdstypes.DBCluster{DBClusterIdentifier: id("cl-", i)} }), in.Marker)
	return &rds.DescribeDBClustersOutput{DBClusters: items, Marker: next}, nil
}

// DescribeCacheClusters records whether node detail was asked.
func (f *fakeEC2) DescribeCacheClusters(_ context.Context, in *elasticache.DescribeCacheClustersInput, _ ...func(*elasticache.Options)) (*elasticache.DescribeCacheClustersOutput, error) {
	op := "DescribeCacheClusters"
	if aws.ToBool(in.ShowCacheNodeInfo) && aws.ToBool(in.ShowCacheClustersNotInReplicationGroups) {
		op += "(standalone, nodes)"
	}
	if err := f.call(op); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) elasticachetypes.CacheCluster {
		return elasticachetypes.CacheCluster{CacheClusterId: id("cc-", i)}
	}), in.Marker)
	return &elasticache.DescribeCacheClustersOutput{CacheClusters: items, Marker: next}, nil
}

func (f *fakeEC2) DescribeReplicationGroups(_ context.Context, in *elasticache.DescribeReplicationGroupsInput, _ ...func(*elasticache.Options)) (*elasticache.DescribeReplicationGroupsOutput, error) {
	if err := f.call("DescribeReplicationGroups"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) elasticachetypes.ReplicationGroup {
		return elasticachetypes.ReplicationGroup{ReplicationGroupId: id("rg-", i)}
	}), in.Marker)
	return &elasticache.DescribeReplicationGroupsOutput{ReplicationGroups: items, Marker: next}, nil
}

func (f *fakeEC2) DescribeCacheSubnetGroups(_ context.Context, in *elasticache.DescribeCacheSubnetGroupsInput, _ ...func(*elasticache.Options)) (*elasticache.DescribeCacheSubnetGroupsOutput, error) {
	if err := f.call("DescribeCacheSubnetGroups"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) elasticachetypes.CacheSubnetGroup {
		return elasticachetypes.CacheSubnetGroup{CacheSubnetGroupName: id("csg-", i)}
	}), in.Marker)
	return &elasticache.DescribeCacheSubnetGroupsOutput{CacheSubnetGroups: items, Marker: next}, nil
}

func (f *fakeEC2) DescribeFileSystems(_ context.Context, in *efs.DescribeFileSystemsInput, _ ...func(*efs.Options)) (*efs.DescribeFileSystemsOutput, error) {
	if err := f.call("DescribeFileSystems"); err != nil {
		return nil, err
	}
	items, next := page([]efstypes.FileSystemDescription{{FileSystemId: aws.String("fs-1")}, {FileSystemId: aws.String("fs-gone")}, {FileSystemId: aws.String("fs-3")}}, in.Marker)
	return &efs.DescribeFileSystemsOutput{FileSystems: items, NextMarker: next}, nil
}

// DescribeMountTargets says fs-gone was deleted since it was listed.
func (f *fakeEC2) DescribeMountTargets(_ context.Context, in *efs.DescribeMountTargetsInput, _ ...func(*efs.Options)) (*efs.DescribeMountTargetsOutput, error) {
	if err := f.call("DescribeMountTargets"); err != nil {
		return nil, err
	}
	fs := aws.ToString(in.FileSystemId)
	if fs == "fs-gone" {
		return nil, &smithy.GenericAPIError{Code: "FileSystemNotFound", Message: "gone"}
	}
	items, next := page(two(func(i int) efstypes.MountTargetDescription {
		return efstypes.MountTargetDescription{MountTargetId: id("fsmt-"+fs+"-", i), FileSystemId: aws.String(fs)}
	}), in.Marker)
	return &efs.DescribeMountTargetsOutput{MountTargets: items, NextMarker: next}, nil
}

func (f *fakeEC2) DescribeLoadBalancers(_ context.Context, in *elbv2.DescribeLoadBalancersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	if err := f.call("DescribeLoadBalancers"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) elbv2types.LoadBalancer { return elbv2types.LoadBalancer{LoadBalancerArn: id("lb-", i)} }), in.Marker)
	return &elbv2.DescribeLoadBalancersOutput{LoadBalancers: items, NextMarker: next}, nil
}

func (f *fakeEC2) DescribeListeners(_ context.Context, in *elbv2.DescribeListenersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error) {
	if err := f.call("DescribeListeners"); err != nil {
		return nil, err
	}
	items, next := page(two(func(i int) elbv2types.Listener {
		return elbv2types.Listener{LoadBalancerArn: in.LoadBalancerArn, Port: aws.Int32(int32(i))}
	}), in.Marker)
	return &elbv2.DescribeListenersOutput{Listeners: items, NextMarker: next}, nil
}

func (f *fakeEC2) ListClusters(_ context.Context, in *ecs.ListClustersInput, _ ...func(*ecs.Options)) (*ecs.ListClustersOutput, error) {
	if err := f.call("ListClusters"); err != nil {
		return nil, err
	}
	items, next := page([]string{"c1", "c2"}, in.NextToken)
	return &ecs.ListClustersOutput{ClusterArns: items, NextToken: next}, nil
}

// ListServices gives each cluster eleven services, over two pages: one
// DescribeServices call cannot take them all.
func (f *fakeEC2) ListServices(_ context.Context, in *ecs.ListServicesInput, _ ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	if err := f.call("ListServices"); err != nil {
		return nil, err
	}
	var arns []string
	for i := 0; i < 11; i++ {
		arns = append(arns, aws.ToString(in.Cluster)+"/svc-"+string(rune('a'+i)))
	}
	if in.NextToken == nil {
		return &ecs.ListServicesOutput{ServiceArns: arns[:6], NextToken: aws.String("more")}, nil
	}
	return &ecs.ListServicesOutput{ServiceArns: arns[6:]}, nil
}

func (f *fakeEC2) DescribeServices(_ context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	if err := f.call("DescribeServices"); err != nil {
		return nil, err
	}
	if len(in.Services) > 10 {
		return nil, &smithy.GenericAPIError{Code: "InvalidParameterException", Message: "at most 10"}
	}
	var out []ecstypes.Service
	for _, arn := range in.Services {
		out = append(out, ecstypes.Service{ServiceArn: aws.String(arn), ClusterArn: in.Cluster})
	}
	return &ecs.DescribeServicesOutput{Services: out}, nil
}

func (f *fakeEC2) ListTasks(_ context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	if err := f.call("ListTasks"); err != nil {
		return nil, err
	}
	items, next := page([]string{aws.ToString(in.Cluster) + "/task-1", aws.ToString(in.Cluster) + "/task-2"}, in.NextToken)
	return &ecs.ListTasksOutput{TaskArns: items, NextToken: next}, nil
}

func (f *fakeEC2) DescribeTasks(_ context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	if err := f.call("DescribeTasks"); err != nil {
		return nil, err
	}
	var out []ecstypes.Task
	for _, arn := range in.Tasks {
		out = append(out, ecstypes.Task{TaskArn: aws.String(arn), ClusterArn: in.Cluster})
	}
	return &ecs.DescribeTasksOutput{Tasks: out}, nil
}

var vpcFunctions = []lambdatypes.FunctionConfiguration{
	{FunctionArn: aws.String("arn:fn-vpc"), VpcConfig: &lambdatypes.VpcConfigResponse{SubnetIds: []string{"subnet-1"}}},
	{FunctionArn: aws.String("arn:fn-novpc")},
}

// resourceLoaders runs each resource kind's loader on api, by kind name.
func resourceLoaders(ctx context.Context, api *fakeEC2) map[string]func() (int, error) {
	return map[string]func() (int, error){
		Instances.Name: func() (int, error) {
			return count(func(a func(ec2types.Instance)) error { return loadInstances(ctx, api, a) })
		},
		FlowLogs.Name: func() (int, error) {
			return count(func(a func(ec2types.FlowLog)) error { return loadFlowLogs(ctx, api, a) })
		},
		LambdaFunctions.Name: func() (int, error) {
			return count(func(a func(lambdatypes.FunctionConfiguration)) error { return loadLambdaFunctions(ctx, api, a) })
		},
		LambdaFunctionTags.Name: func() (int, error) {
			return count(func(a func(FunctionTags)) error { return loadLambdaFunctionTags(ctx, api, vpcFunctions, a) })
		},
		DBInstances.Name: func() (int, error) {
			return count(func(a func(rdstypes.DBInstance)) error { return loadDBInstances(ctx, api, a) })
		},
		DBClusters.Name: func() (int, error) {
			return count(func(a func(rdstypes.DBCluster)) error { return loadDBClusters(ctx, api, a) })
		},
		CacheClusters.Name: func() (int, error) {
			return count(func(a func(elasticachetypes.CacheCluster)) error { return loadCacheClusters(ctx, api, a) })
		},
		StandaloneCacheClusters.Name: func() (int, error) {
			return count(func(a func(elasticachetypes.CacheCluster)) error { return loadStandaloneCacheClusters(ctx, api, a) })
		},
		ReplicationGroups.Name: func() (int, error) {
			return count(func(a func(elasticachetypes.ReplicationGroup)) error { return loadReplicationGroups(ctx, api, a) })
		},
		CacheSubnetGroups.Name: func() (int, error) {
			return count(func(a func(elasticachetypes.CacheSubnetGroup)) error { return loadCacheSubnetGroups(ctx, api, a) })
		},
		EFSMountTargets.Name: func() (int, error) {
			return count(func(a func(EFSFileSystem)) error { return loadEFSMountTargets(ctx, api, a) })
		},
		LoadBalancers.Name: func() (int, error) {
			return count(func(a func(elbv2types.LoadBalancer)) error { return loadLoadBalancers(ctx, api, a) })
		},
		Listeners.Name: func() (int, error) {
			return count(func(a func(elbv2types.Listener)) error {
				return loadListeners(ctx, api, []elbv2types.LoadBalancer{{LoadBalancerArn: aws.String("lb-1")}}, a)
			})
		},
		ECSClusters.Name: func() (int, error) { return count(func(a func(string)) error { return loadECSClusters(ctx, api, a) }) },
		ECSServices.Name: func() (int, error) {
			return count(func(a func(ECSService)) error { return loadECSServices(ctx, api, []string{"c1", "c2"}, a) })
		},
		ECSTasks.Name: func() (int, error) {
			return count(func(a func(ECSTask)) error { return loadECSTasks(ctx, api, []string{"c1"}, a) })
		},
	}
}

// resourceKinds are the kinds of resources.go.
var resourceKinds = []Loader{Instances, FlowLogs, LambdaFunctions, LambdaFunctionTags, DBInstances, DBClusters, CacheClusters,
	StandaloneCacheClusters, ReplicationGroups, CacheSubnetGroups, EFSMountTargets, LoadBalancers, Listeners, ECSClusters, ECSServices, ECSTasks}

// Every resource loader reads every page, per parent where it has one;
// refusals come back as they came.
func TestResourceLoadersPaginateAndReturnRefusals(t *testing.T) {
	ctx := context.Background()
	api := &fakeEC2{}
	want := map[string]int{
		// Tags of the function in a VPC only; the deleted file system is
		// left out; eleven services in each of two clusters.
		LambdaFunctionTags.Name: 1, EFSMountTargets.Name: 2, ECSServices.Name: 22,
	}
	loaders := resourceLoaders(ctx, api)
	if len(loaders) != len(resourceKinds) {
		t.Fatalf("%d loaders tested, %d resource kinds", len(loaders), len(resourceKinds))
	}
	for name, load := range loaders {
		w, ok := want[name]
		if !ok {
			w = 2
		}
		if n, err := load(); err != nil || n != w {
			t.Errorf("%s: %d items, %v; want %d", name, n, err, w)
		}
	}
	for op, n := range map[string]int{"DescribeInstances": 2, "DescribeFlowLogs": 2, "ListFunctions": 2, "ListTags": 1, "DescribeDBInstances": 2,
		"DescribeDBClusters": 2, "DescribeCacheClusters": 2, "DescribeCacheClusters(standalone, nodes)": 2, "DescribeReplicationGroups": 2,
		"DescribeCacheSubnetGroups": 2, "DescribeFileSystems": 3, "DescribeMountTargets": 5, "DescribeLoadBalancers": 2, "DescribeListeners": 2,
		"ListClusters": 2, "ListServices": 4, "DescribeServices": 4, "ListTasks": 2, "DescribeTasks": 1} {
		if api.calls[op] != n {
			t.Errorf("%s called %d times, want %d", op, api.calls[op], n)
		}
	}
	fss, _ := collect(func(a func(EFSFileSystem)) error { return loadEFSMountTargets(ctx, api, a) })
	if len(fss[1].MountTargets) != 2 || aws.ToString(fss[1].FileSystem.FileSystemId) != "fs-3" {
		t.Errorf("file systems %+v", fss)
	}

	for name, load := range resourceLoaders(ctx, &fakeEC2{denied: true}) {
		if _, err := load(); !IsAccessDenied(err) {
			t.Errorf("%s refused: %v", name, err)
		}
	}
}

// secondPageFails serves the first page of DescribeDBInstances and fails
// the second with err.
type secondPageFails struct {
	*fakeEC2
	err error
}

func (f secondPageFails) DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	if in.Marker != nil {
		return nil, f.err
	}
	return f.fakeEC2.DescribeDBInstances(ctx, in, opts...)
}

// A loader hands the items over in AWS's order, and one failing part-way
// hands over the pages before the failure and returns its error (the rds
// analyser judges what was read).
func TestResourceLoaderFailingPartWayKeepsEarlierPages(t *testing.T) {
	ctx := context.Background()
	ids := func(api rds.DescribeDBInstancesAPIClient) ([]string, error) {
		var got []string
		err := loadDBInstances(ctx, api, func(db rdstypes.DBInstance) { got = append(got, aws.ToString(db.DBInstanceIdentifier)) })
		return got, err
	}
	if got, err := ids(&fakeEC2{}); err != nil || !slices.Equal(got, []string{"db-1", "db-2"}) {
		t.Errorf("read %v, %v; want db-1, db-2", got, err)
	}
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	if got, err := ids(secondPageFails{&fakeEC2{}, throttled}); !errors.Is(err, throttled) || !slices.Equal(got, []string{"db-1"}) {
		t.Errorf("read %v, %v; want page 1's db-1 and the error", got, err)
	}
}

// A kind built on another reads it from the scope first, and fails with
// it (no call is made: the parents here are put in a live scope, refused).
func TestDependentKindsReadTheirParent(t *testing.T) {
	s := NewLive().Scope(Account{ID: "111111111111"}, "us-east-1")
	Put(s, LoadBalancers, nil, denied)
	Put(s, LambdaFunctions, nil, denied)
	Put(s, ECSClusters, nil, denied)
	for _, k := range []Loader{Listeners, LambdaFunctionTags, ECSServices, ECSTasks} {
		if err := k.Read(context.Background(), s); !IsAccessDenied(err) {
			t.Errorf("%s: %v", k.KindName(), err)
		}
	}
}

// Every kind declares its actions and read-only clients, and its items
// are plain data that encoding/json writes and reads back: no interface
// field (a union or document type would not decode).
func TestResourceKindsDeclaredAndJSONPlain(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range append(append([]Loader{}, NetworkKinds...), append(resourceKinds, ZoneKinds...)...) {
		if k.KindName() == "" || len(k.IAMActions()) == 0 || len(k.ClientAPIs()) == 0 {
			t.Errorf("kind %q: actions %v, APIs %v", k.KindName(), k.IAMActions(), k.ClientAPIs())
		}
		if seen[k.KindName()] && k != Subnets {
			t.Errorf("kind %q declared twice", k.KindName())
		}
		seen[k.KindName()] = true
		for _, api := range k.ClientAPIs() {
			for _, v := range readonly.Violations(api) {
				t.Errorf("%s: %s is not a read call", k.KindName(), v)
			}
		}
		item := ItemType(k)
		if path := interfaceField(item, map[reflect.Type]bool{}); path != "" {
			t.Errorf("%s: item %s has an interface at %s", k.KindName(), item, path)
		}
	}
}

var (
	jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// interfaceField is the path of an exported interface-typed field in t, or "".
func interfaceField(t reflect.Type, seen map[reflect.Type]bool) string {
	if seen[t] || t.Implements(jsonMarshaler) || t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return ""
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return "."
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return interfaceField(t.Elem(), seen)
	case reflect.Map:
		return interfaceField(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if p := interfaceField(f.Type, seen); p != "" {
				return "." + f.Name + p
			}
		}
	}
	return ""
}
