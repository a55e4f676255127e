package reach

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elasticachetypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/inventory"
)

var denied = &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}

func resolverNetwork() *inventory.Network {
	inv := inventory.NewNetwork("us-east-1")
	inv.VPCs["vpc-1"] = &inventory.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}
	inv.Subnets["subnet-a"] = &inventory.Subnet{ID: "subnet-a", VPCID: "vpc-1", AZ: "us-east-1a", CIDR: netip.MustParsePrefix("10.0.1.0/24")}
	for i, id := range []string{"eni-task1", "eni-task2", "eni-web"} {
		inv.ENIs[id] = &inventory.ENI{ID: id, SubnetID: "subnet-a", VPCID: "vpc-1", Groups: []string{"sg-task"},
			Addresses: []netip.Addr{netip.AddrFrom4([4]byte{10, 0, 1, byte(10 + i)})}}
	}
	inv.Reindex()
	return inv
}

// resolver is a resolver over a fixture scope: only what fill Puts there
// can be read.
func resolver(fill func(*inventory.Scope)) *Resolver {
	s := inventory.NewFixture().Scope(inventory.Account{ID: "111111111111", Partition: "aws"}, "us-east-1")
	if fill != nil {
		fill(s)
	}
	return &Resolver{Scope: s, Net: resolverNetwork()}
}

const apps = "arn:aws:ecs:us-east-1:111111111111:cluster/apps"

func task(arn, group, eni string) inventory.ECSTask {
	return inventory.ECSTask{ARN: arn, ClusterARN: apps, Group: group, ENIs: []string{eni}}
}

// The running tasks of an ECS service resolve to their own interfaces; a
// task of another service is not the service's.
func TestResolveECSTasks(t *testing.T) {
	r := resolver(func(s *inventory.Scope) {
		inventory.Put(s, inventory.ECSServices, []inventory.ECSService{{Name: "api", ClusterARN: apps, Status: "ACTIVE"}}, nil)
		inventory.Put(s, inventory.ECSTasks, []inventory.ECSTask{task("task-1", "service:api", "eni-task1"), task("task-3", "service:web", "eni-web"),
			task("task-2", "service:api", "eni-task2")}, nil)
	})
	for _, id := range []string{"apps/api"} {
		res, err := r.Resolve(context.Background(), Ref{Type: "ecs", ID: id})
		if err != nil {
			t.Fatal(err)
		}
		var enis []string
		for _, i := range res.Ifaces {
			enis = append(enis, i.ENIID)
		}
		if strings.Join(enis, ",") != "eni-task1,eni-task2" {
			t.Errorf("%s: interfaces %v", id, enis)
		}
	}
	var nf *NotFoundError
	if _, err := r.Resolve(context.Background(), Ref{Type: "ecs", ID: "other/api"}); !errors.As(err, &nf) {
		t.Errorf("service of another cluster: %v", err)
	}
}

// Each resource is looked up by the names reach takes, in the listing of
// its kind.
func TestResolveFromTheListings(t *testing.T) {
	running := &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning}
	r := resolver(func(s *inventory.Scope) {
		inventory.Put(s, inventory.Instances, []ec2types.Instance{
			{InstanceId: aws.String("i-0123456789abcdef0"), State: running, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}},
				NetworkInterfaces: []ec2types.InstanceNetworkInterface{{NetworkInterfaceId: aws.String("eni-web")}}},
			{InstanceId: aws.String("i-0123456789abcdef1"), State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameTerminated},
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}}}}, nil)
		inventory.Put(s, inventory.LambdaFunctions, []lambdatypes.FunctionConfiguration{
			{FunctionName: aws.String("fn"), FunctionArn: aws.String("arn:aws:lambda:us-east-1:111111111111:function:fn"),
				VpcConfig: &lambdatypes.VpcConfigResponse{SubnetIds: []string{"subnet-a"}, SecurityGroupIds: []string{"sg-fn"}}},
			{FunctionName: aws.String("novpc"), FunctionArn: aws.String("arn:aws:lambda:us-east-1:111111111111:function:novpc")}}, nil)
		inventory.Put(s, inventory.DBInstances, []rdstypes.DBInstance{
			{DBInstanceIdentifier: aws.String("db-1"), Endpoint: &rdstypes.Endpoint{Port: aws.Int32(5432)},
				DBSubnetGroup: &rdstypes.DBSubnetGroup{Subnets: []rdstypes.Subnet{{SubnetIdentifier: aws.String("subnet-a")}}}}}, nil)
		inventory.Put(s, inventory.DBClusters, []rdstypes.DBCluster{{DBClusterIdentifier: aws.String("aurora"), Port: aws.Int32(3306),
			DBClusterMembers: []rdstypes.DBClusterMember{{DBInstanceIdentifier: aws.String("db-1")}}}}, nil)
		inventory.Put(s, inventory.StandaloneCacheClusters, []elasticachetypes.CacheCluster{{CacheClusterId: aws.String("solo"), Engine: aws.String("redis"),
			CacheSubnetGroupName: aws.String("csg"), CacheNodes: []elasticachetypes.CacheNode{{Endpoint: &elasticachetypes.Endpoint{Port: aws.Int32(7000)}}}}}, nil)
		inventory.Put(s, inventory.CacheClusters, []elasticachetypes.CacheCluster{
			{CacheClusterId: aws.String("solo"), Engine: aws.String("redis"), CacheSubnetGroupName: aws.String("csg")},
			{CacheClusterId: aws.String("rg-001"), Engine: aws.String("redis"), CacheSubnetGroupName: aws.String("csg"), ReplicationGroupId: aws.String("rg")}}, nil)
		inventory.Put(s, inventory.ReplicationGroups, []elasticachetypes.ReplicationGroup{{ReplicationGroupId: aws.String("rg"), MemberClusters: []string{"rg-001"},
			NodeGroups: []elasticachetypes.NodeGroup{{PrimaryEndpoint: &elasticachetypes.Endpoint{Port: aws.Int32(6380)}}}}}, nil)
		inventory.Put(s, inventory.CacheSubnetGroups, []elasticachetypes.CacheSubnetGroup{{CacheSubnetGroupName: aws.String("csg"),
			Subnets: []elasticachetypes.Subnet{{SubnetIdentifier: aws.String("subnet-a")}}}}, nil)
	})
	cases := []struct {
		ref    Ref
		ifaces int
		port   int
	}{
		{Ref{Type: "ec2", ID: "web"}, 1, 0},
		{Ref{Type: "ec2", ID: "i-0123456789abcdef0"}, 1, 0},
		{Ref{Type: "lambda", ID: "fn"}, 1, 0},
		{Ref{Type: "lambda", ID: "arn:aws:lambda:us-east-1:111111111111:function:fn:live"}, 1, 0},
		{Ref{Type: "rds", ID: "DB-1"}, 1, 5432},
		{Ref{Type: "rds", ID: "aurora"}, 1, 3306},
		{Ref{Type: "elasticache", ID: "solo"}, 1, 7000},
		{Ref{Type: "elasticache", ID: "rg-001"}, 1, 6380},
		{Ref{Type: "elasticache", ID: "rg"}, 1, 6380},
	}
	for _, c := range cases {
		res, err := r.Resolve(context.Background(), c.ref)
		if err != nil || len(res.Ifaces) != c.ifaces || res.Port != c.port {
			t.Errorf("%s: %d interfaces, port %d, %v; want %d, %d", c.ref, len(res.Ifaces), res.Port, err, c.ifaces, c.port)
		}
	}
	var nf *NotFoundError
	var unsupported *UnsupportedError
	for _, ref := range []Ref{{Type: "ec2", ID: "i-0123456789abcdef1"}, {Type: "lambda", ID: "nope"}, {Type: "rds", ID: "nope"}, {Type: "elasticache", ID: "nope"}} {
		if _, err := r.Resolve(context.Background(), ref); !errors.As(err, &nf) {
			t.Errorf("%s: want not found, got %v", ref, err)
		}
	}
	if _, err := r.Resolve(context.Background(), Ref{Type: "lambda", ID: "novpc"}); !errors.As(err, &unsupported) {
		t.Errorf("function outside a VPC: %v", err)
	}
	// A kind the snapshot lacks is neither "not found" nor unreadable.
	var nc *inventory.NotCollectedError
	if _, err := r.Resolve(context.Background(), Ref{Type: "efs", ID: "fs-1"}); !errors.As(err, &nc) || errors.As(err, &nf) {
		t.Errorf("efs from a snapshot without it: %v", err)
	}
}

// A refused read makes the resource unreadable (the verdict is unknown,
// naming the call), never a guess and never "not found".
func TestResolveAccessDeniedIsUnreadable(t *testing.T) {
	cases := []struct {
		ref    Ref
		fill   func(*inventory.Scope)
		action string
	}{
		{Ref{Type: "ecs", ID: "apps/api"}, func(s *inventory.Scope) { inventory.Put(s, inventory.ECSServices, nil, denied) }, "ecs:DescribeServices"},
		{Ref{Type: "ecs", ID: "apps/api"}, func(s *inventory.Scope) {
			inventory.Put(s, inventory.ECSServices, []inventory.ECSService{{Name: "api", ClusterARN: apps}}, nil)
			inventory.Put(s, inventory.ECSTasks, nil, denied)
		}, "ecs:ListTasks"},
		{Ref{Type: "rds", ID: "db-1"}, func(s *inventory.Scope) {
			inventory.Put(s, inventory.DBInstances, nil, denied)
			inventory.Put(s, inventory.DBClusters, nil, denied)
		}, "rds:DescribeDBInstances"},
		{Ref{Type: "rds", ID: "db-1"}, func(s *inventory.Scope) {
			inventory.Put(s, inventory.DBInstances, nil, nil)
			inventory.Put(s, inventory.DBClusters, nil, denied)
		}, "rds:DescribeDBClusters"},
		{Ref{Type: "lambda", ID: "fn"}, func(s *inventory.Scope) { inventory.Put(s, inventory.LambdaFunctions, nil, denied) }, "lambda:ListFunctions"},
		{Ref{Type: "ec2", ID: "web"}, func(s *inventory.Scope) { inventory.Put(s, inventory.Instances, nil, denied) }, "ec2:DescribeInstances"},
		{Ref{Type: "efs", ID: "fs-1"}, func(s *inventory.Scope) { inventory.Put(s, inventory.EFSMountTargets, nil, denied) }, "elasticfilesystem:DescribeMountTargets"},
		{Ref{Type: "elbv2", ID: "web"}, func(s *inventory.Scope) { inventory.Put(s, inventory.LoadBalancers, nil, denied) }, "elasticloadbalancing:DescribeLoadBalancers"},
		{Ref{Type: "elasticache", ID: "c"}, func(s *inventory.Scope) {
			inventory.Put(s, inventory.StandaloneCacheClusters, nil, denied)
			inventory.Put(s, inventory.CacheClusters, nil, denied)
		}, "elasticache:DescribeCacheClusters"},
	}
	for _, c := range cases {
		_, err := resolver(c.fill).Resolve(context.Background(), c.ref)
		var unreadable *UnreadableError
		if !errors.As(err, &unreadable) || unreadable.Action != c.action {
			t.Errorf("%s: %v, want unreadable by %s", c.ref, err, c.action)
		}
	}
}
