package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	route53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	resolvertypes "github.com/aws/aws-sdk-go-v2/service/route53resolver/types"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/inventory"
)

// route53Regions are the regions the route53 test's run covers: Resolver
// endpoints are read in each.
var route53Regions = []string{"eu-west-2", "ap-south-1"}

// seedRoute53 creates a public and a private hosted zone with failover
// records: a PRIMARY without and a SECONDARY with a health check, a PRIMARY
// with and a SECONDARY without one, alias PRIMARY/SECONDARY records with
// EvaluateTargetHealth false and true, a private PRIMARY without a health
// check, and a simple record that is not judged. In each of
// route53Regions it creates Resolver endpoints whose IP addresses are in one
// AZ (two subnets of it) and in two or three AZs. moto answers Route 53
// Resolver in every region, so a region where Resolver is not offered
// (ROUTE53-4) is covered by fakes only (analysers/route53_test.go), as are
// endpoints being deleted, IP addresses that failed, subnets that no longer
// exist, and paging (moto ignores StartRecordIdentifier, so a page boundary
// between two records of one name and type would repeat a record: the
// loader's token check is proven by the unit test).
func seedRoute53(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	var rows []row
	rows = append(rows, seedRoute53Zones(t, ctx, cfg)...)
	for _, region := range route53Regions {
		rcfg := cfg.Copy()
		rcfg.Region = region
		rows = append(rows, seedRoute53Resolver(t, ctx, rcfg)...)
	}
	return rows
}

func seedRoute53Zones(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := route53.NewFromConfig(cfg)
	vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	zone := func(name string, private bool) string {
		t.Helper()
		in := &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String("faultline-" + name)}
		if private {
			in.HostedZoneConfig = &route53types.HostedZoneConfig{PrivateZone: true}
			in.VPC = &route53types.VPC{VPCId: vpcs.Vpcs[0].VpcId, VPCRegion: route53types.VPCRegion(cfg.Region)}
		}
		out, err := api.CreateHostedZone(ctx, in)
		if err != nil {
			t.Fatalf("create zone %s: %v", name, err)
		}
		return strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
	}
	healthCheck := func(ref, ip string) string {
		t.Helper()
		out, err := api.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String(ref),
			HealthCheckConfig: &route53types.HealthCheckConfig{Type: route53types.HealthCheckTypeHttp, IPAddress: aws.String(ip), Port: aws.Int32(80)}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.HealthCheck.Id)
	}
	put := func(zoneID string, recs ...route53types.ResourceRecordSet) {
		t.Helper()
		var changes []route53types.Change
		for i := range recs {
			changes = append(changes, route53types.Change{Action: route53types.ChangeActionCreate, ResourceRecordSet: &recs[i]})
		}
		if _, err := api.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
			ChangeBatch: &route53types.ChangeBatch{Changes: changes}}); err != nil {
			t.Fatal(err)
		}
	}
	const (
		primary   = route53types.ResourceRecordSetFailoverPrimary
		secondary = route53types.ResourceRecordSetFailoverSecondary
	)
	record := func(name string, role route53types.ResourceRecordSetFailover, ip, hc string) route53types.ResourceRecordSet {
		r := route53types.ResourceRecordSet{Name: aws.String(name), Type: route53types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []route53types.ResourceRecord{{Value: aws.String(ip)}}}
		if role != "" {
			r.Failover, r.SetIdentifier = role, aws.String(strings.ToLower(string(role)))
		}
		if hc != "" {
			r.HealthCheckId = aws.String(hc)
		}
		return r
	}
	const lb = "dualstack.lb-1.eu-west-2.elb.amazonaws.com."
	alias := func(name string, role route53types.ResourceRecordSetFailover, evaluate bool) route53types.ResourceRecordSet {
		return route53types.ResourceRecordSet{Name: aws.String(name), Type: route53types.RRTypeA, Failover: role,
			SetIdentifier: aws.String(strings.ToLower(string(role))),
			AliasTarget:   &route53types.AliasTarget{DNSName: aws.String(lb), HostedZoneId: aws.String("ZHURV8PSTC4K8"), EvaluateTargetHealth: evaluate}}
	}

	pub := zone("faultline-f.example.", false)
	priv := zone("internal.faultline-f.example.", true)
	hcWWW2 := healthCheck("www-secondary", "192.0.2.2")
	hcAPI1 := healthCheck("api-primary", "192.0.2.3")
	put(pub,
		record("www.faultline-f.example.", primary, "192.0.2.1", ""),
		record("www.faultline-f.example.", secondary, "192.0.2.2", hcWWW2),
		record("api.faultline-f.example.", primary, "192.0.2.3", hcAPI1),
		record("api.faultline-f.example.", secondary, "192.0.2.4", ""),
		alias("app.faultline-f.example.", primary, false),
		alias("app.faultline-f.example.", secondary, true),
		record("plain.faultline-f.example.", "", "192.0.2.9", ""))
	put(priv, record("db.internal.faultline-f.example.", primary, "10.0.0.5", ""))

	var rows []row
	add := func(zoneID, name, set, risk, msg, check string) {
		rows = append(rows, row{"route53", analysers.GlobalRegion, "arn:aws:route53:::hostedzone/" + zoneID, name,
			zoneID + "/" + name + "/A/" + set, risk, "", msg, check, "MEDIUM"})
	}
	in := func(kind, zone, id string) string { return ") in " + kind + " hosted zone " + zone + " (" + id + ")" }
	pz := in("public", "faultline-f.example.", pub)
	const (
		always   = " has no health check, so Route 53 treats it as always healthy and keeps answering with "
		never    = " when that endpoint fails: the SECONDARY record never takes over."
		downToo  = " when that endpoint fails: when the PRIMARY fails Route 53 answers with it even if it is down too."
		stopsFor = ", so Route 53 stops answering with "
	)
	add(pub, "www.faultline-f.example.", "primary", "True", "Failover record www.faultline-f.example. A (PRIMARY, set primary"+pz+always+"192.0.2.1"+never, "ROUTE53-2")
	add(pub, "www.faultline-f.example.", "secondary", "False", "Failover record www.faultline-f.example. A (SECONDARY, set secondary"+pz+" is tied to health check "+hcWWW2+stopsFor+"192.0.2.2 when that endpoint fails.", "ROUTE53-2")
	add(pub, "api.faultline-f.example.", "primary", "False", "Failover record api.faultline-f.example. A (PRIMARY, set primary"+pz+" is tied to health check "+hcAPI1+stopsFor+"192.0.2.3 when that endpoint fails.", "ROUTE53-2")
	add(pub, "api.faultline-f.example.", "secondary", "True", "Failover record api.faultline-f.example. A (SECONDARY, set secondary"+pz+always+"192.0.2.4"+downToo, "ROUTE53-2")
	add(pub, "app.faultline-f.example.", "primary", "True", "Failover record app.faultline-f.example. A (PRIMARY, set primary"+pz+" is an alias to "+lb+" with EvaluateTargetHealth false and no health check, so Route 53 treats it as always healthy and keeps answering with it when the target fails: the SECONDARY record never takes over.", "ROUTE53-3")
	add(pub, "app.faultline-f.example.", "secondary", "False", "Failover record app.faultline-f.example. A (SECONDARY, set secondary"+pz+" is an alias to "+lb+" that evaluates its target's health, so Route 53 stops answering with it when the target has no healthy endpoint.", "ROUTE53-3")
	add(priv, "db.internal.faultline-f.example.", "primary", "True", "Failover record db.internal.faultline-f.example. A (PRIMARY, set primary"+in("private", "internal.faultline-f.example.", priv)+always+"10.0.0.5"+never, "ROUTE53-2")
	return rows
}

// seedRoute53Resolver creates, in cfg's region, an inbound endpoint with IP
// addresses in two AZs, an outbound one with both addresses in AZ a (two
// subnets of it), and an outbound one over three AZs.
func seedRoute53Resolver(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	subnets := defaultSubnets(t, ctx, cfg)
	a, b, c := r+"a", r+"b", r+"c"
	ec2api := ec2.NewFromConfig(cfg)
	vpcs, err := ec2api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	extra, err := ec2api.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("172.31.203.0/24"), AvailabilityZone: aws.String(a)})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := ec2api.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{"default"}}, {Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	if err != nil || len(groups.SecurityGroups) == 0 {
		t.Fatalf("default security group: %v", err)
	}
	sg := aws.ToString(groups.SecurityGroups[0].GroupId)
	api := route53resolver.NewFromConfig(cfg)
	var rows []row
	create := func(name string, dir resolvertypes.ResolverEndpointDirection, subnetIDs ...string) (arn, id, ips string) {
		t.Helper()
		var reqs []resolvertypes.IpAddressRequest
		for _, sn := range subnetIDs {
			reqs = append(reqs, resolvertypes.IpAddressRequest{SubnetId: aws.String(sn)})
		}
		out, err := api.CreateResolverEndpoint(ctx, &route53resolver.CreateResolverEndpointInput{CreatorRequestId: aws.String(r + "-" + name),
			Name: aws.String(name), Direction: dir, SecurityGroupIds: []string{sg}, IpAddresses: reqs})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		id = aws.ToString(out.ResolverEndpoint.Id)
		// moto picks the addresses: the rows name them as it listed them.
		listed, err := api.ListResolverEndpointIpAddresses(ctx, &route53resolver.ListResolverEndpointIpAddressesInput{ResolverEndpointId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		var addrs []string
		for _, ip := range listed.IpAddresses {
			addrs = append(addrs, aws.ToString(ip.Ip))
		}
		return aws.ToString(out.ResolverEndpoint.Arn), id, strings.Join(addrs, ", ")
	}
	add := func(name, risk, msg, arn, id string) {
		rows = append(rows, row{"route53", analysers.GlobalRegion, arn, name, id, risk, "", msg, "ROUTE53-1", "HIGH"})
	}
	arn, id, ips := create("inbound-two-azs", resolvertypes.ResolverEndpointDirectionInbound, subnets[b], subnets[a])
	add("inbound-two-azs", "False", "Inbound Route 53 Resolver endpoint "+id+" (inbound-two-azs) in "+vpc+" has 2 IP addresses ("+ips+") across 2 Availability Zones ("+a+", "+b+"), so its DNS queries are still answered if one zone fails.", arn, id)
	arn, id, ips = create("outbound-one-az", resolvertypes.ResolverEndpointDirectionOutbound, subnets[a], aws.ToString(extra.Subnet.SubnetId))
	add("outbound-one-az", "True", "Outbound Route 53 Resolver endpoint "+id+" (outbound-one-az) in "+vpc+" has 2 IP addresses ("+ips+"), all in one Availability Zone ("+a+"), so an outage of that zone stops every DNS query through the endpoint.", arn, id)
	arn, id, ips = create("outbound-three-azs", resolvertypes.ResolverEndpointDirectionOutbound, subnets[a], subnets[b], subnets[c])
	add("outbound-three-azs", "False", "Outbound Route 53 Resolver endpoint "+id+" (outbound-three-azs) in "+vpc+" has 3 IP addresses ("+ips+") across 3 Availability Zones ("+a+", "+b+", "+c+"), so its DNS queries are still answered if one zone fails.", arn, id)
	return rows
}

// TestMotoRoute53 runs the global analyser in the global scope of an account
// whose run covers route53Regions (checkAnalyser's scope covers no region,
// so it would read no Resolver endpoint).
func TestMotoRoute53(t *testing.T) {
	ctx := context.Background()
	a := analysers.Route53
	if !a.Global || a.GlobalRegion != "us-east-1" {
		t.Fatalf("route53 must be global with endpoint region us-east-1: %v %q", a.Global, a.GlobalRegion)
	}
	const account = "106000000002"
	cfg, err := moto.Config(ctx, account, a.GlobalRegion)
	if err != nil {
		t.Fatal(err)
	}
	want := seedRoute53(t, ctx, cfg)
	scope := inventory.NewLive().Scope(inventory.Account{ID: account, Partition: "aws", Config: cfg, Regions: route53Regions}, inventory.GlobalRegion)
	var got []row
	err = a.Run(ctx, scope, func(f analysers.Finding) {
		got = append(got, row{a.Name, analysers.GlobalRegion, f.ResourceARN, f.ResourceName, f.ResourceID,
			boolCell(f.Risk), f.Engine, f.Message, f.CheckID, string(f.Severity)})
	})
	if err != nil {
		t.Fatalf("route53.Run: %v", err)
	}
	compareRows(t, got, want)
}
