package inventory

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// The ecs analyser's fields of a service and a task are taken from the SDK
// types, and survive a snapshot's JSON round trip.
func TestECSServiceAndTaskPlacementFields(t *testing.T) {
	svc := ecsService(ecstypes.Service{
		ServiceArn: aws.String("arn:svc"), ServiceName: aws.String("web"), ClusterArn: aws.String("arn:cluster"), Status: aws.String("ACTIVE"),
		LaunchType: ecstypes.LaunchTypeEc2, SchedulingStrategy: ecstypes.SchedulingStrategyReplica, DesiredCount: 3,
		CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("FARGATE")}, {CapacityProvider: aws.String("asg-cp")}},
		PlacementStrategy: []ecstypes.PlacementStrategy{
			{Type: ecstypes.PlacementStrategyTypeSpread, Field: aws.String("attribute:ecs.availability-zone")},
			{Type: ecstypes.PlacementStrategyTypeRandom},
		},
		PlacementConstraints: []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.availability-zone == us-east-1a")}},
	})
	want := ECSService{ARN: "arn:svc", Name: "web", ClusterARN: "arn:cluster", Status: "ACTIVE", LaunchType: "EC2", SchedulingStrategy: "REPLICA",
		DesiredCount: 3, CapacityProviders: []string{"FARGATE", "asg-cp"},
		PlacementStrategy:    []ECSPlacementStrategy{{Type: "spread", Field: "attribute:ecs.availability-zone"}, {Type: "random"}},
		PlacementConstraints: []ECSPlacementConstraint{{Type: "memberOf", Expression: "attribute:ecs.availability-zone == us-east-1a"}}}
	if !reflect.DeepEqual(svc, want) {
		t.Errorf("service %+v\nwant    %+v", svc, want)
	}
	task := ecsTask(ecstypes.Task{TaskArn: aws.String("arn:task"), ClusterArn: aws.String("arn:cluster"), Group: aws.String("service:web"),
		AvailabilityZone: aws.String("us-east-1b"),
		Attachments: []ecstypes.Attachment{{Details: []ecstypes.KeyValuePair{
			{Name: aws.String("subnetId"), Value: aws.String("subnet-1")}, {Name: aws.String("networkInterfaceId"), Value: aws.String("eni-1")}}}}})
	wantTask := ECSTask{ARN: "arn:task", ClusterARN: "arn:cluster", Group: "service:web", ENIs: []string{"eni-1"}, AZ: "us-east-1b", Subnet: "subnet-1"}
	if !reflect.DeepEqual(task, wantTask) {
		t.Errorf("task %+v\nwant %+v", task, wantTask)
	}
	raw, err := json.Marshal(struct {
		S ECSService
		T ECSTask
	}{svc, task})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		S ECSService
		T ECSTask
	}
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back.S, want) || !reflect.DeepEqual(back.T, wantTask) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}
