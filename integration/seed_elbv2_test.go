package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/faultline/faultline/analysers"
)

// runInstance starts one instance in subnet and returns its ID.
func runInstance(t *testing.T, ctx context.Context, cfg aws.Config, subnet string) string {
	t.Helper()
	out, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}

// stopInstance stops a running instance (a target or back end is then out
// of service).
func stopInstance(t *testing.T, ctx context.Context, cfg aws.Config, id string) {
	t.Helper()
	if _, err := ec2.NewFromConfig(cfg).StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
}

// elbv2Seeder creates load balancers, target groups, listeners and targets.
type elbv2Seeder struct {
	t   *testing.T
	ctx context.Context
	api *elbv2.Client
	vpc string
}

func (s elbv2Seeder) lb(name string, typ elbv2types.LoadBalancerTypeEnum, subnets ...string) string {
	s.t.Helper()
	out, err := s.api.CreateLoadBalancer(s.ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Type: typ, Subnets: subnets})
	if err != nil {
		s.t.Fatalf("create %s: %v", name, err)
	}
	return aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
}

// group creates a target group, forwards a listener of lb to it and
// registers targets.
func (s elbv2Seeder) group(lb, name string, typ elbv2types.TargetTypeEnum, protocol elbv2types.ProtocolEnum, targets ...string) string {
	s.t.Helper()
	port := aws.Int32(80)
	if protocol == elbv2types.ProtocolEnumGeneve {
		port = aws.Int32(6081)
	}
	out, err := s.api.CreateTargetGroup(s.ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(name), TargetType: typ, Protocol: protocol,
		Port: port, VpcId: aws.String(s.vpc)})
	if err != nil {
		s.t.Fatalf("create %s: %v", name, err)
	}
	tg := out.TargetGroups[0].TargetGroupArn
	in := &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(lb),
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tg}}}
	switch protocol {
	case elbv2types.ProtocolEnumGeneve:
		// A Gateway Load Balancer's listener has neither protocol nor port.
	case elbv2types.ProtocolEnumHttp:
		in.Protocol, in.Port = elbv2types.ProtocolEnumHttp, aws.Int32(80)
	default:
		in.Protocol, in.Port = elbv2types.ProtocolEnumTcp, aws.Int32(80)
	}
	if _, err := s.api.CreateListener(s.ctx, in); err != nil {
		s.t.Fatalf("listener to %s: %v", name, err)
	}
	if len(targets) > 0 {
		var descs []elbv2types.TargetDescription
		for _, id := range targets {
			descs = append(descs, elbv2types.TargetDescription{Id: aws.String(id)})
		}
		if _, err := s.api.RegisterTargets(s.ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tg, Targets: descs}); err != nil {
			s.t.Fatalf("register in %s: %v", name, err)
		}
	}
	return aws.ToString(tg)
}

func (s elbv2Seeder) crossZone(lb, tg, value string) {
	s.t.Helper()
	attr := []elbv2types.LoadBalancerAttribute{{Key: aws.String("load_balancing.cross_zone.enabled"), Value: aws.String(value)}}
	if lb != "" {
		if _, err := s.api.ModifyLoadBalancerAttributes(s.ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lb), Attributes: attr}); err != nil {
			s.t.Fatal(err)
		}
		return
	}
	_, err := s.api.ModifyTargetGroupAttributes(s.ctx, &elbv2.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(tg),
		Attributes: []elbv2types.TargetGroupAttribute{{Key: attr[0].Key, Value: attr[0].Value}}})
	if err != nil {
		s.t.Fatal(err)
	}
}

// seedELBv2 creates, in the default VPC: a one-zone ALB without target
// group; an ALB whose IP targets (placed by the subnets' CIDRs, since moto
// returns no target zone) sit in both its zones; an ALB whose instance
// target group turns cross-zone off with its only target in zone a; an NLB
// (cross-zone off, moto's and AWS's default) in three zones whose target in
// zone b is stopped and which has none in zone c; an NLB with cross-zone off
// and targets in both zones (and one in zone c, which it is not enabled in); an NLB with cross-zone on and one target; an
// NLB whose target is the second ALB (type alb, placed in that ALB's
// zones); Gateway Load Balancers (GENEVE groups, cross-zone off) with
// targets in both zones and in zone a only; and a target group attached to no load balancer.
//
// Covered by fakes only (analysers/elbv2_test.go): moto's
// DescribeTargetHealth returns no TargetDescription.AvailabilityZone, even
// for a target registered with one ("all" included), so targets registered
// with a zone or with "all" are proven with fakes; moto reports every
// registered running target healthy and none initial, unhealthy, draining
// or unavailable with health checks disabled, so those states are table
// tests; Lambda target groups (a function serves every zone), IPv6 targets,
// groups or load balancers deleted between the listing and the per-item
// calls, and two pages of DescribeTargetGroups (moto ignores PageSize for
// it) are fakes too.
func seedELBv2(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"
	subnets := defaultSubnets(t, ctx, cfg)
	vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	s := elbv2Seeder{t, ctx, elbv2.NewFromConfig(cfg), aws.ToString(vpcs.Vpcs[0].VpcId)}
	ia := runInstance(t, ctx, cfg, subnets[a])
	ib := runInstance(t, ctx, cfg, subnets[b])
	ibStopped := runInstance(t, ctx, cfg, subnets[b])
	ic := runInstance(t, ctx, cfg, subnets[c])

	var rows []row
	add := func(arn, name, risk, check, severity, msg string) {
		rows = append(rows, row{"elbv2", r, arn, name, "", risk, "", msg, check, severity})
	}
	const (
		alb, nlb, gwlb = "Application Load Balancer ", "Network Load Balancer ", "Gateway Load Balancer "
		deadOne        = "the node there fails its requests until DNS fail-over removes it"
		deadMany       = "the nodes there fail their requests until DNS fail-over removes them"
	)
	twoZones := " is enabled in 2 Availability Zones (" + a + ", " + b + ")."
	offOK := func(label, detail string) string {
		return label + " has cross-zone load balancing off and a target that can serve in each of its 2 enabled Availability Zones (targets that can serve/registered: " + detail + ")."
	}
	allZonesRegistered := " has cross-zone load balancing off and registered targets of every target group in each of its 2 enabled Availability Zones."

	arn := s.lb("alb-one-az", elbv2types.LoadBalancerTypeEnumApplication, subnets[a])
	add(arn, "alb-one-az", "True", "ELBV2-1", "HIGH", alb+"alb-one-az is enabled in one Availability Zone ("+a+"), so an outage of that zone takes it down.")
	add(arn, "alb-one-az", "False", "ELBV2-2", "HIGH", alb+"alb-one-az forwards to no target group, so none of its zones' nodes depends on targets.")

	spread := s.lb("alb-spread", elbv2types.LoadBalancerTypeEnumApplication, subnets[a], subnets[b])
	s.group(spread, "alb-spread-ip", elbv2types.TargetTypeEnumIp, elbv2types.ProtocolEnumHttp, "172.31.0.10", "172.31.16.10")
	add(spread, "alb-spread", "False", "ELBV2-1", "HIGH", alb+"alb-spread"+twoZones)
	add(spread, "alb-spread", "False", "ELBV2-2", "HIGH", alb+"alb-spread has cross-zone load balancing on for its 1 target group, so the node in each enabled zone forwards to serving targets in any zone (2 of 2 targets can serve).")

	arn = s.lb("alb-tg-off", elbv2types.LoadBalancerTypeEnumApplication, subnets[a], subnets[b])
	tg := s.group(arn, "alb-off-i", elbv2types.TargetTypeEnumInstance, elbv2types.ProtocolEnumHttp, ia)
	s.crossZone("", tg, "false")
	add(arn, "alb-tg-off", "False", "ELBV2-1", "HIGH", alb+"alb-tg-off"+twoZones)
	add(arn, "alb-tg-off", "True", "ELBV2-2", "HIGH", alb+"alb-tg-off has cross-zone load balancing off and no target that can serve in 1 of its 2 enabled Availability Zones ("+b+"), so "+deadOne+" (targets that can serve/registered: alb-off-i (cross-zone off) "+a+" 1/1, "+b+" 0/0).")

	arn = s.lb("nlb-off-gap", elbv2types.LoadBalancerTypeEnumNetwork, subnets[a], subnets[b], subnets[c])
	s.group(arn, "nlb-gap-i", elbv2types.TargetTypeEnumInstance, elbv2types.ProtocolEnumTcp, ia, ibStopped)
	add(arn, "nlb-off-gap", "False", "ELBV2-1", "HIGH", nlb+"nlb-off-gap is enabled in 3 Availability Zones ("+a+", "+b+", "+c+").")
	add(arn, "nlb-off-gap", "True", "ELBV2-2", "HIGH", nlb+"nlb-off-gap has cross-zone load balancing off and no target that can serve in 2 of its 3 enabled Availability Zones ("+b+", "+c+"), so "+deadMany+" (targets that can serve/registered: nlb-gap-i (cross-zone off) "+a+" 1/1, "+b+" 0/1, "+c+" 0/0).")
	add(arn, "nlb-off-gap", "True", "ELBV2-3", "MEDIUM", nlb+"nlb-off-gap has cross-zone load balancing off and registers targets in fewer Availability Zones than the 3 it is enabled in, so it runs on fewer zones even when every target is healthy: nlb-gap-i has targets in 2 of 3 ("+a+" 1, "+b+" 1; none in "+c+").")

	arn = s.lb("nlb-off-ok", elbv2types.LoadBalancerTypeEnumNetwork, subnets[a], subnets[b])
	s.group(arn, "nlb-ok-i", elbv2types.TargetTypeEnumInstance, elbv2types.ProtocolEnumTcp, ia, ib, ic)
	add(arn, "nlb-off-ok", "False", "ELBV2-1", "HIGH", nlb+"nlb-off-ok"+twoZones)
	add(arn, "nlb-off-ok", "False", "ELBV2-2", "HIGH", offOK(nlb+"nlb-off-ok", "nlb-ok-i (cross-zone off) "+a+" 1/1, "+b+" 1/1, 1 target in zones not enabled"))
	add(arn, "nlb-off-ok", "False", "ELBV2-3", "MEDIUM", nlb+"nlb-off-ok"+allZonesRegistered)

	arn = s.lb("nlb-cross-on", elbv2types.LoadBalancerTypeEnumNetwork, subnets[a], subnets[b])
	s.group(arn, "nlb-on-i", elbv2types.TargetTypeEnumInstance, elbv2types.ProtocolEnumTcp, ia)
	s.crossZone(arn, "", "true")
	add(arn, "nlb-cross-on", "False", "ELBV2-1", "HIGH", nlb+"nlb-cross-on"+twoZones)
	add(arn, "nlb-cross-on", "False", "ELBV2-2", "HIGH", nlb+"nlb-cross-on has cross-zone load balancing on for its 1 target group, so the node in each enabled zone forwards to serving targets in any zone (1 of 1 targets can serve).")
	add(arn, "nlb-cross-on", "False", "ELBV2-3", "MEDIUM", nlb+"nlb-cross-on has cross-zone load balancing on for its 1 target group, so the node in each zone forwards to targets in any zone.")

	arn = s.lb("nlb-to-alb", elbv2types.LoadBalancerTypeEnumNetwork, subnets[a], subnets[b])
	s.group(arn, "nlb-alb", elbv2types.TargetTypeEnumAlb, elbv2types.ProtocolEnumTcp, spread)
	add(arn, "nlb-to-alb", "False", "ELBV2-1", "HIGH", nlb+"nlb-to-alb"+twoZones)
	add(arn, "nlb-to-alb", "False", "ELBV2-2", "HIGH", offOK(nlb+"nlb-to-alb", "nlb-alb (cross-zone off) "+a+" 1/1, "+b+" 1/1"))
	add(arn, "nlb-to-alb", "False", "ELBV2-3", "MEDIUM", nlb+"nlb-to-alb"+allZonesRegistered)

	arn = s.lb("gwlb-ok", elbv2types.LoadBalancerTypeEnumGateway, subnets[a], subnets[b])
	s.group(arn, "gwlb-geneve", elbv2types.TargetTypeEnumInstance, elbv2types.ProtocolEnumGeneve, ia, ib)
	add(arn, "gwlb-ok", "False", "ELBV2-1", "HIGH", gwlb+"gwlb-ok"+twoZones)
	add(arn, "gwlb-ok", "False", "ELBV2-2", "HIGH", offOK(gwlb+"gwlb-ok", "gwlb-geneve (cross-zone off) "+a+" 1/1, "+b+" 1/1"))
	add(arn, "gwlb-ok", "False", "ELBV2-3", "MEDIUM", gwlb+"gwlb-ok"+allZonesRegistered)

	arn = s.lb("gwlb-gap", elbv2types.LoadBalancerTypeEnumGateway, subnets[a], subnets[b])
	s.group(arn, "gwlb-gap-geneve", elbv2types.TargetTypeEnumInstance, elbv2types.ProtocolEnumGeneve, ia)
	add(arn, "gwlb-gap", "False", "ELBV2-1", "HIGH", gwlb+"gwlb-gap"+twoZones)
	add(arn, "gwlb-gap", "True", "ELBV2-2", "HIGH", gwlb+"gwlb-gap has cross-zone load balancing off and no target that can serve in 1 of its 2 enabled Availability Zones ("+b+"), so traffic the endpoints in that zone send to its node there has no target to go to (targets that can serve/registered: gwlb-gap-geneve (cross-zone off) "+a+" 1/1, "+b+" 0/0).")
	add(arn, "gwlb-gap", "True", "ELBV2-3", "MEDIUM", gwlb+"gwlb-gap has cross-zone load balancing off and registers targets in fewer Availability Zones than the 2 it is enabled in, so it runs on fewer zones even when every target is healthy: gwlb-gap-geneve has targets in 1 of 2 ("+a+" 1; none in "+b+").")

	// A target group no load balancer forwards to: its health is not read.
	if _, err := s.api.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("spare"), Protocol: elbv2types.ProtocolEnumTcp,
		Port: aws.Int32(80), VpcId: aws.String(s.vpc)}); err != nil {
		t.Fatal(err)
	}

	// Stopped after registration: moto then reports it unused
	// (Target.InvalidState), which does not serve.
	stopInstance(t, ctx, cfg, ibStopped)
	return rows
}

func TestMotoELBv2(t *testing.T) {
	checkAnalyser(t, analysers.ELBv2, seedELBv2, "620000000201", "sa-east-1")
}
