package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"

	"github.com/faultline/faultline/analysers"
)

// seedELB creates Classic Load Balancers: one in one zone with an InService
// instance; one in two zones (cross-zone off, the API's default) whose
// instance in zone b is stopped (OutOfService); one in two zones with an
// InService instance in each; one with cross-zone on and a single
// instance; one in two zones without instances; and one created with
// subnets, which moto lists with subnets but no AvailabilityZones (AWS
// lists both), so the analyser places it by its subnets.
//
// Covered by fakes only (analysers/elb_test.go): instances whose health is
// Unknown or missing from DescribeInstanceHealth, instances not found in
// EC2, load balancers deleted between the listing and the per-load-balancer
// calls, and two pages of DescribeLoadBalancers (moto pages at 50, more
// than a seed needs).
func seedELB(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	a, b := r+"a", r+"b"
	subnets := defaultSubnets(t, ctx, cfg)
	api := elb.NewFromConfig(cfg)
	ia := runInstance(t, ctx, cfg, subnets[a])
	ib := runInstance(t, ctx, cfg, subnets[b])
	ibStopped := runInstance(t, ctx, cfg, subnets[b])
	account := accountOf(t, ctx, cfg)

	create := func(name string, zones []string, subnetIDs []string, crossZone bool, instances ...string) string {
		t.Helper()
		_, err := api.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String(name), AvailabilityZones: zones, Subnets: subnetIDs,
			Listeners: []elbtypes.Listener{{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstancePort: aws.Int32(80)}}})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		if crossZone {
			_, err := api.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerName: aws.String(name),
				LoadBalancerAttributes: &elbtypes.LoadBalancerAttributes{CrossZoneLoadBalancing: &elbtypes.CrossZoneLoadBalancing{Enabled: true}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(instances) > 0 {
			var in []elbtypes.Instance
			for _, id := range instances {
				in = append(in, elbtypes.Instance{InstanceId: aws.String(id)})
			}
			if _, err := api.RegisterInstancesWithLoadBalancer(ctx, &elb.RegisterInstancesWithLoadBalancerInput{LoadBalancerName: aws.String(name), Instances: in}); err != nil {
				t.Fatal(err)
			}
		}
		return "arn:aws:elasticloadbalancing:" + r + ":" + account + ":loadbalancer/" + name
	}
	var rows []row
	add := func(arn, name, risk, check, msg string) {
		rows = append(rows, row{"elb", r, arn, name, "", risk, "", msg, check, "HIGH"})
	}
	const clb = "Classic Load Balancer "
	two := []string{a, b}
	twoZones := " is enabled in 2 Availability Zones (" + a + ", " + b + ")."

	arn := create("clb-one-az", []string{a}, nil, false, ia)
	add(arn, "clb-one-az", "True", "ELB-1", clb+"clb-one-az is enabled in one Availability Zone ("+a+"), so an outage of that zone takes it down.")
	add(arn, "clb-one-az", "False", "ELB-2", clb+"clb-one-az has cross-zone load balancing off and an InService instance in its one enabled Availability Zone (InService/registered instances: "+a+" 1/1).")

	arn = create("clb-off-gap", two, nil, false, ia, ibStopped)
	add(arn, "clb-off-gap", "False", "ELB-1", clb+"clb-off-gap"+twoZones)
	add(arn, "clb-off-gap", "True", "ELB-2", clb+"clb-off-gap has cross-zone load balancing off and no InService instance in 1 of its 2 enabled Availability Zones ("+b+"), so the node there fails its requests until DNS fail-over removes it (InService/registered instances: "+a+" 1/1, "+b+" 0/1).")

	arn = create("clb-off-ok", two, nil, false, ia, ib)
	add(arn, "clb-off-ok", "False", "ELB-1", clb+"clb-off-ok"+twoZones)
	add(arn, "clb-off-ok", "False", "ELB-2", clb+"clb-off-ok has cross-zone load balancing off and an InService instance in each of its 2 enabled Availability Zones (InService/registered instances: "+a+" 1/1, "+b+" 1/1).")

	arn = create("clb-cross-on", two, nil, true, ia)
	add(arn, "clb-cross-on", "False", "ELB-1", clb+"clb-cross-on"+twoZones)
	add(arn, "clb-cross-on", "False", "ELB-2", clb+"clb-cross-on has cross-zone load balancing on, so the node in each enabled zone forwards to InService instances in any zone (1 of 1 registered instance InService).")

	arn = create("clb-empty", two, nil, false)
	add(arn, "clb-empty", "False", "ELB-1", clb+"clb-empty"+twoZones)
	add(arn, "clb-empty", "True", "ELB-2", clb+"clb-empty has cross-zone load balancing off and no InService instance in any of its 2 enabled Availability Zones ("+a+", "+b+"), so the nodes there fail their requests until DNS fail-over removes them (InService/registered instances: "+a+" 0/0, "+b+" 0/0).")

	arn = create("clb-subnets", nil, []string{subnets[a], subnets[b]}, false, ia, ib)
	add(arn, "clb-subnets", "False", "ELB-1", clb+"clb-subnets"+twoZones)
	add(arn, "clb-subnets", "False", "ELB-2", clb+"clb-subnets has cross-zone load balancing off and an InService instance in each of its 2 enabled Availability Zones (InService/registered instances: "+a+" 1/1, "+b+" 1/1).")

	// The premise of the subnet placement: moto lists no zones for it.
	out, err := api.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerNames: []string{"clb-subnets"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.LoadBalancerDescriptions[0].AvailabilityZones; len(got) != 0 {
		t.Logf("moto now lists zones for a load balancer created with subnets: %v", got)
	}
	stopInstance(t, ctx, cfg, ibStopped)
	return rows
}

func TestMotoELB(t *testing.T) {
	checkAnalyser(t, analysers.ELB, seedELB, "620000000202", "eu-west-2")
}
