package iamproof

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// seedLoadBalancers makes the elbv2 and elb analysers send every call they
// declare: a Network Load Balancer (its attributes are read) forwarding to
// an instance target group (target group attributes, target health, and
// DescribeInstances to place the instance) and to an IP target group
// (DescribeSubnets to place the address), and a Classic Load Balancer
// created with subnets (moto then lists no zones, so the analyser reads the
// subnets) with the instance registered (instance health, DescribeInstances).
func seedLoadBalancers(t *testing.T, ctx context.Context, cfg aws.Config, vpc *string, subnets []string) {
	t.Helper()
	run, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"),
		InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnets[0])})
	if err != nil {
		t.Fatal(err)
	}
	instance := run.Instances[0].InstanceId
	v2 := elbv2.NewFromConfig(cfg)
	lb, err := v2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("proof"), Type: elbv2types.LoadBalancerTypeEnumNetwork, Subnets: subnets})
	if err != nil {
		t.Fatal(err)
	}
	for i, target := range []struct {
		typ elbv2types.TargetTypeEnum
		id  *string
	}{{elbv2types.TargetTypeEnumInstance, instance}, {elbv2types.TargetTypeEnumIp, run.Instances[0].PrivateIpAddress}} {
		tg, err := v2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("proof-" + string(target.typ)), TargetType: target.typ,
			Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(80), VpcId: vpc})
		if err != nil {
			t.Fatal(err)
		}
		arn := tg.TargetGroups[0].TargetGroupArn
		if _, err := v2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
			Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(int32(80 + i)),
			DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: arn}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := v2.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: arn,
			Targets: []elbv2types.TargetDescription{{Id: target.id}}}); err != nil {
			t.Fatal(err)
		}
	}
	classic := elb.NewFromConfig(cfg)
	if _, err := classic.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("proof"), Subnets: subnets,
		Listeners: []elbtypes.Listener{{Protocol: aws.String("TCP"), LoadBalancerPort: 80, InstancePort: aws.Int32(80)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := classic.RegisterInstancesWithLoadBalancer(ctx, &elb.RegisterInstancesWithLoadBalancerInput{LoadBalancerName: aws.String("proof"),
		Instances: []elbtypes.Instance{{InstanceId: instance}}}); err != nil {
		t.Fatal(err)
	}
}
