package analysers

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"

	"github.com/faultline/faultline/inventory"
)

var elbTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

func elbLB(name string, zones []string, instances ...string) elbtypes.LoadBalancerDescription {
	lb := elbtypes.LoadBalancerDescription{LoadBalancerName: aws.String(name), AvailabilityZones: zones}
	for _, id := range instances {
		lb.Instances = append(lb.Instances, elbtypes.Instance{InstanceId: aws.String(id)})
	}
	return lb
}

func elbState(id, state string) elbtypes.InstanceState {
	return elbtypes.InstanceState{InstanceId: aws.String(id), State: aws.String(state)}
}

func TestJudgeELBZones(t *testing.T) {
	inVPC := elbLB("vpc", nil)
	inVPC.Subnets = []string{"subnet-a1", "subnet-b1"}
	gone := elbLB("gone", nil)
	gone.Subnets = []string{"subnet-gone"}
	cases := []struct {
		lb      elbtypes.LoadBalancerDescription
		risk    bool
		message string
		azs     []string
	}{
		{elbLB("none", nil), true, "Classic Load Balancer none is enabled in no Availability Zone.", nil},
		{elbLB("one", []string{elbA}), true, "Classic Load Balancer one is enabled in one Availability Zone (us-east-1a), so an outage of that zone takes it down.", []string{elbA}},
		{elbLB("two", []string{elbB, elbA}), false, "Classic Load Balancer two is enabled in 2 Availability Zones (us-east-1a, us-east-1b).", []string{elbA, elbB}},
		// moto reports a load balancer created with subnets without zones.
		{inVPC, false, "Classic Load Balancer vpc is enabled in 2 Availability Zones (us-east-1a, us-east-1b).", []string{elbA, elbB}},
		{gone, true, "Classic Load Balancer gone is enabled in no Availability Zone.", nil},
	}
	for _, c := range cases {
		f := judgeELBZones(c.lb, testSubnetIndex(), elbTarget)
		if f.CheckID != "ELB-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
			t.Errorf("got %s %s %v %q\nwant ELB-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
		}
		name := aws.ToString(c.lb.LoadBalancerName)
		if f.ResourceARN != "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/"+name || f.ResourceName != name ||
			f.ResourceType != "AWS::ElasticLoadBalancing::LoadBalancer" || !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
			t.Errorf("resource columns: %+v", f)
		}
	}
}

func TestJudgeELBInstances(t *testing.T) {
	zones := map[string]string{"i-a1": elbA, "i-a2": elbA, "i-b1": elbB, "i-c1": elbC}
	two := []string{elbA, elbB}
	cases := []struct {
		name      string
		lb        elbtypes.LoadBalancerDescription
		crossZone bool
		health    []elbtypes.InstanceState
		risk      bool
		message   string
	}{
		{"cross-zone on", elbLB("on", two, "i-a1", "i-a2"), true, []elbtypes.InstanceState{elbState("i-a1", "InService"), elbState("i-a2", "OutOfService")}, false,
			"Classic Load Balancer on has cross-zone load balancing on, so the node in each enabled zone forwards to InService instances in any zone (1 of 2 registered instances InService)."},
		{"off, every zone served", elbLB("ok", two, "i-a1", "i-b1"), false, []elbtypes.InstanceState{elbState("i-a1", "InService"), elbState("i-b1", "InService")}, false,
			"Classic Load Balancer ok has cross-zone load balancing off and an InService instance in each of its 2 enabled Availability Zones (InService/registered instances: us-east-1a 1/1, us-east-1b 1/1)."},
		{"off, zone b out of service", elbLB("oos", two, "i-a1", "i-b1"), false, []elbtypes.InstanceState{elbState("i-a1", "InService"), elbState("i-b1", "OutOfService")}, true,
			"Classic Load Balancer oos has cross-zone load balancing off and no InService instance in 1 of its 2 enabled Availability Zones (us-east-1b), so the node there fails its requests until DNS fail-over removes it (InService/registered instances: us-east-1a 1/1, us-east-1b 0/1)."},
		{"off, zone b empty; instances elsewhere, unplaced, missing from the report", elbLB("empty", two, "i-a1", "i-c1", "i-gone", "i-a2"), false,
			[]elbtypes.InstanceState{elbState("i-a1", "InService"), elbState("i-c1", "InService"), elbState("i-gone", "InService")}, true,
			"Classic Load Balancer empty has cross-zone load balancing off and no InService instance in 1 of its 2 enabled Availability Zones (us-east-1b), so the node there fails its requests until DNS fail-over removes it (InService/registered instances: us-east-1a 1/2, us-east-1b 0/0, 1 instance in zones not enabled, 1 instance not placed)."},
		{"off, no instance", elbLB("bare", two), false, nil, true,
			"Classic Load Balancer bare has cross-zone load balancing off and no InService instance in any of its 2 enabled Availability Zones (us-east-1a, us-east-1b), so the nodes there fail their requests until DNS fail-over removes them (InService/registered instances: us-east-1a 0/0, us-east-1b 0/0)."},
		{"off, Unknown state", elbLB("unknown", []string{elbA}, "i-a1"), false, []elbtypes.InstanceState{elbState("i-a1", "Unknown")}, true,
			"Classic Load Balancer unknown has cross-zone load balancing off and no InService instance in its one enabled Availability Zone (us-east-1a), so the node there fails its requests until DNS fail-over removes it (InService/registered instances: us-east-1a 0/1)."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeELBInstances(c.lb, nil, c.crossZone, c.health, zones, elbTarget)
			if f.CheckID != "ELB-2" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant ELB-2 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if !slices.Equal(f.AZs, distinct(c.lb.AvailabilityZones...)) || f.ResourceType != "AWS::ElasticLoadBalancing::LoadBalancer" {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

// elbEstate: "web" in two zones with cross-zone off and its instance in
// us-east-1b out of service; "solo" in one zone with cross-zone on and no
// instance.
func elbEstate() (lbs []elbtypes.LoadBalancerDescription, attrs []ELBAttributes, health []ELBInstanceHealth, instances []ec2types.Instance) {
	lbs = []elbtypes.LoadBalancerDescription{elbLB("web", []string{elbA, elbB}, "i-a", "i-b"), elbLB("solo", []string{elbA})}
	attrs = []ELBAttributes{
		{LoadBalancerName: "web", Attributes: elbtypes.LoadBalancerAttributes{CrossZoneLoadBalancing: &elbtypes.CrossZoneLoadBalancing{Enabled: false}}},
		{LoadBalancerName: "solo", Attributes: elbtypes.LoadBalancerAttributes{CrossZoneLoadBalancing: &elbtypes.CrossZoneLoadBalancing{Enabled: true}}},
	}
	health = []ELBInstanceHealth{{LoadBalancerName: "web", States: []elbtypes.InstanceState{elbState("i-a", "InService"), elbState("i-b", "OutOfService")}}}
	instances = []ec2types.Instance{
		{InstanceId: aws.String("i-a"), Placement: &ec2types.Placement{AvailabilityZone: aws.String(elbA)}},
		{InstanceId: aws.String("i-b"), Placement: &ec2types.Placement{AvailabilityZone: aws.String(elbB)}},
	}
	return
}

func TestAnalyseELB(t *testing.T) {
	lbs, attrs, health, instances := elbEstate()
	s := testScope()
	inventory.Put(s, elbLoadBalancers, lbs, nil)
	inventory.Put(s, elbAttributes, attrs, nil)
	inventory.Put(s, elbInstanceHealth, health, nil)
	inventory.Put(s, inventory.Instances, instances, nil)
	// No subnets: every load balancer reports its zones, so none are read.
	var got []Finding
	if err := analyseELB(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"ELB-1 web false", "ELB-1 solo true", "ELB-2 web true", "ELB-2 solo false"}; !slices.Equal(summary(got), want) {
		t.Fatalf("rows %v\nwant %v", summary(got), want)
	}

	// A load balancer deleted between the listing and its attributes gets
	// no ELB-2 row.
	s = testScope()
	inventory.Put(s, elbLoadBalancers, lbs, nil)
	inventory.Put(s, elbAttributes, attrs[1:], nil)
	inventory.Put(s, elbInstanceHealth, nil, nil)
	inventory.Put(s, inventory.Instances, instances, nil)
	got = nil
	if err := analyseELB(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"ELB-1 web false", "ELB-1 solo true", "ELB-2 solo false"}; !slices.Equal(summary(got), want) {
		t.Fatalf("rows %v\nwant %v", summary(got), want)
	}

	// Without registered instances, neither health nor instances are read.
	s = testScope()
	inventory.Put(s, elbLoadBalancers, lbs[1:], nil)
	inventory.Put(s, elbAttributes, attrs[1:], nil)
	got = nil
	if err := analyseELB(context.Background(), s, collect(&got)); err != nil || len(got) != 2 {
		t.Fatalf("err %v, rows %v", err, summary(got))
	}
}

func TestAnalyseELBFailures(t *testing.T) {
	ctx := context.Background()
	lbs, attrs, health, instances := elbEstate()
	full := func() *inventory.Scope {
		s := testScope()
		inventory.Put(s, elbLoadBalancers, lbs, nil)
		inventory.Put(s, elbAttributes, attrs, nil)
		inventory.Put(s, elbInstanceHealth, health, nil)
		inventory.Put(s, inventory.Instances, instances, nil)
		return s
	}
	zonesOnly := []string{"ELB-1 web false", "ELB-1 solo true"}
	cases := []struct {
		name string
		put  func(s *inventory.Scope)
		code string
		rows []string
	}{
		{"listing denied", func(s *inventory.Scope) { inventory.Put(s, elbLoadBalancers, nil, accessDenied("AccessDenied")) }, "AccessDenied", nil},
		{"listing part-way: those read are judged", func(s *inventory.Scope) { inventory.Put(s, elbLoadBalancers, lbs[:1], accessDenied("Throttling")) },
			"Throttling", []string{"ELB-1 web false", "ELB-2 web true"}},
		{"attributes part-way", func(s *inventory.Scope) { inventory.Put(s, elbAttributes, attrs[:1], accessDenied("Throttling")) }, "Throttling", zonesOnly},
		{"health denied", func(s *inventory.Scope) { inventory.Put(s, elbInstanceHealth, nil, accessDenied("AccessDenied")) }, "AccessDenied", zonesOnly},
		{"instances denied", func(s *inventory.Scope) {
			inventory.Put(s, inventory.Instances, nil, accessDenied("UnauthorizedOperation"))
		}, "UnauthorizedOperation", zonesOnly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := full()
			c.put(s)
			var got []Finding
			requireCode(t, analyseELB(ctx, s, collect(&got)), c.code)
			if !slices.Equal(summary(got), c.rows) {
				t.Fatalf("rows %v\nwant %v", summary(got), c.rows)
			}
		})
	}
	// A load balancer placed by its subnets needs them: a denied subnet
	// read fails the task before anything is judged.
	vpc := elbLB("vpc", nil)
	vpc.Subnets = []string{"subnet-a1"}
	s := testScope()
	inventory.Put(s, elbLoadBalancers, []elbtypes.LoadBalancerDescription{vpc}, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	requireCode(t, analyseELB(ctx, s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("rows %v", summary(got))
	}
}

// fakeELB serves DescribeLoadBalancers in pages (Marker "1", "2", ...) and
// the per-load-balancer calls from maps, or errors.
type fakeELB struct {
	pages    [][]elbtypes.LoadBalancerDescription
	attrs    map[string]*elbtypes.LoadBalancerAttributes
	health   map[string][]elbtypes.InstanceState
	err      error
	notFound string
	calls    []string
}

func (f *fakeELB) DescribeLoadBalancers(_ context.Context, in *elb.DescribeLoadBalancersInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	f.calls = append(f.calls, "DescribeLoadBalancers "+aws.ToString(in.Marker))
	if f.err != nil {
		return nil, f.err
	}
	i := rdsFakePage(in.Marker)
	return &elb.DescribeLoadBalancersOutput{LoadBalancerDescriptions: f.pages[i], NextMarker: rdsFakeNext(i, len(f.pages))}, nil
}

func (f *fakeELB) DescribeLoadBalancerAttributes(_ context.Context, in *elb.DescribeLoadBalancerAttributesInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancerAttributesOutput, error) {
	name := aws.ToString(in.LoadBalancerName)
	f.calls = append(f.calls, "DescribeLoadBalancerAttributes "+name)
	if name == f.notFound {
		return nil, &elbtypes.AccessPointNotFoundException{Message: aws.String("gone")}
	}
	if f.err != nil {
		return nil, f.err
	}
	return &elb.DescribeLoadBalancerAttributesOutput{LoadBalancerAttributes: f.attrs[name]}, nil
}

func (f *fakeELB) DescribeInstanceHealth(_ context.Context, in *elb.DescribeInstanceHealthInput, _ ...func(*elb.Options)) (*elb.DescribeInstanceHealthOutput, error) {
	name := aws.ToString(in.LoadBalancerName)
	f.calls = append(f.calls, "DescribeInstanceHealth "+name)
	if name == f.notFound {
		return nil, &elbtypes.AccessPointNotFoundException{Message: aws.String("gone")}
	}
	if f.err != nil {
		return nil, f.err
	}
	return &elb.DescribeInstanceHealthOutput{InstanceStates: f.health[name]}, nil
}

func TestLoadELBLoadBalancersReadsEveryPage(t *testing.T) {
	api := &fakeELB{pages: [][]elbtypes.LoadBalancerDescription{{elbLB("p1", nil)}, {elbLB("p2a", nil), elbLB("p2b", nil)}}}
	var got []string
	if err := loadELBLoadBalancers(context.Background(), api, func(lb elbtypes.LoadBalancerDescription) { got = append(got, aws.ToString(lb.LoadBalancerName)) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"p1", "p2a", "p2b"}) || !slices.Equal(api.calls, []string{"DescribeLoadBalancers ", "DescribeLoadBalancers 1"}) {
		t.Fatalf("got %v with calls %v", got, api.calls)
	}
	api = &fakeELB{err: accessDenied("AccessDenied")}
	requireCode(t, loadELBLoadBalancers(context.Background(), api, func(elbtypes.LoadBalancerDescription) { t.Error("item after a denied call") }), "AccessDenied")
}

func TestLoadELBAttributesAndHealth(t *testing.T) {
	lbs := []elbtypes.LoadBalancerDescription{elbLB("web", nil, "i-1"), elbLB("bare", nil), elbLB("gone", nil, "i-2")}
	api := &fakeELB{notFound: "gone",
		attrs:  map[string]*elbtypes.LoadBalancerAttributes{"web": {CrossZoneLoadBalancing: &elbtypes.CrossZoneLoadBalancing{Enabled: true}}},
		health: map[string][]elbtypes.InstanceState{"web": {elbState("i-1", "InService")}}}
	var attrs []ELBAttributes
	if err := loadELBAttributes(context.Background(), api, lbs, func(a ELBAttributes) { attrs = append(attrs, a) }); err != nil {
		t.Fatal(err)
	}
	if len(attrs) != 2 || !attrs[0].Attributes.CrossZoneLoadBalancing.Enabled || attrs[1].LoadBalancerName != "bare" || attrs[1].Attributes.CrossZoneLoadBalancing != nil {
		t.Fatalf("attributes %+v", attrs)
	}
	api.calls = nil
	var health []ELBInstanceHealth
	if err := loadELBInstanceHealth(context.Background(), api, lbs, func(h ELBInstanceHealth) { health = append(health, h) }); err != nil {
		t.Fatal(err)
	}
	// The load balancer without instances is not asked.
	if len(health) != 1 || health[0].LoadBalancerName != "web" || !slices.Equal(api.calls, []string{"DescribeInstanceHealth web", "DescribeInstanceHealth gone"}) {
		t.Fatalf("health %+v with calls %v", health, api.calls)
	}
	api = &fakeELB{err: accessDenied("AccessDenied")}
	requireCode(t, loadELBAttributes(context.Background(), api, lbs, func(ELBAttributes) { t.Error("item after a denied call") }), "AccessDenied")
	requireCode(t, loadELBInstanceHealth(context.Background(), api, lbs, func(ELBInstanceHealth) { t.Error("item after a denied call") }), "AccessDenied")
}

func TestELBItemsRoundTripJSON(t *testing.T) {
	lbs, attrs, health, _ := elbEstate()
	lbs[0].ListenerDescriptions = []elbtypes.ListenerDescription{{Listener: &elbtypes.Listener{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstancePort: aws.Int32(80)}}}
	lbs[0].Policies = &elbtypes.Policies{OtherPolicies: []string{"p"}}
	attrs[0].Attributes.AdditionalAttributes = []elbtypes.AdditionalAttribute{{Key: aws.String("elb.http.desyncmitigationmode"), Value: aws.String("defensive")}}
	for _, v := range []any{lbs, attrs, health} {
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
