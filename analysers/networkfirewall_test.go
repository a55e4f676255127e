package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nfwtypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"

	"github.com/faultline/faultline/inventory"
)

// nfwEndpoint is a sync state: zone, endpoint, subnet and status.
type nfwEndpoint struct {
	az, id, subnet string
	status         nfwtypes.AttachmentStatus
}

func nfwFirewall(name string, endpoints []nfwEndpoint, mappings ...string) networkfirewallFirewall {
	fw := networkfirewallFirewall{Firewall: nfwtypes.Firewall{
		FirewallName: aws.String(name), FirewallId: aws.String("id-" + name), VpcId: aws.String("vpc-1"),
		FirewallArn: aws.String("arn:aws:network-firewall:us-east-1:111111111111:firewall/" + name),
	}, Status: &nfwtypes.FirewallStatus{Status: nfwtypes.FirewallStatusValueReady}}
	for _, m := range mappings {
		fw.Firewall.SubnetMappings = append(fw.Firewall.SubnetMappings, nfwtypes.SubnetMapping{SubnetId: aws.String(m)})
	}
	if len(endpoints) > 0 {
		fw.Status.SyncStates = map[string]nfwtypes.SyncState{}
	}
	for _, e := range endpoints {
		st := e.status
		if st == "" {
			st = nfwtypes.AttachmentStatusReady
		}
		fw.Status.SyncStates[e.az] = nfwtypes.SyncState{Attachment: &nfwtypes.Attachment{EndpointId: aws.String(e.id), SubnetId: aws.String(e.subnet), Status: st}}
	}
	return fw
}

var (
	nfwA = nfwEndpoint{az: "us-east-1a", id: "vpce-fw-a", subnet: "subnet-pub-a"}
	nfwB = nfwEndpoint{az: "us-east-1b", id: "vpce-fw-b", subnet: "subnet-2pub-b"}
)

func nfwUse(subnet string, e nfwEndpoint, dests ...string) networkfirewallUse {
	return networkfirewallUse{Subnet: netTestIndex()[subnet], Endpoint: networkfirewallEndpoint{AZ: e.az, ID: e.id, SubnetID: e.subnet}, Destinations: dests}
}

func TestJudgeNetworkFirewall(t *testing.T) {
	failedB := nfwB
	failedB.status = nfwtypes.AttachmentStatusFailed
	tgwAttached := nfwFirewall("fw-tgw", nil)
	tgwAttached.Firewall.TransitGatewayId = aws.String("tgw-1")
	tgwAttached.Firewall.AvailabilityZoneMappings = []nfwtypes.AvailabilityZoneMapping{{AvailabilityZone: aws.String("us-east-1b")}, {AvailabilityZone: aws.String("us-east-1a")}}
	noARN := nfwFirewall("fw-noarn", []nfwEndpoint{nfwA})
	noARN.Firewall.FirewallArn = nil
	noStatus := nfwFirewall("fw-nostatus", nil, "subnet-pub-a")
	noStatus.Status = nil
	cases := []struct {
		name      string
		fw        networkfirewallFirewall
		uses      []networkfirewallUse
		check     string
		risk      bool
		message   string
		azs, azID []string
	}{
		{"one zone, other zones route to it", nfwFirewall("fw-1", []nfwEndpoint{nfwA}, "subnet-pub-a"),
			[]networkfirewallUse{nfwUse("subnet-priv-a", nfwA, "0.0.0.0/0"), nfwUse("subnet-priv-b", nfwA, "0.0.0.0/0", "10.9.0.0/16"), nfwUse("subnet-priv-c", nfwA, "pl-1")},
			"NETWORKFIREWALL-1", true, "Network Firewall fw-1 has live endpoints in 1 Availability Zone (us-east-1a), so traffic routed through it stops if that zone fails. The route tables of 2 subnets in other zones send traffic to it: subnet-priv-b in us-east-1b (use1-az2) sends 0.0.0.0/0, 10.9.0.0/16 to vpce-fw-a in us-east-1a (use1-az1); subnet-priv-c in us-east-1c (use1-az3) sends pl-1 to vpce-fw-a in us-east-1a (use1-az1).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"one zone, nothing routes to it", nfwFirewall("fw-1", []nfwEndpoint{nfwA}, "subnet-pub-a"), nil,
			"NETWORKFIREWALL-1", true, "Network Firewall fw-1 has live endpoints in 1 Availability Zone (us-east-1a), so traffic routed through it stops if that zone fails.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"two zones, a subnet routes to the other zone's endpoint", nfwFirewall("fw-2", []nfwEndpoint{nfwA, nfwB}),
			[]networkfirewallUse{nfwUse("subnet-2priv-a", nfwA, "0.0.0.0/0"), nfwUse("subnet-2priv-c", nfwB, "0.0.0.0/0")},
			"NETWORKFIREWALL-2", true, "Network Firewall fw-2 has live endpoints in 2 Availability Zones (us-east-1a, us-east-1b), but the route tables of 1 subnet send traffic to a firewall endpoint of another zone, which they lose if that zone fails: subnet-2priv-c in us-east-1c (use1-az3) sends 0.0.0.0/0 to vpce-fw-b in us-east-1b (use1-az2).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}, []string{"use1-az1", "use1-az2", "use1-az3"}},
		{"two zones, each subnet to its own zone's endpoint (healthy)", nfwFirewall("fw-2", []nfwEndpoint{nfwB, nfwA}),
			[]networkfirewallUse{nfwUse("subnet-2priv-a", nfwA, "0.0.0.0/0"), nfwUse("subnet-2priv-b", nfwB, "0.0.0.0/0"), nfwUse("subnet-priv-b", nfwB, "10.0.0.0/8")},
			"NETWORKFIREWALL-1", false, "Network Firewall fw-2 has live endpoints in 2 Availability Zones (us-east-1a, us-east-1b), and each of the 3 subnets routing to them uses the endpoint of its own zone.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"two zones, nothing routes to it", nfwFirewall("fw-2", []nfwEndpoint{nfwA, nfwB}), nil,
			"NETWORKFIREWALL-1", false, "Network Firewall fw-2 has live endpoints in 2 Availability Zones (us-east-1a, us-east-1b); no route table of a subnet sends traffic to them.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"a failed endpoint serves no zone", nfwFirewall("fw-3", []nfwEndpoint{nfwA, failedB}), nil,
			"NETWORKFIREWALL-1", true, "Network Firewall fw-3 has live endpoints in 1 Availability Zone (us-east-1a), so traffic routed through it stops if that zone fails.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"no sync states, subnet mappings in two zones", nfwFirewall("fw-4", nil, "subnet-pub-a", "subnet-2pub-b"), nil,
			"NETWORKFIREWALL-1", false, "Network Firewall fw-4 has subnet mappings in 2 Availability Zones (us-east-1a, us-east-1b); it reports no endpoints (no sync states), so the routes to them cannot be checked.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"no status, one subnet mapping", noStatus, nil,
			"NETWORKFIREWALL-1", true, "Network Firewall fw-nostatus has subnet mappings in 1 Availability Zone (us-east-1a), so traffic routed through it stops if that zone fails.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"a mapped subnet not found", nfwFirewall("fw-5", nil, "subnet-2pub-b", "subnet-gone"), nil,
			"NETWORKFIREWALL-1", true, "Network Firewall fw-5 has subnet mappings in 1 Availability Zone (us-east-1b) and 1 mapped subnet that could not be found (subnet-gone), so traffic routed through it stops if that zone fails.",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
		{"transit-gateway-attached, two zones", tgwAttached, nil,
			"NETWORKFIREWALL-1", false, "Network Firewall fw-tgw has Availability Zone mappings in 2 Availability Zones (us-east-1a, us-east-1b); it reports no endpoints (no sync states), so the routes to them cannot be checked.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"nothing placed", nfwFirewall("fw-6", nil), nil,
			"NETWORKFIREWALL-1", true, "Network Firewall fw-6 has Availability Zone mappings in 0 Availability Zones (none), so it cannot be shown to inspect traffic in any Availability Zone.",
			nil, nil},
		{"no ARN reported", noARN, nil,
			"NETWORKFIREWALL-1", true, "Network Firewall fw-noarn has live endpoints in 1 Availability Zone (us-east-1a), so traffic routed through it stops if that zone fails.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeNetworkFirewall(c.fw, c.uses, netTestIndex(), netTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			name := aws.ToString(c.fw.Firewall.FirewallName)
			if f.ResourceARN != "arn:aws:network-firewall:us-east-1:111111111111:firewall/"+name || f.ResourceName != name ||
				f.ResourceID != "id-"+name || f.ResourceType != "AWS::NetworkFirewall::Firewall" || f.Severity != SeverityHigh {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azID) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azID)
			}
		})
	}
}

// fakeNetworkFirewall serves ListFirewalls in pages (NextToken "1", "2",
// ...) and DescribeFirewall by ARN; firewalls in gone are deleted between
// the two calls.
type fakeNetworkFirewall struct {
	pages       [][]networkfirewallFirewall
	gone        map[string]bool
	listErr     error
	describeErr error
	described   []string
}

func (f *fakeNetworkFirewall) ListFirewalls(_ context.Context, in *networkfirewall.ListFirewallsInput, _ ...func(*networkfirewall.Options)) (*networkfirewall.ListFirewallsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &networkfirewall.ListFirewallsOutput{}
	for _, fw := range f.pages[i] {
		out.Firewalls = append(out.Firewalls, nfwtypes.FirewallMetadata{FirewallName: fw.Firewall.FirewallName, FirewallArn: fw.Firewall.FirewallArn})
	}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func (f *fakeNetworkFirewall) DescribeFirewall(_ context.Context, in *networkfirewall.DescribeFirewallInput, _ ...func(*networkfirewall.Options)) (*networkfirewall.DescribeFirewallOutput, error) {
	arn := aws.ToString(in.FirewallArn)
	f.described = append(f.described, arn)
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	if f.gone[arn] {
		return nil, &nfwtypes.ResourceNotFoundException{Message: aws.String("firewall not found")}
	}
	for _, p := range f.pages {
		for _, fw := range p {
			if aws.ToString(fw.Firewall.FirewallArn) == arn {
				fwc := fw.Firewall
				return &networkfirewall.DescribeFirewallOutput{Firewall: &fwc, FirewallStatus: fw.Status}, nil
			}
		}
	}
	return nil, errors.New("unexpected firewall " + arn)
}

func TestLoadNetworkFirewallsReadsEveryPage(t *testing.T) {
	one, two := nfwFirewall("fw-1", []nfwEndpoint{nfwA}), nfwFirewall("fw-2", []nfwEndpoint{nfwA, nfwB}, "subnet-pub-a")
	gone := nfwFirewall("fw-gone", nil)
	api := &fakeNetworkFirewall{pages: [][]networkfirewallFirewall{{one, gone}, {two}}, gone: map[string]bool{aws.ToString(gone.Firewall.FirewallArn): true}}
	var got []networkfirewallFirewall
	if err := loadNetworkFirewalls(context.Background(), api, func(fw networkfirewallFirewall) { got = append(got, fw) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got[0], one) || !reflect.DeepEqual(got[1], two) || len(api.described) != 3 {
		t.Fatalf("got %+v, described %v", got, api.described)
	}
	// The items survive a snapshot (JSON) as they were read.
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back []networkfirewallFirewall
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back, got) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, back, got)
	}
}

func TestLoadNetworkFirewallsAccessDenied(t *testing.T) {
	add := func(networkfirewallFirewall) { t.Fatal("nothing may be handed over") }
	err := loadNetworkFirewalls(context.Background(), &fakeNetworkFirewall{listErr: accessDenied("AccessDeniedException")}, add)
	requireCode(t, err, "AccessDeniedException")
	api := &fakeNetworkFirewall{pages: [][]networkfirewallFirewall{{nfwFirewall("fw-1", nil)}}, describeErr: accessDenied("AccessDeniedException")}
	requireCode(t, loadNetworkFirewalls(context.Background(), api, add), "AccessDeniedException")
}

func toEndpoint(cidr, vpce string) ec2types.Route {
	return ec2types.Route{DestinationCidrBlock: aws.String(cidr), GatewayId: aws.String(vpce), State: ec2types.RouteStateActive}
}

func TestAnalyseNetworkFirewall(t *testing.T) {
	deleting := nfwFirewall("fw-deleting", []nfwEndpoint{nfwA})
	deleting.Status.Status = nfwtypes.FirewallStatusValueDeleting
	s := testScope()
	inventory.Put(s, networkfirewallFirewalls, []networkfirewallFirewall{
		nfwFirewall("fw-2", []nfwEndpoint{nfwA, nfwB}), deleting,
		nfwFirewall("fw-c", []nfwEndpoint{{az: "us-east-1c", id: "vpce-fw-c", subnet: "subnet-priv-c"}})}, nil)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, []ec2types.RouteTable{
		rtb("rtb-main", "vpc-1", nil, local("10.1.0.0/16"), toGateway("0.0.0.0/0", "igw-1")),
		rtb("rtb-a", "vpc-1", []string{"subnet-priv-a"}, local("10.1.0.0/16"), toEndpoint("0.0.0.0/0", "vpce-fw-a")),
		rtb("rtb-b", "vpc-1", []string{"subnet-priv-b"}, local("10.1.0.0/16"), toEndpoint("0.0.0.0/0", "vpce-fw-a"), toEndpoint("10.9.0.0/16", "vpce-fw-a")),
	}, nil)
	var got []Finding
	if err := analyseNetworkFirewall(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d findings, want 2: %+v", len(got), got)
	}
	if f := got[0]; f.ResourceName != "fw-2" || f.CheckID != "NETWORKFIREWALL-2" || !f.Risk ||
		f.Message != "Network Firewall fw-2 has live endpoints in 2 Availability Zones (us-east-1a, us-east-1b), but the route tables of 1 subnet send traffic to a firewall endpoint of another zone, which they lose if that zone fails: subnet-priv-b in us-east-1b (use1-az2) sends 0.0.0.0/0, 10.9.0.0/16 to vpce-fw-a in us-east-1a (use1-az1)." {
		t.Errorf("fw-2: %+v", f)
	}
	if f := got[1]; f.ResourceName != "fw-c" || f.CheckID != "NETWORKFIREWALL-1" || !f.Risk {
		t.Errorf("fw-c: %+v", f)
	}
}

func TestAnalyseNetworkFirewallAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, networkfirewallFirewalls, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseNetworkFirewall(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	s = testScope()
	inventory.Put(s, networkfirewallFirewalls, []networkfirewallFirewall{nfwFirewall("fw-1", []nfwEndpoint{nfwA})}, nil)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseNetworkFirewall(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied route table read: %+v", got)
	}
	// No firewall: no subnet or route table read.
	s = testScope()
	inventory.Put(s, networkfirewallFirewalls, nil, nil)
	if err := analyseNetworkFirewall(context.Background(), s, collect(&got)); err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseNetworkFirewallKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, networkfirewallFirewalls, []networkfirewallFirewall{nfwFirewall("fw-1", []nfwEndpoint{nfwA, nfwB})}, throttled)
	inventory.Put(s, inventory.Subnets, netTestSubnets, nil)
	inventory.Put(s, inventory.RouteTables, nil, nil)
	var got []Finding
	if err := analyseNetworkFirewall(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceName != "fw-1" || got[0].Risk {
		t.Fatalf("findings: %+v", got)
	}
}

func TestNetworkFirewallActions(t *testing.T) {
	want := []string{"ec2:DescribeRouteTables", "ec2:DescribeSubnets", "network-firewall:DescribeFirewall", "network-firewall:ListFirewalls"}
	if got := NetworkFirewall.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
