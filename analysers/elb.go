package analysers

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"

	"github.com/faultline/faultline/inventory"
)

var (
	elbOneAZ = Check{ID: "ELB-1", Severity: SeverityHigh,
		Description: "Classic Load Balancer enabled in one Availability Zone (or none)",
		Remediation: "Enable the load balancer in at least two Availability Zones (or attach a subnet in a second zone) and register instances in each of them."}
	elbDeadZone = Check{ID: "ELB-2", Severity: SeverityHigh,
		Description: "Classic Load Balancer with cross-zone load balancing off and an enabled Availability Zone without an InService instance: that zone's node fails its requests until DNS fail-over removes it",
		Remediation: "Register healthy instances in every enabled Availability Zone, or turn cross-zone load balancing on, or remove the Availability Zone from the load balancer."}
)

// The narrow read-only clients of the elb analyser's kinds.
// DescribeLoadBalancerAttributes and DescribeInstanceHealth are not
// paginated.
type (
	elbLoadBalancersAPI interface {
		elb.DescribeLoadBalancersAPIClient
	}
	elbAttributesAPI interface {
		DescribeLoadBalancerAttributes(context.Context, *elb.DescribeLoadBalancerAttributesInput, ...func(*elb.Options)) (*elb.DescribeLoadBalancerAttributesOutput, error)
	}
	elbInstanceHealthAPI interface {
		DescribeInstanceHealth(context.Context, *elb.DescribeInstanceHealthInput, ...func(*elb.Options)) (*elb.DescribeInstanceHealthOutput, error)
	}
)

// elbLoadBalancers are the region's Classic Load Balancers.
var elbLoadBalancers = &inventory.Kind[elbtypes.LoadBalancerDescription]{
	Name:    "elasticloadbalancing/load-balancers",
	Actions: []string{"elasticloadbalancing:DescribeLoadBalancers"},
	APIs:    []reflect.Type{apiOf[elbLoadBalancersAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(elbtypes.LoadBalancerDescription)) error {
		return loadELBLoadBalancers(ctx, elb.NewFromConfig(s.Config()), add)
	},
}

func loadELBLoadBalancers(ctx context.Context, api elbLoadBalancersAPI, add func(elbtypes.LoadBalancerDescription)) error {
	p := elb.NewDescribeLoadBalancersPaginator(api, &elb.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, lb := range page.LoadBalancerDescriptions {
			add(lb)
		}
	}
	return nil
}

// ELBAttributes are one Classic Load Balancer's attributes.
type ELBAttributes struct {
	LoadBalancerName string                          `json:"load_balancer_name"`
	Attributes       elbtypes.LoadBalancerAttributes `json:"attributes"`
}

// elbAttributes are the attributes of every Classic Load Balancer.
var elbAttributes = &inventory.Kind[ELBAttributes]{
	Name:    "elasticloadbalancing/load-balancer-attributes",
	Actions: []string{"elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeLoadBalancers"},
	APIs:    []reflect.Type{apiOf[elbAttributesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ELBAttributes)) error {
		lbs, err := elbLoadBalancers.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadELBAttributes(ctx, elb.NewFromConfig(s.Config()), lbs, add)
	},
}

// loadELBAttributes reads each load balancer's attributes; one deleted
// since it was listed (LoadBalancerNotFound) is left out.
func loadELBAttributes(ctx context.Context, api elbAttributesAPI, lbs []elbtypes.LoadBalancerDescription, add func(ELBAttributes)) error {
	for _, lb := range lbs {
		out, err := api.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerName: lb.LoadBalancerName})
		if hasCode(err, "LoadBalancerNotFound") {
			continue
		}
		if err != nil {
			return err
		}
		item := ELBAttributes{LoadBalancerName: aws.ToString(lb.LoadBalancerName)}
		if out.LoadBalancerAttributes != nil {
			item.Attributes = *out.LoadBalancerAttributes
		}
		add(item)
	}
	return nil
}

// ELBInstanceHealth is the health of one Classic Load Balancer's registered
// instances.
type ELBInstanceHealth struct {
	LoadBalancerName string                   `json:"load_balancer_name"`
	States           []elbtypes.InstanceState `json:"states,omitempty"`
}

// elbInstanceHealth is the instance health of every Classic Load Balancer
// with registered instances (one without has nothing to report).
var elbInstanceHealth = &inventory.Kind[ELBInstanceHealth]{
	Name:    "elasticloadbalancing/instance-health",
	Actions: []string{"elasticloadbalancing:DescribeInstanceHealth", "elasticloadbalancing:DescribeLoadBalancers"},
	APIs:    []reflect.Type{apiOf[elbInstanceHealthAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ELBInstanceHealth)) error {
		lbs, err := elbLoadBalancers.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadELBInstanceHealth(ctx, elb.NewFromConfig(s.Config()), lbs, add)
	},
}

func loadELBInstanceHealth(ctx context.Context, api elbInstanceHealthAPI, lbs []elbtypes.LoadBalancerDescription, add func(ELBInstanceHealth)) error {
	for _, lb := range lbs {
		if len(lb.Instances) == 0 {
			continue
		}
		out, err := api.DescribeInstanceHealth(ctx, &elb.DescribeInstanceHealthInput{LoadBalancerName: lb.LoadBalancerName})
		if hasCode(err, "LoadBalancerNotFound") {
			continue
		}
		if err != nil {
			return err
		}
		add(ELBInstanceHealth{LoadBalancerName: aws.ToString(lb.LoadBalancerName), States: out.InstanceStates})
	}
	return nil
}

var ELB = Analyser{
	Name:   "elb",
	Checks: []Check{elbOneAZ, elbDeadZone},
	Kinds:  []inventory.Loader{elbLoadBalancers, elbAttributes, elbInstanceHealth, inventory.Instances, inventory.Subnets},
	Run:    analyseELB,
}

// analyseELB judges the zones of every Classic Load Balancer read (ELB-1),
// even when the listing failed part-way, then its instances (ELB-2). The
// subnets are read only for a load balancer that reports subnets but no
// zone (moto does so; AWS reports both). ELB-2 needs the cross-zone
// attribute, the instances' health and their zones complete: one missing
// would make a zone look empty or an empty one served, so when one of those
// reads fails, even part-way, no ELB-2 row is emitted and the error is
// returned.
func analyseELB(ctx context.Context, s *inventory.Scope, emit Emit) error {
	lbs, listErr := elbLoadBalancers.Items(ctx, s)
	subnets, err := subnetsFor(ctx, s, lbs, func(lb elbtypes.LoadBalancerDescription) bool {
		return len(lb.AvailabilityZones) == 0 && len(lb.Subnets) > 0
	})
	if err != nil {
		return errors.Join(listErr, err)
	}
	t := TargetOf(s)
	for _, lb := range lbs {
		emit(judgeELBZones(lb, subnets, t))
	}
	if len(lbs) == 0 {
		return listErr
	}
	in, err := elbReadInputs(ctx, s, lbs)
	if err != nil {
		return errors.Join(listErr, err)
	}
	for _, lb := range lbs {
		name := aws.ToString(lb.LoadBalancerName)
		crossZone, ok := in.crossZone[name]
		if !ok {
			// Deleted since it was listed (its attributes were not found).
			continue
		}
		emit(judgeELBInstances(lb, subnets, crossZone, in.health[name], in.instanceAZ, t))
	}
	return listErr
}

// elbInputs are what ELB-2 reads, by load balancer name.
type elbInputs struct {
	crossZone  map[string]bool
	health     map[string][]elbtypes.InstanceState
	instanceAZ map[string]string
}

func elbReadInputs(ctx context.Context, s *inventory.Scope, lbs []elbtypes.LoadBalancerDescription) (elbInputs, error) {
	in := elbInputs{crossZone: map[string]bool{}, health: map[string][]elbtypes.InstanceState{}, instanceAZ: map[string]string{}}
	attrs, err := elbAttributes.Items(ctx, s)
	if err != nil {
		return in, err
	}
	for _, a := range attrs {
		in.crossZone[a.LoadBalancerName] = a.Attributes.CrossZoneLoadBalancing != nil && a.Attributes.CrossZoneLoadBalancing.Enabled
	}
	registered := false
	for _, lb := range lbs {
		registered = registered || len(lb.Instances) > 0
	}
	if !registered {
		return in, nil
	}
	health, err := elbInstanceHealth.Items(ctx, s)
	if err != nil {
		return in, err
	}
	for _, h := range health {
		in.health[h.LoadBalancerName] = h.States
	}
	instances, err := inventory.Instances.Items(ctx, s)
	if err != nil {
		return in, err
	}
	in.instanceAZ = elbInstanceZones(instances)
	return in, nil
}

func elbInstanceZones(instances []ec2types.Instance) map[string]string {
	m := map[string]string{}
	for _, i := range instances {
		if i.Placement != nil {
			m[aws.ToString(i.InstanceId)] = aws.ToString(i.Placement.AvailabilityZone)
		}
	}
	return m
}

// elbZones are the load balancer's enabled zones, sorted: its
// AvailabilityZones, else the zones of its subnets.
func elbZones(lb elbtypes.LoadBalancerDescription, subnets map[string]inventory.Subnet) []string {
	if len(lb.AvailabilityZones) > 0 {
		return distinct(lb.AvailabilityZones...)
	}
	return placeSubnets(lb.Subnets, subnets).AZs
}

// elbRow fills the resource columns of a Classic Load Balancer's finding.
func elbRow(f Finding, lb elbtypes.LoadBalancerDescription, zones []string, t Target) Finding {
	name := aws.ToString(lb.LoadBalancerName)
	f.ResourceType = "AWS::ElasticLoadBalancing::LoadBalancer"
	f.ResourceARN = t.ARN("elasticloadbalancing", t.Region, "loadbalancer/"+name)
	f.ResourceName = name
	if len(zones) > 0 {
		f.AZs = zones
	}
	return f
}

// judgeELBZones counts the load balancer's enabled zones (ELB-1).
func judgeELBZones(lb elbtypes.LoadBalancerDescription, subnets map[string]inventory.Subnet, t Target) Finding {
	zones := elbZones(lb, subnets)
	label := "Classic Load Balancer " + aws.ToString(lb.LoadBalancerName)
	var f Finding
	switch len(zones) {
	case 0:
		f = finding(elbOneAZ, true, label+" is enabled in no Availability Zone.")
	case 1:
		f = finding(elbOneAZ, true, fmt.Sprintf("%s is enabled in one Availability Zone (%s), so an outage of that zone takes it down.", label, zones[0]))
	default:
		f = finding(elbOneAZ, false, fmt.Sprintf("%s is enabled in %d Availability Zones (%s).", label, len(zones), list(zones)))
	}
	return elbRow(f, lb, zones, t)
}

// judgeELBInstances finds the enabled zones without an InService instance
// when cross-zone load balancing is off (ELB-2). Registered instances
// missing from the health report, OutOfService and Unknown ones do not
// count; an instance whose zone is unknown serves no zone.
func judgeELBInstances(lb elbtypes.LoadBalancerDescription, subnets map[string]inventory.Subnet, crossZone bool,
	health []elbtypes.InstanceState, instanceAZ map[string]string, t Target) Finding {
	zones := elbZones(lb, subnets)
	label := "Classic Load Balancer " + aws.ToString(lb.LoadBalancerName)
	inService := map[string]bool{}
	for _, h := range health {
		if aws.ToString(h.State) == "InService" {
			inService[aws.ToString(h.InstanceId)] = true
		}
	}
	enabled := map[string]bool{}
	for _, z := range zones {
		enabled[z] = true
	}
	serving, registered := map[string]int{}, map[string]int{}
	total, totalServing, elsewhere, unplaced := 0, 0, 0, 0
	for _, i := range lb.Instances {
		id := aws.ToString(i.InstanceId)
		total++
		if inService[id] {
			totalServing++
		}
		switch az := instanceAZ[id]; {
		case az == "":
			unplaced++
		case !enabled[az]:
			elsewhere++
		default:
			registered[az]++
			if inService[id] {
				serving[az]++
			}
		}
	}
	if crossZone {
		return elbRow(finding(elbDeadZone, false, fmt.Sprintf("%s has cross-zone load balancing on, so the node in each enabled zone forwards to InService instances in any zone (%d of %s InService).",
			label, totalServing, plural(total, "registered instance"))), lb, zones, t)
	}
	parts := make([]string, 0, len(zones)+2)
	var dead []string
	for _, z := range zones {
		parts = append(parts, fmt.Sprintf("%s %d/%d", z, serving[z], registered[z]))
		if serving[z] == 0 {
			dead = append(dead, z)
		}
	}
	if elsewhere > 0 {
		parts = append(parts, plural(elsewhere, "instance")+" in zones not enabled")
	}
	if unplaced > 0 {
		parts = append(parts, plural(unplaced, "instance")+" not placed")
	}
	counts := "InService/registered instances: " + strings.Join(parts, ", ")
	if len(dead) == 0 {
		return elbRow(finding(elbDeadZone, false, fmt.Sprintf("%s has cross-zone load balancing off and an InService instance in %s (%s).",
			label, eachZone(len(zones)), counts)), lb, zones, t)
	}
	there := "the node there fails its requests until DNS fail-over removes it"
	if len(dead) > 1 {
		there = "the nodes there fail their requests until DNS fail-over removes them"
	}
	return elbRow(finding(elbDeadZone, true, fmt.Sprintf("%s has cross-zone load balancing off and no InService instance in %s (%s), so %s (%s).",
		label, someZones(len(dead), len(zones)), list(dead), there, counts)), lb, zones, t)
}
