//go:build legacy

package analysers

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
)

// moto 5.2.1 does not implement Global Accelerator (every call answers HTTP
// 500), so the accelerator, listener and endpoint-group side of every case
// below is covered with fakes only. The EC2/ELBv2 placement of endpoints is
// also proven against moto in integration/seed_globalaccelerator_test.go,
// where a fake Global Accelerator API sits in front of moto.

const globalacceleratorAccount = "111111111111"

func globalacceleratorARN(id string) string {
	return "arn:aws:globalaccelerator::" + globalacceleratorAccount + ":accelerator/" + id
}

func globalacceleratorLBARN(region, kind, name string) string {
	return "arn:aws:elasticloadbalancing:" + region + ":" + globalacceleratorAccount + ":loadbalancer/" + kind + "/" + name + "/0123456789abcdef"
}

func globalacceleratorEP(id, region string, azs ...string) globalacceleratorEndpoint {
	return globalacceleratorEndpoint{ID: id, Region: region, AZs: azs}
}

func TestJudgeGlobalAccelerator(t *testing.T) {
	std := func(name string) gatypes.Accelerator {
		return gatypes.Accelerator{AcceleratorArn: aws.String(globalacceleratorARN("id-" + name)), Name: aws.String(name),
			DnsName: aws.String("a1234.awsglobalaccelerator.com")}
	}
	topo := func(endpoints ...globalacceleratorEndpoint) globalacceleratorTopology {
		return globalacceleratorTopology{Listeners: 1, Groups: 1, Endpoints: endpoints}
	}
	alb := globalacceleratorLBARN("us-east-1", "app", "web")
	const survive = ", so losing one zone leaves other endpoints to route traffic to"
	cases := []struct {
		name    string
		acc     gatypes.Accelerator
		topo    globalacceleratorTopology
		check   string
		risk    bool
		message string
	}{
		{"no listeners", std("idle"), globalacceleratorTopology{},
			"GLOBALACCELERATOR-2", true, "Global Accelerator idle (standard) has no listeners, so it has nothing to route traffic to."},
		{"listeners without endpoint groups", std("nogroups"), globalacceleratorTopology{Listeners: 2},
			"GLOBALACCELERATOR-2", true, "Global Accelerator nogroups (standard) has 2 listeners but no endpoint groups, so it has nothing to route traffic to."},
		{"endpoint groups without endpoints", std("empty"), globalacceleratorTopology{Listeners: 1, Groups: 2},
			"GLOBALACCELERATOR-2", true, "Global Accelerator empty (standard) has 1 listener and 2 endpoint groups but no endpoints, so it has nothing to route traffic to."},
		{"one instance", std("single"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator single (standard) routes to 1 endpoint, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic."},
		{"instance, EIP and NLB in one AZ", std("oneaz"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"),
			globalacceleratorEP("eipalloc-1", "us-east-1", "us-east-1a"), globalacceleratorEP(globalacceleratorLBARN("us-east-1", "net", "nlb"), "us-east-1", "us-east-1a")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator oneaz (standard) routes to 3 endpoints, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic."},
		{"one AZ and an unresolved endpoint", std("partial"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-gone", "us-east-1")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator partial (standard) routes to 2 endpoints; those that could be resolved are all in one Availability Zone (us-east-1a) and 1 endpoint could not be resolved (i-gone), so if that zone fails the accelerator may have nowhere to route traffic."},
		{"nothing resolved", std("lost"), topo(globalacceleratorEP("i-gone", "us-east-1"), globalacceleratorEP("eipalloc-gone", "us-east-1")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator lost (standard) routes to 2 endpoints, none of which could be resolved to an Availability Zone (eipalloc-gone, i-gone)."},
		{"ALB across two AZs", std("alb"), topo(globalacceleratorEP(alb, "us-east-1", "us-east-1a", "us-east-1b")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator alb (standard) routes to 1 endpoint in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b)" + survive + "."},
		{"instances in two AZs", std("twoaz"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-2", "us-east-1", "us-east-1b")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator twoaz (standard) routes to 2 endpoints in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b)" + survive + "."},
		{"two AZs and an unresolved endpoint", std("twoazgone"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"),
			globalacceleratorEP("i-2", "us-east-1", "us-east-1b"), globalacceleratorEP("i-gone", "us-east-1")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator twoazgone (standard) routes to 3 endpoints in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b)" + survive + "; 1 endpoint could not be resolved (i-gone)."},
		{"two regions", std("tworegions"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-9", "eu-west-1", "eu-west-1a")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator tworegions (standard) routes to 2 endpoints in 2 regions (eu-west-1, us-east-1) across 2 Availability Zones (eu-west-1a, us-east-1a)" + survive + "."},
		{"two regions and unresolved endpoints", std("tworegionsgone"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"),
			globalacceleratorEP("i-9", "eu-west-1", "eu-west-1a"), globalacceleratorEP("i-gone", "eu-west-1"), globalacceleratorEP("x-odd", "")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator tworegionsgone (standard) routes to 4 endpoints in 2 regions (eu-west-1, us-east-1) across 2 Availability Zones (eu-west-1a, us-east-1a)" + survive + "; 2 endpoints could not be resolved (i-gone, x-odd)."},
		{"a second region with nothing resolved is not a second region", std("deadregion"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-gone", "eu-west-1")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator deadregion (standard) routes to 2 endpoints; those that could be resolved are all in one Availability Zone (us-east-1a) and 1 endpoint could not be resolved (i-gone), so if that zone fails the accelerator may have nowhere to route traffic."},
		{"no name: the ID names it", gatypes.Accelerator{AcceleratorArn: aws.String(globalacceleratorARN("abcd-1234"))}, globalacceleratorTopology{},
			"GLOBALACCELERATOR-2", true, "Global Accelerator abcd-1234 (standard) has no listeners, so it has nothing to route traffic to."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeGlobalAcceleratorStandard(c.acc, c.topo)
			globalacceleratorCheckFinding(t, f, c.check, c.risk, c.message, aws.ToString(c.acc.AcceleratorArn), aws.ToString(c.acc.Name))
		})
	}
}

func TestJudgeGlobalAcceleratorCustom(t *testing.T) {
	acc := func(name string) gatypes.CustomRoutingAccelerator {
		return gatypes.CustomRoutingAccelerator{AcceleratorArn: aws.String(globalacceleratorARN("cr-" + name)), Name: aws.String(name)}
	}
	topo := func(endpoints ...globalacceleratorEndpoint) globalacceleratorTopology {
		return globalacceleratorTopology{Listeners: 1, Groups: 1, Endpoints: endpoints}
	}
	cases := []struct {
		name    string
		acc     gatypes.CustomRoutingAccelerator
		topo    globalacceleratorTopology
		check   string
		risk    bool
		message string
	}{
		{"no listeners", acc("idle"), globalacceleratorTopology{},
			"GLOBALACCELERATOR-2", true, "Global Accelerator idle (custom routing) has no listeners, so it has nothing to route traffic to."},
		{"no subnets", acc("empty"), globalacceleratorTopology{Listeners: 1, Groups: 1},
			"GLOBALACCELERATOR-2", true, "Global Accelerator empty (custom routing) has 1 listener and 1 endpoint group but no subnets, so it has nothing to route traffic to."},
		{"two subnets in one AZ", acc("oneaz"), topo(globalacceleratorEP("subnet-a1", "us-east-1", "us-east-1a"), globalacceleratorEP("subnet-a2", "us-east-1", "us-east-1a")),
			"GLOBALACCELERATOR-3", true, "Global Accelerator oneaz (custom routing) routes to 2 subnets, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic."},
		{"subnets in two AZs", acc("twoaz"), topo(globalacceleratorEP("subnet-a1", "us-east-1", "us-east-1a"), globalacceleratorEP("subnet-b1", "us-east-1", "us-east-1b")),
			"GLOBALACCELERATOR-3", false, "Global Accelerator twoaz (custom routing) routes to 2 subnets in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b), so losing one zone leaves other subnets to route traffic to."},
		{"deleted subnet", acc("gone"), topo(globalacceleratorEP("subnet-gone", "us-east-1")),
			"GLOBALACCELERATOR-3", true, "Global Accelerator gone (custom routing) routes to 1 subnet, none of which could be resolved to an Availability Zone (subnet-gone)."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeGlobalAcceleratorCustom(c.acc, c.topo)
			globalacceleratorCheckFinding(t, f, c.check, c.risk, c.message, aws.ToString(c.acc.AcceleratorArn), aws.ToString(c.acc.Name))
		})
	}
}

func globalacceleratorCheckFinding(t *testing.T, f Finding, check string, risk bool, message, arn, name string) {
	t.Helper()
	if f.CheckID != check || f.Risk != risk || f.Message != message {
		t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, check, risk, message)
	}
	sev := map[string]Severity{"GLOBALACCELERATOR-1": SeverityHigh, "GLOBALACCELERATOR-2": SeverityMedium, "GLOBALACCELERATOR-3": SeverityHigh}[check]
	if f.Severity != sev {
		t.Errorf("severity %s, want %s", f.Severity, sev)
	}
	if f.ResourceARN != arn || f.ResourceName != name || f.ResourceID != globalacceleratorID(arn) || f.Engine != "" {
		t.Errorf("resource columns: %+v", f)
	}
}

func TestGlobalAcceleratorID(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh": "1234abcd-abcd-1234-abcd-1234abcdefgh",
		"arn:aws-cn:globalaccelerator::123456789012:accelerator/x":                                 "x",
		"": "",
	} {
		if got := globalacceleratorID(arn); got != want {
			t.Errorf("globalacceleratorID(%q) = %q, want %q", arn, got, want)
		}
	}
}

func TestGlobalAcceleratorBatches(t *testing.T) {
	ids := make([]string, 45)
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}
	b := globalacceleratorBatches(ids, 20)
	if len(b) != 3 || len(b[0]) != 20 || len(b[1]) != 20 || len(b[2]) != 5 || b[2][4] != "44" {
		t.Fatalf("batches: %v", b)
	}
	if globalacceleratorBatches(nil, 20) != nil {
		t.Fatal("no IDs must make no batch")
	}
}

// globalacceleratorPage serves pages[i] for token "i" (nil = page 0) and the
// token of the next page.
func globalacceleratorPage[T any](pages [][]T, token *string) ([]T, *string) {
	if len(pages) == 0 {
		return nil, nil
	}
	i := 0
	if token != nil {
		i, _ = strconv.Atoi(*token)
	}
	var next *string
	if i+1 < len(pages) {
		next = aws.String(strconv.Itoa(i + 1))
	}
	return pages[i], next
}

// globalacceleratorFake serves the Global Accelerator list calls from pages,
// keyed by accelerator or listener ARN; fail makes one operation fail for
// one key ("" = every key).
type globalacceleratorFake struct {
	accelerators    [][]gatypes.Accelerator
	listeners       map[string][][]gatypes.Listener
	groups          map[string][][]gatypes.EndpointGroup
	custom          [][]gatypes.CustomRoutingAccelerator
	customListeners map[string][][]gatypes.CustomRoutingListener
	customGroups    map[string][][]gatypes.CustomRoutingEndpointGroup
	fail            map[string]error
	calls           map[string]int
}

func (f *globalacceleratorFake) call(op, key string) error {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	if err := f.fail[op+" "+key]; err != nil {
		return err
	}
	return f.fail[op]
}

func (f *globalacceleratorFake) ListAccelerators(_ context.Context, in *globalaccelerator.ListAcceleratorsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListAcceleratorsOutput, error) {
	if err := f.call("ListAccelerators", ""); err != nil {
		return nil, err
	}
	items, next := globalacceleratorPage(f.accelerators, in.NextToken)
	return &globalaccelerator.ListAcceleratorsOutput{Accelerators: items, NextToken: next}, nil
}

func (f *globalacceleratorFake) ListListeners(_ context.Context, in *globalaccelerator.ListListenersInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListListenersOutput, error) {
	if err := f.call("ListListeners", aws.ToString(in.AcceleratorArn)); err != nil {
		return nil, err
	}
	items, next := globalacceleratorPage(f.listeners[aws.ToString(in.AcceleratorArn)], in.NextToken)
	return &globalaccelerator.ListListenersOutput{Listeners: items, NextToken: next}, nil
}

func (f *globalacceleratorFake) ListEndpointGroups(_ context.Context, in *globalaccelerator.ListEndpointGroupsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListEndpointGroupsOutput, error) {
	if err := f.call("ListEndpointGroups", aws.ToString(in.ListenerArn)); err != nil {
		return nil, err
	}
	items, next := globalacceleratorPage(f.groups[aws.ToString(in.ListenerArn)], in.NextToken)
	return &globalaccelerator.ListEndpointGroupsOutput{EndpointGroups: items, NextToken: next}, nil
}

func (f *globalacceleratorFake) ListCustomRoutingAccelerators(_ context.Context, in *globalaccelerator.ListCustomRoutingAcceleratorsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListCustomRoutingAcceleratorsOutput, error) {
	if err := f.call("ListCustomRoutingAccelerators", ""); err != nil {
		return nil, err
	}
	items, next := globalacceleratorPage(f.custom, in.NextToken)
	return &globalaccelerator.ListCustomRoutingAcceleratorsOutput{Accelerators: items, NextToken: next}, nil
}

func (f *globalacceleratorFake) ListCustomRoutingListeners(_ context.Context, in *globalaccelerator.ListCustomRoutingListenersInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListCustomRoutingListenersOutput, error) {
	if err := f.call("ListCustomRoutingListeners", aws.ToString(in.AcceleratorArn)); err != nil {
		return nil, err
	}
	items, next := globalacceleratorPage(f.customListeners[aws.ToString(in.AcceleratorArn)], in.NextToken)
	return &globalaccelerator.ListCustomRoutingListenersOutput{Listeners: items, NextToken: next}, nil
}

func (f *globalacceleratorFake) ListCustomRoutingEndpointGroups(_ context.Context, in *globalaccelerator.ListCustomRoutingEndpointGroupsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListCustomRoutingEndpointGroupsOutput, error) {
	if err := f.call("ListCustomRoutingEndpointGroups", aws.ToString(in.ListenerArn)); err != nil {
		return nil, err
	}
	items, next := globalacceleratorPage(f.customGroups[aws.ToString(in.ListenerArn)], in.NextToken)
	return &globalaccelerator.ListCustomRoutingEndpointGroupsOutput{EndpointGroups: items, NextToken: next}, nil
}

// globalacceleratorInstance is one fake EC2 instance.
type globalacceleratorInstance struct {
	id, az string
	state  ec2types.InstanceStateName
}

// globalacceleratorRegionFake serves one region's EC2 and ELBv2 reads,
// honouring the ID filters, one reservation / ENI / load balancer per page
// so that callers must paginate. Each reservation holds two instances.
type globalacceleratorRegionFake struct {
	*fakeSubnets
	instances []globalacceleratorInstance
	addresses []ec2types.Address
	enis      map[string]string
	lbs       map[string][]string
	fail      map[string]error
	calls     map[string]int
}

func (f *globalacceleratorRegionFake) call(op string) error {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	return f.fail[op]
}

func globalacceleratorFilter(filters []ec2types.Filter, name string) map[string]bool {
	out := map[string]bool{}
	for _, flt := range filters {
		if aws.ToString(flt.Name) == name {
			for _, v := range flt.Values {
				out[v] = true
			}
		}
	}
	return out
}

func (f *globalacceleratorRegionFake) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	if err := f.call("DescribeInstances"); err != nil {
		return nil, err
	}
	if len(in.InstanceIds) > 0 {
		return nil, fmt.Errorf("the resolver must filter by instance-id, not pass InstanceIds")
	}
	want := globalacceleratorFilter(in.Filters, "instance-id")
	var pages [][]ec2types.Reservation
	var res *ec2types.Reservation
	for _, i := range f.instances {
		if !want[i.id] {
			continue
		}
		if res == nil || len(res.Instances) == 2 {
			pages = append(pages, []ec2types.Reservation{{}})
			res = &pages[len(pages)-1][0]
		}
		inst := ec2types.Instance{InstanceId: aws.String(i.id), Placement: &ec2types.Placement{AvailabilityZone: aws.String(i.az)}}
		if i.state != "" {
			inst.State = &ec2types.InstanceState{Name: i.state}
		}
		res.Instances = append(res.Instances, inst)
	}
	items, next := globalacceleratorPage(pages, in.NextToken)
	return &ec2.DescribeInstancesOutput{Reservations: items, NextToken: next}, nil
}

func (f *globalacceleratorRegionFake) DescribeAddresses(_ context.Context, in *ec2.DescribeAddressesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	if err := f.call("DescribeAddresses"); err != nil {
		return nil, err
	}
	want := globalacceleratorFilter(in.Filters, "allocation-id")
	out := &ec2.DescribeAddressesOutput{}
	for _, a := range f.addresses {
		if want[aws.ToString(a.AllocationId)] {
			out.Addresses = append(out.Addresses, a)
		}
	}
	return out, nil
}

func (f *globalacceleratorRegionFake) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	if err := f.call("DescribeNetworkInterfaces"); err != nil {
		return nil, err
	}
	want := globalacceleratorFilter(in.Filters, "network-interface-id")
	var pages [][]ec2types.NetworkInterface
	for _, id := range distinct(globalacceleratorKeys(f.enis)...) {
		if want[id] {
			pages = append(pages, []ec2types.NetworkInterface{{NetworkInterfaceId: aws.String(id), AvailabilityZone: aws.String(f.enis[id])}})
		}
	}
	items, next := globalacceleratorPage(pages, in.NextToken)
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: items, NextToken: next}, nil
}

func globalacceleratorKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// DescribeLoadBalancers fails the whole call with LoadBalancerNotFound when
// one ARN is unknown, as ELBv2 does.
func (f *globalacceleratorRegionFake) DescribeLoadBalancers(_ context.Context, in *elasticloadbalancingv2.DescribeLoadBalancersInput, _ ...func(*elasticloadbalancingv2.Options)) (*elasticloadbalancingv2.DescribeLoadBalancersOutput, error) {
	if err := f.call("DescribeLoadBalancers"); err != nil {
		return nil, err
	}
	if len(in.LoadBalancerArns) > 20 {
		return nil, fmt.Errorf("more than 20 ARNs")
	}
	var pages [][]elbtypes.LoadBalancer
	for _, arn := range in.LoadBalancerArns {
		zones, ok := f.lbs[arn]
		if !ok {
			return nil, &elbtypes.LoadBalancerNotFoundException{Message: aws.String("One or more load balancers not found")}
		}
		lb := elbtypes.LoadBalancer{LoadBalancerArn: aws.String(arn)}
		for _, z := range zones {
			lb.AvailabilityZones = append(lb.AvailabilityZones, elbtypes.AvailabilityZone{ZoneName: aws.String(z), SubnetId: aws.String("subnet-" + z)})
		}
		pages = append(pages, []elbtypes.LoadBalancer{lb})
	}
	items, next := globalacceleratorPage(pages, in.Marker)
	return &elasticloadbalancingv2.DescribeLoadBalancersOutput{LoadBalancers: items, NextMarker: next}, nil
}

// globalacceleratorRegions is a factory over fakes that counts how often
// each region's clients are built.
type globalacceleratorRegions struct {
	fakes map[string]*globalacceleratorRegionFake
	built map[string]int
}

func (r *globalacceleratorRegions) factory(region string) globalacceleratorRegionAPI {
	if r.built == nil {
		r.built = map[string]int{}
	}
	r.built[region]++
	f, ok := r.fakes[region]
	if !ok {
		f = &globalacceleratorRegionFake{fakeSubnets: &fakeSubnets{}}
		r.fakes[region] = f
	}
	return f
}

func globalacceleratorStd(name string) gatypes.Accelerator {
	return gatypes.Accelerator{AcceleratorArn: aws.String(globalacceleratorARN("id-" + name)), Name: aws.String(name)}
}

func globalacceleratorListener(acc, n string) gatypes.Listener {
	return gatypes.Listener{ListenerArn: aws.String(globalacceleratorARN(acc) + "/listener/" + n)}
}

func globalacceleratorGroup(region string, ids ...string) gatypes.EndpointGroup {
	g := gatypes.EndpointGroup{EndpointGroupRegion: aws.String(region)}
	for _, id := range ids {
		g.EndpointDescriptions = append(g.EndpointDescriptions, gatypes.EndpointDescription{EndpointId: aws.String(id)})
	}
	return g
}

// globalacceleratorEstate is a two-region estate where every list call,
// every regional Describe call and the accelerators themselves span two
// pages, with every kind of endpoint.
func globalacceleratorEstate() (*globalacceleratorFake, *globalacceleratorRegions) {
	alb := globalacceleratorLBARN("us-east-1", "app", "alb")
	nlb := globalacceleratorLBARN("us-east-1", "net", "nlb")
	albGone := globalacceleratorLBARN("us-east-1", "app", "gone")
	albOther := "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/theirs/1"
	ga := &globalacceleratorFake{
		accelerators: [][]gatypes.Accelerator{
			{globalacceleratorStd("p1-mixed"), globalacceleratorStd("p1-idle")},
			{globalacceleratorStd("p2-oneaz"), globalacceleratorStd("p2-tworegions")},
		},
		listeners: map[string][][]gatypes.Listener{
			// Two pages of listeners, the second with two endpoint-group pages.
			globalacceleratorARN("id-p1-mixed"): {
				{globalacceleratorListener("id-p1-mixed", "l1")},
				{globalacceleratorListener("id-p1-mixed", "l2")},
			},
			globalacceleratorARN("id-p2-oneaz"):      {{globalacceleratorListener("id-p2-oneaz", "l1")}},
			globalacceleratorARN("id-p2-tworegions"): {{globalacceleratorListener("id-p2-tworegions", "l1")}},
		},
		groups: map[string][][]gatypes.EndpointGroup{
			globalacceleratorARN("id-p1-mixed") + "/listener/l1": {{globalacceleratorGroup("us-east-1", "i-a1", "eipalloc-eni-b")}},
			globalacceleratorARN("id-p1-mixed") + "/listener/l2": {
				{globalacceleratorGroup("us-east-1", "i-a1", "i-b2", "i-dead", "i-missing")},
				{globalacceleratorGroup("us-east-1", alb, albGone, albOther, nlb, "eipalloc-free", "eipalloc-missing", "eipalloc-inst-a", "something-new"),
					globalacceleratorGroup("")},
			},
			// Page 2: the same instance (cached) and the single-AZ NLB.
			globalacceleratorARN("id-p2-oneaz") + "/listener/l1": {{globalacceleratorGroup("us-east-1", "i-a1", nlb, "eipalloc-inst-a")}},
			globalacceleratorARN("id-p2-tworegions") + "/listener/l1": {
				{globalacceleratorGroup("us-east-1", "i-a1")},
				{globalacceleratorGroup("eu-west-1", "i-eu")},
			},
		},
		custom: [][]gatypes.CustomRoutingAccelerator{
			{{AcceleratorArn: aws.String(globalacceleratorARN("cr-one")), Name: aws.String("cr-one")}},
			{{AcceleratorArn: aws.String(globalacceleratorARN("cr-two")), Name: aws.String("cr-two")}},
		},
		customListeners: map[string][][]gatypes.CustomRoutingListener{
			globalacceleratorARN("cr-one"): {{{ListenerArn: aws.String("cr-one/l1")}}},
			globalacceleratorARN("cr-two"): {{{ListenerArn: aws.String("cr-two/l1")}}, {{ListenerArn: aws.String("cr-two/l2")}}},
		},
		customGroups: map[string][][]gatypes.CustomRoutingEndpointGroup{
			"cr-one/l1": {{{EndpointGroupRegion: aws.String("us-east-1"), EndpointDescriptions: []gatypes.CustomRoutingEndpointDescription{
				{EndpointId: aws.String("subnet-a1")}, {EndpointId: aws.String("subnet-a2")}}}}},
			"cr-two/l1": {{{EndpointGroupRegion: aws.String("us-east-1"), EndpointDescriptions: []gatypes.CustomRoutingEndpointDescription{
				{EndpointId: aws.String("subnet-a1")}}}}},
			"cr-two/l2": {{}, {{EndpointGroupRegion: aws.String("us-east-1"), EndpointDescriptions: []gatypes.CustomRoutingEndpointDescription{
				{EndpointId: aws.String("subnet-b1")}, {EndpointId: aws.String("subnet-gone")}}}}},
		},
	}
	regions := &globalacceleratorRegions{fakes: map[string]*globalacceleratorRegionFake{
		"us-east-1": {
			fakeSubnets: &fakeSubnets{az: testSubnetAZs},
			instances: []globalacceleratorInstance{
				{id: "i-other", az: "us-east-1c"}, {id: "i-a1", az: "us-east-1a", state: ec2types.InstanceStateNameRunning},
				{id: "i-inst-a", az: "us-east-1a"}, {id: "i-b2", az: "us-east-1b", state: ec2types.InstanceStateNameStopped},
				{id: "i-dead", az: "us-east-1b", state: ec2types.InstanceStateNameTerminated},
			},
			addresses: []ec2types.Address{
				{AllocationId: aws.String("eipalloc-eni-b"), NetworkInterfaceId: aws.String("eni-b")},
				{AllocationId: aws.String("eipalloc-inst-a"), InstanceId: aws.String("i-inst-a"), NetworkInterfaceId: aws.String("eni-of-inst-a")},
				{AllocationId: aws.String("eipalloc-free")},
			},
			enis: map[string]string{"eni-b": "us-east-1b", "eni-x": "us-east-1c"},
			lbs:  map[string][]string{alb: {"us-east-1a", "us-east-1b"}, nlb: {"us-east-1a"}},
		},
		"eu-west-1": {
			fakeSubnets: &fakeSubnets{},
			instances:   []globalacceleratorInstance{{id: "i-eu", az: "eu-west-1a"}},
		},
	}}
	return ga, regions
}

func TestAnalyseGlobalAcceleratorReadsEveryPage(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	var got []Finding
	err := analyseGlobalAccelerator(context.Background(), ga, regions.factory, Target{AccountID: globalacceleratorAccount, Partition: "aws", Region: GlobalRegion}, collect(&got))
	if err != nil {
		t.Fatal(err)
	}
	albGone := globalacceleratorLBARN("us-east-1", "app", "gone")
	albOther := "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/theirs/1"
	want := []struct{ name, check, message string }{
		{"p1-mixed", "GLOBALACCELERATOR-1", "Global Accelerator p1-mixed (standard) routes to 13 endpoints in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b), " +
			"so losing one zone leaves other endpoints to route traffic to; 7 endpoints could not be resolved (" +
			list(distinct(albGone, albOther, "eipalloc-free", "eipalloc-missing", "i-dead", "i-missing", "something-new")) + ")."},
		{"p1-idle", "GLOBALACCELERATOR-2", "Global Accelerator p1-idle (standard) has no listeners, so it has nothing to route traffic to."},
		{"p2-oneaz", "GLOBALACCELERATOR-1", "Global Accelerator p2-oneaz (standard) routes to 3 endpoints, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic."},
		{"p2-tworegions", "GLOBALACCELERATOR-1", "Global Accelerator p2-tworegions (standard) routes to 2 endpoints in 2 regions (eu-west-1, us-east-1) across 2 Availability Zones (eu-west-1a, us-east-1a), so losing one zone leaves other endpoints to route traffic to."},
		{"cr-one", "GLOBALACCELERATOR-3", "Global Accelerator cr-one (custom routing) routes to 2 subnets, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic."},
		{"cr-two", "GLOBALACCELERATOR-3", "Global Accelerator cr-two (custom routing) routes to 3 subnets in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b), so losing one zone leaves other subnets to route traffic to; 1 subnet could not be resolved (subnet-gone)."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Message != w.message {
			t.Errorf("finding %d:\n got  %s %s %q\n want %s %s %q", i, got[i].ResourceName, got[i].CheckID, got[i].Message, w.name, w.check, w.message)
		}
	}
	// One set of clients per endpoint-group region, built once, and every
	// lookup cached for the task: p2-oneaz and p2-tworegions reuse what
	// p1-mixed read. The cross-account ARN is never asked for; the batch of
	// three ARNs holding a deleted one fails and is retried one ARN at a time.
	if regions.built["us-east-1"] != 1 || regions.built["eu-west-1"] != 1 || len(regions.built) != 2 {
		t.Errorf("regional clients built: %v", regions.built)
	}
	wantCalls := map[string]int{"DescribeLoadBalancers": 1 + 3, "DescribeAddresses": 1, "DescribeNetworkInterfaces": 1,
		"DescribeInstances": 2} // two pages of reservations
	for op, n := range wantCalls {
		if got := regions.fakes["us-east-1"].calls[op]; got != n {
			t.Errorf("us-east-1 %s: %d calls, want %d", op, got, n)
		}
	}
	if got := regions.fakes["us-east-1"].fakeSubnets.calls; got != 3 {
		t.Errorf("us-east-1 DescribeSubnets: %d calls, want 3 (one subnet per page, then cached)", got)
	}
	if got := ga.calls["ListListeners"]; got != 2+1+1+1 {
		t.Errorf("ListListeners: %d calls, want 5 (two pages for p1-mixed)", got)
	}
}

func TestAnalyseGlobalAcceleratorAccessDenied(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	ga.fail = map[string]error{"ListAccelerators": accessDenied("AccessDeniedException")}
	var got []Finding
	err := analyseGlobalAccelerator(context.Background(), ga, regions.factory, Target{AccountID: globalacceleratorAccount}, collect(&got))
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 0 || len(regions.built) != 0 {
		t.Fatalf("findings or regional clients after a denied list: %+v %v", got, regions.built)
	}
}

// A failure after the first accelerators keeps the findings already emitted
// and returns the API error unchanged.
func TestAnalyseGlobalAcceleratorLaterFailureKeepsFindings(t *testing.T) {
	cases := []struct {
		name   string
		fail   map[string]error
		region map[string]map[string]error
		code   string
		kept   []string
	}{
		{"listeners of the second accelerator", map[string]error{"ListListeners " + globalacceleratorARN("id-p1-idle"): accessDenied("AccessDeniedException")}, nil,
			"AccessDeniedException", []string{"p1-mixed"}},
		{"endpoint groups of a page-2 accelerator", map[string]error{"ListEndpointGroups " + globalacceleratorARN("id-p2-oneaz") + "/listener/l1": accessDenied("ThrottlingException")}, nil,
			"ThrottlingException", []string{"p1-mixed", "p1-idle"}},
		{"instances in the second region", nil, map[string]map[string]error{"eu-west-1": {"DescribeInstances": accessDenied("UnauthorizedOperation")}},
			"UnauthorizedOperation", []string{"p1-mixed", "p1-idle", "p2-oneaz"}},
		{"load balancers", nil, map[string]map[string]error{"us-east-1": {"DescribeLoadBalancers": accessDenied("AccessDenied")}},
			"AccessDenied", nil},
		{"addresses", nil, map[string]map[string]error{"us-east-1": {"DescribeAddresses": accessDenied("UnauthorizedOperation")}},
			"UnauthorizedOperation", nil},
		{"network interfaces", nil, map[string]map[string]error{"us-east-1": {"DescribeNetworkInterfaces": accessDenied("UnauthorizedOperation")}},
			"UnauthorizedOperation", nil},
		{"custom routing accelerators", map[string]error{"ListCustomRoutingAccelerators": accessDenied("AccessDeniedException")}, nil,
			"AccessDeniedException", []string{"p1-mixed", "p1-idle", "p2-oneaz", "p2-tworegions"}},
		{"custom routing listeners", map[string]error{"ListCustomRoutingListeners " + globalacceleratorARN("cr-two"): accessDenied("AccessDeniedException")}, nil,
			"AccessDeniedException", []string{"p1-mixed", "p1-idle", "p2-oneaz", "p2-tworegions", "cr-one"}},
		{"custom routing endpoint groups", map[string]error{"ListCustomRoutingEndpointGroups cr-one/l1": accessDenied("AccessDeniedException")}, nil,
			"AccessDeniedException", []string{"p1-mixed", "p1-idle", "p2-oneaz", "p2-tworegions"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ga, regions := globalacceleratorEstate()
			ga.fail = c.fail
			for region, fail := range c.region {
				regions.fakes[region].fail = fail
			}
			var got []Finding
			err := analyseGlobalAccelerator(context.Background(), ga, regions.factory, Target{AccountID: globalacceleratorAccount}, collect(&got))
			requireCode(t, err, c.code)
			var names []string
			for _, f := range got {
				names = append(names, f.ResourceName)
			}
			if fmt.Sprint(names) != fmt.Sprint(c.kept) {
				t.Errorf("kept %v, want %v", names, c.kept)
			}
		})
	}
}

func TestAnalyseGlobalAcceleratorSubnetFailure(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	regions.fakes["us-east-1"].fakeSubnets.err = accessDenied("UnauthorizedOperation")
	var got []Finding
	err := analyseGlobalAccelerator(context.Background(), ga, regions.factory, Target{AccountID: globalacceleratorAccount}, collect(&got))
	requireCode(t, err, "UnauthorizedOperation")
	if len(got) != 4 {
		t.Fatalf("the standard accelerators must be kept: %+v", got)
	}
}

// Many endpoints are read in batches: 200 IDs per EC2 filter, 20 ARNs per
// DescribeLoadBalancers call.
func TestGlobalAcceleratorResolverBatches(t *testing.T) {
	fake := &globalacceleratorRegionFake{fakeSubnets: &fakeSubnets{}, lbs: map[string][]string{}}
	var ids []string
	for i := 0; i < 250; i++ {
		id := fmt.Sprintf("i-%03d", i)
		fake.instances = append(fake.instances, globalacceleratorInstance{id: id, az: "us-east-1a"})
		ids = append(ids, id)
	}
	for i := 0; i < 25; i++ {
		arn := globalacceleratorLBARN("us-east-1", "net", fmt.Sprintf("n%02d", i))
		fake.lbs[arn] = []string{"us-east-1b"}
		ids = append(ids, arn)
	}
	r := globalacceleratorNewResolver(fake, globalacceleratorAccount)
	if err := r.resolve(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if len(r.azs(id)) != 1 {
			t.Fatalf("%s not resolved", id)
		}
	}
	// 250 instances in reservations of two, one per page: 100 + 25 pages.
	if fake.calls["DescribeInstances"] != 125 || fake.calls["DescribeLoadBalancers"] != 25 {
		t.Errorf("calls: %v", fake.calls)
	}
}
