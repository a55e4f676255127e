package analysers

import (
	"context"
	"encoding/json"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/faultline/faultline/inventory"
)

const (
	elbA, elbB, elbC = "us-east-1a", "us-east-1b", "us-east-1c"
)

func elbv2ARN(kind, name string) string {
	return "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/" + kind + "/" + name + "/0123456789abcdef"
}

func elbv2TGARN(name string) string {
	return "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/" + name + "/0123456789abcdef"
}

// elbv2LB is a load balancer of type typ enabled in zones.
func elbv2LB(typ elbv2types.LoadBalancerTypeEnum, name string, zones ...string) elbv2types.LoadBalancer {
	kind := map[elbv2types.LoadBalancerTypeEnum]string{"application": "app", "network": "net", "gateway": "gwy"}[typ]
	lb := elbv2types.LoadBalancer{LoadBalancerName: aws.String(name), LoadBalancerArn: aws.String(elbv2ARN(kind, name)), Type: typ}
	for i, z := range zones {
		lb.AvailabilityZones = append(lb.AvailabilityZones, elbv2types.AvailabilityZone{ZoneName: aws.String(z), SubnetId: aws.String("subnet-" + strconv.Itoa(i))})
	}
	return lb
}

// elbv2TG is a target group of type typ attached to lbs.
func elbv2TG(name string, typ elbv2types.TargetTypeEnum, lbs ...elbv2types.LoadBalancer) elbv2types.TargetGroup {
	tg := elbv2types.TargetGroup{TargetGroupName: aws.String(name), TargetGroupArn: aws.String(elbv2TGARN(name)), TargetType: typ,
		VpcId: aws.String("vpc-1"), Protocol: elbv2types.ProtocolEnumTcp}
	for _, lb := range lbs {
		tg.LoadBalancerArns = append(tg.LoadBalancerArns, aws.ToString(lb.LoadBalancerArn))
	}
	return tg
}

// elbv2Health is a listed target in state (reason optional).
func elbv2Health(id string, state elbv2types.TargetHealthStateEnum, reason elbv2types.TargetHealthReasonEnum) elbv2types.TargetHealthDescription {
	return elbv2types.TargetHealthDescription{Target: &elbv2types.TargetDescription{Id: aws.String(id), Port: aws.Int32(80)},
		TargetHealth: &elbv2types.TargetHealth{State: state, Reason: reason}}
}

func healthy(id string) elbv2types.TargetHealthDescription {
	return elbv2Health(id, elbv2types.TargetHealthStateEnumHealthy, "")
}

func TestJudgeELBv2Zones(t *testing.T) {
	cases := []struct {
		lb      elbv2types.LoadBalancer
		risk    bool
		message string
	}{
		{elbv2LB("application", "none"), true, "Application Load Balancer none is enabled in no Availability Zone."},
		{elbv2LB("network", "one", elbB), true, "Network Load Balancer one is enabled in one Availability Zone (us-east-1b), so an outage of that zone takes it down."},
		{elbv2LB("gateway", "two", elbB, elbA), false, "Gateway Load Balancer two is enabled in 2 Availability Zones (us-east-1a, us-east-1b)."},
		{elbv2LB("", "untyped", elbA, elbB, elbC), false, "Load Balancer untyped is enabled in 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c)."},
	}
	for _, c := range cases {
		f := judgeELBv2Zones(c.lb)
		if f.CheckID != "ELBV2-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
			t.Errorf("got %s %s %v %q\nwant ELBV2-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
		}
		if f.ResourceARN != aws.ToString(c.lb.LoadBalancerArn) || f.ResourceName != aws.ToString(c.lb.LoadBalancerName) ||
			f.ResourceType != "AWS::ElasticLoadBalancingV2::LoadBalancer" || f.AZIDs != nil {
			t.Errorf("resource columns: %+v", f)
		}
		if want := elbv2Zones(c.lb); !slices.Equal(f.AZs, want) || (len(want) == 0) != (f.AZs == nil) {
			t.Errorf("AZs %v, want %v", f.AZs, want)
		}
	}
}

func TestELBv2CrossZoneOn(t *testing.T) {
	alb, nlb, gwlb := elbv2LB("application", "a"), elbv2LB("network", "n"), elbv2LB("gateway", "g")
	on, off, inherit := map[string]string{elbv2CrossZone: "true"}, map[string]string{elbv2CrossZone: "false"},
		map[string]string{elbv2CrossZone: "use_load_balancer_configuration"}
	cases := []struct {
		name          string
		lb            elbv2types.LoadBalancer
		lbAttr, tgAtt map[string]string
		want          bool
	}{
		{"ALB, group inherits", alb, nil, inherit, true},
		{"ALB, group attributes not read", alb, nil, nil, true},
		{"ALB, group turns it off", alb, nil, off, false},
		{"NLB default (off)", nlb, off, inherit, false},
		{"NLB attributes missing", nlb, nil, nil, false},
		{"NLB on", nlb, on, inherit, true},
		{"NLB on, group off", nlb, on, off, false},
		{"NLB off, group on", nlb, off, on, true},
		{"GWLB on", gwlb, on, nil, true},
		{"GWLB off", gwlb, off, nil, false},
	}
	for _, c := range cases {
		if got := elbv2CrossZoneOn(c.lb, c.lbAttr, c.tgAtt); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

func TestELBv2CanServeAndRegistered(t *testing.T) {
	cases := []struct {
		state              elbv2types.TargetHealthStateEnum
		reason             elbv2types.TargetHealthReasonEnum
		serving, registerd bool
	}{
		{"healthy", "", true, true},
		{"initial", "Elb.RegistrationInProgress", true, true},
		{"unavailable", "Target.HealthCheckDisabled", true, true},
		{"unavailable", "Elb.InternalError", false, true},
		{"unhealthy", "Target.Timeout", false, true},
		{"unhealthy.draining", "Target.FailedHealthChecks", false, true},
		{"unused", "Target.InvalidState", false, true},
		{"unused", "Target.NotInUse", false, true},
		{"unused", "Target.NotRegistered", false, false},
		{"draining", "Target.DeregistrationInProgress", false, false},
	}
	for _, c := range cases {
		h := &elbv2types.TargetHealth{State: c.state, Reason: c.reason}
		if elbv2CanServe(h) != c.serving || elbv2Registered(h) != c.registerd {
			t.Errorf("%s/%s: serving %v registered %v", c.state, c.reason, elbv2CanServe(h), elbv2Registered(h))
		}
	}
	if elbv2CanServe(nil) || !elbv2Registered(nil) {
		t.Error("a target without health: not serving, registered")
	}
}

func TestELBv2Place(t *testing.T) {
	alb := elbv2LB("application", "inner", elbA, elbC)
	lbs := map[string]elbv2types.LoadBalancer{aws.ToString(alb.LoadBalancerArn): alb}
	subnets := []inventory.Subnet{
		{ID: "subnet-a", VPCID: "vpc-1", AZ: elbA, CIDR: netip.MustParsePrefix("10.0.0.0/24"), IPv6CIDRs: []netip.Prefix{netip.MustParsePrefix("2600:1f18::/64")}},
		{ID: "subnet-b", VPCID: "vpc-1", AZ: elbB, CIDR: netip.MustParsePrefix("10.0.1.0/24")},
		{ID: "subnet-other", VPCID: "vpc-2", AZ: elbC, CIDR: netip.MustParsePrefix("10.0.2.0/24")},
	}
	instances := map[string]string{"i-1": elbB}
	ip := elbv2TG("ip", elbv2types.TargetTypeEnumIp)
	cases := []struct {
		name       string
		tg         elbv2types.TargetGroup
		target     elbv2types.TargetDescription
		zones      []string
		everywhere bool
	}{
		{"registered with a zone", ip, elbv2types.TargetDescription{Id: aws.String("192.168.0.1"), AvailabilityZone: aws.String(elbC)}, []string{elbC}, false},
		{"registered with zone all", ip, elbv2types.TargetDescription{Id: aws.String("192.168.0.1"), AvailabilityZone: aws.String("all")}, nil, true},
		{"IPv4 in a subnet", ip, elbv2types.TargetDescription{Id: aws.String("10.0.1.7")}, []string{elbB}, false},
		{"IPv6 in a subnet", ip, elbv2types.TargetDescription{Id: aws.String("2600:1f18::10")}, []string{elbA}, false},
		{"IP in another VPC's subnet", ip, elbv2types.TargetDescription{Id: aws.String("10.0.2.7")}, nil, false},
		{"IP outside every subnet", ip, elbv2types.TargetDescription{Id: aws.String("172.16.0.1")}, nil, false},
		{"not an IP", ip, elbv2types.TargetDescription{Id: aws.String("nonsense")}, nil, false},
		{"instance", elbv2TG("i", elbv2types.TargetTypeEnumInstance), elbv2types.TargetDescription{Id: aws.String("i-1")}, []string{elbB}, false},
		{"instance not found", elbv2TG("i", elbv2types.TargetTypeEnumInstance), elbv2types.TargetDescription{Id: aws.String("i-gone")}, nil, false},
		{"lambda", elbv2TG("l", elbv2types.TargetTypeEnumLambda), elbv2types.TargetDescription{Id: aws.String("arn:aws:lambda:us-east-1:111111111111:function:f")}, nil, true},
		{"ALB target", elbv2TG("a", elbv2types.TargetTypeEnumAlb), elbv2types.TargetDescription{Id: alb.LoadBalancerArn}, []string{elbA, elbC}, false},
		{"ALB target not read", elbv2TG("a", elbv2types.TargetTypeEnumAlb), elbv2types.TargetDescription{Id: aws.String(elbv2ARN("app", "gone"))}, nil, false},
	}
	for _, c := range cases {
		zones, everywhere := elbv2Place(c.tg, c.target, instances, subnets, lbs)
		if !slices.Equal(zones, c.zones) || everywhere != c.everywhere {
			t.Errorf("%s: got %v %v, want %v %v", c.name, zones, everywhere, c.zones, c.everywhere)
		}
	}
}

// elbv2T is a placed target.
func elbv2T(id string, serving bool, zones ...string) elbv2Target {
	return elbv2Target{ID: id, Serving: serving, Zones: zones}
}

func TestJudgeELBv2Targets(t *testing.T) {
	nlb := elbv2LB("network", "nlb", elbA, elbB)
	alb := elbv2LB("application", "alb", elbA, elbB, elbC)
	everywhere := elbv2Target{ID: "fn", Serving: true, Everywhere: true}
	cases := []struct {
		name    string
		lb      elbv2types.LoadBalancer
		groups  []elbv2Group
		risk    bool
		message string
	}{
		{"no target group", alb, nil, false,
			"Application Load Balancer alb forwards to no target group, so none of its zones' nodes depends on targets."},
		{"cross-zone on", alb, []elbv2Group{{Name: "web", CrossZone: true, Targets: []elbv2Target{elbv2T("i-1", true, elbA), elbv2T("i-2", false, elbA)}}}, false,
			"Application Load Balancer alb has cross-zone load balancing on for its 1 target group, so the node in each enabled zone forwards to serving targets in any zone (1 of 2 targets can serve)."},
		{"cross-zone off, every zone served", nlb, []elbv2Group{{Name: "tcp", Targets: []elbv2Target{elbv2T("i-1", true, elbA), elbv2T("i-2", true, elbB), elbv2T("i-3", false, elbB)}}}, false,
			"Network Load Balancer nlb has cross-zone load balancing off and a target that can serve in each of its 2 enabled Availability Zones (targets that can serve/registered: tcp (cross-zone off) us-east-1a 1/1, us-east-1b 1/2)."},
		{"cross-zone off, a zone whose targets cannot serve", nlb, []elbv2Group{{Name: "tcp", Targets: []elbv2Target{elbv2T("i-1", true, elbA), elbv2T("i-2", false, elbB)}}}, true,
			"Network Load Balancer nlb has cross-zone load balancing off and no target that can serve in 1 of its 2 enabled Availability Zones (us-east-1b), so the node there fails its requests until DNS fail-over removes it (targets that can serve/registered: tcp (cross-zone off) us-east-1a 1/1, us-east-1b 0/1)."},
		{"cross-zone off, no target at all", nlb, []elbv2Group{{Name: "empty"}}, true,
			"Network Load Balancer nlb has cross-zone load balancing off and no target that can serve in any of its 2 enabled Availability Zones (us-east-1a, us-east-1b), so the nodes there fail their requests until DNS fail-over removes them (targets that can serve/registered: empty (cross-zone off) us-east-1a 0/0, us-east-1b 0/0)."},
		{"ALB group off, another group on serves every zone", alb, []elbv2Group{
			{Name: "api", Targets: []elbv2Target{elbv2T("i-1", true, elbA)}},
			{Name: "web", CrossZone: true, Targets: []elbv2Target{elbv2T("i-2", true, elbB)}}}, false,
			"Application Load Balancer alb has cross-zone load balancing off for 1 of its 2 target groups and a target that can serve in each of its 3 enabled Availability Zones (targets that can serve/registered: api (cross-zone off) us-east-1a 1/1, us-east-1b 0/0, us-east-1c 0/0; web (cross-zone on) 1/1)."},
		{"ALB groups off, zone c dead; targets elsewhere and unplaced", alb, []elbv2Group{
			{Name: "api", Targets: []elbv2Target{elbv2T("i-1", true, elbA), elbv2T("i-9", true, "us-east-1d"), elbv2T("10.9.9.9", true)}},
			{Name: "web", Targets: []elbv2Target{elbv2T("i-2", true, elbB)}}}, true,
			"Application Load Balancer alb has cross-zone load balancing off for all its 2 target groups and no target that can serve in 1 of its 3 enabled Availability Zones (us-east-1c), so the node there fails its requests until DNS fail-over removes it (targets that can serve/registered: api (cross-zone off) us-east-1a 1/1, us-east-1b 0/0, us-east-1c 0/0, 1 target in zones not enabled, 1 target not placed; web (cross-zone off) us-east-1a 0/0, us-east-1b 1/1, us-east-1c 0/0)."},
		{"cross-zone off, a target serving every zone", nlb, []elbv2Group{{Name: "fn", Targets: []elbv2Target{everywhere}}}, false,
			"Network Load Balancer nlb has cross-zone load balancing off and a target that can serve in each of its 2 enabled Availability Zones (targets that can serve/registered: fn (cross-zone off) us-east-1a 0/0, us-east-1b 0/0, every zone 1/1)."},
		{"cross-zone on but nothing serves: not a zone's failure", nlb, []elbv2Group{{Name: "tcp", CrossZone: true, Targets: []elbv2Target{elbv2T("i-1", false, elbA)}}}, false,
			"Network Load Balancer nlb has cross-zone load balancing on for its 1 target group, so the node in each enabled zone forwards to serving targets in any zone (0 of 1 targets can serve)."},
		{"GWLB, a zone without target", elbv2LB("gateway", "fw", elbA, elbB), []elbv2Group{{Name: "geneve", Targets: []elbv2Target{elbv2T("i-1", true, elbA)}}}, true,
			"Gateway Load Balancer fw has cross-zone load balancing off and no target that can serve in 1 of its 2 enabled Availability Zones (us-east-1b), so traffic the endpoints in that zone send to its node there has no target to go to (targets that can serve/registered: geneve (cross-zone off) us-east-1a 1/1, us-east-1b 0/0)."},
		{"GWLB, no target", elbv2LB("gateway", "fw", elbA, elbB), []elbv2Group{{Name: "geneve"}}, true,
			"Gateway Load Balancer fw has cross-zone load balancing off and no target that can serve in any of its 2 enabled Availability Zones (us-east-1a, us-east-1b), so traffic the endpoints in those zones send to its nodes there has no target to go to (targets that can serve/registered: geneve (cross-zone off) us-east-1a 0/0, us-east-1b 0/0)."},
		{"an ALB target placed in two zones", nlb, []elbv2Group{{Name: "to-alb", Targets: []elbv2Target{elbv2T("alb", true, elbA, elbB)}}}, false,
			"Network Load Balancer nlb has cross-zone load balancing off and a target that can serve in each of its 2 enabled Availability Zones (targets that can serve/registered: to-alb (cross-zone off) us-east-1a 1/1, us-east-1b 1/1)."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeELBv2Targets(c.lb, c.groups)
			if f.CheckID != "ELBV2-2" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant ELBV2-2 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.lb.LoadBalancerArn) || !slices.Equal(f.AZs, elbv2Zones(c.lb)) {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

func TestJudgeELBv2TargetZones(t *testing.T) {
	nlb := elbv2LB("network", "nlb", elbA, elbB, elbC)
	cases := []struct {
		name    string
		groups  []elbv2Group
		risk    bool
		message string
	}{
		{"no target group", nil, false, "Network Load Balancer nlb forwards to no target group."},
		{"cross-zone on", []elbv2Group{{Name: "tcp", CrossZone: true, Targets: []elbv2Target{elbv2T("i-1", true, elbA)}}}, false,
			"Network Load Balancer nlb has cross-zone load balancing on for its 1 target group, so the node in each zone forwards to targets in any zone."},
		{"every zone has targets, whatever their health", []elbv2Group{{Name: "tcp", Targets: []elbv2Target{
			elbv2T("i-1", true, elbA), elbv2T("i-2", false, elbB), elbv2T("i-3", false, elbC)}}}, false,
			"Network Load Balancer nlb has cross-zone load balancing off and registered targets of every target group in each of its 3 enabled Availability Zones."},
		{"a group short of zones; the cross-zone one is not judged", []elbv2Group{
			{Name: "tcp", Targets: []elbv2Target{elbv2T("i-1", true, elbA), elbv2T("i-2", true, elbA), elbv2T("i-3", true, "us-east-1d"), elbv2T("x", true)}},
			{Name: "udp", CrossZone: true, Targets: []elbv2Target{elbv2T("i-4", true, elbB)}}}, true,
			"Network Load Balancer nlb has cross-zone load balancing off and registers targets in fewer Availability Zones than the 3 it is enabled in, so it runs on fewer zones even when every target is healthy: tcp has targets in 1 of 3 (us-east-1a 2; none in us-east-1b, us-east-1c)."},
		{"two groups short", []elbv2Group{
			{Name: "a", Targets: []elbv2Target{elbv2T("i-1", true, elbA), elbv2T("i-2", true, elbB)}},
			{Name: "b"}}, true,
			"Network Load Balancer nlb has cross-zone load balancing off and registers targets in fewer Availability Zones than the 3 it is enabled in, so it runs on fewer zones even when every target is healthy: a has targets in 2 of 3 (us-east-1a 1, us-east-1b 1; none in us-east-1c); b has targets in 0 of 3 (none; none in us-east-1a, us-east-1b, us-east-1c)."},
		{"a target serving every zone", []elbv2Group{{Name: "ip", Targets: []elbv2Target{{ID: "192.168.0.1", Everywhere: true}}}}, false,
			"Network Load Balancer nlb has cross-zone load balancing off and registered targets of every target group in each of its 3 enabled Availability Zones."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeELBv2TargetZones(nlb, c.groups)
			if f.CheckID != "ELBV2-3" || f.Severity != SeverityMedium || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant ELBV2-3 MEDIUM %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
		})
	}
}

// elbv2Estate is a region: an ALB (web, cross-zone on: its groups inherit),
// an NLB with cross-zone off whose target in us-east-1b is unhealthy, a
// one-zone GWLB without target group, and a detached target group.
type elbv2Estate struct {
	lbs       []elbv2types.LoadBalancer
	tgs       []elbv2types.TargetGroup
	health    []ELBv2TargetHealth
	instances []ec2types.Instance
	subnets   []inventory.Subnet
	lbAttrs   []ELBv2Attributes
	tgAttrs   []ELBv2Attributes
}

func newELBv2Estate() elbv2Estate {
	alb := elbv2LB("application", "web", elbA, elbB)
	nlb := elbv2LB("network", "tcp", elbA, elbB)
	gwlb := elbv2LB("gateway", "fw", elbA)
	albTG := elbv2TG("web-ip", elbv2types.TargetTypeEnumIp, alb)
	nlbTG := elbv2TG("tcp-i", elbv2types.TargetTypeEnumInstance, nlb)
	detached := elbv2TG("spare", elbv2types.TargetTypeEnumInstance)
	return elbv2Estate{
		lbs: []elbv2types.LoadBalancer{alb, nlb, gwlb},
		tgs: []elbv2types.TargetGroup{albTG, nlbTG, detached},
		health: []ELBv2TargetHealth{
			{TargetGroupARN: elbv2TGARN("web-ip"), Targets: []elbv2types.TargetHealthDescription{healthy("10.0.0.5")}},
			{TargetGroupARN: elbv2TGARN("tcp-i"), Targets: []elbv2types.TargetHealthDescription{healthy("i-a"),
				elbv2Health("i-b", elbv2types.TargetHealthStateEnumUnhealthy, elbv2types.TargetHealthReasonEnumTimeout)}},
		},
		instances: []ec2types.Instance{
			{InstanceId: aws.String("i-a"), Placement: &ec2types.Placement{AvailabilityZone: aws.String(elbA)}},
			{InstanceId: aws.String("i-b"), Placement: &ec2types.Placement{AvailabilityZone: aws.String(elbB)}},
		},
		subnets: []inventory.Subnet{{ID: "subnet-a", VPCID: "vpc-1", AZ: elbA, AZID: "use1-az1", CIDR: netip.MustParsePrefix("10.0.0.0/24")}},
		lbAttrs: []ELBv2Attributes{
			{ARN: aws.ToString(nlb.LoadBalancerArn), Attributes: map[string]string{elbv2CrossZone: "false"}},
			{ARN: aws.ToString(gwlb.LoadBalancerArn), Attributes: map[string]string{elbv2CrossZone: "false"}},
		},
		tgAttrs: []ELBv2Attributes{
			{ARN: elbv2TGARN("web-ip"), Attributes: map[string]string{elbv2CrossZone: "use_load_balancer_configuration"}},
			{ARN: elbv2TGARN("tcp-i"), Attributes: map[string]string{elbv2CrossZone: "use_load_balancer_configuration"}},
		},
	}
}

func (e elbv2Estate) scope() *inventory.Scope {
	s := testScope()
	inventory.Put(s, inventory.LoadBalancers, e.lbs, nil)
	inventory.Put(s, elbv2TargetGroups, e.tgs, nil)
	inventory.Put(s, elbv2TargetHealth, e.health, nil)
	inventory.Put(s, inventory.Instances, e.instances, nil)
	inventory.Put(s, inventory.Subnets, e.subnets, nil)
	inventory.Put(s, elbv2LBAttributes, e.lbAttrs, nil)
	inventory.Put(s, elbv2TGAttributes, e.tgAttrs, nil)
	return s
}

// summary is "CHECK name risk" per finding, for rule tests that check which
// rows come out.
func summary(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.CheckID+" "+f.ResourceName+" "+strconv.FormatBool(f.Risk))
	}
	return out
}

func TestAnalyseELBv2(t *testing.T) {
	var got []Finding
	if err := analyseELBv2(context.Background(), newELBv2Estate().scope(), collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true",
		"ELBV2-2 web false", "ELBV2-2 tcp true", "ELBV2-3 tcp false", "ELBV2-2 fw false", "ELBV2-3 fw false"}
	if !slices.Equal(summary(got), want) {
		t.Fatalf("rows %v\nwant %v", summary(got), want)
	}
	if m := got[4].Message; m != "Network Load Balancer tcp has cross-zone load balancing off and no target that can serve in 1 of its 2 enabled Availability Zones (us-east-1b), so the node there fails its requests until DNS fail-over removes it (targets that can serve/registered: tcp-i (cross-zone off) us-east-1a 1/1, us-east-1b 0/1)." {
		t.Errorf("tcp: %q", m)
	}
	if m := got[3].Message; m != "Application Load Balancer web has cross-zone load balancing on for its 1 target group, so the node in each enabled zone forwards to serving targets in any zone (1 of 1 targets can serve)." {
		t.Errorf("web: %q", m)
	}
}

// TestAnalyseELBv2ReadsOnlyWhatIsNeeded leaves out of the scope the kinds a
// rule must not read (a fixture fails any kind not put).
func TestAnalyseELBv2ReadsOnlyWhatIsNeeded(t *testing.T) {
	ctx := context.Background()
	// No load balancer: nothing else is read.
	s := testScope()
	inventory.Put(s, inventory.LoadBalancers, nil, nil)
	var got []Finding
	if err := analyseELBv2(ctx, s, collect(&got)); err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
	// An ALB with no target group: no health, attributes or placement.
	alb := elbv2LB("application", "web", elbA, elbB)
	s = testScope()
	inventory.Put(s, inventory.LoadBalancers, []elbv2types.LoadBalancer{alb}, nil)
	inventory.Put(s, elbv2TargetGroups, []elbv2types.TargetGroup{elbv2TG("spare", elbv2types.TargetTypeEnumInstance)}, nil)
	got = nil
	if err := analyseELBv2(ctx, s, collect(&got)); err != nil || !slices.Equal(summary(got), []string{"ELBV2-1 web false", "ELBV2-2 web false"}) {
		t.Fatalf("err %v, rows %v", err, summary(got))
	}
	// An ALB whose IP targets were registered with their zone: no load
	// balancer attributes (ALB), no instances, no subnets.
	tg := elbv2TG("ip", elbv2types.TargetTypeEnumIp, alb)
	th := healthy("10.0.0.5")
	th.Target.AvailabilityZone = aws.String(elbA)
	s = testScope()
	inventory.Put(s, inventory.LoadBalancers, []elbv2types.LoadBalancer{alb}, nil)
	inventory.Put(s, elbv2TargetGroups, []elbv2types.TargetGroup{tg}, nil)
	inventory.Put(s, elbv2TargetHealth, []ELBv2TargetHealth{{TargetGroupARN: elbv2TGARN("ip"), Targets: []elbv2types.TargetHealthDescription{th}}}, nil)
	inventory.Put(s, elbv2TGAttributes, []ELBv2Attributes{{ARN: elbv2TGARN("ip"), Attributes: map[string]string{elbv2CrossZone: "false"}}}, nil)
	got = nil
	if err := analyseELBv2(ctx, s, collect(&got)); err != nil || !slices.Equal(summary(got), []string{"ELBV2-1 web false", "ELBV2-2 web true"}) {
		t.Fatalf("err %v, rows %v", err, summary(got))
	}
}

// Items deleted between the listing and the per-item calls: a target group
// without health is left out (not judged empty), and a Network Load
// Balancer without attributes gets no target rows.
func TestAnalyseELBv2SkipsWhatWasDeleted(t *testing.T) {
	e := newELBv2Estate()
	e.health = e.health[:1] // tcp-i gone
	var got []Finding
	if err := analyseELBv2(context.Background(), e.scope(), collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true",
		"ELBV2-2 web false", "ELBV2-2 tcp false", "ELBV2-3 tcp false", "ELBV2-2 fw false", "ELBV2-3 fw false"}
	if !slices.Equal(summary(got), want) || got[4].Message != "Network Load Balancer tcp forwards to no target group, so none of its zones' nodes depends on targets." {
		t.Fatalf("rows %v\nwant %v\n%q", summary(got), want, got[4].Message)
	}
	e = newELBv2Estate()
	e.lbAttrs = e.lbAttrs[1:] // tcp gone
	got = nil
	if err := analyseELBv2(context.Background(), e.scope(), collect(&got)); err != nil {
		t.Fatal(err)
	}
	want = []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true", "ELBV2-2 web false", "ELBV2-2 fw false", "ELBV2-3 fw false"}
	if !slices.Equal(summary(got), want) {
		t.Fatalf("rows %v\nwant %v", summary(got), want)
	}
}

func TestAnalyseELBv2Failures(t *testing.T) {
	ctx := context.Background()
	denied := func(code string) error { return accessDenied(code) }
	cases := []struct {
		name string
		// put replaces a kind of the estate's scope with a failed read.
		put  func(s *inventory.Scope, e elbv2Estate)
		code string
		rows []string
	}{
		{"load balancers denied", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, inventory.LoadBalancers, nil, denied("AccessDenied"))
		}, "AccessDenied", nil},
		{"target groups denied: zones only", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, elbv2TargetGroups, nil, denied("AccessDenied"))
		}, "AccessDenied", []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true"}},
		{"target groups read part-way: zones only", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, elbv2TargetGroups, e.tgs[:1], denied("Throttling"))
		}, "Throttling", []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true"}},
		{"target health read part-way: zones only", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, elbv2TargetHealth, e.health[:1], denied("AccessDenied"))
		}, "AccessDenied", []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true"}},
		{"instances denied: zones only", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, inventory.Instances, nil, denied("UnauthorizedOperation"))
		}, "UnauthorizedOperation", []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true"}},
		{"subnets denied: zones only", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, inventory.Subnets, nil, denied("UnauthorizedOperation"))
		}, "UnauthorizedOperation", []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true"}},
		{"load balancer attributes denied: zones only", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, elbv2LBAttributes, nil, denied("AccessDenied"))
		}, "AccessDenied", []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true"}},
		{"target group attributes denied: zones only", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, elbv2TGAttributes, nil, denied("AccessDenied"))
		}, "AccessDenied", []string{"ELBV2-1 web false", "ELBV2-1 tcp false", "ELBV2-1 fw true"}},
		{"load balancers read part-way: those read are judged", func(s *inventory.Scope, e elbv2Estate) {
			inventory.Put(s, inventory.LoadBalancers, e.lbs[1:2], denied("Throttling"))
		}, "Throttling", []string{"ELBV2-1 tcp false", "ELBV2-2 tcp true", "ELBV2-3 tcp false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newELBv2Estate()
			s := e.scope()
			c.put(s, e)
			var got []Finding
			requireCode(t, analyseELBv2(ctx, s, collect(&got)), c.code)
			if !slices.Equal(summary(got), c.rows) {
				t.Fatalf("rows %v\nwant %v", summary(got), c.rows)
			}
		})
	}
}

func TestELBv2GroupsPlacesEachLoadBalancersTargets(t *testing.T) {
	e := newELBv2Estate()
	in := elbv2Inputs{lbs: e.lbs, health: map[string][]elbv2types.TargetHealthDescription{}, instances: e.instances, subnets: e.subnets,
		lbAttrs: e.lbAttrs, tgAttrs: e.tgAttrs}
	for _, h := range e.health {
		in.health[h.TargetGroupARN] = h.Targets
	}
	// A draining target is being deregistered: it is left out.
	in.health[elbv2TGARN("tcp-i")] = append(in.health[elbv2TGARN("tcp-i")],
		elbv2Health("i-c", elbv2types.TargetHealthStateEnumDraining, elbv2types.TargetHealthReasonEnumDeregistrationInProgress))
	got := in.groups(e.tgs[:2])
	want := map[string][]elbv2Group{
		aws.ToString(e.lbs[0].LoadBalancerArn): {{Name: "web-ip", CrossZone: true, Targets: []elbv2Target{{ID: "10.0.0.5", Zones: []string{elbA}, Serving: true}}}},
		aws.ToString(e.lbs[1].LoadBalancerArn): {{Name: "tcp-i", Targets: []elbv2Target{
			{ID: "i-a", Zones: []string{elbA}, Serving: true}, {ID: "i-b", Zones: []string{elbB}}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("groups %+v\nwant %+v", got, want)
	}
}

// fakeELBv2 serves DescribeTargetGroups in pages (Marker "1", "2", ...),
// DescribeTargetHealth and the attribute calls from maps, or errors.
type fakeELBv2 struct {
	tgPages  [][]elbv2types.TargetGroup
	health   map[string][]elbv2types.TargetHealthDescription
	lbAttrs  map[string][]elbv2types.LoadBalancerAttribute
	tgAttrs  map[string][]elbv2types.TargetGroupAttribute
	err      error
	calls    []string
	notFound string
}

func (f *fakeELBv2) DescribeTargetGroups(_ context.Context, in *elbv2.DescribeTargetGroupsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	f.calls = append(f.calls, "DescribeTargetGroups "+aws.ToString(in.Marker))
	if f.err != nil {
		return nil, f.err
	}
	i := rdsFakePage(in.Marker)
	return &elbv2.DescribeTargetGroupsOutput{TargetGroups: f.tgPages[i], NextMarker: rdsFakeNext(i, len(f.tgPages))}, nil
}

func (f *fakeELBv2) DescribeTargetHealth(_ context.Context, in *elbv2.DescribeTargetHealthInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error) {
	arn := aws.ToString(in.TargetGroupArn)
	f.calls = append(f.calls, "DescribeTargetHealth "+arn)
	if arn == f.notFound {
		return nil, &elbv2types.TargetGroupNotFoundException{Message: aws.String("gone")}
	}
	if f.err != nil {
		return nil, f.err
	}
	return &elbv2.DescribeTargetHealthOutput{TargetHealthDescriptions: f.health[arn]}, nil
}

func (f *fakeELBv2) DescribeLoadBalancerAttributes(_ context.Context, in *elbv2.DescribeLoadBalancerAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancerAttributesOutput, error) {
	arn := aws.ToString(in.LoadBalancerArn)
	f.calls = append(f.calls, "DescribeLoadBalancerAttributes "+arn)
	if arn == f.notFound {
		return nil, &elbv2types.LoadBalancerNotFoundException{Message: aws.String("gone")}
	}
	if f.err != nil {
		return nil, f.err
	}
	return &elbv2.DescribeLoadBalancerAttributesOutput{Attributes: f.lbAttrs[arn]}, nil
}

func (f *fakeELBv2) DescribeTargetGroupAttributes(_ context.Context, in *elbv2.DescribeTargetGroupAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error) {
	arn := aws.ToString(in.TargetGroupArn)
	f.calls = append(f.calls, "DescribeTargetGroupAttributes "+arn)
	if arn == f.notFound {
		return nil, &elbv2types.TargetGroupNotFoundException{Message: aws.String("gone")}
	}
	if f.err != nil {
		return nil, f.err
	}
	return &elbv2.DescribeTargetGroupAttributesOutput{Attributes: f.tgAttrs[arn]}, nil
}

func TestLoadELBv2TargetGroupsReadsEveryPage(t *testing.T) {
	api := &fakeELBv2{tgPages: [][]elbv2types.TargetGroup{{elbv2TG("p1", "instance")}, {elbv2TG("p2a", "ip"), elbv2TG("p2b", "lambda")}}}
	var got []string
	if err := loadELBv2TargetGroups(context.Background(), api, func(tg elbv2types.TargetGroup) { got = append(got, aws.ToString(tg.TargetGroupName)) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"p1", "p2a", "p2b"}) || !slices.Equal(api.calls, []string{"DescribeTargetGroups ", "DescribeTargetGroups 1"}) {
		t.Fatalf("got %v with calls %v", got, api.calls)
	}
	api = &fakeELBv2{err: accessDenied("AccessDenied")}
	requireCode(t, loadELBv2TargetGroups(context.Background(), api, func(elbv2types.TargetGroup) { t.Error("item after a denied call") }), "AccessDenied")
}

func TestLoadELBv2TargetHealth(t *testing.T) {
	lb := elbv2LB("network", "n", elbA, elbB)
	tgs := []elbv2types.TargetGroup{elbv2TG("one", "instance", lb), elbv2TG("detached", "instance"), elbv2TG("gone", "instance", lb), elbv2TG("two", "ip", lb)}
	api := &fakeELBv2{notFound: elbv2TGARN("gone"), health: map[string][]elbv2types.TargetHealthDescription{
		elbv2TGARN("one"): {healthy("i-1")}, elbv2TGARN("two"): {healthy("10.0.0.1"), healthy("10.0.0.2")}}}
	var got []ELBv2TargetHealth
	if err := loadELBv2TargetHealth(context.Background(), api, tgs, func(h ELBv2TargetHealth) { got = append(got, h) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].TargetGroupARN != elbv2TGARN("one") || len(got[1].Targets) != 2 || len(api.calls) != 3 {
		t.Fatalf("got %+v with calls %v", got, api.calls)
	}
	api = &fakeELBv2{err: accessDenied("AccessDenied")}
	requireCode(t, loadELBv2TargetHealth(context.Background(), api, tgs, func(ELBv2TargetHealth) { t.Error("item after a denied call") }), "AccessDenied")
}

func TestLoadELBv2LBAttributesReadsNetworkAndGatewayOnly(t *testing.T) {
	alb, nlb, gwlb, gone := elbv2LB("application", "a"), elbv2LB("network", "n"), elbv2LB("gateway", "g"), elbv2LB("network", "gone")
	api := &fakeELBv2{notFound: aws.ToString(gone.LoadBalancerArn), lbAttrs: map[string][]elbv2types.LoadBalancerAttribute{
		aws.ToString(nlb.LoadBalancerArn): {{Key: aws.String(elbv2CrossZone), Value: aws.String("true")}}}}
	var got []ELBv2Attributes
	if err := loadELBv2LBAttributes(context.Background(), api, []elbv2types.LoadBalancer{alb, nlb, gone, gwlb}, func(a ELBv2Attributes) { got = append(got, a) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Attributes[elbv2CrossZone] != "true" || got[1].ARN != aws.ToString(gwlb.LoadBalancerArn) || len(api.calls) != 3 {
		t.Fatalf("got %+v with calls %v", got, api.calls)
	}
	api = &fakeELBv2{err: accessDenied("AccessDenied")}
	requireCode(t, loadELBv2LBAttributes(context.Background(), api, []elbv2types.LoadBalancer{nlb}, func(ELBv2Attributes) { t.Error("item after a denied call") }), "AccessDenied")
}

func TestLoadELBv2TGAttributesSkipsGroupsThatCannotSetCrossZone(t *testing.T) {
	lb := elbv2LB("network", "n")
	geneve := elbv2TG("geneve", "instance", lb)
	geneve.Protocol = elbv2types.ProtocolEnumGeneve
	tgs := []elbv2types.TargetGroup{elbv2TG("tcp", "instance", lb), elbv2TG("detached", "instance"), elbv2TG("fn", "lambda", lb), geneve,
		elbv2TG("gone", "ip", lb), elbv2TG("ip", "ip", lb)}
	api := &fakeELBv2{notFound: elbv2TGARN("gone"), tgAttrs: map[string][]elbv2types.TargetGroupAttribute{
		elbv2TGARN("tcp"): {{Key: aws.String(elbv2CrossZone), Value: aws.String("false")}}}}
	var got []ELBv2Attributes
	if err := loadELBv2TGAttributes(context.Background(), api, tgs, func(a ELBv2Attributes) { got = append(got, a) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Attributes[elbv2CrossZone] != "false" || got[1].ARN != elbv2TGARN("ip") || len(api.calls) != 3 {
		t.Fatalf("got %+v with calls %v", got, api.calls)
	}
	api = &fakeELBv2{err: accessDenied("AccessDenied")}
	requireCode(t, loadELBv2TGAttributes(context.Background(), api, tgs, func(ELBv2Attributes) { t.Error("item after a denied call") }), "AccessDenied")
}

// The kinds' items are written to snapshot files: they must round-trip.
func TestELBv2ItemsRoundTripJSON(t *testing.T) {
	e := newELBv2Estate()
	th := e.health[1]
	th.Targets[0].Target.AvailabilityZone = aws.String("all")
	th.Targets[0].AnomalyDetection = &elbv2types.AnomalyDetection{Result: elbv2types.AnomalyResultEnumAnomalous}
	for _, v := range []any{e.tgs, th, e.lbAttrs} {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		back := reflect.New(reflect.TypeOf(v))
		if err := json.Unmarshal(raw, back.Interface()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Elem().Interface(), v) {
			t.Errorf("%T does not round-trip: %s", v, raw)
		}
	}
}
