package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/faultline/faultline/inventory"
)

// globalacceleratorEndpointRegion is the region of the Global Accelerator
// API endpoint: the service is global, its scope is inventory.GlobalRegion.
const globalacceleratorEndpointRegion = "us-west-2"

// globalacceleratorAPI holds exactly the calls that read standard
// accelerators, globalacceleratorCustomAPI those that read custom routing
// accelerators.
type globalacceleratorAPI interface {
	globalaccelerator.ListAcceleratorsAPIClient
	globalaccelerator.ListListenersAPIClient
	globalaccelerator.ListEndpointGroupsAPIClient
}

type globalacceleratorCustomAPI interface {
	globalaccelerator.ListCustomRoutingAcceleratorsAPIClient
	globalaccelerator.ListCustomRoutingListenersAPIClient
	globalaccelerator.ListCustomRoutingEndpointGroupsAPIClient
}

// globalacceleratorAddressesAPI is the regional read of the Elastic IPs
// that place endpoints (the other regional kinds are the inventory's).
// DescribeAddresses has no paginator and no NextToken: one call returns
// every address.
type globalacceleratorAddressesAPI interface {
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
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

// globalacceleratorConfig is the scope's configuration pointed at the
// Global Accelerator endpoint.
func globalacceleratorConfig(s *inventory.Scope) aws.Config {
	cfg := s.Config()
	cfg.Region = globalacceleratorEndpointRegion
	return cfg
}

// globalacceleratorStandard is a standard accelerator with its listeners
// and their endpoint groups; globalacceleratorCustom a custom routing one.
type globalacceleratorStandard struct {
	Accelerator gatypes.Accelerator
	Listeners   []globalacceleratorStandardListener
}

type globalacceleratorStandardListener struct {
	Listener       gatypes.Listener
	EndpointGroups []gatypes.EndpointGroup
}

type globalacceleratorCustom struct {
	Accelerator gatypes.CustomRoutingAccelerator
	Listeners   []globalacceleratorCustomListener
}

type globalacceleratorCustomListener struct {
	Listener       gatypes.CustomRoutingListener
	EndpointGroups []gatypes.CustomRoutingEndpointGroup
}

// globalacceleratorAccelerators are the account's standard accelerators,
// each with its listeners and endpoint groups.
var globalacceleratorAccelerators = &inventory.Kind[globalacceleratorStandard]{
	Name:    "globalaccelerator/accelerators",
	Actions: []string{"globalaccelerator:ListAccelerators", "globalaccelerator:ListListeners", "globalaccelerator:ListEndpointGroups"},
	APIs:    []reflect.Type{apiOf[globalacceleratorAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(globalacceleratorStandard)) error {
		return loadGlobalAccelerators(ctx, globalaccelerator.NewFromConfig(globalacceleratorConfig(s)), add)
	},
}

// loadGlobalAccelerators hands over each accelerator once its listeners and
// endpoint groups are all read, so that a failure keeps only whole ones.
func loadGlobalAccelerators(ctx context.Context, api globalacceleratorAPI, add func(globalacceleratorStandard)) error {
	accs := globalaccelerator.NewListAcceleratorsPaginator(api, &globalaccelerator.ListAcceleratorsInput{})
	for accs.HasMorePages() {
		page, err := accs.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, acc := range page.Accelerators {
			item := globalacceleratorStandard{Accelerator: acc}
			listeners := globalaccelerator.NewListListenersPaginator(api, &globalaccelerator.ListListenersInput{AcceleratorArn: acc.AcceleratorArn})
			for listeners.HasMorePages() {
				lp, err := listeners.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, l := range lp.Listeners {
					li := globalacceleratorStandardListener{Listener: l}
					groups := globalaccelerator.NewListEndpointGroupsPaginator(api, &globalaccelerator.ListEndpointGroupsInput{ListenerArn: l.ListenerArn})
					for groups.HasMorePages() {
						gp, err := groups.NextPage(ctx)
						if err != nil {
							return err
						}
						li.EndpointGroups = append(li.EndpointGroups, gp.EndpointGroups...)
					}
					item.Listeners = append(item.Listeners, li)
				}
			}
			add(item)
		}
	}
	return nil
}

// globalacceleratorCustomAccelerators are the account's custom routing
// accelerators, each with its listeners and endpoint groups.
var globalacceleratorCustomAccelerators = &inventory.Kind[globalacceleratorCustom]{
	Name: "globalaccelerator/custom-routing-accelerators",
	Actions: []string{"globalaccelerator:ListCustomRoutingAccelerators", "globalaccelerator:ListCustomRoutingListeners",
		"globalaccelerator:ListCustomRoutingEndpointGroups"},
	APIs: []reflect.Type{apiOf[globalacceleratorCustomAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(globalacceleratorCustom)) error {
		return loadGlobalAcceleratorCustom(ctx, globalaccelerator.NewFromConfig(globalacceleratorConfig(s)), add)
	},
}

func loadGlobalAcceleratorCustom(ctx context.Context, api globalacceleratorCustomAPI, add func(globalacceleratorCustom)) error {
	accs := globalaccelerator.NewListCustomRoutingAcceleratorsPaginator(api, &globalaccelerator.ListCustomRoutingAcceleratorsInput{})
	for accs.HasMorePages() {
		page, err := accs.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, acc := range page.Accelerators {
			item := globalacceleratorCustom{Accelerator: acc}
			listeners := globalaccelerator.NewListCustomRoutingListenersPaginator(api, &globalaccelerator.ListCustomRoutingListenersInput{AcceleratorArn: acc.AcceleratorArn})
			for listeners.HasMorePages() {
				lp, err := listeners.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, l := range lp.Listeners {
					li := globalacceleratorCustomListener{Listener: l}
					groups := globalaccelerator.NewListCustomRoutingEndpointGroupsPaginator(api, &globalaccelerator.ListCustomRoutingEndpointGroupsInput{ListenerArn: l.ListenerArn})
					for groups.HasMorePages() {
						gp, err := groups.NextPage(ctx)
						if err != nil {
							return err
						}
						li.EndpointGroups = append(li.EndpointGroups, gp.EndpointGroups...)
					}
					item.Listeners = append(item.Listeners, li)
				}
			}
			add(item)
		}
	}
	return nil
}

// globalacceleratorInstances are a region's EC2 instances (every instance
// of every reservation): the inventory's kind, which reach and flows read
// too (its loader is tested there).
var globalacceleratorInstances = inventory.Instances

// globalacceleratorAddresses are a region's Elastic IPs.
var globalacceleratorAddresses = &inventory.Kind[ec2types.Address]{
	Name:    "ec2/addresses",
	Actions: []string{"ec2:DescribeAddresses"},
	APIs:    []reflect.Type{apiOf[globalacceleratorAddressesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(ec2types.Address)) error {
		return loadGlobalAcceleratorAddresses(ctx, ec2.NewFromConfig(s.Config()), add)
	},
}

// loadGlobalAcceleratorAddresses makes one call: DescribeAddresses does not
// page.
func loadGlobalAcceleratorAddresses(ctx context.Context, api globalacceleratorAddressesAPI, add func(ec2types.Address)) error {
	out, err := api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return err
	}
	for _, a := range out.Addresses {
		add(a)
	}
	return nil
}

// globalacceleratorENIs are a region's network interfaces: the inventory's
// kind, which reach and flows read too.
var globalacceleratorENIs = inventory.NetworkInterfaces

// globalacceleratorLBs are a region's Application, Network and Gateway Load
// Balancers: the inventory's kind, which reach reads too (its loader is
// tested there).
var globalacceleratorLBs = inventory.LoadBalancers

var GlobalAccelerator = Analyser{
	Name:         "globalaccelerator",
	Global:       true,
	GlobalRegion: globalacceleratorEndpointRegion,
	Checks:       []Check{globalacceleratorStandardSingleAZ, globalacceleratorNoEndpoints, globalacceleratorCustomSingleAZ},
	Kinds: []inventory.Loader{globalacceleratorAccelerators, globalacceleratorCustomAccelerators,
		globalacceleratorInstances, globalacceleratorAddresses, globalacceleratorENIs, globalacceleratorLBs, inventory.Subnets},
	Run: analyseGlobalAccelerator,
}

// globalacceleratorEndpoint is one endpoint (or, for custom routing, one
// destination subnet) and the Availability Zones it was resolved to; no
// zones means it could not be resolved. AZIDs are the zones' IDs, in the
// same order, when known.
type globalacceleratorEndpoint struct {
	ID     string
	Region string
	AZs    []string
	AZIDs  []string
}

// globalacceleratorTopology is what an accelerator routes to.
type globalacceleratorTopology struct {
	Listeners int
	Groups    int
	Endpoints []globalacceleratorEndpoint
}

// analyseGlobalAccelerator judges standard accelerators, then custom routing
// accelerators, emitting each as soon as its endpoints are placed. The
// endpoints are placed with kinds read in the scope of their endpoint
// group's region, each only when an endpoint needs it. Accelerators have no
// deleting state (one must be disabled, then DeleteAccelerator removes it),
// so every listed accelerator, enabled or not, is judged; when a listing
// failed part-way the accelerators read before the failure are judged and
// the error is the task's.
func analyseGlobalAccelerator(ctx context.Context, s *inventory.Scope, emit Emit) error {
	placer := &globalacceleratorPlacer{account: s.AccountID, scope: s, regions: map[string]*globalacceleratorRegion{}}
	std, err := globalacceleratorAccelerators.Items(ctx, s)
	for _, acc := range std {
		var topo globalacceleratorTopology
		var groups globalacceleratorGroups
		for _, l := range acc.Listeners {
			topo.Listeners++
			for _, g := range l.EndpointGroups {
				topo.Groups++
				region := aws.ToString(g.EndpointGroupRegion)
				groups.add(region)
				for _, e := range g.EndpointDescriptions {
					groups.add(region, aws.ToString(e.EndpointId))
				}
			}
		}
		var perr error
		if topo.Endpoints, perr = groups.place(ctx, placer, false); perr != nil {
			return perr
		}
		emit(judgeGlobalAcceleratorStandard(acc.Accelerator, topo))
	}
	if err != nil {
		return err
	}

	custom, err := globalacceleratorCustomAccelerators.Items(ctx, s)
	for _, acc := range custom {
		var topo globalacceleratorTopology
		var groups globalacceleratorGroups
		for _, l := range acc.Listeners {
			topo.Listeners++
			for _, g := range l.EndpointGroups {
				topo.Groups++
				region := aws.ToString(g.EndpointGroupRegion)
				groups.add(region)
				for _, e := range g.EndpointDescriptions {
					groups.add(region, aws.ToString(e.EndpointId))
				}
			}
		}
		var perr error
		if topo.Endpoints, perr = groups.place(ctx, placer, true); perr != nil {
			return perr
		}
		emit(judgeGlobalAcceleratorCustom(acc.Accelerator, topo))
	}
	return err
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
// the region's instances, Elastic IPs, network interfaces and load
// balancers, custom routing endpoints (subnets) through its subnets. A group
// without a region cannot be looked up: its endpoints stay unresolved.
func (g *globalacceleratorGroups) place(ctx context.Context, p *globalacceleratorPlacer, subnets bool) ([]globalacceleratorEndpoint, error) {
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
		r := p.region(region)
		if err := r.read(ctx, ids, subnets, p.account); err != nil {
			return out, err
		}
		for _, id := range ids {
			e := globalacceleratorEndpoint{ID: id, Region: region}
			if subnets {
				place := placeSubnets([]string{id}, r.subnets)
				e.AZs, e.AZIDs = place.AZs, place.AZIDs
			} else {
				e.AZs, e.AZIDs = r.place(id)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// globalacceleratorPlacer holds, for one task, what has been read of each
// endpoint-group region.
type globalacceleratorPlacer struct {
	account string
	scope   *inventory.Scope
	regions map[string]*globalacceleratorRegion
}

func (p *globalacceleratorPlacer) region(region string) *globalacceleratorRegion {
	r, ok := p.regions[region]
	if !ok {
		r = &globalacceleratorRegion{scope: p.scope.In(region)}
		p.regions[region] = r
	}
	return r
}

// globalacceleratorRegion indexes by ID the kinds of one region read so far
// (nil: not read yet).
type globalacceleratorRegion struct {
	scope     *inventory.Scope
	instances map[string]ec2types.Instance
	addresses map[string]ec2types.Address
	enis      map[string]ec2types.NetworkInterface
	lbs       map[string]elbtypes.LoadBalancer
	subnets   map[string]inventory.Subnet
}

// read reads the kinds that ids need and that are not read yet: Elastic IPs
// first, because they lead to an instance or a network interface; load
// balancers only for ARNs of the account (another account's cannot be read
// and stay unresolved). A kind whose read failed, even part-way, fails the
// task before the accelerator is judged: an endpoint missing from a partial
// list would be reported as unresolved.
func (r *globalacceleratorRegion) read(ctx context.Context, ids []string, subnets bool, account string) error {
	if subnets {
		if r.subnets != nil {
			return nil
		}
		sn, err := inventory.SubnetsByID(ctx, r.scope)
		if err != nil {
			return err
		}
		r.subnets = sn
		return nil
	}
	var instances, addresses, enis, lbs bool
	for _, id := range ids {
		switch globalacceleratorEndpointKind(id) {
		case "instance":
			instances = true
		case "eip":
			addresses = true
		case "lb":
			lbs = lbs || account == "" || globalacceleratorARNAccount(id) == account
		}
	}
	var err error
	if addresses && r.addresses == nil {
		if r.addresses, err = globalacceleratorIndex(ctx, r.scope, globalacceleratorAddresses, func(a ec2types.Address) string {
			return aws.ToString(a.AllocationId)
		}); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if a, ok := r.addresses[id]; ok && globalacceleratorEndpointKind(id) == "eip" {
			switch {
			case aws.ToString(a.InstanceId) != "":
				instances = true
			case aws.ToString(a.NetworkInterfaceId) != "":
				enis = true
			}
		}
	}
	if instances && r.instances == nil {
		if r.instances, err = globalacceleratorIndex(ctx, r.scope, globalacceleratorInstances, func(in ec2types.Instance) string {
			return aws.ToString(in.InstanceId)
		}); err != nil {
			return err
		}
	}
	if enis && r.enis == nil {
		if r.enis, err = globalacceleratorIndex(ctx, r.scope, globalacceleratorENIs, func(ni ec2types.NetworkInterface) string {
			return aws.ToString(ni.NetworkInterfaceId)
		}); err != nil {
			return err
		}
	}
	if lbs && r.lbs == nil {
		if r.lbs, err = globalacceleratorIndex(ctx, r.scope, globalacceleratorLBs, func(lb elbtypes.LoadBalancer) string {
			return aws.ToString(lb.LoadBalancerArn)
		}); err != nil {
			return err
		}
	}
	return nil
}

// globalacceleratorIndex reads kind k in s and indexes its items by key.
func globalacceleratorIndex[T any](ctx context.Context, s *inventory.Scope, k *inventory.Kind[T], key func(T) string) (map[string]T, error) {
	items, err := k.Items(ctx, s)
	if err != nil {
		return nil, err
	}
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[key(it)] = it
	}
	return m, nil
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

// place returns the Availability Zones of a standard endpoint (nil when it
// cannot be resolved) and their IDs when known. Terminated and
// shutting-down instances count as not found: they will not serve traffic
// again.
func (r *globalacceleratorRegion) place(id string) (azs, azIDs []string) {
	instance := func(id string) ([]string, []string) {
		in, ok := r.instances[id]
		if !ok || in.Placement == nil || aws.ToString(in.Placement.AvailabilityZone) == "" ||
			(in.State != nil && (in.State.Name == ec2types.InstanceStateNameTerminated || in.State.Name == ec2types.InstanceStateNameShuttingDown)) {
			return nil, nil
		}
		return globalacceleratorZone(in.Placement.AvailabilityZone, in.Placement.AvailabilityZoneId)
	}
	switch globalacceleratorEndpointKind(id) {
	case "instance":
		return instance(id)
	case "eip":
		a := r.addresses[id]
		if inst := aws.ToString(a.InstanceId); inst != "" {
			return instance(inst)
		}
		ni, ok := r.enis[aws.ToString(a.NetworkInterfaceId)]
		if !ok || aws.ToString(a.NetworkInterfaceId) == "" {
			return nil, nil
		}
		return globalacceleratorZone(ni.AvailabilityZone, ni.AvailabilityZoneId)
	case "lb":
		lb, ok := r.lbs[id]
		if !ok {
			return nil, nil
		}
		var zones []string
		for _, z := range lb.AvailabilityZones {
			zones = append(zones, aws.ToString(z.ZoneName))
		}
		if zones = distinct(zones...); len(zones) == 0 {
			return nil, nil
		}
		// ELBv2 names the zones only: the engine looks their IDs up.
		return zones, nil
	}
	return nil, nil
}

// globalacceleratorZone is one zone, with its ID when reported.
func globalacceleratorZone(name, id *string) ([]string, []string) {
	if aws.ToString(name) == "" {
		return nil, nil
	}
	if aws.ToString(id) == "" {
		return []string{aws.ToString(name)}, nil
	}
	return []string{aws.ToString(name)}, []string{aws.ToString(id)}
}

// globalacceleratorARNAccount returns the account field of an ARN.
func globalacceleratorARNAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
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
	idOf := map[string]string{}
	for _, e := range topo.Endpoints {
		if len(e.AZs) == 0 {
			unknown = append(unknown, e.ID)
			continue
		}
		regions = append(regions, e.Region)
		zones = append(zones, e.AZs...)
		if len(e.AZIDs) == len(e.AZs) {
			for i, az := range e.AZs {
				idOf[az] = e.AZIDs[i]
			}
		}
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
	// The accelerator is placed in every zone its resolved endpoints are in,
	// whatever their region; a zone's ID is known when an endpoint in it
	// reported it.
	if len(zones) > 0 {
		f.AZs, f.AZIDs = zones, zoneIDsOf(zones, idOf)
	}
	f.ResourceType = "AWS::GlobalAccelerator::Accelerator"
	f.ResourceARN = arn
	f.ResourceName = name
	f.ResourceID = globalacceleratorID(arn)
	return f
}
