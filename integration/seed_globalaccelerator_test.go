package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/inventory"
)

// moto 5.2.1 has no Global Accelerator backend (every call answers HTTP 500),
// so this test cannot seed accelerators in moto. Instead it puts a small fake
// of the Global Accelerator JSON API in front of moto: requests whose
// X-Amz-Target is a Global Accelerator operation are answered by the fake
// (one item per page, so the real SDK paginators must follow NextToken);
// every other request (EC2, ELBv2) is proxied unchanged to moto. The endpoints
// the fake accelerators point at are real moto resources, so the analyser's
// EC2/ELBv2 placement (DescribeInstances, DescribeAddresses,
// DescribeNetworkInterfaces, DescribeLoadBalancers, DescribeSubnets, read in
// the scopes of two endpoint regions) is proven against moto through the
// analyser's own Run.

// globalacceleratorFakeAPI serves the Global Accelerator list operations from
// items keyed by "<operation> <accelerator or listener ARN>".
type globalacceleratorFakeAPI struct {
	items map[string][]any
}

// globalacceleratorListField is the list member of each operation's output.
var globalacceleratorListField = map[string]string{
	"ListAccelerators":                "Accelerators",
	"ListListeners":                   "Listeners",
	"ListEndpointGroups":              "EndpointGroups",
	"ListCustomRoutingAccelerators":   "Accelerators",
	"ListCustomRoutingListeners":      "Listeners",
	"ListCustomRoutingEndpointGroups": "EndpointGroups",
}

func (g *globalacceleratorFakeAPI) add(key string, items ...any) {
	g.items[key] = append(g.items[key], items...)
}

func (g *globalacceleratorFakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "GlobalAccelerator_V20180706.")
	field, ok := globalacceleratorListField[op]
	if !ok {
		http.Error(w, "operation not faked: "+op, http.StatusNotImplemented)
		return
	}
	var in struct{ NextToken, AcceleratorArn, ListenerArn string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := op
	if arn := in.AcceleratorArn + in.ListenerArn; arn != "" {
		key += " " + arn
	}
	items := g.items[key]
	i, _ := strconv.Atoi(in.NextToken)
	out := map[string]any{field: []any{}}
	if i < len(items) {
		out[field] = items[i : i+1]
	}
	if i+1 < len(items) {
		out["NextToken"] = strconv.Itoa(i + 1)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// globalacceleratorFront answers Global Accelerator calls from ga and
// proxies everything else to moto.
func globalacceleratorFront(t *testing.T, ga *globalacceleratorFakeAPI) *httptest.Server {
	t.Helper()
	target, err := url.Parse(moto.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "GlobalAccelerator_") {
			ga.ServeHTTP(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// globalacceleratorSeed creates the EC2/ELBv2 resources in moto.
type globalacceleratorSeed struct {
	t   *testing.T
	ctx context.Context
	cfg aws.Config
}

func (s globalacceleratorSeed) in(region string) aws.Config {
	c := s.cfg.Copy()
	c.Region = region
	return c
}

func (s globalacceleratorSeed) instance(region, subnet string) string {
	s.t.Helper()
	api := ec2.NewFromConfig(s.in(region))
	out, err := api.RunInstances(s.ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet),
	})
	if err != nil {
		s.t.Fatalf("run instance in %s: %v", region, err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}

func (s globalacceleratorSeed) eip(region string, assoc *ec2.AssociateAddressInput) string {
	s.t.Helper()
	api := ec2.NewFromConfig(s.in(region))
	out, err := api.AllocateAddress(s.ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		s.t.Fatal(err)
	}
	if assoc != nil {
		assoc.AllocationId = out.AllocationId
		if _, err := api.AssociateAddress(s.ctx, assoc); err != nil {
			s.t.Fatal(err)
		}
	}
	return aws.ToString(out.AllocationId)
}

func (s globalacceleratorSeed) lb(region, name string, typ elbtypes.LoadBalancerTypeEnum, subnets ...string) string {
	s.t.Helper()
	out, err := elasticloadbalancingv2.NewFromConfig(s.in(region)).CreateLoadBalancer(s.ctx, &elasticloadbalancingv2.CreateLoadBalancerInput{
		Name: aws.String(name), Type: typ, Subnets: subnets,
	})
	if err != nil {
		s.t.Fatalf("create %s: %v", name, err)
	}
	return aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
}

func globalacceleratorSorted(ids ...string) string {
	sort.Strings(ids)
	return strings.Join(ids, ", ")
}

// seedGlobalAccelerator seeds real endpoints in moto (in cfg's region, plus
// us-east-1 for a second region), describes accelerators over them in ga,
// and returns the rows the analyser must produce.
func seedGlobalAccelerator(t *testing.T, ctx context.Context, cfg aws.Config, ga *globalacceleratorFakeAPI) []row {
	t.Helper()
	s := globalacceleratorSeed{t, ctx, cfg}
	r := cfg.Region
	a, b := r+"a", r+"b"
	subnets := defaultSubnets(t, ctx, cfg)
	east := defaultSubnets(t, ctx, s.in("us-east-1"))
	e2 := ec2.NewFromConfig(cfg)

	instA := s.instance(r, subnets[a])
	instA2 := s.instance(r, subnets[a])
	instEast := s.instance("us-east-1", east["us-east-1a"])
	dead := s.instance(r, subnets[b])
	if _, err := e2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{dead}}); err != nil {
		t.Fatal(err)
	}
	eni, err := e2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnets[b])})
	if err != nil {
		t.Fatal(err)
	}
	eipInstA2 := s.eip(r, &ec2.AssociateAddressInput{InstanceId: aws.String(instA2)})
	eipENIb := s.eip(r, &ec2.AssociateAddressInput{NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId})
	eipFree := s.eip(r, nil)
	alb := s.lb(r, "ga-alb", elbtypes.LoadBalancerTypeEnumApplication, subnets[a], subnets[b])
	nlb := s.lb(r, "ga-nlb", elbtypes.LoadBalancerTypeEnumNetwork, subnets[a])
	albGone := s.lb(r, "ga-alb-gone", elbtypes.LoadBalancerTypeEnumApplication, subnets[a], subnets[b])
	if _, err := elasticloadbalancingv2.NewFromConfig(cfg).DeleteLoadBalancer(ctx, &elasticloadbalancingv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(albGone)}); err != nil {
		t.Fatal(err)
	}
	vpcs, err := e2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	extra, err := e2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcs.Vpcs[0].VpcId, CidrBlock: aws.String("172.31.200.0/24"), AvailabilityZone: aws.String(a)})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := e2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcs.Vpcs[0].VpcId, CidrBlock: aws.String("172.31.201.0/24"), AvailabilityZone: aws.String(b)})
	if err != nil {
		t.Fatal(err)
	}
	subnetGone := aws.ToString(gone.Subnet.SubnetId)
	if _, err := e2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subnetGone)}); err != nil {
		t.Fatal(err)
	}

	account := accountOf(t, ctx, cfg)
	var rows []row
	// accelerator describes one accelerator whose listener l1 has one
	// endpoint group per region in groups, and returns its row.
	accelerator := func(custom bool, name string, groups map[string][]string, check, sev string, risk bool, msg string) {
		id := "0000" + strconv.Itoa(len(rows)) + "-" + name
		arn := "arn:aws:globalaccelerator::" + account + ":accelerator/" + id
		list, listeners, endpointGroups := "ListAccelerators", "ListListeners", "ListEndpointGroups"
		if custom {
			list, listeners, endpointGroups = "ListCustomRoutingAccelerators", "ListCustomRoutingListeners", "ListCustomRoutingEndpointGroups"
		}
		ga.add(list, map[string]any{"AcceleratorArn": arn, "Name": name, "Status": "DEPLOYED", "Enabled": true,
			"DnsName": id + ".awsglobalaccelerator.com"})
		if groups != nil {
			listener := arn + "/listener/l1"
			ga.add(listeners+" "+arn, map[string]any{"ListenerArn": listener, "PortRanges": []any{map[string]any{"FromPort": 443, "ToPort": 443}}})
			regions := make([]string, 0, len(groups))
			for region := range groups {
				regions = append(regions, region)
			}
			sort.Strings(regions)
			for _, region := range regions {
				var eps []any
				for _, ep := range groups[region] {
					eps = append(eps, map[string]any{"EndpointId": ep})
				}
				ga.add(endpointGroups+" "+listener, map[string]any{"EndpointGroupArn": listener + "/endpoint-group/" + region,
					"EndpointGroupRegion": region, "EndpointDescriptions": eps})
			}
		}
		rows = append(rows, row{"globalaccelerator", analysers.GlobalRegion, arn, name, id, boolCell(risk), "", msg, check, sev})
	}
	const survive = ", so losing one zone leaves other endpoints to route traffic to"
	const nowhere = ": if that zone fails, the accelerator has nowhere to route traffic."

	// Instance, EIP on an instance and a single-subnet NLB, all in zone a.
	accelerator(false, "ga-one-az", map[string][]string{r: {instA, eipInstA2, nlb}}, "GLOBALACCELERATOR-1", "HIGH", true,
		"Global Accelerator ga-one-az (standard) routes to 3 endpoints, all in one Availability Zone ("+a+")"+nowhere)
	// An ALB in two zones, next to a deleted one, which the region's
	// DescribeLoadBalancers listing no longer holds: it stays unresolved.
	accelerator(false, "ga-alb", map[string][]string{r: {alb, albGone}}, "GLOBALACCELERATOR-1", "HIGH", false,
		"Global Accelerator ga-alb (standard) routes to 2 endpoints in "+r+" across 2 Availability Zones ("+a+", "+b+")"+survive+
			"; 1 endpoint could not be resolved ("+albGone+").")
	// An EIP on a bare ENI in zone b, placed through DescribeNetworkInterfaces.
	accelerator(false, "ga-eni", map[string][]string{r: {instA, eipENIb}}, "GLOBALACCELERATOR-1", "HIGH", false,
		"Global Accelerator ga-eni (standard) routes to 2 endpoints in "+r+" across 2 Availability Zones ("+a+", "+b+")"+survive+".")
	accelerator(false, "ga-two-regions", map[string][]string{r: {instA}, "us-east-1": {instEast}}, "GLOBALACCELERATOR-1", "HIGH", false,
		"Global Accelerator ga-two-regions (standard) routes to 2 endpoints in 2 regions ("+globalacceleratorSorted(r, "us-east-1")+
			") across 2 Availability Zones ("+globalacceleratorSorted(a, "us-east-1a")+")"+survive+".")
	// A terminated instance and an unassociated EIP cannot be placed.
	accelerator(false, "ga-unknown", map[string][]string{r: {instA, dead, eipFree}}, "GLOBALACCELERATOR-1", "HIGH", true,
		"Global Accelerator ga-unknown (standard) routes to 3 endpoints; those that could be resolved are all in one Availability Zone ("+a+
			") and 2 endpoints could not be resolved ("+globalacceleratorSorted(dead, eipFree)+"), so if that zone fails the accelerator may have nowhere to route traffic.")
	accelerator(false, "ga-idle", nil, "GLOBALACCELERATOR-2", "MEDIUM", true,
		"Global Accelerator ga-idle (standard) has no listeners, so it has nothing to route traffic to.")
	accelerator(false, "ga-no-endpoints", map[string][]string{r: nil}, "GLOBALACCELERATOR-2", "MEDIUM", true,
		"Global Accelerator ga-no-endpoints (standard) has 1 listener and 1 endpoint group but no endpoints, so it has nothing to route traffic to.")
	// Custom routing: destination subnets.
	accelerator(true, "gacr-one-az", map[string][]string{r: {subnets[a], aws.ToString(extra.Subnet.SubnetId)}}, "GLOBALACCELERATOR-3", "HIGH", true,
		"Global Accelerator gacr-one-az (custom routing) routes to 2 subnets, all in one Availability Zone ("+a+")"+nowhere)
	accelerator(true, "gacr-two-azs", map[string][]string{r: {subnets[a], subnets[b], subnetGone}}, "GLOBALACCELERATOR-3", "HIGH", false,
		"Global Accelerator gacr-two-azs (custom routing) routes to 3 subnets in "+r+" across 2 Availability Zones ("+a+", "+b+
			"), so losing one zone leaves other subnets to route traffic to; 1 subnet could not be resolved ("+subnetGone+").")
	return rows
}

func TestMotoGlobalAccelerator(t *testing.T) {
	ctx := context.Background()
	const account = "100000000501"
	cfg, err := moto.Config(ctx, account, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	ga := &globalacceleratorFakeAPI{items: map[string][]any{}}
	want := seedGlobalAccelerator(t, ctx, cfg, ga)

	// As checkAnalyser does for a global service, with the endpoint of the
	// whole config moved to the front server.
	a := analysers.GlobalAccelerator
	if !a.Global || a.GlobalRegion != "us-west-2" {
		t.Fatalf("globalaccelerator must be global with endpoint region us-west-2: %v %q", a.Global, a.GlobalRegion)
	}
	// (Setting BaseEndpoint on a copy of cfg is not enough: the SDK also
	// reads the endpoint given to LoadDefaultConfig from cfg.ConfigSources,
	// so the config is loaded again, pointing at the front server.)
	front := &motoserver.Server{URL: globalacceleratorFront(t, ga).URL}
	runCfg, err := front.Config(ctx, account, a.GlobalRegion)
	if err != nil {
		t.Fatal(err)
	}
	// The global scope; the endpoints' regions are its s.In(region), with
	// the same (front server) configuration.
	scope := inventory.NewLive().Scope(inventory.Account{ID: account, Partition: "aws", Config: runCfg}, inventory.GlobalRegion)
	var got []row
	err = a.Run(ctx, scope, func(f analysers.Finding) {
		got = append(got, row{a.Name, analysers.GlobalRegion, f.ResourceARN, f.ResourceName, f.ResourceID,
			boolCell(f.Risk), f.Engine, f.Message, f.CheckID, string(f.Severity)})
	})
	if err != nil {
		t.Fatalf("%s.Run: %v", a.Name, err)
	}
	compareRows(t, got, want)
}
