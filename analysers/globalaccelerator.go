//go:build legacy

package analysers

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
	"github.com/aws/smithy-go"
)

// globalacceleratorAPI holds exactly the Global Accelerator calls the
// analyser makes. The service is global: its API endpoint is in us-west-2.
type globalacceleratorAPI interface {
	globalaccelerator.ListAcceleratorsAPIClient
	globalaccelerator.ListListenersAPIClient
	globalaccelerator.ListEndpointGroupsAPIClient
	globalaccelerator.ListCustomRoutingAcceleratorsAPIClient
	globalaccelerator.ListCustomRoutingListenersAPIClient
	globalaccelerator.ListCustomRoutingEndpointGroupsAPIClient
}

// globalacceleratorEC2API holds the EC2 calls that place endpoints in an
// endpoint group's region. DescribeAddresses has no paginator and no
// NextToken: one call returns every match.
type globalacceleratorEC2API interface {
	ec2.DescribeInstancesAPIClient
	ec2.DescribeNetworkInterfacesAPIClient
	ec2.DescribeSubnetsAPIClient
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
}

// globalacceleratorRegionAPI is everything read in one endpoint-group region.
type globalacceleratorRegionAPI interface {
	globalacceleratorEC2API
	elasticloadbalancingv2.DescribeLoadBalancersAPIClient
}

// globalacceleratorClients joins the real EC2 and ELBv2 clients of a region.
type globalacceleratorClients struct {
	globalacceleratorEC2API
	elasticloadbalancingv2.DescribeLoadBalancersAPIClient
}

var (
	globalacceleratorStandardSingleAZ = Check{ID: "GLOBALACCELERATOR-1", Severity: SeverityHigh,
		Description: "Standard accelerator whose endpoints (EC2 instances, load balancers, Elastic IPs) all sit in one Availability Zone",
		Remediation: "Add endpoints in a second Availability Zone (or a second Region's endpoint group), or use a load balancer that spans several Availability Zones."}
	globalacceleratorNoEndpoints = Check{ID: "GLOBALACCELERATOR-2", Severity: SeverityMedium,
		Description: "Accelerator with no listener, no endpoint group or no endpoint: it has nothing to route traffic to",
		Remediation: "Add listeners and endpoint groups with endpoints in several Availability Zones, or delete the unused accelerator."}
	globalacceleratorCustomSingleAZ = Check{ID: "GLOBALACCELERATOR-3", Severity: SeverityHigh,
		Description: "Custom routing accelerator whose destination subnets all sit in one Availability Zone",
		Remediation: "Add destination subnets in a second Availability Zone (or a second Region's endpoint group)."}
)

var GlobalAccelerator = Analyser{
	Name:         "globalaccelerator",
	Global:       true,
	GlobalRegion: "us-west-2",
	Actions: []string{
		"globalaccelerator:ListAccelerators", "globalaccelerator:ListListeners", "globalaccelerator:ListEndpointGroups",
		"globalaccelerator:ListCustomRoutingAccelerators", "globalaccelerator:ListCustomRoutingListeners",
		"globalaccelerator:ListCustomRoutingEndpointGroups",
		"ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
		"elasticloadbalancing:DescribeLoadBalancers",
	},
	Checks:     []Check{globalacceleratorStandardSingleAZ, globalacceleratorNoEndpoints, globalacceleratorCustomSingleAZ},
	ClientAPIs: []reflect.Type{apiOf[globalacceleratorAPI](), apiOf[globalacceleratorRegionAPI]()},
	Run: func(ctx context.Context, cfg aws.Config, t Target, emit Emit) error {
		regional := func(region string) globalacceleratorRegionAPI {
			rc := cfg.Copy()
			rc.Region = region
			return globalacceleratorClients{ec2.NewFromConfig(rc), elasticloadbalancingv2.NewFromConfig(rc)}
		}
		return analyseGlobalAccelerator(ctx, globalaccelerator.NewFromConfig(cfg), regional, t, emit)
	},
}

// globalacceleratorEndpoint is one endpoint (or, for custom routing, one
// destination subnet) and the Availability Zones it was resolved to; no
// zones means it could not be resolved.
type globalacceleratorEndpoint struct {
	ID     string
	Region string
	AZs    []string
}

// globalacceleratorTopology is what an accelerator routes to.
type globalacceleratorTopology struct {
	Listeners int
	Groups    int
	Endpoints []globalacceleratorEndpoint
}

// analyseGlobalAccelerator judges standard accelerators, then custom routing
// accelerators, emitting each as soon as its endpoints are placed. Regional
// clients come from regional, once per endpoint-group region. Accelerators
// have no deleting state (one must be disabled, then DeleteAccelerator
// removes it), so every listed accelerator, enabled or not, is judged.
func analyseGlobalAccelerator(ctx context.Context, api globalacceleratorAPI, regional func(region string) globalacceleratorRegionAPI, t Target, emit Emit) error {
	resolvers := map[string]*globalacceleratorResolver{}
	resolverFor := func(region string) *globalacceleratorResolver {
		r, ok := resolvers[region]
		if !ok {
			r = globalacceleratorNewResolver(regional(region), t.AccountID)
			resolvers[region] = r
		}
		return r
	}

	accs := globalaccelerator.NewListAcceleratorsPaginator(api, &globalaccelerator.ListAcceleratorsInput{})
	for accs.HasMorePages() {
		page, err := accs.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, acc := range page.Accelerators {
			topo, err := globalacceleratorStandardTopology(ctx, api, aws.ToString(acc.AcceleratorArn), resolverFor)
			if err != nil {
				return err
			}
			emit(judgeGlobalAcceleratorStandard(acc, topo))
		}
	}

	custom := globalaccelerator.NewListCustomRoutingAcceleratorsPaginator(api, &globalaccelerator.ListCustomRoutingAcceleratorsInput{})
	for custom.HasMorePages() {
		page, err := custom.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, acc := range page.Accelerators {
			topo, err := globalacceleratorCustomTopology(ctx, api, aws.ToString(acc.AcceleratorArn), resolverFor)
			if err != nil {
				return err
			}
			emit(judgeGlobalAcceleratorCustom(acc, topo))
		}
	}
	return nil
}

// globalacceleratorStandardTopology reads a standard accelerator's listeners
// and endpoint groups and places every endpoint in its group's region.
func globalacceleratorStandardTopology(ctx context.Context, api globalacceleratorAPI, arn string,
	resolverFor func(string) *globalacceleratorResolver) (globalacceleratorTopology, error) {
	var topo globalacceleratorTopology
	var groups globalacceleratorGroups
	listeners := globalaccelerator.NewListListenersPaginator(api, &globalaccelerator.ListListenersInput{AcceleratorArn: aws.String(arn)})
	for listeners.HasMorePages() {
		page, err := listeners.NextPage(ctx)
		if err != nil {
			return topo, err
		}
		for _, l := range page.Listeners {
			topo.Listeners++
			p := globalaccelerator.NewListEndpointGroupsPaginator(api, &globalaccelerator.ListEndpointGroupsInput{ListenerArn: l.ListenerArn})
			for p.HasMorePages() {
				gp, err := p.NextPage(ctx)
				if err != nil {
					return topo, err
				}
				for _, g := range gp.EndpointGroups {
					topo.Groups++
					region := aws.ToString(g.EndpointGroupRegion)
					groups.add(region)
					for _, e := range g.EndpointDescriptions {
						groups.add(region, aws.ToString(e.EndpointId))
					}
				}
			}
		}
	}
	var err error
	topo.Endpoints, err = groups.place(ctx, resolverFor, false)
	return topo, err
}

// globalacceleratorCustomTopology reads a custom routing accelerator's
// listeners and endpoint groups; its endpoints are VPC subnets.
func globalacceleratorCustomTopology(ctx context.Context, api globalacceleratorAPI, arn string,
	resolverFor func(string) *globalacceleratorResolver) (globalacceleratorTopology, error) {
	var topo globalacceleratorTopology
	var groups globalacceleratorGroups
	listeners := globalaccelerator.NewListCustomRoutingListenersPaginator(api, &globalaccelerator.ListCustomRoutingListenersInput{AcceleratorArn: aws.String(arn)})
	for listeners.HasMorePages() {
		page, err := listeners.NextPage(ctx)
		if err != nil {
			return topo, err
		}
		for _, l := range page.Listeners {
			topo.Listeners++
			p := globalaccelerator.NewListCustomRoutingEndpointGroupsPaginator(api, &globalaccelerator.ListCustomRoutingEndpointGroupsInput{ListenerArn: l.ListenerArn})
			for p.HasMorePages() {
				gp, err := p.NextPage(ctx)
				if err != nil {
					return topo, err
				}
				for _, g := range gp.EndpointGroups {
					topo.Groups++
					region := aws.ToString(g.EndpointGroupRegion)
					groups.add(region)
					for _, e := range g.EndpointDescriptions {
						groups.add(region, aws.ToString(e.EndpointId))
					}
				}
			}
		}
	}
	var err error
	topo.Endpoints, err = groups.place(ctx, resolverFor, true)
	return topo, err
}

// globalacceleratorGroups gathers an accelerator's endpoint IDs by endpoint
// group region, in the order the regions were first seen.
type globalacceleratorGroups struct {
	regions []string
	ids     map[string][]string
}

func (g *globalacceleratorGroups) add(region string, ids ...string) {
	if g.ids == nil {
		g.ids = map[string][]string{}
	}
	if _, ok := g.ids[region]; !ok {
		g.regions = append(g.regions, region)
		g.ids[region] = nil
	}
	g.ids[region] = append(g.ids[region], ids...)
}

// place resolves every endpoint in its region: standard endpoints through
// EC2 and ELBv2, custom routing endpoints (subnets) through DescribeSubnets.
// A group without a region cannot be looked up: its endpoints stay
// unresolved.
func (g *globalacceleratorGroups) place(ctx context.Context, resolverFor func(string) *globalacceleratorResolver, subnets bool) ([]globalacceleratorEndpoint, error) {
	var out []globalacceleratorEndpoint
	for _, region := range g.regions {
		ids := distinct(g.ids[region]...)
		if region == "" {
			for _, id := range ids {
				out = append(out, globalacceleratorEndpoint{ID: id})
			}
			continue
		}
		if len(ids) == 0 {
			continue
		}
		r := resolverFor(region)
		if subnets {
			if err := r.subnets.resolve(ctx, ids); err != nil {
				return out, err
			}
		} else if err := r.resolve(ctx, ids); err != nil {
			return out, err
		}
		for _, id := range ids {
			e := globalacceleratorEndpoint{ID: id, Region: region}
			if subnets {
				e.AZs, _ = r.subnets.azs([]string{id})
			} else {
				e.AZs = r.azs(id)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// globalacceleratorEIP is what an Elastic IP is associated with.
type globalacceleratorEIP struct {
	instance, eni string
}

// globalacceleratorResolver places standard-accelerator endpoints of one
// region in Availability Zones, caching what it has read for the life of one
// task. Every lookup filters by ID rather than passing the IDs as
// parameters, so one deleted resource never fails the whole call; what is
// not found stays unresolved.
type globalacceleratorResolver struct {
	api       globalacceleratorRegionAPI
	account   string
	instances map[string]string               // instance ID -> AZ ("" = not found)
	addresses map[string]globalacceleratorEIP // allocation ID -> association
	enis      map[string]string               // ENI ID -> AZ ("" = not found)
	lbs       map[string][]string             // load balancer ARN -> AZs (nil = not found)
	subnets   *subnetAZs
}

func globalacceleratorNewResolver(api globalacceleratorRegionAPI, account string) *globalacceleratorResolver {
	return &globalacceleratorResolver{
		api: api, account: account,
		instances: map[string]string{}, addresses: map[string]globalacceleratorEIP{},
		enis: map[string]string{}, lbs: map[string][]string{},
		subnets: newSubnetAZs(api),
	}
}

// globalacceleratorFilterBatch keeps each filter well under EC2's limit on
// filter values; globalacceleratorLBBatch is DescribeLoadBalancers' limit of
// 20 ARNs per call.
const (
	globalacceleratorFilterBatch = 200
	globalacceleratorLBBatch     = 20
)

func globalacceleratorBatches(ids []string, size int) [][]string {
	var out [][]string
	for len(ids) > 0 {
		n := min(size, len(ids))
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}

// globalacceleratorEndpointKind classifies a standard endpoint ID: an EC2
// instance ID, an Elastic IP allocation ID, or an ALB/NLB ARN.
func globalacceleratorEndpointKind(id string) string {
	switch {
	case strings.HasPrefix(id, "i-"):
		return "instance"
	case strings.HasPrefix(id, "eipalloc-"):
		return "eip"
	case strings.HasPrefix(id, "arn:") && strings.Contains(id, ":elasticloadbalancing:"):
		return "lb"
	}
	return ""
}

// resolve looks up every endpoint ID not seen before. Elastic IPs are read
// first, because they lead to an instance or a network interface.
func (r *globalacceleratorResolver) resolve(ctx context.Context, ids []string) error {
	var instances, allocations, lbs, enis []string
	for _, id := range distinct(ids...) {
		switch globalacceleratorEndpointKind(id) {
		case "instance":
			if _, ok := r.instances[id]; !ok {
				instances = append(instances, id)
			}
		case "eip":
			if _, ok := r.addresses[id]; !ok {
				allocations = append(allocations, id)
			}
		case "lb":
			if _, ok := r.lbs[id]; !ok {
				lbs = append(lbs, id)
			}
		}
	}
	if err := r.resolveAddresses(ctx, allocations); err != nil {
		return err
	}
	for _, a := range allocations {
		eip := r.addresses[a]
		switch {
		case eip.instance != "":
			if _, ok := r.instances[eip.instance]; !ok {
				instances = append(instances, eip.instance)
			}
		case eip.eni != "":
			if _, ok := r.enis[eip.eni]; !ok {
				enis = append(enis, eip.eni)
			}
		}
	}
	if err := r.resolveInstances(ctx, distinct(instances...)); err != nil {
		return err
	}
	if err := r.resolveENIs(ctx, distinct(enis...)); err != nil {
		return err
	}
	return r.resolveLBs(ctx, lbs)
}

func (r *globalacceleratorResolver) resolveAddresses(ctx context.Context, ids []string) error {
	for _, batch := range globalacceleratorBatches(ids, globalacceleratorFilterBatch) {
		for _, id := range batch {
			r.addresses[id] = globalacceleratorEIP{}
		}
		out, err := r.api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{
			Filters: []ec2types.Filter{{Name: aws.String("allocation-id"), Values: batch}},
		})
		if err != nil {
			return err
		}
		for _, a := range out.Addresses {
			r.addresses[aws.ToString(a.AllocationId)] = globalacceleratorEIP{
				instance: aws.ToString(a.InstanceId), eni: aws.ToString(a.NetworkInterfaceId)}
		}
	}
	return nil
}

// resolveInstances reads every instance of every reservation on every page.
// Terminated and shutting-down instances count as not found: they will not
// serve traffic again.
func (r *globalacceleratorResolver) resolveInstances(ctx context.Context, ids []string) error {
	for _, batch := range globalacceleratorBatches(ids, globalacceleratorFilterBatch) {
		for _, id := range batch {
			r.instances[id] = ""
		}
		p := ec2.NewDescribeInstancesPaginator(r.api, &ec2.DescribeInstancesInput{
			Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: batch}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, res := range page.Reservations {
				for _, in := range res.Instances {
					if in.State != nil && (in.State.Name == ec2types.InstanceStateNameTerminated ||
						in.State.Name == ec2types.InstanceStateNameShuttingDown) {
						continue
					}
					if in.Placement != nil {
						r.instances[aws.ToString(in.InstanceId)] = aws.ToString(in.Placement.AvailabilityZone)
					}
				}
			}
		}
	}
	return nil
}

func (r *globalacceleratorResolver) resolveENIs(ctx context.Context, ids []string) error {
	for _, batch := range globalacceleratorBatches(ids, globalacceleratorFilterBatch) {
		for _, id := range batch {
			r.enis[id] = ""
		}
		p := ec2.NewDescribeNetworkInterfacesPaginator(r.api, &ec2.DescribeNetworkInterfacesInput{
			Filters: []ec2types.Filter{{Name: aws.String("network-interface-id"), Values: batch}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, ni := range page.NetworkInterfaces {
				r.enis[aws.ToString(ni.NetworkInterfaceId)] = aws.ToString(ni.AvailabilityZone)
			}
		}
	}
	return nil
}

// resolveLBs reads load balancers by ARN, 20 at a time. DescribeLoadBalancers
// has no filter: one missing ARN fails the call with LoadBalancerNotFound, so
// such a batch is retried one ARN at a time. ARNs of another account
// (cross-account endpoints) cannot be read and stay unresolved.
func (r *globalacceleratorResolver) resolveLBs(ctx context.Context, arns []string) error {
	var own []string
	for _, a := range arns {
		r.lbs[a] = nil
		if r.account == "" || globalacceleratorARNAccount(a) == r.account {
			own = append(own, a)
		}
	}
	for _, batch := range globalacceleratorBatches(own, globalacceleratorLBBatch) {
		err := r.describeLBs(ctx, batch)
		if globalacceleratorLBNotFound(err) && len(batch) > 1 {
			for _, a := range batch {
				if err := r.describeLBs(ctx, []string{a}); err != nil && !globalacceleratorLBNotFound(err) {
					return err
				}
			}
			continue
		}
		if err != nil && !globalacceleratorLBNotFound(err) {
			return err
		}
	}
	return nil
}

func (r *globalacceleratorResolver) describeLBs(ctx context.Context, arns []string) error {
	p := elasticloadbalancingv2.NewDescribeLoadBalancersPaginator(r.api, &elasticloadbalancingv2.DescribeLoadBalancersInput{LoadBalancerArns: arns})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, lb := range page.LoadBalancers {
			var zones []string
			for _, z := range lb.AvailabilityZones {
				zones = append(zones, aws.ToString(z.ZoneName))
			}
			r.lbs[aws.ToString(lb.LoadBalancerArn)] = distinct(zones...)
		}
	}
	return nil
}

func globalacceleratorLBNotFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "LoadBalancerNotFound"
}

// globalacceleratorARNAccount returns the account field of an ARN.
func globalacceleratorARNAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// azs returns the Availability Zones of a resolved endpoint, or nil.
func (r *globalacceleratorResolver) azs(id string) []string {
	switch globalacceleratorEndpointKind(id) {
	case "instance":
		return distinct(r.instances[id])
	case "eip":
		eip := r.addresses[id]
		if eip.instance != "" {
			return distinct(r.instances[eip.instance])
		}
		return distinct(r.enis[eip.eni])
	case "lb":
		return r.lbs[id]
	}
	return nil
}

// globalacceleratorID is the accelerator ID part of its ARN
// (arn:aws:globalaccelerator::123456789012:accelerator/<id>).
func globalacceleratorID(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return ""
}

func judgeGlobalAcceleratorStandard(acc gatypes.Accelerator, topo globalacceleratorTopology) Finding {
	return judgeGlobalAccelerator(globalacceleratorStandardSingleAZ, "standard", "endpoint",
		aws.ToString(acc.AcceleratorArn), aws.ToString(acc.Name), topo)
}

func judgeGlobalAcceleratorCustom(acc gatypes.CustomRoutingAccelerator, topo globalacceleratorTopology) Finding {
	return judgeGlobalAccelerator(globalacceleratorCustomSingleAZ, "custom routing", "subnet",
		aws.ToString(acc.AcceleratorArn), aws.ToString(acc.Name), topo)
}

// judgeGlobalAccelerator counts the regions and Availability Zones of the
// endpoints an accelerator routes to: endpoints in two regions, or in two
// zones of one region, survive the loss of a zone. An ALB or NLB endpoint
// counts every zone the load balancer is enabled in. Endpoints that could
// not be resolved are named and never counted as placed.
func judgeGlobalAccelerator(chk Check, kind, noun, arn, name string, topo globalacceleratorTopology) Finding {
	display := name
	if display == "" {
		display = globalacceleratorID(arn)
	}
	label := "Global Accelerator " + display + " (" + kind + ")"
	var regions, zones, unknown []string
	for _, e := range topo.Endpoints {
		if len(e.AZs) == 0 {
			unknown = append(unknown, e.ID)
			continue
		}
		regions = append(regions, e.Region)
		zones = append(zones, e.AZs...)
	}
	regions, zones, unknown = distinct(regions...), distinct(zones...), distinct(unknown...)
	n := plural(len(topo.Endpoints), noun)
	healthy := ", so losing one zone leaves other " + noun + "s to route traffic to"
	if len(unknown) > 0 {
		healthy += "; " + plural(len(unknown), noun) + " could not be resolved (" + list(unknown) + ")"
	}
	var f Finding
	switch {
	case topo.Listeners == 0:
		f = finding(globalacceleratorNoEndpoints, true, label+" has no listeners, so it has nothing to route traffic to.")
	case topo.Groups == 0:
		f = finding(globalacceleratorNoEndpoints, true, fmt.Sprintf(
			"%s has %s but no endpoint groups, so it has nothing to route traffic to.", label, plural(topo.Listeners, "listener")))
	case len(topo.Endpoints) == 0:
		f = finding(globalacceleratorNoEndpoints, true, fmt.Sprintf(
			"%s has %s and %s but no %ss, so it has nothing to route traffic to.",
			label, plural(topo.Listeners, "listener"), plural(topo.Groups, "endpoint group"), noun))
	case len(zones) == 0:
		f = finding(chk, true, fmt.Sprintf(
			"%s routes to %s, none of which could be resolved to an Availability Zone (%s).", label, n, list(unknown)))
	case len(regions) >= 2:
		f = finding(chk, false, fmt.Sprintf("%s routes to %s in %d regions (%s) across %d Availability Zones (%s)%s.",
			label, n, len(regions), list(regions), len(zones), list(zones), healthy))
	case len(zones) >= 2:
		f = finding(chk, false, fmt.Sprintf("%s routes to %s in %s across %d Availability Zones (%s)%s.",
			label, n, regions[0], len(zones), list(zones), healthy))
	case len(unknown) > 0:
		f = finding(chk, true, fmt.Sprintf(
			"%s routes to %s; those that could be resolved are all in one Availability Zone (%s) and %s could not be resolved (%s), so if that zone fails the accelerator may have nowhere to route traffic.",
			label, n, list(zones), plural(len(unknown), noun), list(unknown)))
	default:
		f = finding(chk, true, fmt.Sprintf(
			"%s routes to %s, all in one Availability Zone (%s): if that zone fails, the accelerator has nowhere to route traffic.",
			label, n, list(zones)))
	}
	f.ResourceARN = arn
	f.ResourceName = name
	f.ResourceID = globalacceleratorID(arn)
	return f
}
