package reach

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/faultline/faultline/inventory"
)

// fakeECS serves one service whose running tasks are listed over two
// pages; moto runs no task, so this path is covered here.
type fakeECS struct {
	denied    bool
	listCalls int
}

func (f *fakeECS) DescribeServices(_ context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	if f.denied {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"}
	}
	return &ecs.DescribeServicesOutput{Services: []ecstypes.Service{{ServiceName: aws.String(in.Services[0]), Status: aws.String("ACTIVE")}}}, nil
}

func (f *fakeECS) ListTasks(_ context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	f.listCalls++
	if in.NextToken == nil {
		return &ecs.ListTasksOutput{TaskArns: []string{"task-1"}, NextToken: aws.String("page-2")}, nil
	}
	return &ecs.ListTasksOutput{TaskArns: []string{"task-2"}}, nil
}

func (f *fakeECS) DescribeTasks(_ context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	var tasks []ecstypes.Task
	for _, arn := range in.Tasks {
		eni := map[string]string{"task-1": "eni-task1", "task-2": "eni-task2"}[arn]
		tasks = append(tasks, ecstypes.Task{TaskArn: aws.String(arn), Attachments: []ecstypes.Attachment{{
			Type: aws.String("ElasticNetworkInterface"), Details: []ecstypes.KeyValuePair{
				{Name: aws.String("subnetId"), Value: aws.String("subnet-a")},
				{Name: aws.String("networkInterfaceId"), Value: aws.String(eni)},
			}}}})
	}
	return &ecs.DescribeTasksOutput{Tasks: tasks}, nil
}

// fakeRDS refuses every call.
type fakeRDS struct{}

func (fakeRDS) DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
}

func (fakeRDS) DescribeDBClusters(context.Context, *rds.DescribeDBClustersInput, ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}
}

func resolverInventory() *inventory.Network {
	inv := inventory.NewNetwork("us-east-1")
	inv.VPCs["vpc-1"] = &inventory.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}
	inv.Subnets["subnet-a"] = &inventory.Subnet{ID: "subnet-a", VPCID: "vpc-1", AZ: "us-east-1a", CIDR: netip.MustParsePrefix("10.0.1.0/24")}
	for i, id := range []string{"eni-task1", "eni-task2"} {
		inv.ENIs[id] = &inventory.ENI{ID: id, SubnetID: "subnet-a", VPCID: "vpc-1", Groups: []string{"sg-task"},
			Addresses: []netip.Addr{netip.AddrFrom4([4]byte{10, 0, 1, byte(10 + i)})}}
	}
	inv.Reindex()
	return inv
}

// The running tasks of an ECS service, listed over two pages, resolve to
// their own interfaces.
func TestResolveECSTasksAcrossPages(t *testing.T) {
	api := &fakeECS{}
	r := &Resolver{Inv: resolverInventory(), ECS: api}
	res, err := r.Resolve(context.Background(), Ref{Type: "ecs", ID: "apps/api"})
	if err != nil {
		t.Fatal(err)
	}
	var enis []string
	for _, i := range res.Ifaces {
		enis = append(enis, i.ENIID)
	}
	if strings.Join(enis, ",") != "eni-task1,eni-task2" || api.listCalls != 2 {
		t.Errorf("interfaces %v after %d ListTasks calls", enis, api.listCalls)
	}
}

// A refused read makes the resource unreadable (the verdict is unknown,
// naming the call), never a guess and never "not found".
func TestResolveAccessDeniedIsUnreadable(t *testing.T) {
	cases := []struct {
		ref    Ref
		r      *Resolver
		action string
	}{
		{Ref{Type: "ecs", ID: "apps/api"}, &Resolver{Inv: resolverInventory(), ECS: &fakeECS{denied: true}}, "ecs:DescribeServices"},
		{Ref{Type: "rds", ID: "db-1"}, &Resolver{Inv: resolverInventory(), RDS: fakeRDS{}}, "rds:DescribeDB"},
	}
	for _, c := range cases {
		_, err := c.r.Resolve(context.Background(), c.ref)
		var unreadable *UnreadableError
		if !errors.As(err, &unreadable) || !strings.HasPrefix(unreadable.Action, c.action) {
			t.Errorf("%s: %v", c.ref, err)
		}
	}
}
