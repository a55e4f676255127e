package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	route53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	resolvertypes "github.com/aws/aws-sdk-go-v2/service/route53resolver/types"

	"github.com/faultline/faultline/inventory"
)

var route53TestTarget = Target{AccountID: "111111111111", Partition: "aws", Region: GlobalRegion}

// route53TestSubnets are eu-west-2's subnets: two in eu-west-2a, one in
// eu-west-2b.
var route53TestSubnets = []inventory.Subnet{
	{ID: "subnet-a1", VPCID: "vpc-1", AZ: "eu-west-2a", AZID: "euw2-az2"},
	{ID: "subnet-a2", VPCID: "vpc-1", AZ: "eu-west-2a", AZID: "euw2-az2"},
	{ID: "subnet-b1", VPCID: "vpc-1", AZ: "eu-west-2b", AZID: "euw2-az3"},
}

func route53TestSubnetIndex() map[string]inventory.Subnet {
	m := map[string]inventory.Subnet{}
	for _, s := range route53TestSubnets {
		m[s.ID] = s
	}
	return m
}

// resolverEndpoint is an operational endpoint of eu-west-2 with one IP
// address per subnet (10.0.0.1, 10.0.0.2, ...), attached.
func resolverEndpoint(id string, dir resolvertypes.ResolverEndpointDirection, subnets ...string) route53ResolverEndpoint {
	ep := route53ResolverEndpoint{Endpoint: resolvertypes.ResolverEndpoint{
		Id: aws.String(id), Arn: aws.String("arn:aws:route53resolver:eu-west-2:111111111111:resolver-endpoint/" + id),
		Direction: dir, HostVPCId: aws.String("vpc-1"), Status: resolvertypes.ResolverEndpointStatusOperational,
		IpAddressCount: aws.Int32(int32(len(subnets))),
	}}
	for i, sn := range subnets {
		ep.IPAddresses = append(ep.IPAddresses, resolvertypes.IpAddressResponse{IpId: aws.String("rni-" + strconv.Itoa(i)),
			Ip: aws.String("10.0.0." + strconv.Itoa(i+1)), SubnetId: aws.String(sn), Status: resolvertypes.IpAddressStatusAttached})
	}
	return ep
}

func TestJudgeRoute53Resolver(t *testing.T) {
	named := resolverEndpoint("rslvr-in-1", resolvertypes.ResolverEndpointDirectionInbound, "subnet-a1", "subnet-b1")
	named.Endpoint.Name = aws.String("from-dc")
	mixed := resolverEndpoint("rslvr-out-gone", resolvertypes.ResolverEndpointDirectionOutbound, "subnet-a1", "subnet-b1", "subnet-a2")
	mixed.IPAddresses[1].Status = resolvertypes.IpAddressStatusFailedCreation
	allGone := resolverEndpoint("rslvr-out-dead", resolvertypes.ResolverEndpointDirectionOutbound, "subnet-a1")
	allGone.IPAddresses[0].Status = resolvertypes.IpAddressStatusDeleting
	ipv6 := resolverEndpoint("rslvr-in-v6", resolvertypes.ResolverEndpointDirectionInboundDelegation, "subnet-a1", "subnet-b1")
	ipv6.IPAddresses[0].Ip, ipv6.IPAddresses[0].Ipv6 = nil, aws.String("2001:db8::1")
	bare := resolverEndpoint("rslvr-bare", "", "subnet-a1")
	bare.Endpoint.HostVPCId = nil
	cases := []struct {
		name        string
		ep          route53ResolverEndpoint
		risk        bool
		message     string
		azs, azIDs  []string
		wantARNName string
	}{
		{"two AZs", named, false,
			"Inbound Route 53 Resolver endpoint rslvr-in-1 (from-dc) in vpc-1 has 2 IP addresses (10.0.0.1, 10.0.0.2) across 2 Availability Zones (eu-west-2a, eu-west-2b), so its DNS queries are still answered if one zone fails.",
			[]string{"eu-west-2a", "eu-west-2b"}, []string{"euw2-az2", "euw2-az3"}, "from-dc"},
		{"two subnets in one AZ", resolverEndpoint("rslvr-out-1", resolvertypes.ResolverEndpointDirectionOutbound, "subnet-a1", "subnet-a2"), true,
			"Outbound Route 53 Resolver endpoint rslvr-out-1 in vpc-1 has 2 IP addresses (10.0.0.1, 10.0.0.2), all in one Availability Zone (eu-west-2a), so an outage of that zone stops every DNS query through the endpoint.",
			[]string{"eu-west-2a"}, []string{"euw2-az2"}, ""},
		{"a subnet not found", resolverEndpoint("rslvr-out-2", resolvertypes.ResolverEndpointDirectionOutbound, "subnet-a1", "subnet-gone"), true,
			"Outbound Route 53 Resolver endpoint rslvr-out-2 in vpc-1 has 2 IP addresses (10.0.0.1, 10.0.0.2); only 1 Availability Zone could be placed (eu-west-2a) and 1 subnet could not be found (subnet-gone).",
			[]string{"eu-west-2a"}, []string{"euw2-az2"}, ""},
		{"an address that failed is not counted", mixed, true,
			"Outbound Route 53 Resolver endpoint rslvr-out-gone in vpc-1 has 2 IP addresses (10.0.0.1, 10.0.0.3), all in one Availability Zone (eu-west-2a), so an outage of that zone stops every DNS query through the endpoint. Not in service: 10.0.0.2 FAILED_CREATION.",
			[]string{"eu-west-2a"}, []string{"euw2-az2"}, ""},
		{"no address in service", allGone, true,
			"Outbound Route 53 Resolver endpoint rslvr-out-dead in vpc-1 has no IP address in service, so it answers no DNS query in any Availability Zone. Not in service: 10.0.0.1 DELETING.",
			nil, nil, ""},
		{"no address listed", resolverEndpoint("rslvr-empty", resolvertypes.ResolverEndpointDirectionInbound), true,
			"Inbound Route 53 Resolver endpoint rslvr-empty in vpc-1 has no IP address in service, so it answers no DNS query in any Availability Zone.",
			nil, nil, ""},
		{"IPv6-only address, inbound delegation", ipv6, false,
			"Inbound delegation Route 53 Resolver endpoint rslvr-in-v6 in vpc-1 has 2 IP addresses (2001:db8::1, 10.0.0.2) across 2 Availability Zones (eu-west-2a, eu-west-2b), so its DNS queries are still answered if one zone fails.",
			[]string{"eu-west-2a", "eu-west-2b"}, []string{"euw2-az2", "euw2-az3"}, ""},
		{"no direction or VPC reported", bare, true,
			"Route 53 Resolver endpoint rslvr-bare has 1 IP address (10.0.0.1), all in one Availability Zone (eu-west-2a), so an outage of that zone stops every DNS query through the endpoint.",
			[]string{"eu-west-2a"}, []string{"euw2-az2"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRoute53Resolver(c.ep, route53TestSubnetIndex())
			if f.CheckID != "ROUTE53-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant ROUTE53-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.ep.Endpoint.Arn) || f.ResourceID != aws.ToString(c.ep.Endpoint.Id) || f.ResourceName != c.wantARNName ||
				f.ResourceType != "AWS::Route53Resolver::ResolverEndpoint" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

// failoverRecord is a failover A record of the public zone example.com.
// (Z1) with value 192.0.2.1.
func failoverRecord(name string, role route53types.ResourceRecordSetFailover, healthCheck string) route53RecordSet {
	r := route53RecordSet{ZoneID: "Z1", ZoneName: "example.com.", Record: route53types.ResourceRecordSet{
		Name: aws.String(name), Type: route53types.RRTypeA, Failover: role, SetIdentifier: aws.String(strings.ToLower(string(role))),
		TTL: aws.Int64(60), ResourceRecords: []route53types.ResourceRecord{{Value: aws.String("192.0.2.1")}},
	}}
	if healthCheck != "" {
		r.Record.HealthCheckId = aws.String(healthCheck)
	}
	return r
}

// aliasFailover is failoverRecord as an alias to a load balancer.
func aliasFailover(name string, role route53types.ResourceRecordSetFailover, evaluate bool, healthCheck string) route53RecordSet {
	r := failoverRecord(name, role, healthCheck)
	r.Record.TTL, r.Record.ResourceRecords = nil, nil
	r.Record.AliasTarget = &route53types.AliasTarget{DNSName: aws.String("dualstack.lb-1.eu-west-2.elb.amazonaws.com."),
		HostedZoneId: aws.String("ZHURV8PSTC4K8"), EvaluateTargetHealth: evaluate}
	return r
}

func TestJudgeRoute53Failover(t *testing.T) {
	const (
		primary   = route53types.ResourceRecordSetFailoverPrimary
		secondary = route53types.ResourceRecordSetFailoverSecondary
	)
	private := failoverRecord("db.internal.", primary, "")
	private.ZoneID, private.ZoneName, private.PrivateZone = "Z2", "internal.", true
	noSet := failoverRecord("www.example.com.", primary, "hc-1")
	noSet.Record.SetIdentifier = nil
	noValues := failoverRecord("www.example.com.", secondary, "")
	noValues.Record.ResourceRecords = nil
	multi := failoverRecord("www.example.com.", primary, "")
	multi.Record.ResourceRecords = append(multi.Record.ResourceRecords, route53types.ResourceRecord{Value: aws.String("192.0.2.2")})
	const alias = "dualstack.lb-1.eu-west-2.elb.amazonaws.com."
	cases := []struct {
		name    string
		r       route53RecordSet
		check   string
		risk    bool
		message string
		id      string
	}{
		{"primary without health check", failoverRecord("www.example.com.", primary, ""), "ROUTE53-2", true,
			"Failover record www.example.com. A (PRIMARY, set primary) in public hosted zone example.com. (Z1) has no health check, so Route 53 treats it as always healthy and keeps answering with 192.0.2.1 when that endpoint fails: the SECONDARY record never takes over.",
			"Z1/www.example.com./A/primary"},
		{"secondary without health check", failoverRecord("www.example.com.", secondary, ""), "ROUTE53-2", true,
			"Failover record www.example.com. A (SECONDARY, set secondary) in public hosted zone example.com. (Z1) has no health check, so Route 53 treats it as always healthy and keeps answering with 192.0.2.1 when that endpoint fails: when the PRIMARY fails Route 53 answers with it even if it is down too.",
			"Z1/www.example.com./A/secondary"},
		{"primary with health check", failoverRecord("www.example.com.", primary, "hc-1"), "ROUTE53-2", false,
			"Failover record www.example.com. A (PRIMARY, set primary) in public hosted zone example.com. (Z1) is tied to health check hc-1, so Route 53 stops answering with 192.0.2.1 when that endpoint fails.",
			"Z1/www.example.com./A/primary"},
		{"private zone", private, "ROUTE53-2", true,
			"Failover record db.internal. A (PRIMARY, set primary) in private hosted zone internal. (Z2) has no health check, so Route 53 treats it as always healthy and keeps answering with 192.0.2.1 when that endpoint fails: the SECONDARY record never takes over.",
			"Z2/db.internal./A/primary"},
		{"no set identifier", noSet, "ROUTE53-2", false,
			"Failover record www.example.com. A (PRIMARY) in public hosted zone example.com. (Z1) is tied to health check hc-1, so Route 53 stops answering with 192.0.2.1 when that endpoint fails.",
			"Z1/www.example.com./A"},
		{"no values", noValues, "ROUTE53-2", true,
			"Failover record www.example.com. A (SECONDARY, set secondary) in public hosted zone example.com. (Z1) has no health check, so Route 53 treats it as always healthy and keeps answering with its values when that endpoint fails: when the PRIMARY fails Route 53 answers with it even if it is down too.",
			"Z1/www.example.com./A/secondary"},
		{"several values", multi, "ROUTE53-2", true,
			"Failover record www.example.com. A (PRIMARY, set primary) in public hosted zone example.com. (Z1) has no health check, so Route 53 treats it as always healthy and keeps answering with 192.0.2.1, 192.0.2.2 when that endpoint fails: the SECONDARY record never takes over.",
			"Z1/www.example.com./A/primary"},
		{"alias primary, target health not evaluated", aliasFailover("app.example.com.", primary, false, ""), "ROUTE53-3", true,
			"Failover record app.example.com. A (PRIMARY, set primary) in public hosted zone example.com. (Z1) is an alias to " + alias + " with EvaluateTargetHealth false and no health check, so Route 53 treats it as always healthy and keeps answering with it when the target fails: the SECONDARY record never takes over.",
			"Z1/app.example.com./A/primary"},
		{"alias secondary, target health not evaluated", aliasFailover("app.example.com.", secondary, false, ""), "ROUTE53-3", true,
			"Failover record app.example.com. A (SECONDARY, set secondary) in public hosted zone example.com. (Z1) is an alias to " + alias + " with EvaluateTargetHealth false and no health check, so Route 53 treats it as always healthy and keeps answering with it when the target fails: when the PRIMARY fails Route 53 answers with it even if it is down too.",
			"Z1/app.example.com./A/secondary"},
		{"alias evaluating target health", aliasFailover("app.example.com.", primary, true, ""), "ROUTE53-3", false,
			"Failover record app.example.com. A (PRIMARY, set primary) in public hosted zone example.com. (Z1) is an alias to " + alias + " that evaluates its target's health, so Route 53 stops answering with it when the target has no healthy endpoint.",
			"Z1/app.example.com./A/primary"},
		{"alias with a health check instead", aliasFailover("app.example.com.", primary, false, "hc-2"), "ROUTE53-3", false,
			"Failover record app.example.com. A (PRIMARY, set primary) in public hosted zone example.com. (Z1) is an alias to " + alias + " that does not evaluate its target's health but is tied to health check hc-2, so Route 53 stops answering with it when that check fails.",
			"Z1/app.example.com./A/primary"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRoute53Failover(c.r, route53TestTarget)
			if f.CheckID != c.check || f.Severity != SeverityMedium || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s MEDIUM %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			if f.ResourceARN != "arn:aws:route53:::hostedzone/"+c.r.ZoneID || f.ResourceName != aws.ToString(c.r.Record.Name) || f.ResourceID != c.id ||
				f.ResourceType != "AWS::Route53::RecordSet" || f.AZs != nil {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

// fakeRoute53 pages hosted zones two at a time and each zone's records two
// at a time (the token is the next record's name and type); failZones or
// failRecords makes that call fail; repeat makes every records page name
// the same next record.
type fakeRoute53 struct {
	zones       []route53types.HostedZone
	records     map[string][]route53types.ResourceRecordSet
	failZones   error
	failRecords error
	repeat      bool
	recordCalls []string
}

func (f *fakeRoute53) ListHostedZones(_ context.Context, in *route53.ListHostedZonesInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	i := 0
	if in.Marker != nil {
		i, _ = strconv.Atoi(*in.Marker)
		if f.failZones != nil {
			return nil, f.failZones
		}
	}
	end := min(i+2, len(f.zones))
	out := &route53.ListHostedZonesOutput{HostedZones: f.zones[i:end]}
	if end < len(f.zones) {
		out.IsTruncated, out.NextMarker = true, aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeRoute53) ListResourceRecordSets(_ context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	f.recordCalls = append(f.recordCalls, aws.ToString(in.HostedZoneId)+"@"+aws.ToString(in.StartRecordName))
	if f.failRecords != nil && in.StartRecordName != nil {
		return nil, f.failRecords
	}
	recs := f.records[aws.ToString(in.HostedZoneId)]
	i := 0
	if in.StartRecordName != nil {
		for i < len(recs) && (aws.ToString(recs[i].Name) != aws.ToString(in.StartRecordName) || recs[i].Type != in.StartRecordType) {
			i++
		}
	}
	end := min(i+2, len(recs))
	out := &route53.ListResourceRecordSetsOutput{ResourceRecordSets: recs[i:end]}
	if f.repeat && end < len(recs) {
		out.IsTruncated, out.NextRecordName, out.NextRecordType = true, recs[0].Name, recs[0].Type
	} else if end < len(recs) {
		out.IsTruncated, out.NextRecordName, out.NextRecordType = true, recs[end].Name, recs[end].Type
	}
	return out, nil
}

func route53Zones(n int) []route53types.HostedZone {
	var zones []route53types.HostedZone
	for i := range n {
		id := "Z" + strconv.Itoa(i+1)
		zones = append(zones, route53types.HostedZone{Id: aws.String("/hostedzone/" + id), Name: aws.String("zone" + strconv.Itoa(i+1) + ".example."),
			Config: &route53types.HostedZoneConfig{PrivateZone: i%2 == 1}})
	}
	return zones
}

func route53Records(names ...string) []route53types.ResourceRecordSet {
	var out []route53types.ResourceRecordSet
	for _, n := range names {
		out = append(out, route53types.ResourceRecordSet{Name: aws.String(n), Type: route53types.RRTypeA})
	}
	return out
}

func TestLoadRoute53HostedZonesTwoPages(t *testing.T) {
	api := &fakeRoute53{zones: route53Zones(3)}
	var got []string
	if err := loadRoute53HostedZones(context.Background(), api, func(z route53types.HostedZone) { got = append(got, aws.ToString(z.Id)) }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "/hostedzone/Z1,/hostedzone/Z2,/hostedzone/Z3" {
		t.Fatalf("read %v", got)
	}
	api = &fakeRoute53{zones: route53Zones(3), failZones: accessDenied("AccessDenied")}
	got = nil
	err := loadRoute53HostedZones(context.Background(), api, func(z route53types.HostedZone) { got = append(got, aws.ToString(z.Id)) })
	requireCode(t, err, "AccessDenied")
	if len(got) != 2 {
		t.Fatalf("want the first page kept, read %v", got)
	}
}

func TestLoadRoute53RecordSets(t *testing.T) {
	api := &fakeRoute53{records: map[string][]route53types.ResourceRecordSet{
		"Z1": route53Records("a.zone1.example.", "b.zone1.example.", "c.zone1.example."),
		"Z2": route53Records("a.zone2.example."),
	}}
	var got []string
	add := func(r route53RecordSet) {
		got = append(got, r.ZoneID+" "+r.ZoneName+" "+strconv.FormatBool(r.PrivateZone)+" "+aws.ToString(r.Record.Name))
	}
	if err := loadRoute53RecordSets(context.Background(), api, route53Zones(2), add); err != nil {
		t.Fatal(err)
	}
	want := []string{"Z1 zone1.example. false a.zone1.example.", "Z1 zone1.example. false b.zone1.example.", "Z1 zone1.example. false c.zone1.example.",
		"Z2 zone2.example. true a.zone2.example."}
	if !slices.Equal(got, want) {
		t.Errorf("read %v\nwant %v", got, want)
	}
	// The zone ID is sent without "/hostedzone/", and the second page
	// starts at the record the first named.
	if want := []string{"Z1@", "Z1@c.zone1.example.", "Z2@"}; !slices.Equal(api.recordCalls, want) {
		t.Errorf("calls %v, want %v", api.recordCalls, want)
	}

	// A token that comes back twice ends the zone's listing.
	api = &fakeRoute53{repeat: true, records: map[string][]route53types.ResourceRecordSet{"Z1": route53Records("a.", "b.", "c.", "d.", "e.", "f.")}}
	got = nil
	if err := loadRoute53RecordSets(context.Background(), api, route53Zones(1), add); err != nil {
		t.Fatal(err)
	}
	if len(api.recordCalls) != 2 {
		t.Errorf("calls %v: want the repeated token (a. twice) to stop the listing", api.recordCalls)
	}

	// A denied second page ends the read with its error, keeping the first.
	api = &fakeRoute53{failRecords: accessDenied("AccessDenied"), records: map[string][]route53types.ResourceRecordSet{
		"Z1": route53Records("a.", "b.", "c.")}}
	got = nil
	requireCode(t, loadRoute53RecordSets(context.Background(), api, route53Zones(2), add), "AccessDenied")
	if len(got) != 2 {
		t.Errorf("read %v, want the first page", got)
	}
}

// fakeResolver pages endpoints and each endpoint's IP addresses one at a
// time; failIPsOf fails the IP listing of that endpoint.
type fakeResolver struct {
	endpoints []route53ResolverEndpoint
	failIPsOf string
	failList  error
}

func (f *fakeResolver) ListResolverEndpoints(_ context.Context, in *route53resolver.ListResolverEndpointsInput, _ ...func(*route53resolver.Options)) (*route53resolver.ListResolverEndpointsOutput, error) {
	if f.failList != nil {
		return nil, f.failList
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &route53resolver.ListResolverEndpointsOutput{}
	if i < len(f.endpoints) {
		out.ResolverEndpoints = []resolvertypes.ResolverEndpoint{f.endpoints[i].Endpoint}
	}
	if i+1 < len(f.endpoints) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func (f *fakeResolver) ListResolverEndpointIpAddresses(_ context.Context, in *route53resolver.ListResolverEndpointIpAddressesInput, _ ...func(*route53resolver.Options)) (*route53resolver.ListResolverEndpointIpAddressesOutput, error) {
	id := aws.ToString(in.ResolverEndpointId)
	if id == f.failIPsOf {
		return nil, accessDenied("AccessDeniedException")
	}
	var ips []resolvertypes.IpAddressResponse
	for _, ep := range f.endpoints {
		if aws.ToString(ep.Endpoint.Id) == id {
			ips = ep.IPAddresses
		}
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &route53resolver.ListResolverEndpointIpAddressesOutput{}
	if i < len(ips) {
		out.IpAddresses = ips[i : i+1]
	}
	if i+1 < len(ips) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func TestLoadRoute53ResolverEndpoints(t *testing.T) {
	eps := []route53ResolverEndpoint{
		resolverEndpoint("rslvr-in-1", resolvertypes.ResolverEndpointDirectionInbound, "subnet-a1", "subnet-b1", "subnet-a2"),
		resolverEndpoint("rslvr-out-1", resolvertypes.ResolverEndpointDirectionOutbound, "subnet-a1", "subnet-a2"),
	}
	var got []route53ResolverEndpoint
	if err := loadRoute53ResolverEndpoints(context.Background(), &fakeResolver{endpoints: eps}, func(ep route53ResolverEndpoint) { got = append(got, ep) }); err != nil {
		t.Fatal(err)
	}
	// Both endpoint pages and every IP page are read, and the items
	// round-trip JSON as a snapshot stores them.
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back []route53ResolverEndpoint
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, eps) {
		t.Errorf("read %+v\nwant %+v", back, eps)
	}

	// A denied IP listing ends the read: the endpoints read whole before it
	// are kept, the one half-read is not.
	got = nil
	err = loadRoute53ResolverEndpoints(context.Background(), &fakeResolver{endpoints: eps, failIPsOf: "rslvr-out-1"}, func(ep route53ResolverEndpoint) { got = append(got, ep) })
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 1 || aws.ToString(got[0].Endpoint.Id) != "rslvr-in-1" {
		t.Errorf("read %+v", got)
	}
	err = loadRoute53ResolverEndpoints(context.Background(), &fakeResolver{failList: accessDenied("AccessDeniedException")}, func(route53ResolverEndpoint) {
		t.Error("an item from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

func TestRoute53RecordSetRoundTripsJSON(t *testing.T) {
	recs := []route53RecordSet{failoverRecord("www.example.com.", route53types.ResourceRecordSetFailoverPrimary, "hc-1"),
		aliasFailover("app.example.com.", route53types.ResourceRecordSetFailoverSecondary, true, "")}
	raw, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	var back []route53RecordSet
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, recs) {
		t.Errorf("got %+v\nwant %+v", back, recs)
	}
}

// route53TestScope is the global scope of an account whose run covers
// regions.
func route53TestScope(regions ...string) *inventory.Scope {
	return inventory.NewFixture().Scope(inventory.Account{ID: "111111111111", Partition: "aws", Regions: regions}, inventory.GlobalRegion)
}

func TestAnalyseRoute53(t *testing.T) {
	s := route53TestScope("eu-west-2", "ap-south-2", "il-central-1")
	plain := failoverRecord("plain.example.com.", "", "")
	plain.Record.Failover, plain.Record.SetIdentifier = "", nil
	inventory.Put(s, route53RecordSets, []route53RecordSet{plain, failoverRecord("www.example.com.", route53types.ResourceRecordSetFailoverPrimary, ""),
		failoverRecord("www.example.com.", route53types.ResourceRecordSetFailoverSecondary, "hc-2")}, nil)
	deleting := resolverEndpoint("rslvr-deleting", resolvertypes.ResolverEndpointDirectionInbound, "subnet-a1")
	deleting.Endpoint.Status = resolvertypes.ResolverEndpointStatusDeleting
	euw2 := s.In("eu-west-2")
	inventory.Put(euw2, route53ResolverEndpoints, []route53ResolverEndpoint{
		resolverEndpoint("rslvr-in-1", resolvertypes.ResolverEndpointDirectionInbound, "subnet-a1", "subnet-a2"),
		deleting,
		resolverEndpoint("rslvr-out-1", resolvertypes.ResolverEndpointDirectionOutbound, "subnet-a1", "subnet-b1"),
	}, nil)
	inventory.Put(euw2, inventory.Subnets, route53TestSubnets, nil)
	// ap-south-2: the endpoint does not resolve (live); il-central-1: a
	// snapshot recorded that.
	inventory.Put(s.In("ap-south-2"), route53ResolverEndpoints, nil, &net.DNSError{Err: "no such host", Name: "route53resolver.ap-south-2.amazonaws.com", IsNotFound: true})
	inventory.Put(s.In("il-central-1"), route53ResolverEndpoints, nil, &inventory.RecordedError{Code: "EndpointNotFound", Message: "lookup route53resolver.il-central-1.amazonaws.com: no such host"})
	var got []Finding
	if err := analyseRoute53(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, f := range got {
		rows = append(rows, f.CheckID+" "+strconv.FormatBool(f.Risk)+" "+f.ResourceID)
	}
	want := []string{"ROUTE53-2 true Z1/www.example.com./A/primary", "ROUTE53-2 false Z1/www.example.com./A/secondary",
		"ROUTE53-1 true rslvr-in-1", "ROUTE53-1 false rslvr-out-1", "ROUTE53-4 false ap-south-2", "ROUTE53-4 false il-central-1"}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %v\nwant %v", rows, want)
	}
	if f := got[4]; f.Message != "Route 53 Resolver is not offered in ap-south-2 (its endpoint does not resolve), so no Resolver endpoint was read there." ||
		f.Severity != SeverityInfo || f.ResourceARN != "" {
		t.Errorf("not-offered row: %+v", f)
	}
}

// A scope without account regions (a run that covers none) reads no
// Resolver endpoint.
func TestAnalyseRoute53WithoutRegions(t *testing.T) {
	s := route53TestScope()
	inventory.Put(s, route53RecordSets, nil, nil)
	var got []Finding
	if err := analyseRoute53(context.Background(), s, collect(&got)); err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

// Failures do not stop the other reads: a denied record listing still
// lets the Resolver endpoints be judged, a denied region the other
// regions, and every failure is returned.
func TestAnalyseRoute53Failures(t *testing.T) {
	s := route53TestScope("eu-west-2", "us-west-1", "eu-central-2")
	throttled := errors.New("throttled")
	inventory.Put(s, route53RecordSets, []route53RecordSet{failoverRecord("www.example.com.", route53types.ResourceRecordSetFailoverPrimary, "")}, throttled)
	inventory.Put(s.In("eu-west-2"), route53ResolverEndpoints, []route53ResolverEndpoint{
		resolverEndpoint("rslvr-in-1", resolvertypes.ResolverEndpointDirectionInbound, "subnet-a1", "subnet-b1")}, nil)
	inventory.Put(s.In("eu-west-2"), inventory.Subnets, route53TestSubnets, nil)
	inventory.Put(s.In("us-west-1"), route53ResolverEndpoints, nil, accessDenied("AccessDeniedException"))
	// eu-central-2: the subnets cannot be read, so its endpoint is not
	// judged half-placed.
	inventory.Put(s.In("eu-central-2"), route53ResolverEndpoints, []route53ResolverEndpoint{
		resolverEndpoint("rslvr-in-2", resolvertypes.ResolverEndpointDirectionInbound, "subnet-a1")}, nil)
	inventory.Put(s.In("eu-central-2"), inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	err := analyseRoute53(context.Background(), s, collect(&got))
	if !errors.Is(err, throttled) {
		t.Errorf("err %v, want the record listing's", err)
	}
	requireCode(t, err, "AccessDeniedException")
	var unauthorized bool
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		if e != nil && strings.Contains(e.Error(), "not authorized") && !errors.Is(e, throttled) {
			unauthorized = true
		}
	}
	if !unauthorized || !strings.Contains(err.Error(), "throttled") {
		t.Errorf("err %v", err)
	}
	var ids []string
	for _, f := range got {
		ids = append(ids, f.ResourceID)
	}
	if strings.Join(ids, ",") != "Z1/www.example.com./A/primary,rslvr-in-1" {
		t.Errorf("rows %v", ids)
	}
}

// A region whose endpoints need no placement (none, or only one being
// deleted) reads no subnets.
func TestAnalyseRoute53ReadsSubnetsOnlyWhenNeeded(t *testing.T) {
	s := route53TestScope("eu-west-2")
	inventory.Put(s, route53RecordSets, nil, nil)
	deleting := resolverEndpoint("rslvr-deleting", resolvertypes.ResolverEndpointDirectionInbound, "subnet-a1")
	deleting.Endpoint.Status = resolvertypes.ResolverEndpointStatusDeleting
	inventory.Put(s.In("eu-west-2"), route53ResolverEndpoints, []route53ResolverEndpoint{deleting}, nil)
	var got []Finding
	if err := analyseRoute53(context.Background(), s, collect(&got)); err != nil || len(got) != 0 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestRoute53Declaration(t *testing.T) {
	a := Route53
	if a.Name != "route53" || !a.Global || a.GlobalRegion != "us-east-1" {
		t.Errorf("declaration: %q %v %q", a.Name, a.Global, a.GlobalRegion)
	}
	want := []string{"ec2:DescribeSubnets", "route53:ListHostedZones", "route53:ListResourceRecordSets",
		"route53resolver:ListResolverEndpointIpAddresses", "route53resolver:ListResolverEndpoints"}
	if got := a.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	for partition, region := range map[string]string{"aws": "us-east-1", "aws-cn": "cn-northwest-1", "aws-us-gov": "us-gov-west-1"} {
		s := inventory.NewLive().Scope(inventory.Account{ID: "111111111111", Partition: partition}, inventory.GlobalRegion)
		if got := route53Config(s).Region; got != region {
			t.Errorf("%s: Route 53 endpoint region %q, want %q", partition, got, region)
		}
	}
}
