package analysers

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/faultline/faultline/inventory"
)

var (
	elbv2OneAZ = Check{ID: "ELBV2-1", Severity: SeverityHigh,
		Description: "Application, Network or Gateway Load Balancer enabled in one Availability Zone (or none)",
		Remediation: "Enable the load balancer in at least two Availability Zones (one subnet in each) and register targets in each of them."}
	elbv2DeadZone = Check{ID: "ELBV2-2", Severity: SeverityHigh,
		Description: "Load balancer with cross-zone load balancing off for a target group and an enabled Availability Zone in which no target group has a target that can serve (healthy, initial, or health checks disabled): that zone's node fails its requests until DNS fail-over removes it",
		Remediation: "Register healthy targets in every enabled Availability Zone, or turn cross-zone load balancing on (the load balancer attribute of a Network or Gateway Load Balancer, or the target group attribute), or remove the Availability Zone from the load balancer."}
	elbv2FewTargetZones = Check{ID: "ELBV2-3", Severity: SeverityMedium,
		Description: "Network or Gateway Load Balancer with cross-zone load balancing off and a target group whose registered targets sit in fewer Availability Zones than the load balancer is enabled in",
		Remediation: "Register targets of every target group in every enabled Availability Zone, or turn cross-zone load balancing on."}
)

// The narrow read-only clients of the elbv2 analyser's own kinds (its load
// balancers are inventory.LoadBalancers). DescribeTargetHealth and the two
// attribute calls are not paginated.
type (
	elbv2TargetGroupsAPI interface {
		elbv2.DescribeTargetGroupsAPIClient
	}
	elbv2TargetHealthAPI interface {
		DescribeTargetHealth(context.Context, *elbv2.DescribeTargetHealthInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error)
	}
	elbv2LBAttributesAPI interface {
		DescribeLoadBalancerAttributes(context.Context, *elbv2.DescribeLoadBalancerAttributesInput, ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancerAttributesOutput, error)
	}
	elbv2TGAttributesAPI interface {
		DescribeTargetGroupAttributes(context.Context, *elbv2.DescribeTargetGroupAttributesInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error)
	}
)

// elbv2CrossZone is the attribute (of a load balancer and of a target
// group) that turns cross-zone load balancing on or off.
const elbv2CrossZone = "load_balancing.cross_zone.enabled"

// elbv2TargetGroups are the region's target groups, attached or not.
var elbv2TargetGroups = &inventory.Kind[elbv2types.TargetGroup]{
	Name:    "elasticloadbalancingv2/target-groups",
	Actions: []string{"elasticloadbalancing:DescribeTargetGroups"},
	APIs:    []reflect.Type{apiOf[elbv2TargetGroupsAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(elbv2types.TargetGroup)) error {
		return loadELBv2TargetGroups(ctx, elbv2.NewFromConfig(s.Config()), add)
	},
}

func loadELBv2TargetGroups(ctx context.Context, api elbv2TargetGroupsAPI, add func(elbv2types.TargetGroup)) error {
	p := elbv2.NewDescribeTargetGroupsPaginator(api, &elbv2.DescribeTargetGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, tg := range page.TargetGroups {
			add(tg)
		}
	}
	return nil
}

// ELBv2TargetHealth is one target group's registered targets with their
// health, as DescribeTargetHealth lists them.
type ELBv2TargetHealth struct {
	TargetGroupARN string                               `json:"target_group_arn"`
	Targets        []elbv2types.TargetHealthDescription `json:"targets,omitempty"`
}

// elbv2TargetHealth is the health of the targets of every target group
// attached to a load balancer (a detached group routes nothing), one
// DescribeTargetHealth each.
var elbv2TargetHealth = &inventory.Kind[ELBv2TargetHealth]{
	Name:    "elasticloadbalancingv2/target-health",
	Actions: []string{"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"},
	APIs:    []reflect.Type{apiOf[elbv2TargetHealthAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ELBv2TargetHealth)) error {
		tgs, err := elbv2TargetGroups.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadELBv2TargetHealth(ctx, elbv2.NewFromConfig(s.Config()), tgs, add)
	},
}

// loadELBv2TargetHealth reads the health of each attached target group; a
// group deleted since it was listed (TargetGroupNotFound) is left out.
func loadELBv2TargetHealth(ctx context.Context, api elbv2TargetHealthAPI, tgs []elbv2types.TargetGroup, add func(ELBv2TargetHealth)) error {
	for _, tg := range tgs {
		if len(tg.LoadBalancerArns) == 0 {
			continue
		}
		out, err := api.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		if hasCode(err, "TargetGroupNotFound") {
			continue
		}
		if err != nil {
			return err
		}
		add(ELBv2TargetHealth{TargetGroupARN: aws.ToString(tg.TargetGroupArn), Targets: out.TargetHealthDescriptions})
	}
	return nil
}

// ELBv2Attributes are the attributes of one load balancer or target group,
// by key.
type ELBv2Attributes struct {
	ARN        string            `json:"arn"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

func elbv2AttributeMap(attrs []elbv2types.LoadBalancerAttribute) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[aws.ToString(a.Key)] = aws.ToString(a.Value)
	}
	return m
}

// elbv2LBAttributes are the attributes of the region's Network and Gateway
// Load Balancers only: an Application Load Balancer has cross-zone load
// balancing always on, so its attributes are not read.
var elbv2LBAttributes = &inventory.Kind[ELBv2Attributes]{
	Name:    "elasticloadbalancingv2/nlb-gwlb-attributes",
	Actions: []string{"elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeLoadBalancers"},
	APIs:    []reflect.Type{apiOf[elbv2LBAttributesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ELBv2Attributes)) error {
		lbs, err := inventory.LoadBalancers.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadELBv2LBAttributes(ctx, elbv2.NewFromConfig(s.Config()), lbs, add)
	},
}

// loadELBv2LBAttributes reads the attributes of each Network and Gateway
// Load Balancer; one deleted since it was listed is left out.
func loadELBv2LBAttributes(ctx context.Context, api elbv2LBAttributesAPI, lbs []elbv2types.LoadBalancer, add func(ELBv2Attributes)) error {
	for _, lb := range lbs {
		if lb.Type != elbv2types.LoadBalancerTypeEnumNetwork && lb.Type != elbv2types.LoadBalancerTypeEnumGateway {
			continue
		}
		out, err := api.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn})
		if hasCode(err, "LoadBalancerNotFound") {
			continue
		}
		if err != nil {
			return err
		}
		add(ELBv2Attributes{ARN: aws.ToString(lb.LoadBalancerArn), Attributes: elbv2AttributeMap(out.Attributes)})
	}
	return nil
}

// elbv2TGAttributes are the attributes of the target groups that can set
// cross-zone load balancing themselves: those attached to a load balancer,
// except Lambda groups (a function is regional) and GENEVE groups (a Gateway
// Load Balancer's, which take the load balancer's setting).
var elbv2TGAttributes = &inventory.Kind[ELBv2Attributes]{
	Name:    "elasticloadbalancingv2/target-group-attributes",
	Actions: []string{"elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetGroups"},
	APIs:    []reflect.Type{apiOf[elbv2TGAttributesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ELBv2Attributes)) error {
		tgs, err := elbv2TargetGroups.Items(ctx, s)
		if err != nil {
			return err
		}
		return loadELBv2TGAttributes(ctx, elbv2.NewFromConfig(s.Config()), tgs, add)
	},
}

// elbv2TGSetsCrossZone reports whether tg's attributes are read.
func elbv2TGSetsCrossZone(tg elbv2types.TargetGroup) bool {
	return len(tg.LoadBalancerArns) > 0 && tg.TargetType != elbv2types.TargetTypeEnumLambda && tg.Protocol != elbv2types.ProtocolEnumGeneve
}

func loadELBv2TGAttributes(ctx context.Context, api elbv2TGAttributesAPI, tgs []elbv2types.TargetGroup, add func(ELBv2Attributes)) error {
	for _, tg := range tgs {
		if !elbv2TGSetsCrossZone(tg) {
			continue
		}
		out, err := api.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn})
		if hasCode(err, "TargetGroupNotFound") {
			continue
		}
		if err != nil {
			return err
		}
		m := make(map[string]string, len(out.Attributes))
		for _, a := range out.Attributes {
			m[aws.ToString(a.Key)] = aws.ToString(a.Value)
		}
		add(ELBv2Attributes{ARN: aws.ToString(tg.TargetGroupArn), Attributes: m})
	}
	return nil
}

var ELBv2 = Analyser{
	Name:   "elbv2",
	Checks: []Check{elbv2OneAZ, elbv2DeadZone, elbv2FewTargetZones},
	Kinds: []inventory.Loader{inventory.LoadBalancers, elbv2TargetGroups, elbv2TargetHealth, elbv2LBAttributes, elbv2TGAttributes,
		inventory.Instances, inventory.Subnets},
	Run: analyseELBv2,
}

// analyseELBv2 judges the zones of every load balancer read (ELBV2-1), even
// when the listing failed part-way, then its targets (ELBV2-2, and ELBV2-3
// for Network and Gateway Load Balancers). The target checks need every
// target group, its targets' health, the cross-zone attributes and the
// targets' placement complete: a group, target or attribute missing would
// make a zone look dead or a dead zone look served. So when one of those
// reads fails, even part-way, no target check is emitted and the error is
// returned. Each read is made only when a load balancer needs it.
func analyseELBv2(ctx context.Context, s *inventory.Scope, emit Emit) error {
	lbs, lbErr := inventory.LoadBalancers.Items(ctx, s)
	for _, lb := range lbs {
		emit(judgeELBv2Zones(lb))
	}
	if len(lbs) == 0 {
		return lbErr
	}
	in, attached, err := elbv2ReadGroups(ctx, s, lbs)
	if err != nil {
		return errors.Join(lbErr, err)
	}
	groups := in.groups(attached)
	for _, lb := range lbs {
		g := groups[aws.ToString(lb.LoadBalancerArn)]
		if in.deleted(lb, g) {
			continue
		}
		emit(judgeELBv2Targets(lb, g))
		if elbv2HasNodeDNSFailover(lb) {
			emit(judgeELBv2TargetZones(lb, g))
		}
	}
	return lbErr
}

// elbv2HasNodeDNSFailover reports whether lb is a Network or Gateway Load
// Balancer (ELBV2-3's subjects).
func elbv2HasNodeDNSFailover(lb elbv2types.LoadBalancer) bool {
	return lb.Type == elbv2types.LoadBalancerTypeEnumNetwork || lb.Type == elbv2types.LoadBalancerTypeEnumGateway
}

// elbv2ReadGroups reads what the target checks need, and the target groups
// attached to the load balancers read.
func elbv2ReadGroups(ctx context.Context, s *inventory.Scope, lbs []elbv2types.LoadBalancer) (elbv2Inputs, []elbv2types.TargetGroup, error) {
	in := elbv2Inputs{lbs: lbs}
	tgs, err := elbv2TargetGroups.Items(ctx, s)
	if err != nil {
		return in, nil, err
	}
	read := map[string]elbv2types.LoadBalancer{}
	for _, lb := range lbs {
		read[aws.ToString(lb.LoadBalancerArn)] = lb
	}
	var attached []elbv2types.TargetGroup
	needLBAttrs, needTGAttrs := false, false
	for _, tg := range tgs {
		on := false
		for _, arn := range tg.LoadBalancerArns {
			if lb, ok := read[arn]; ok {
				on = true
				needLBAttrs = needLBAttrs || elbv2HasNodeDNSFailover(lb)
			}
		}
		if on {
			attached = append(attached, tg)
			needTGAttrs = needTGAttrs || elbv2TGSetsCrossZone(tg)
		}
	}
	if len(attached) == 0 {
		return in, nil, nil
	}
	health, err := elbv2TargetHealth.Items(ctx, s)
	if err != nil {
		return in, nil, err
	}
	in.health = map[string][]elbv2types.TargetHealthDescription{}
	for _, h := range health {
		in.health[h.TargetGroupARN] = h.Targets
	}
	needInstances, needSubnets := false, false
	for _, tg := range attached {
		for _, d := range in.health[aws.ToString(tg.TargetGroupArn)] {
			if d.Target == nil || aws.ToString(d.Target.AvailabilityZone) != "" {
				continue
			}
			switch tg.TargetType {
			case elbv2types.TargetTypeEnumInstance, "":
				needInstances = true
			case elbv2types.TargetTypeEnumIp:
				needSubnets = true
			}
		}
	}
	if needInstances {
		instances, err := inventory.Instances.Items(ctx, s)
		if err != nil {
			return in, nil, err
		}
		in.instances = instances
	}
	if needSubnets {
		subnets, err := inventory.Subnets.Items(ctx, s)
		if err != nil {
			return in, nil, err
		}
		in.subnets = subnets
	}
	if needLBAttrs {
		attrs, err := elbv2LBAttributes.Items(ctx, s)
		if err != nil {
			return in, nil, err
		}
		in.lbAttrs = attrs
	}
	if needTGAttrs {
		attrs, err := elbv2TGAttributes.Items(ctx, s)
		if err != nil {
			return in, nil, err
		}
		in.tgAttrs = attrs
	}
	return in, attached, nil
}

// elbv2Inputs are the kinds the target checks read.
type elbv2Inputs struct {
	lbs       []elbv2types.LoadBalancer
	health    map[string][]elbv2types.TargetHealthDescription
	instances []ec2types.Instance
	subnets   []inventory.Subnet
	lbAttrs   []ELBv2Attributes
	tgAttrs   []ELBv2Attributes
}

// elbv2Group is a target group as one load balancer uses it: whether
// cross-zone load balancing is on for it there, and its registered targets,
// placed.
type elbv2Group struct {
	Name      string
	CrossZone bool
	Targets   []elbv2Target
}

// elbv2Target is one registered target. Zones are the zones it serves from
// (an Application Load Balancer target has several); Everywhere is a target
// that serves every enabled zone (a Lambda function, or an IP address
// registered with Availability Zone "all"); neither: it could not be placed.
type elbv2Target struct {
	ID         string
	Zones      []string
	Everywhere bool
	// Serving is a target that can take requests now: healthy, initial
	// (registration or the first health checks in progress), or unavailable
	// because health checks are disabled (the load balancer routes to it).
	// Draining, unhealthy, unhealthy.draining, unused and any other
	// unavailable target does not count.
	Serving bool
}

// elbv2CanServe is elbv2Target.Serving.
func elbv2CanServe(h *elbv2types.TargetHealth) bool {
	if h == nil {
		return false
	}
	switch h.State {
	case elbv2types.TargetHealthStateEnumHealthy, elbv2types.TargetHealthStateEnumInitial:
		return true
	case elbv2types.TargetHealthStateEnumUnavailable:
		return h.Reason == elbv2types.TargetHealthReasonEnumHealthCheckDisabled
	}
	return false
}

// elbv2Registered reports whether a listed target is registered: not being
// deregistered (draining) and not reported as not registered.
func elbv2Registered(h *elbv2types.TargetHealth) bool {
	if h == nil {
		return true
	}
	return h.State != elbv2types.TargetHealthStateEnumDraining && h.Reason != elbv2types.TargetHealthReasonEnumNotRegistered
}

// deleted reports whether lb was deleted since it was listed: a Network or
// Gateway Load Balancer with target groups whose attributes were not found.
func (in elbv2Inputs) deleted(lb elbv2types.LoadBalancer, groups []elbv2Group) bool {
	if !elbv2HasNodeDNSFailover(lb) || len(groups) == 0 {
		return false
	}
	for _, a := range in.lbAttrs {
		if a.ARN == aws.ToString(lb.LoadBalancerArn) {
			return false
		}
	}
	return true
}

// groups builds each load balancer's target groups from the kinds. A group
// without health was deleted since it was listed (TargetGroupNotFound): it
// is left out rather than judged empty.
func (in elbv2Inputs) groups(attached []elbv2types.TargetGroup) map[string][]elbv2Group {
	lbByARN := map[string]elbv2types.LoadBalancer{}
	for _, lb := range in.lbs {
		lbByARN[aws.ToString(lb.LoadBalancerArn)] = lb
	}
	instanceAZ := map[string]string{}
	for _, i := range in.instances {
		if i.Placement != nil {
			instanceAZ[aws.ToString(i.InstanceId)] = aws.ToString(i.Placement.AvailabilityZone)
		}
	}
	lbAttrs, tgAttrs := map[string]map[string]string{}, map[string]map[string]string{}
	for _, a := range in.lbAttrs {
		lbAttrs[a.ARN] = a.Attributes
	}
	for _, a := range in.tgAttrs {
		tgAttrs[a.ARN] = a.Attributes
	}
	out := map[string][]elbv2Group{}
	for _, tg := range attached {
		arn := aws.ToString(tg.TargetGroupArn)
		health, ok := in.health[arn]
		if !ok {
			continue
		}
		var targets []elbv2Target
		for _, d := range health {
			if d.Target == nil || !elbv2Registered(d.TargetHealth) {
				continue
			}
			t := elbv2Target{ID: aws.ToString(d.Target.Id), Serving: elbv2CanServe(d.TargetHealth)}
			t.Zones, t.Everywhere = elbv2Place(tg, *d.Target, instanceAZ, in.subnets, lbByARN)
			targets = append(targets, t)
		}
		for _, lbARN := range tg.LoadBalancerArns {
			lb, ok := lbByARN[lbARN]
			if !ok {
				continue
			}
			out[lbARN] = append(out[lbARN], elbv2Group{Name: aws.ToString(tg.TargetGroupName),
				CrossZone: elbv2CrossZoneOn(lb, lbAttrs[lbARN], tgAttrs[arn]), Targets: targets})
		}
	}
	for arn := range out {
		sort.Slice(out[arn], func(i, j int) bool { return out[arn][i].Name < out[arn][j].Name })
	}
	return out
}

// elbv2CrossZoneOn is whether lb balances a target group across zones: the
// group's own attribute when it sets "true" or "false", else
// (use_load_balancer_configuration, or not read) the load balancer's: always
// on for an Application Load Balancer, its attribute for a Network or
// Gateway Load Balancer (off unless "true", their default).
func elbv2CrossZoneOn(lb elbv2types.LoadBalancer, lbAttrs, tgAttrs map[string]string) bool {
	switch tgAttrs[elbv2CrossZone] {
	case "true":
		return true
	case "false":
		return false
	}
	if lb.Type == elbv2types.LoadBalancerTypeEnumApplication {
		return true
	}
	return lbAttrs[elbv2CrossZone] == "true"
}

// elbv2Place places one target: by the Availability Zone it was registered
// with ("all": every zone), else a Lambda function everywhere, an instance
// in its instance's zone, an IP address in the zone of the subnet of the
// group's VPC that holds it, and an Application Load Balancer (target of a
// Network Load Balancer) in its enabled zones. A target that cannot be
// placed gets neither zones nor everywhere.
func elbv2Place(tg elbv2types.TargetGroup, t elbv2types.TargetDescription, instanceAZ map[string]string, subnets []inventory.Subnet,
	lbs map[string]elbv2types.LoadBalancer) (zones []string, everywhere bool) {
	switch az := aws.ToString(t.AvailabilityZone); {
	case az == "all":
		return nil, true
	case az != "":
		return []string{az}, false
	}
	id := aws.ToString(t.Id)
	switch tg.TargetType {
	case elbv2types.TargetTypeEnumLambda:
		return nil, true
	case elbv2types.TargetTypeEnumInstance, "":
		if az := instanceAZ[id]; az != "" {
			return []string{az}, false
		}
	case elbv2types.TargetTypeEnumIp:
		ip, err := netip.ParseAddr(id)
		if err != nil {
			return nil, false
		}
		for _, sn := range subnets {
			if sn.VPCID != aws.ToString(tg.VpcId) || sn.AZ == "" {
				continue
			}
			if sn.CIDR.IsValid() && sn.CIDR.Contains(ip) {
				return []string{sn.AZ}, false
			}
			for _, p := range sn.IPv6CIDRs {
				if p.Contains(ip) {
					return []string{sn.AZ}, false
				}
			}
		}
	case elbv2types.TargetTypeEnumAlb:
		if lb, ok := lbs[id]; ok {
			return elbv2Zones(lb), false
		}
	}
	return nil, false
}

// elbv2Zones are the load balancer's enabled zones, sorted.
func elbv2Zones(lb elbv2types.LoadBalancer) []string {
	var names []string
	for _, z := range lb.AvailabilityZones {
		names = append(names, aws.ToString(z.ZoneName))
	}
	return distinct(names...)
}

// elbv2Label names the load balancer in messages.
func elbv2Label(lb elbv2types.LoadBalancer) string {
	kind := "Load Balancer"
	switch lb.Type {
	case elbv2types.LoadBalancerTypeEnumApplication:
		kind = "Application Load Balancer"
	case elbv2types.LoadBalancerTypeEnumNetwork:
		kind = "Network Load Balancer"
	case elbv2types.LoadBalancerTypeEnumGateway:
		kind = "Gateway Load Balancer"
	}
	return kind + " " + aws.ToString(lb.LoadBalancerName)
}

// elbv2Row fills the resource columns of a load balancer's finding.
func elbv2Row(f Finding, lb elbv2types.LoadBalancer) Finding {
	f.ResourceType = "AWS::ElasticLoadBalancingV2::LoadBalancer"
	f.ResourceARN = aws.ToString(lb.LoadBalancerArn)
	f.ResourceName = aws.ToString(lb.LoadBalancerName)
	if zones := elbv2Zones(lb); len(zones) > 0 {
		f.AZs = zones
	}
	return f
}

// judgeELBv2Zones counts the load balancer's enabled zones (ELBV2-1).
func judgeELBv2Zones(lb elbv2types.LoadBalancer) Finding {
	zones := elbv2Zones(lb)
	label := elbv2Label(lb)
	var f Finding
	switch len(zones) {
	case 0:
		f = finding(elbv2OneAZ, true, label+" is enabled in no Availability Zone.")
	case 1:
		f = finding(elbv2OneAZ, true, fmt.Sprintf("%s is enabled in one Availability Zone (%s), so an outage of that zone takes it down.", label, zones[0]))
	default:
		f = finding(elbv2OneAZ, false, fmt.Sprintf("%s is enabled in %d Availability Zones (%s).", label, len(zones), list(zones)))
	}
	return elbv2Row(f, lb)
}

// elbv2Tally counts a group's targets per enabled zone.
type elbv2Tally struct {
	serving, registered map[string]int
	// everywhere counts targets serving every zone (and everywhereServing
	// those of them that can serve); elsewhere those placed only in zones
	// the load balancer is not enabled in; unplaced those not placed.
	everywhere, everywhereServing, elsewhere, unplaced int
	servingAnywhere                                    int
}

func elbv2Count(g elbv2Group, zones []string) elbv2Tally {
	enabled := map[string]bool{}
	for _, z := range zones {
		enabled[z] = true
	}
	t := elbv2Tally{serving: map[string]int{}, registered: map[string]int{}}
	for _, tg := range g.Targets {
		switch {
		case tg.Everywhere:
			t.everywhere++
			if tg.Serving {
				t.everywhereServing++
				t.servingAnywhere++
			}
			continue
		case len(tg.Zones) == 0:
			t.unplaced++
			continue
		}
		in := false
		for _, z := range distinct(tg.Zones...) {
			if !enabled[z] {
				continue
			}
			in = true
			t.registered[z]++
			if tg.Serving {
				t.serving[z]++
			}
		}
		if !in {
			t.elsewhere++
		} else if tg.Serving {
			t.servingAnywhere++
		}
	}
	return t
}

// detail describes a group's targets for a message.
func (t elbv2Tally) detail(g elbv2Group, zones []string) string {
	if g.CrossZone {
		total := len(g.Targets)
		return fmt.Sprintf("%s (cross-zone on) %d/%d", g.Name, t.servingAnywhere, total)
	}
	parts := make([]string, 0, len(zones)+3)
	for _, z := range zones {
		parts = append(parts, fmt.Sprintf("%s %d/%d", z, t.serving[z], t.registered[z]))
	}
	if t.everywhere > 0 {
		parts = append(parts, fmt.Sprintf("every zone %d/%d", t.everywhereServing, t.everywhere))
	}
	if t.elsewhere > 0 {
		parts = append(parts, plural(t.elsewhere, "target")+" in zones not enabled")
	}
	if t.unplaced > 0 {
		parts = append(parts, plural(t.unplaced, "target")+" not placed")
	}
	return g.Name + " (cross-zone off) " + strings.Join(parts, ", ")
}

// judgeELBv2Targets finds the enabled zones whose node has nowhere to send
// a request (ELBV2-2): a zone is served when some target group can take a
// request arriving there, that is a group with cross-zone on and a serving
// target in any enabled zone, or a group with cross-zone off and a serving
// target in that zone or one serving every zone.
func judgeELBv2Targets(lb elbv2types.LoadBalancer, groups []elbv2Group) Finding {
	label := elbv2Label(lb)
	zones := elbv2Zones(lb)
	if len(groups) == 0 {
		return elbv2Row(finding(elbv2DeadZone, false, label+" forwards to no target group, so none of its zones' nodes depends on targets."), lb)
	}
	off := 0
	var details []string
	tallies := make([]elbv2Tally, len(groups))
	serving, registered := 0, 0
	for i, g := range groups {
		tallies[i] = elbv2Count(g, zones)
		if !g.CrossZone {
			off++
		}
		details = append(details, tallies[i].detail(g, zones))
		serving += tallies[i].servingAnywhere
		registered += len(g.Targets)
	}
	if off == 0 {
		return elbv2Row(finding(elbv2DeadZone, false, fmt.Sprintf("%s has cross-zone load balancing on for its %s, so the node in each enabled zone forwards to serving targets in any zone (%d of %d targets can serve).",
			label, plural(len(groups), "target group"), serving, registered)), lb)
	}
	var dead []string
	for _, z := range zones {
		served := false
		for i, g := range groups {
			t := tallies[i]
			if (g.CrossZone && t.servingAnywhere > 0) || (!g.CrossZone && (t.serving[z] > 0 || t.everywhereServing > 0)) {
				served = true
				break
			}
		}
		if !served {
			dead = append(dead, z)
		}
	}
	offText := "cross-zone load balancing off"
	switch {
	case off < len(groups):
		offText += fmt.Sprintf(" for %d of its %d target groups", off, len(groups))
	case off > 1:
		offText += fmt.Sprintf(" for all its %d target groups", off)
	}
	counts := "targets that can serve/registered: " + strings.Join(details, "; ")
	if len(dead) == 0 {
		return elbv2Row(finding(elbv2DeadZone, false, fmt.Sprintf("%s has %s and a target that can serve in %s (%s).",
			label, offText, eachZone(len(zones)), counts)), lb)
	}
	there := "the node there fails its requests until DNS fail-over removes it"
	switch {
	case lb.Type == elbv2types.LoadBalancerTypeEnumGateway && len(dead) > 1:
		there = "traffic the endpoints in those zones send to its nodes there has no target to go to"
	case lb.Type == elbv2types.LoadBalancerTypeEnumGateway:
		there = "traffic the endpoints in that zone send to its node there has no target to go to"
	case len(dead) > 1:
		there = "the nodes there fail their requests until DNS fail-over removes them"
	}
	return elbv2Row(finding(elbv2DeadZone, true, fmt.Sprintf("%s has %s and no target that can serve in %s (%s), so %s (%s).",
		label, offText, someZones(len(dead), len(zones)), list(dead), there, counts)), lb)
}

// judgeELBv2TargetZones finds the cross-zone-off target groups of a Network
// or Gateway Load Balancer whose registered targets, whatever their health,
// sit in fewer zones than the load balancer is enabled in (ELBV2-3): even
// once every target is healthy, the zones without one fail over by DNS and
// the load balancer runs on fewer zones than it shows.
func judgeELBv2TargetZones(lb elbv2types.LoadBalancer, groups []elbv2Group) Finding {
	label := elbv2Label(lb)
	zones := elbv2Zones(lb)
	if len(groups) == 0 {
		return elbv2Row(finding(elbv2FewTargetZones, false, label+" forwards to no target group."), lb)
	}
	var off, short []string
	for _, g := range groups {
		if g.CrossZone {
			continue
		}
		off = append(off, g.Name)
		t := elbv2Count(g, zones)
		if t.everywhere > 0 {
			continue
		}
		var with, without []string
		for _, z := range zones {
			if t.registered[z] > 0 {
				with = append(with, fmt.Sprintf("%s %d", z, t.registered[z]))
			} else {
				without = append(without, z)
			}
		}
		if len(without) > 0 {
			short = append(short, fmt.Sprintf("%s has targets in %d of %d (%s; none in %s)",
				g.Name, len(with), len(zones), list(with), list(without)))
		}
	}
	switch {
	case len(off) == 0:
		return elbv2Row(finding(elbv2FewTargetZones, false, fmt.Sprintf("%s has cross-zone load balancing on for its %s, so the node in each zone forwards to targets in any zone.",
			label, plural(len(groups), "target group"))), lb)
	case len(short) == 0:
		return elbv2Row(finding(elbv2FewTargetZones, false, fmt.Sprintf("%s has cross-zone load balancing off and registered targets of every target group in %s.",
			label, eachZone(len(zones)))), lb)
	}
	return elbv2Row(finding(elbv2FewTargetZones, true, fmt.Sprintf("%s has cross-zone load balancing off and registers targets in fewer Availability Zones than the %d it is enabled in, so it runs on fewer zones even when every target is healthy: %s.",
		label, len(zones), strings.Join(short, "; "))), lb)
}

// eachZone says "each of its n enabled Availability Zones" (n > 1) or
// "its one enabled Availability Zone".
func eachZone(n int) string {
	if n == 1 {
		return "its one enabled Availability Zone"
	}
	return fmt.Sprintf("each of its %d enabled Availability Zones", n)
}

// someZones says "d of its n enabled Availability Zones", or "any of its n
// ..." when d is all of them.
func someZones(d, n int) string {
	switch {
	case d == n && n == 1:
		return "its one enabled Availability Zone"
	case d == n:
		return fmt.Sprintf("any of its %d enabled Availability Zones", n)
	}
	return fmt.Sprintf("%d of its %d enabled Availability Zones", d, n)
}

// hasCode reports whether err is an AWS error with that code.
func hasCode(err error, code string) bool {
	var apiErr interface{ ErrorCode() string }
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}
