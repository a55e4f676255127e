package analysers

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/faultline/faultline/inventory"
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
		azs     []string
	}{
		{"no listeners", std("idle"), globalacceleratorTopology{},
			"GLOBALACCELERATOR-2", true, "Global Accelerator idle (standard) has no listeners, so it has nothing to route traffic to.", nil},
		{"listeners without endpoint groups", std("nogroups"), globalacceleratorTopology{Listeners: 2},
			"GLOBALACCELERATOR-2", true, "Global Accelerator nogroups (standard) has 2 listeners but no endpoint groups, so it has nothing to route traffic to.", nil},
		{"endpoint groups without endpoints", std("empty"), globalacceleratorTopology{Listeners: 1, Groups: 2},
			"GLOBALACCELERATOR-2", true, "Global Accelerator empty (standard) has 1 listener and 2 endpoint groups but no endpoints, so it has nothing to route traffic to.", nil},
		{"one instance", std("single"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator single (standard) routes to 1 endpoint, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic.", []string{"us-east-1a"}},
		{"instance, EIP and NLB in one AZ", std("oneaz"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"),
			globalacceleratorEP("eipalloc-1", "us-east-1", "us-east-1a"), globalacceleratorEP(globalacceleratorLBARN("us-east-1", "net", "nlb"), "us-east-1", "us-east-1a")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator oneaz (standard) routes to 3 endpoints, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic.", []string{"us-east-1a"}},
		{"one AZ and an unresolved endpoint", std("partial"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-gone", "us-east-1")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator partial (standard) routes to 2 endpoints; those that could be resolved are all in one Availability Zone (us-east-1a) and 1 endpoint could not be resolved (i-gone), so if that zone fails the accelerator may have nowhere to route traffic.", []string{"us-east-1a"}},
		{"nothing resolved", std("lost"), topo(globalacceleratorEP("i-gone", "us-east-1"), globalacceleratorEP("eipalloc-gone", "us-east-1")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator lost (standard) routes to 2 endpoints, none of which could be resolved to an Availability Zone (eipalloc-gone, i-gone).", nil},
		{"ALB across two AZs", std("alb"), topo(globalacceleratorEP(alb, "us-east-1", "us-east-1a", "us-east-1b")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator alb (standard) routes to 1 endpoint in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b)" + survive + ".", []string{"us-east-1a", "us-east-1b"}},
		{"instances in two AZs", std("twoaz"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-2", "us-east-1", "us-east-1b")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator twoaz (standard) routes to 2 endpoints in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b)" + survive + ".", []string{"us-east-1a", "us-east-1b"}},
		{"two AZs and an unresolved endpoint", std("twoazgone"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"),
			globalacceleratorEP("i-2", "us-east-1", "us-east-1b"), globalacceleratorEP("i-gone", "us-east-1")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator twoazgone (standard) routes to 3 endpoints in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b)" + survive + "; 1 endpoint could not be resolved (i-gone).", []string{"us-east-1a", "us-east-1b"}},
		{"two regions", std("tworegions"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-9", "eu-west-1", "eu-west-1a")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator tworegions (standard) routes to 2 endpoints in 2 regions (eu-west-1, us-east-1) across 2 Availability Zones (eu-west-1a, us-east-1a)" + survive + ".", []string{"eu-west-1a", "us-east-1a"}},
		{"two regions and unresolved endpoints", std("tworegionsgone"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"),
			globalacceleratorEP("i-9", "eu-west-1", "eu-west-1a"), globalacceleratorEP("i-gone", "eu-west-1"), globalacceleratorEP("x-odd", "")),
			"GLOBALACCELERATOR-1", false, "Global Accelerator tworegionsgone (standard) routes to 4 endpoints in 2 regions (eu-west-1, us-east-1) across 2 Availability Zones (eu-west-1a, us-east-1a)" + survive + "; 2 endpoints could not be resolved (i-gone, x-odd).", []string{"eu-west-1a", "us-east-1a"}},
		{"a second region with nothing resolved is not a second region", std("deadregion"), topo(globalacceleratorEP("i-1", "us-east-1", "us-east-1a"), globalacceleratorEP("i-gone", "eu-west-1")),
			"GLOBALACCELERATOR-1", true, "Global Accelerator deadregion (standard) routes to 2 endpoints; those that could be resolved are all in one Availability Zone (us-east-1a) and 1 endpoint could not be resolved (i-gone), so if that zone fails the accelerator may have nowhere to route traffic.", []string{"us-east-1a"}},
		{"no name: the ID names it", gatypes.Accelerator{AcceleratorArn: aws.String(globalacceleratorARN("abcd-1234"))}, globalacceleratorTopology{},
			"GLOBALACCELERATOR-2", true, "Global Accelerator abcd-1234 (standard) has no listeners, so it has nothing to route traffic to.", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeGlobalAcceleratorStandard(c.acc, c.topo)
			globalacceleratorCheckFinding(t, f, c.check, c.risk, c.message, aws.ToString(c.acc.AcceleratorArn), aws.ToString(c.acc.Name))
			// These endpoints report no zone IDs: the engine looks them up.
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no IDs", f.AZs, f.AZIDs, c.azs)
			}
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
		azs     []string
	}{
		{"no listeners", acc("idle"), globalacceleratorTopology{},
			"GLOBALACCELERATOR-2", true, "Global Accelerator idle (custom routing) has no listeners, so it has nothing to route traffic to.", nil},
		{"no subnets", acc("empty"), globalacceleratorTopology{Listeners: 1, Groups: 1},
			"GLOBALACCELERATOR-2", true, "Global Accelerator empty (custom routing) has 1 listener and 1 endpoint group but no subnets, so it has nothing to route traffic to.", nil},
		{"two subnets in one AZ", acc("oneaz"), topo(globalacceleratorEP("subnet-a1", "us-east-1", "us-east-1a"), globalacceleratorEP("subnet-a2", "us-east-1", "us-east-1a")),
			"GLOBALACCELERATOR-3", true, "Global Accelerator oneaz (custom routing) routes to 2 subnets, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic.", []string{"us-east-1a"}},
		{"subnets in two AZs", acc("twoaz"), topo(globalacceleratorEP("subnet-a1", "us-east-1", "us-east-1a"), globalacceleratorEP("subnet-b1", "us-east-1", "us-east-1b")),
			"GLOBALACCELERATOR-3", false, "Global Accelerator twoaz (custom routing) routes to 2 subnets in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b), so losing one zone leaves other subnets to route traffic to.", []string{"us-east-1a", "us-east-1b"}},
		{"deleted subnet", acc("gone"), topo(globalacceleratorEP("subnet-gone", "us-east-1")),
			"GLOBALACCELERATOR-3", true, "Global Accelerator gone (custom routing) routes to 1 subnet, none of which could be resolved to an Availability Zone (subnet-gone).", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeGlobalAcceleratorCustom(c.acc, c.topo)
			globalacceleratorCheckFinding(t, f, c.check, c.risk, c.message, aws.ToString(c.acc.AcceleratorArn), aws.ToString(c.acc.Name))
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

// Zone IDs are given when an endpoint reported the ID of every zone, from
// whichever endpoint in that zone reported it (an ALB reports names only).
func TestJudgeGlobalAcceleratorZoneIDs(t *testing.T) {
	acc := gatypes.Accelerator{AcceleratorArn: aws.String(globalacceleratorARN("ids")), Name: aws.String("ids")}
	alb := globalacceleratorEndpoint{ID: globalacceleratorLBARN("us-east-1", "app", "web"), Region: "us-east-1", AZs: []string{"us-east-1a", "us-east-1b"}}
	inA := globalacceleratorEndpoint{ID: "i-1", Region: "us-east-1", AZs: []string{"us-east-1a"}, AZIDs: []string{"use1-az1"}}
	inB := globalacceleratorEndpoint{ID: "i-2", Region: "us-east-1", AZs: []string{"us-east-1b"}, AZIDs: []string{"use1-az2"}}
	cases := []struct {
		name      string
		endpoints []globalacceleratorEndpoint
		azIDs     []string
	}{
		{"every zone's ID reported", []globalacceleratorEndpoint{alb, inA, inB}, []string{"use1-az1", "use1-az2"}},
		{"one zone's ID missing", []globalacceleratorEndpoint{alb, inA}, nil},
		{"names only", []globalacceleratorEndpoint{alb}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeGlobalAcceleratorStandard(acc, globalacceleratorTopology{Listeners: 1, Groups: 1, Endpoints: c.endpoints})
			if !slices.Equal(f.AZs, []string{"us-east-1a", "us-east-1b"}) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want [us-east-1a us-east-1b] %v", f.AZs, f.AZIDs, c.azIDs)
			}
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
	if f.ResourceARN != arn || f.ResourceName != name || f.ResourceID != globalacceleratorID(arn) || f.Engine != "" ||
		f.ResourceType != "AWS::GlobalAccelerator::Accelerator" {
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

// globalacceleratorRegionFake is one region's EC2 and ELBv2 resources, with
// the error each listing fails with (by operation). It serves
// DescribeAddresses, the analyser's own kind, in one answer (the call does
// not page); the instances, network interfaces and load balancers are the
// inventory's kinds, whose loaders the inventory tests.
type globalacceleratorRegionFake struct {
	instances []ec2types.Instance
	addresses []ec2types.Address
	enis      []ec2types.NetworkInterface
	lbs       []elbtypes.LoadBalancer
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

func (f *globalacceleratorRegionFake) DescribeAddresses(context.Context, *ec2.DescribeAddressesInput, ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	if err := f.call("DescribeAddresses"); err != nil {
		return nil, err
	}
	return &ec2.DescribeAddressesOutput{Addresses: f.addresses}, nil
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

// globalacceleratorInstance is an instance in zone az (with its ID when
// azID is set), in state (none when empty).
func globalacceleratorInstance(id, az, azID string, state ec2types.InstanceStateName) ec2types.Instance {
	in := ec2types.Instance{InstanceId: aws.String(id), Placement: &ec2types.Placement{AvailabilityZone: aws.String(az)}}
	if azID != "" {
		in.Placement.AvailabilityZoneId = aws.String(azID)
	}
	if state != "" {
		in.State = &ec2types.InstanceState{Name: state}
	}
	return in
}

func globalacceleratorLB(arn string, zones ...string) elbtypes.LoadBalancer {
	lb := elbtypes.LoadBalancer{LoadBalancerArn: aws.String(arn)}
	for _, z := range zones {
		lb.AvailabilityZones = append(lb.AvailabilityZones, elbtypes.AvailabilityZone{ZoneName: aws.String(z), SubnetId: aws.String("subnet-" + z)})
	}
	return lb
}

// globalacceleratorEstate is a two-region estate where every list call and
// the accelerators themselves span two pages, with every kind of endpoint;
// regions holds each region's EC2 and ELBv2 resources.
func globalacceleratorEstate() (*globalacceleratorFake, map[string]*globalacceleratorRegionFake) {
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
			// Page 2: the same instance and the single-AZ NLB.
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
	regions := map[string]*globalacceleratorRegionFake{
		"us-east-1": {
			instances: []ec2types.Instance{
				globalacceleratorInstance("i-other", "us-east-1c", "use1-az3", ""),
				globalacceleratorInstance("i-a1", "us-east-1a", "use1-az1", ec2types.InstanceStateNameRunning),
				globalacceleratorInstance("i-inst-a", "us-east-1a", "use1-az1", ""),
				globalacceleratorInstance("i-b2", "us-east-1b", "use1-az2", ec2types.InstanceStateNameStopped),
				globalacceleratorInstance("i-dead", "us-east-1b", "use1-az2", ec2types.InstanceStateNameTerminated),
			},
			addresses: []ec2types.Address{
				{AllocationId: aws.String("eipalloc-eni-b"), NetworkInterfaceId: aws.String("eni-b")},
				{AllocationId: aws.String("eipalloc-inst-a"), InstanceId: aws.String("i-inst-a"), NetworkInterfaceId: aws.String("eni-of-inst-a")},
				{AllocationId: aws.String("eipalloc-free")},
			},
			enis: []ec2types.NetworkInterface{
				{NetworkInterfaceId: aws.String("eni-b"), AvailabilityZone: aws.String("us-east-1b"), AvailabilityZoneId: aws.String("use1-az2")},
				{NetworkInterfaceId: aws.String("eni-x"), AvailabilityZone: aws.String("us-east-1c")},
			},
			lbs: []elbtypes.LoadBalancer{globalacceleratorLB(alb, "us-east-1a", "us-east-1b"), globalacceleratorLB(nlb, "us-east-1a")},
		},
		// eu-west-1 reports no zone IDs.
		"eu-west-1": {instances: []ec2types.Instance{globalacceleratorInstance("i-eu", "eu-west-1a", "", "")}},
	}
	return ga, regions
}

// globalacceleratorScope is a fixture of the global scope of the test
// account: the accelerators as the loaders read them from ga (with the
// error they ended on), and in each region the listings of regions (the
// addresses as their loader reads them). The kinds each region holds are those its endpoints need: eu-west-1
// holds instances only, so reading anything else there fails the test.
func globalacceleratorScope(t *testing.T, ga *globalacceleratorFake, regions map[string]*globalacceleratorRegionFake) *inventory.Scope {
	t.Helper()
	ctx := context.Background()
	s := inventory.NewFixture().Scope(inventory.Account{ID: globalacceleratorAccount, Partition: "aws"}, inventory.GlobalRegion)
	var std []globalacceleratorStandard
	err := loadGlobalAccelerators(ctx, ga, func(a globalacceleratorStandard) { std = append(std, a) })
	inventory.Put(s, globalacceleratorAccelerators, std, err)
	var custom []globalacceleratorCustom
	err = loadGlobalAcceleratorCustom(ctx, ga, func(a globalacceleratorCustom) { custom = append(custom, a) })
	inventory.Put(s, globalacceleratorCustomAccelerators, custom, err)

	east, eu := regions["us-east-1"], regions["eu-west-1"]
	rs := s.In("us-east-1")
	inventory.Put(rs, globalacceleratorInstances, east.instances, east.fail["DescribeInstances"])
	globalacceleratorPutLoaded(t, rs, globalacceleratorAddresses, east, loadGlobalAcceleratorAddresses)
	inventory.Put(rs, globalacceleratorENIs, east.enis, east.fail["DescribeNetworkInterfaces"])
	inventory.Put(rs, globalacceleratorLBs, east.lbs, east.fail["DescribeLoadBalancers"])
	inventory.Put(rs, inventory.Subnets, testSubnets, nil)
	inventory.Put(s.In("eu-west-1"), globalacceleratorInstances, eu.instances, eu.fail["DescribeInstances"])
	return s
}

// globalacceleratorPutLoaded puts in s what load reads from fake.
func globalacceleratorPutLoaded[T, API any](t *testing.T, s *inventory.Scope, k *inventory.Kind[T], fake any, load func(context.Context, API, func(T)) error) {
	t.Helper()
	items, err := globalacceleratorLoad(t, fake, load)
	inventory.Put(s, k, items, err)
}

// globalacceleratorLoad runs a regional loader over a fake (which must
// implement the loader's interface).
func globalacceleratorLoad[T, API any](t *testing.T, fake any, load func(context.Context, API, func(T)) error) ([]T, error) {
	t.Helper()
	var items []T
	err := load(context.Background(), fake.(API), func(item T) { items = append(items, item) })
	return items, err
}

func TestLoadGlobalAcceleratorsReadsEveryPage(t *testing.T) {
	ga, _ := globalacceleratorEstate()
	var std []globalacceleratorStandard
	if err := loadGlobalAccelerators(context.Background(), ga, func(a globalacceleratorStandard) { std = append(std, a) }); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range std {
		groups := 0
		for _, l := range a.Listeners {
			groups += len(l.EndpointGroups)
		}
		got = append(got, fmt.Sprintf("%s:%d/%d", aws.ToString(a.Accelerator.Name), len(a.Listeners), groups))
	}
	if want := []string{"p1-mixed:2/4", "p1-idle:0/0", "p2-oneaz:1/1", "p2-tworegions:1/2"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v (accelerator:listeners/groups)", got, want)
	}
	if n := ga.calls["ListListeners"]; n != 2+1+1+1 {
		t.Errorf("ListListeners: %d calls, want 5 (two pages for p1-mixed)", n)
	}
	if n := ga.calls["ListEndpointGroups"]; n != 1+2+1+2 {
		t.Errorf("ListEndpointGroups: %d calls, want 6", n)
	}

	var custom []globalacceleratorCustom
	if err := loadGlobalAcceleratorCustom(context.Background(), ga, func(a globalacceleratorCustom) { custom = append(custom, a) }); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, a := range custom {
		groups := 0
		for _, l := range a.Listeners {
			groups += len(l.EndpointGroups)
		}
		got = append(got, fmt.Sprintf("%s:%d/%d", aws.ToString(a.Accelerator.Name), len(a.Listeners), groups))
	}
	if want := []string{"cr-one:1/1", "cr-two:2/2"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v (accelerator:listeners/groups)", got, want)
	}
}

// A denied listing hands over nothing; a failure part-way hands over only
// the accelerators whose listeners and groups were all read.
func TestLoadGlobalAcceleratorsFailures(t *testing.T) {
	ga, _ := globalacceleratorEstate()
	ga.fail = map[string]error{"ListAccelerators": accessDenied("AccessDeniedException"), "ListCustomRoutingAccelerators": accessDenied("AccessDeniedException")}
	requireCode(t, loadGlobalAccelerators(context.Background(), ga, func(globalacceleratorStandard) { t.Error("an accelerator from a denied listing") }),
		"AccessDeniedException")
	requireCode(t, loadGlobalAcceleratorCustom(context.Background(), ga, func(globalacceleratorCustom) { t.Error("an accelerator from a denied listing") }),
		"AccessDeniedException")

	ga, _ = globalacceleratorEstate()
	ga.fail = map[string]error{"ListEndpointGroups " + globalacceleratorARN("id-p2-oneaz") + "/listener/l1": accessDenied("ThrottlingException"),
		"ListCustomRoutingListeners " + globalacceleratorARN("cr-two"): accessDenied("AccessDeniedException")}
	var names []string
	err := loadGlobalAccelerators(context.Background(), ga, func(a globalacceleratorStandard) { names = append(names, aws.ToString(a.Accelerator.Name)) })
	requireCode(t, err, "ThrottlingException")
	err = loadGlobalAcceleratorCustom(context.Background(), ga, func(a globalacceleratorCustom) { names = append(names, aws.ToString(a.Accelerator.Name)) })
	requireCode(t, err, "AccessDeniedException")
	if want := []string{"p1-mixed", "p1-idle", "cr-one"}; !slices.Equal(names, want) {
		t.Errorf("read %v, want %v", names, want)
	}
}

func TestLoadGlobalAcceleratorAddresses(t *testing.T) {
	_, regions := globalacceleratorEstate()
	east := regions["us-east-1"]
	addresses, err := globalacceleratorLoad(t, east, loadGlobalAcceleratorAddresses)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range addresses {
		got = append(got, aws.ToString(a.AllocationId))
	}
	if want := []string{"eipalloc-eni-b", "eipalloc-inst-a", "eipalloc-free"}; !slices.Equal(got, want) {
		t.Errorf("addresses %v, want %v", got, want)
	}
	// Addresses come in one answer.
	if want := map[string]int{"DescribeAddresses": 1}; !maps.Equal(east.calls, want) {
		t.Errorf("calls %v, want %v", east.calls, want)
	}
}

func TestLoadGlobalAcceleratorAddressesAccessDenied(t *testing.T) {
	_, regions := globalacceleratorEstate()
	east := regions["us-east-1"]
	east.fail = map[string]error{"DescribeAddresses": accessDenied("UnauthorizedOperation")}
	addresses, err := globalacceleratorLoad(t, east, loadGlobalAcceleratorAddresses)
	requireCode(t, err, "UnauthorizedOperation")
	if len(addresses) != 0 {
		t.Fatal("addresses from a denied listing")
	}
}

// globalacceleratorWant is one expected finding.
type globalacceleratorWant struct {
	name, check, message string
	azs, azIDs           []string
}

func globalacceleratorEstateFindings() []globalacceleratorWant {
	albGone := globalacceleratorLBARN("us-east-1", "app", "gone")
	albOther := "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/theirs/1"
	a, ab := []string{"us-east-1a"}, []string{"us-east-1a", "us-east-1b"}
	return []globalacceleratorWant{
		{"p1-mixed", "GLOBALACCELERATOR-1", "Global Accelerator p1-mixed (standard) routes to 13 endpoints in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b), " +
			"so losing one zone leaves other endpoints to route traffic to; 7 endpoints could not be resolved (" +
			list(distinct(albGone, albOther, "eipalloc-free", "eipalloc-missing", "i-dead", "i-missing", "something-new")) + ").",
			ab, []string{"use1-az1", "use1-az2"}},
		{"p1-idle", "GLOBALACCELERATOR-2", "Global Accelerator p1-idle (standard) has no listeners, so it has nothing to route traffic to.", nil, nil},
		{"p2-oneaz", "GLOBALACCELERATOR-1", "Global Accelerator p2-oneaz (standard) routes to 3 endpoints, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic.",
			a, []string{"use1-az1"}},
		// eu-west-1 reports no zone ID: the engine looks them all up.
		{"p2-tworegions", "GLOBALACCELERATOR-1", "Global Accelerator p2-tworegions (standard) routes to 2 endpoints in 2 regions (eu-west-1, us-east-1) across 2 Availability Zones (eu-west-1a, us-east-1a), so losing one zone leaves other endpoints to route traffic to.",
			[]string{"eu-west-1a", "us-east-1a"}, nil},
		{"cr-one", "GLOBALACCELERATOR-3", "Global Accelerator cr-one (custom routing) routes to 2 subnets, all in one Availability Zone (us-east-1a): if that zone fails, the accelerator has nowhere to route traffic.",
			a, []string{"use1-az1"}},
		{"cr-two", "GLOBALACCELERATOR-3", "Global Accelerator cr-two (custom routing) routes to 3 subnets in us-east-1 across 2 Availability Zones (us-east-1a, us-east-1b), so losing one zone leaves other subnets to route traffic to; 1 subnet could not be resolved (subnet-gone).",
			ab, []string{"use1-az1", "use1-az2"}},
	}
}

func TestAnalyseGlobalAccelerator(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	var got []Finding
	if err := analyseGlobalAccelerator(context.Background(), globalacceleratorScope(t, ga, regions), collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := globalacceleratorEstateFindings()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		f := got[i]
		if f.ResourceName != w.name || f.CheckID != w.check || f.Message != w.message {
			t.Errorf("finding %d:\n got  %s %s %q\n want %s %s %q", i, f.ResourceName, f.CheckID, f.Message, w.name, w.check, w.message)
		}
		if f.ResourceType != "AWS::GlobalAccelerator::Accelerator" || !slices.Equal(f.AZs, w.azs) || !slices.Equal(f.AZIDs, w.azIDs) {
			t.Errorf("finding %d (%s): %s in %v %v, want in %v %v", i, w.name, f.ResourceType, f.AZs, f.AZIDs, w.azs, w.azIDs)
		}
	}
}

// The kinds are written to snapshots and read back: a scope of round-tripped
// items gives the same findings.
func TestGlobalAcceleratorItemsRoundTripJSON(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	s := globalacceleratorScope(t, ga, regions)
	ctx := context.Background()
	back := inventory.NewFixture().Scope(inventory.Account{ID: globalacceleratorAccount, Partition: "aws"}, inventory.GlobalRegion)
	globalacceleratorRoundTrip(t, s, back, globalacceleratorAccelerators)
	globalacceleratorRoundTrip(t, s, back, globalacceleratorCustomAccelerators)
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		globalacceleratorRoundTrip(t, s.In(region), back.In(region), globalacceleratorInstances)
	}
	globalacceleratorRoundTrip(t, s.In("us-east-1"), back.In("us-east-1"), globalacceleratorAddresses)
	globalacceleratorRoundTrip(t, s.In("us-east-1"), back.In("us-east-1"), globalacceleratorENIs)
	globalacceleratorRoundTrip(t, s.In("us-east-1"), back.In("us-east-1"), globalacceleratorLBs)
	inventory.Put(back.In("us-east-1"), inventory.Subnets, testSubnets, nil)
	var want, got []Finding
	if err := analyseGlobalAccelerator(ctx, s, collect(&want)); err != nil {
		t.Fatal(err)
	}
	if err := analyseGlobalAccelerator(ctx, back, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after a round trip:\n%+v\nwant\n%+v", got, want)
	}
}

func globalacceleratorRoundTrip[T any](t *testing.T, from, to *inventory.Scope, k *inventory.Kind[T]) {
	t.Helper()
	items, err := k.Items(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(items)
	if err != nil {
		t.Fatalf("%s: %v", k.Name, err)
	}
	var back []T
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("%s: %v", k.Name, err)
	}
	inventory.Put(to, k, back, nil)
}

func TestAnalyseGlobalAcceleratorAccessDenied(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	ga.fail = map[string]error{"ListAccelerators": accessDenied("AccessDeniedException")}
	var got []Finding
	err := analyseGlobalAccelerator(context.Background(), globalacceleratorScope(t, ga, regions), collect(&got))
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
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
				regions[region].fail = fail
			}
			var got []Finding
			err := analyseGlobalAccelerator(context.Background(), globalacceleratorScope(t, ga, regions), collect(&got))
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

// A regional listing that failed part-way is not used: an endpoint on the
// lost page would be reported as unresolved.
func TestAnalyseGlobalAcceleratorPartialRegionalRead(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	s := globalacceleratorScope(t, ga, regions)
	inventory.Put(s.In("us-east-1"), globalacceleratorInstances, regions["us-east-1"].instances[:2], accessDenied("ThrottlingException"))
	var got []Finding
	requireCode(t, analyseGlobalAccelerator(context.Background(), s, collect(&got)), "ThrottlingException")
	if len(got) != 0 {
		t.Fatalf("findings from part of the instances: %+v", got)
	}
}

func TestAnalyseGlobalAcceleratorSubnetFailure(t *testing.T) {
	ga, regions := globalacceleratorEstate()
	s := globalacceleratorScope(t, ga, regions)
	inventory.Put(s.In("us-east-1"), inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	requireCode(t, analyseGlobalAccelerator(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 4 {
		t.Fatalf("the standard accelerators must be kept: %+v", got)
	}
}

// Each regional kind is read only when an endpoint needs it: load balancers
// of another account are never looked up, an Elastic IP leads to the
// instances or network interfaces, and subnets are read for custom routing
// accelerators only. The fixture holds nothing else, so any other read
// would fail NotCollected.
func TestAnalyseGlobalAcceleratorReadsOnlyWhatEndpointsNeed(t *testing.T) {
	theirs := "arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/theirs/1"
	s := inventory.NewFixture().Scope(inventory.Account{ID: globalacceleratorAccount, Partition: "aws"}, inventory.GlobalRegion)
	inventory.Put(s, globalacceleratorAccelerators, []globalacceleratorStandard{{
		Accelerator: globalacceleratorStd("theirs"),
		Listeners: []globalacceleratorStandardListener{{Listener: globalacceleratorListener("id-theirs", "l1"),
			EndpointGroups: []gatypes.EndpointGroup{globalacceleratorGroup("us-east-1", theirs, "eipalloc-eni"), globalacceleratorGroup("", "i-nowhere")}}},
	}}, nil)
	inventory.Put(s, globalacceleratorCustomAccelerators, nil, nil)
	east := s.In("us-east-1")
	inventory.Put(east, globalacceleratorAddresses, []ec2types.Address{{AllocationId: aws.String("eipalloc-eni"), NetworkInterfaceId: aws.String("eni-1")}}, nil)
	inventory.Put(east, globalacceleratorENIs, []ec2types.NetworkInterface{{NetworkInterfaceId: aws.String("eni-1"), AvailabilityZone: aws.String("us-east-1b")}}, nil)
	var got []Finding
	if err := analyseGlobalAccelerator(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := "Global Accelerator theirs (standard) routes to 3 endpoints; those that could be resolved are all in one Availability Zone (us-east-1b) and 2 endpoints could not be resolved (" +
		list(distinct("i-nowhere", theirs)) + "), so if that zone fails the accelerator may have nowhere to route traffic."
	if len(got) != 1 || got[0].Message != want || !slices.Equal(got[0].AZs, []string{"us-east-1b"}) || got[0].AZIDs != nil {
		t.Fatalf("findings: %+v", got)
	}
}

func TestGlobalAcceleratorDeclaration(t *testing.T) {
	a := GlobalAccelerator
	if a.Name != "globalaccelerator" || !a.Global || a.GlobalRegion != "us-west-2" {
		t.Errorf("declaration: %q %v %q", a.Name, a.Global, a.GlobalRegion)
	}
	want := []string{"ec2:DescribeAddresses", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
		"elasticloadbalancing:DescribeLoadBalancers",
		"globalaccelerator:ListAccelerators", "globalaccelerator:ListCustomRoutingAccelerators", "globalaccelerator:ListCustomRoutingEndpointGroups",
		"globalaccelerator:ListCustomRoutingListeners", "globalaccelerator:ListEndpointGroups", "globalaccelerator:ListListeners"}
	if got := a.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v\nwant    %v", got, want)
	}
}
