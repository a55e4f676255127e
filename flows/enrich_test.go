package flows

import (
	"bytes"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/inventory"
)

const acct = "500000000001"

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

// fixture: one VPC 10.0.0.0/16 with subnets in use1-az1 and use1-az2, and
// one interface of every kind flows names.
func fixture() (*inventory.Network, *Facts) {
	inv := inventory.NewNetwork("us-east-1")
	inv.VPCs["vpc-a"] = &inventory.VPC{ID: "vpc-a", OwnerID: acct, CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}
	inv.Subnets["subnet-1"] = &inventory.Subnet{ID: "subnet-1", VPCID: "vpc-a", AZ: "us-east-1a", AZID: "use1-az1", CIDR: netip.MustParsePrefix("10.0.1.0/24")}
	inv.Subnets["subnet-2"] = &inventory.Subnet{ID: "subnet-2", VPCID: "vpc-a", AZ: "us-east-1b", AZID: "use1-az2", CIDR: netip.MustParsePrefix("10.0.2.0/24")}
	eni := func(id, subnet, desc, ip string, mod func(*inventory.ENI)) {
		az := inv.Subnets[subnet].AZ
		e := &inventory.ENI{ID: id, SubnetID: subnet, VPCID: "vpc-a", AZ: az, Description: desc, InterfaceType: "interface",
			Addresses: addrs(ip), Groups: []string{"sg-app"}, OwnerID: acct}
		if mod != nil {
			mod(e)
		}
		inv.ENIs[id] = e
	}
	eni("eni-ec2", "subnet-1", "", "10.0.1.10", func(e *inventory.ENI) {
		e.InstanceID, e.InstanceOwnerID, e.Tags = "i-web", acct, map[string]string{"eni": "x", "app": "from-eni"}
	})
	eni("eni-lambda", "subnet-1", "AWS Lambda VPC ENI-orders-api", "10.0.1.20", func(e *inventory.ENI) { e.InterfaceType = "lambda" })
	eni("eni-rds", "subnet-2", "RDSNetworkInterface", "10.0.2.30", func(e *inventory.ENI) {
		e.Groups, e.RequesterManaged, e.RequesterID = []string{"sg-db"}, true, "amazon-rds"
	})
	eni("eni-cache", "subnet-2", "ElastiCache sessions-0001-001", "10.0.2.40", nil)
	eni("eni-alb", "subnet-1", "ELB app/web-alb/50dc6c495c0c9188", "10.0.1.50", nil)
	eni("eni-nlb", "subnet-2", "ELB net/tcp-nlb/a1b2c3d4e5f60718", "10.0.2.51", nil)
	eni("eni-clb", "subnet-2", "ELB classic-lb", "10.0.2.52", nil)
	eni("eni-nat", "subnet-1", "Interface for NAT Gateway nat-0abc", "10.0.1.60", func(e *inventory.ENI) { e.PublicIPs = addrs("3.90.0.1") })
	eni("eni-vpce", "subnet-2", "VPC Endpoint Interface vpce-0sqs", "10.0.2.70", nil)
	eni("eni-efs", "subnet-2", "EFS mount target for fs-0123 (fsmt-0456)", "10.0.2.80", nil)
	eni("eni-tgw", "subnet-1", "Network Interface for Transit Gateway Attachment tgw-attach-1", "10.0.1.90", func(e *inventory.ENI) {
		e.InterfaceType, e.RequesterManaged = "transit_gateway", true
	})
	eni("eni-plain", "subnet-1", "my own", "10.0.1.99", nil)
	inv.NATGateways["nat-0abc"] = &inventory.NATGateway{ID: "nat-0abc", SubnetID: "subnet-1", VPCID: "vpc-a", ENIs: []string{"eni-nat"}, Tags: map[string]string{"Name": "egress"}}
	inv.Endpoints["vpce-0sqs"] = &inventory.Endpoint{ID: "vpce-0sqs", Type: "Interface", VPCID: "vpc-a", Service: "com.amazonaws.us-east-1.sqs", ENIs: []string{"eni-vpce"}}
	inv.RouteTables["rtb-1"] = &inventory.RouteTable{ID: "rtb-1", VPCID: "vpc-a", Main: true, Routes: []inventory.Route{
		{Destination: netip.MustParsePrefix("10.0.0.0/16"), Target: "local"},
		{Destination: netip.MustParsePrefix("0.0.0.0/0"), Target: "nat-0abc"},
		{PrefixListID: "pl-s3", Target: "vpce-0s3gw"},
	}}
	inv.PrefixLists["pl-s3"] = &inventory.PrefixList{ID: "pl-s3", CIDRs: []netip.Prefix{netip.MustParsePrefix("52.216.0.0/15")}}
	inv.Reindex()
	facts := &Facts{Account: acct, Region: "us-east-1", Partition: "aws",
		Instances: map[string]map[string]string{"i-web": {"app": "web", "owner": "team-a"}},
		Functions: []Function{
			{Name: "orders-api", ARN: "arn:aws:lambda:us-east-1:" + acct + ":function:orders-api", Subnets: []string{"subnet-1", "subnet-2"}, Groups: []string{"sg-app"}, Tags: map[string]string{"app": "orders", "team": "a"}},
			{Name: "orders-worker", ARN: "arn:aws:lambda:us-east-1:" + acct + ":function:orders-worker", Subnets: []string{"subnet-1"}, Groups: []string{"sg-app"}, Tags: map[string]string{"app": "orders", "team": "b"}},
			{Name: "other-sgs", ARN: "arn:aws:lambda:us-east-1:" + acct + ":function:other-sgs", Subnets: []string{"subnet-1"}, Groups: []string{"sg-app", "sg-x"}},
		},
		DBs: []DB{
			{ID: "orders-db", ARN: "arn:aws:rds:us-east-1:" + acct + ":db:orders-db", Subnets: []string{"subnet-1", "subnet-2"}, Groups: []string{"sg-db"}, Tags: map[string]string{"app": "orders"}},
			{ID: "other-db", ARN: "arn:aws:rds:us-east-1:" + acct + ":db:other-db", Subnets: []string{"subnet-2"}, Groups: []string{"sg-other"}},
		},
		CacheGroups:  map[string]string{"sessions-0001-001": "sessions"},
		MountTargets: map[string]MountTarget{},
		FlowLogged:   map[string]bool{"vpc-a": true},
		Unreadable:   map[string]string{},
	}
	return inv, facts
}

func TestAttributeEveryKind(t *testing.T) {
	inv, facts := fixture()
	a := func(r string) string { return "arn:aws:" + r }
	for _, c := range []struct {
		eni, typ string
		arns     []string
		tags     map[string]string
	}{
		{"eni-ec2", TypeInstance, []string{a("ec2:us-east-1:" + acct + ":instance/i-web")}, map[string]string{"eni": "x", "app": "web", "owner": "team-a"}},
		// Hyperplane: both functions with subnet-1 and exactly sg-app; only their common tags.
		{"eni-lambda", TypeLambda, []string{a("lambda:us-east-1:" + acct + ":function:orders-api"), a("lambda:us-east-1:" + acct + ":function:orders-worker")}, map[string]string{"app": "orders"}},
		{"eni-rds", TypeRDS, []string{a("rds:us-east-1:" + acct + ":db:orders-db")}, map[string]string{"app": "orders"}},
		{"eni-cache", TypeElastiCache, []string{a("elasticache:us-east-1:" + acct + ":cluster:sessions-0001-001"), a("elasticache:us-east-1:" + acct + ":replicationgroup:sessions")}, nil},
		{"eni-alb", TypeALB, []string{a("elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/app/web-alb/50dc6c495c0c9188")}, nil},
		{"eni-nlb", TypeNLB, []string{a("elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/net/tcp-nlb/a1b2c3d4e5f60718")}, nil},
		{"eni-clb", TypeCLB, []string{a("elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/classic-lb")}, nil},
		{"eni-nat", TypeNAT, []string{a("ec2:us-east-1:" + acct + ":natgateway/nat-0abc")}, map[string]string{"Name": "egress"}},
		{"eni-vpce", TypeEndpoint, []string{a("ec2:us-east-1:" + acct + ":vpc-endpoint/vpce-0sqs")}, nil},
		{"eni-efs", TypeEFS, []string{a("elasticfilesystem:us-east-1:" + acct + ":file-system/fs-0123")}, nil},
		{"eni-tgw", "eni:transit_gateway", []string{a("ec2:us-east-1:" + acct + ":network-interface/eni-tgw")}, nil},
		{"eni-plain", TypeENI, []string{a("ec2:us-east-1:" + acct + ":network-interface/eni-plain")}, nil},
	} {
		o := Attribute(inv, facts, inv.ENIs[c.eni])
		if o.Type != c.typ || !reflect.DeepEqual(o.Arns, c.arns) || !reflect.DeepEqual(o.Tags, c.tags) {
			t.Errorf("%s: got %s %v %v\nwant %s %v %v", c.eni, o.Type, o.Arns, o.Tags, c.typ, c.arns, c.tags)
		}
	}
	// With the facts from DescribeMountTargets, an EFS interface whose
	// description is empty (as moto leaves it) is still a mount target.
	inv.ENIs["eni-efs"].Description = ""
	facts.MountTargets["eni-efs"] = MountTarget{ID: "fsmt-0456", FileSystemID: "fs-0123", FileSystemARN: "arn:aws:elasticfilesystem:us-east-1:" + acct + ":file-system/fs-0123", Tags: map[string]string{"Name": "shared"}}
	if o := Attribute(inv, facts, inv.ENIs["eni-efs"]); o.Type != TypeEFS || o.Tags["Name"] != "shared" {
		t.Errorf("EFS from facts: %+v", o)
	}
	// Lambda by an old-style description with a UUID, when no subnet/SG match.
	inv.ENIs["eni-lambda"].Groups = []string{"sg-gone"}
	inv.ENIs["eni-lambda"].Description = "AWS Lambda VPC ENI-orders-worker-4d9f0a1e-6f7b-4f0e-9a3c-0e8d3c2b1a00"
	if o := Attribute(inv, facts, inv.ENIs["eni-lambda"]); !reflect.DeepEqual(o.Arns, []string{"arn:aws:lambda:us-east-1:" + acct + ":function:orders-worker"}) {
		t.Errorf("lambda by description: %+v", o)
	}
}

func rec(t *testing.T, line string) *Record {
	t.Helper()
	f, err := ParseFormat("${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${start} ${end} ${action} ${flow-direction}")
	if err != nil {
		t.Fatal(err)
	}
	var r Record
	if err := f.Parse(line, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestSidesAndUnknowns(t *testing.T) {
	inv, facts := fixture()
	ranges, err := ShippedIPRanges()
	if err != nil {
		t.Fatal(err)
	}
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, ranges)

	src, dst := e.Sides(rec(t, "eni-ec2 10.0.1.10 10.0.2.30 40000 5432 6 10 0 60 ACCEPT egress"))
	if src.Type != TypeInstance || src.AvailabilityZone != "us-east-1a" || src.AvailabilityZoneId != "use1-az1" || src.Region != "us-east-1" ||
		src.AccountId != acct || src.VpcId != "vpc-a" || src.SubnetId != "subnet-1" || !src.Rfc1918 || src.Port != 40000 ||
		!reflect.DeepEqual(src.SecurityGroupIds, []string{"sg-app"}) {
		t.Errorf("src %+v", src)
	}
	if dst.Type != TypeRDS || dst.AvailabilityZoneId != "use1-az2" || dst.InterfaceId != "eni-rds" {
		t.Errorf("dst %+v", dst)
	}

	// The logging interface was deleted and its address now belongs to
	// eni-plain: the own side (egress: src) is unknown, never eni-plain.
	src, dst = e.Sides(rec(t, "eni-deleted 10.0.1.99 10.0.2.30 40000 5432 6 10 0 60 ACCEPT egress"))
	if src.Type != TypeUnknown || src.InterfaceId != "eni-deleted" || len(src.Arns) != 0 || src.AvailabilityZoneId != "use1-az1" {
		t.Errorf("deleted own side: %+v", src)
	}
	if dst.Type != TypeRDS {
		t.Errorf("peer of deleted: %+v", dst)
	}
	// Same, without flow-direction: neither private address is attributed.
	src, dst = e.Sides(rec(t, "eni-deleted 10.0.1.99 10.0.2.30 40000 5432 6 10 0 60 ACCEPT -"))
	if src.Type != TypeUnknown || dst.Type != TypeUnknown {
		t.Errorf("deleted, no direction: %s %s", src.Type, dst.Type)
	}
	// An address in the VPC that no interface holds: unknown, placed in its subnet.
	_, dst = e.Sides(rec(t, "eni-ec2 10.0.1.10 10.0.2.200 40000 443 6 10 0 60 ACCEPT egress"))
	if dst.Type != TypeUnknown || dst.SubnetId != "subnet-2" || dst.AvailabilityZoneId != "use1-az2" || dst.Arns == nil {
		t.Errorf("gone peer: %+v", dst)
	}
	// Public: the NAT's own public address, an AWS service, the internet.
	_, dst = e.Sides(rec(t, "eni-ec2 10.0.1.10 3.90.0.1 40000 443 6 10 0 60 ACCEPT egress"))
	if dst.Type != TypeNAT {
		t.Errorf("NAT public IP: %+v", dst)
	}
	_, dst = e.Sides(rec(t, "eni-ec2 10.0.1.10 52.217.1.1 40000 443 6 10 0 60 ACCEPT egress"))
	if dst.Type != TypeAWSService || dst.AwsService != "s3" || dst.Region != "us-east-1" || dst.Rfc1918 {
		t.Errorf("S3: %+v", dst)
	}
	_, dst = e.Sides(rec(t, "eni-ec2 10.0.1.10 8.8.8.8 40000 53 17 10 0 60 ACCEPT egress"))
	if dst.Type != TypeInternet || dst.Arns == nil {
		t.Errorf("internet: %+v", dst)
	}
	// An interface endpoint names its service.
	_, dst = e.Sides(rec(t, "eni-ec2 10.0.1.10 10.0.2.70 40000 443 6 10 0 60 ACCEPT egress"))
	if dst.Type != TypeEndpoint || dst.AwsService != "sqs" {
		t.Errorf("endpoint: %+v", dst)
	}
}

// Two VPCs with the same CIDR: the peer address is resolved within the
// logging interface's VPC only, and is ambiguous from outside both.
func TestOverlappingVPCs(t *testing.T) {
	inv, facts := fixture()
	inv.VPCs["vpc-b"] = &inventory.VPC{ID: "vpc-b", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}
	inv.Subnets["subnet-b"] = &inventory.Subnet{ID: "subnet-b", VPCID: "vpc-b", AZ: "us-east-1c", AZID: "use1-az4", CIDR: netip.MustParsePrefix("10.0.2.0/24")}
	inv.ENIs["eni-b"] = &inventory.ENI{ID: "eni-b", SubnetID: "subnet-b", VPCID: "vpc-b", Addresses: addrs("10.0.2.30"), OwnerID: acct}
	inv.ENIs["eni-b-src"] = &inventory.ENI{ID: "eni-b-src", SubnetID: "subnet-b", VPCID: "vpc-b", Addresses: addrs("10.0.2.5"), OwnerID: acct}
	inv.Reindex()
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil)
	if _, dst := e.Sides(rec(t, "eni-ec2 10.0.1.10 10.0.2.30 40000 5432 6 10 0 60 ACCEPT egress")); dst.InterfaceId != "eni-rds" {
		t.Errorf("from vpc-a: %+v", dst)
	}
	if _, dst := e.Sides(rec(t, "eni-b-src 10.0.2.5 10.0.2.30 40000 5432 6 10 0 60 ACCEPT egress")); dst.InterfaceId != "eni-b" {
		t.Errorf("from vpc-b: %+v", dst)
	}
}

// The copy built in is AWS's file of 2026-02-23, whole: both address
// families, every service, and the specific service over AMAZON.
func TestShippedIPRanges(t *testing.T) {
	ir := mustRanges(t)
	if ir.SyncToken != "1771829884" || ir.Published() != "2026-02-23" {
		t.Errorf("syncToken %s, published %s", ir.SyncToken, ir.Published())
	}
	n4, n6 := 0, 0
	for b := range ir.v4 {
		n4 += len(ir.v4[b])
	}
	for b := range ir.v6 {
		n6 += len(ir.v6[b])
	}
	// Distinct prefixes: the file lists 9,898 IPv4 and 4,963 IPv6 entries,
	// many of them one prefix under several services.
	if n4 != 7414 || n6 != 2531 {
		t.Errorf("%d IPv4 and %d IPv6 prefixes", n4, n6)
	}
	for _, c := range []struct{ addr, svc, region string }{
		{"52.216.10.20", "S3", "us-east-1"},
		{"52.94.0.12", "DYNAMODB", "us-east-1"},
		{"3.80.0.9", "EC2", "us-east-1"},
		{"13.32.5.5", "CLOUDFRONT", "GLOBAL"},
		{"2600:1f18::5", "EC2", "us-east-1"},
	} {
		if svc, region, ok := ir.Lookup(netip.MustParseAddr(c.addr)); !ok || svc != c.svc || region != c.region {
			t.Errorf("%s: %s %s %v; want %s %s", c.addr, svc, region, ok, c.svc, c.region)
		}
	}
	if svc, _, ok := ir.Lookup(netip.MustParseAddr("8.8.8.8")); ok {
		t.Errorf("8.8.8.8 is %s", svc)
	}
}

func TestIPRangesPreferSpecific(t *testing.T) {
	doc := `{"syncToken":"1","createDate":"x","prefixes":[
	 {"ip_prefix":"52.0.0.0/8","region":"us-east-1","service":"AMAZON","network_border_group":"us-east-1"},
	 {"ip_prefix":"52.216.0.0/15","region":"us-east-1","service":"AMAZON","network_border_group":"us-east-1"},
	 {"ip_prefix":"52.216.0.0/15","region":"us-east-1","service":"S3","network_border_group":"us-east-1"},
	 {"ip_prefix":"52.94.0.0/16","region":"eu-west-1","service":"DYNAMODB","network_border_group":"eu-west-1"},
	 {"ip_prefix":"52.94.1.0/24","region":"eu-west-1","service":"AMAZON","network_border_group":"eu-west-1"}],
	 "ipv6_prefixes":[{"ipv6_prefix":"2600:1f18::/33","region":"us-east-1","service":"EC2","network_border_group":"us-east-1"}]}`
	ir, err := ParseIPRanges(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ addr, svc, region string }{
		{"52.217.3.4", "S3", "us-east-1"},
		{"52.94.1.9", "DYNAMODB", "eu-west-1"}, // a more specific AMAZON range does not beat the service
		{"52.1.1.1", "AMAZON", "us-east-1"},
		{"2600:1f18::5", "EC2", "us-east-1"},
	} {
		svc, region, ok := ir.Lookup(netip.MustParseAddr(c.addr))
		if !ok || svc != c.svc || region != c.region {
			t.Errorf("%s: %s %s %v", c.addr, svc, region, ok)
		}
	}
	if _, _, ok := ir.Lookup(netip.MustParseAddr("8.8.8.8")); ok {
		t.Error("8.8.8.8 is not AWS")
	}
	if _, err := ParseIPRanges(strings.NewReader(`{"prefixes":[]}`)); err == nil {
		t.Error("an empty file is accepted")
	}
}

func collect(t *testing.T, e *Estate, lines ...string) []*Flow {
	t.Helper()
	var out []*Flow
	a := &Aggregator{Window: 600, Horizon: 900, Estate: e, Out: func(f *Flow) error { c := *f; out = append(out, &c); return nil }}
	for _, l := range lines {
		if err := a.Add(rec(t, l)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Both directions of one connection in one window merge into one Flow,
// oriented by the ports; another window, or another action, does not.
func TestMergeDirections(t *testing.T) {
	inv, facts := fixture()
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil)
	out := collect(t, e,
		"eni-ec2 10.0.1.10 10.0.2.30 40000 5432 6 100 0 60 ACCEPT egress",
		"eni-ec2 10.0.2.30 10.0.1.10 5432 40000 6 2000 0 60 ACCEPT ingress",
		"eni-ec2 10.0.1.10 10.0.2.30 40000 5432 6 7 30 90 ACCEPT egress",
		"eni-ec2 10.0.1.10 10.0.2.30 40000 5432 6 5 600 660 ACCEPT egress",
		"eni-ec2 10.0.2.30 10.0.1.10 5432 40000 6 9 600 660 REJECT ingress",
	)
	if len(out) != 3 {
		t.Fatalf("%d flows", len(out))
	}
	f := out[0]
	if f.Uploaded != 107 || f.Downloaded != 2000 || f.Start != "0" || f.End != "90" || f.Client.Addr != "10.0.1.10" ||
		f.Server.Port != 5432 || f.Protocol != "tcp" || f.Action != "ACCEPT" || f.LoggedBy != "eni-ec2" {
		t.Errorf("merged: %+v", f)
	}
	if out[1].Uploaded != 5 || out[1].Start != "600" || out[2].Downloaded != 9 || out[2].Action != "REJECT" {
		t.Errorf("second window: %+v %+v", out[1], out[2])
	}
	// Both ends are in a logged VPC: the RDS interface's copy of the
	// connection does not count twice.
	if !f.PeerLogged || !f.Counted() {
		t.Errorf("client copy: peer %v counted %v", f.PeerLogged, f.Counted())
	}
	srv := collect(t, e, "eni-rds 10.0.1.10 10.0.2.30 40000 5432 6 100 0 60 ACCEPT ingress")[0]
	if !srv.PeerLogged || srv.Counted() {
		t.Errorf("server copy: peer %v counted %v", srv.PeerLogged, srv.Counted())
	}
}

func TestOrientation(t *testing.T) {
	for _, c := range []struct {
		line  string
		toDst bool
	}{
		{"eni-x 10.0.0.1 10.0.0.2 50000 443 6 1 0 60 ACCEPT -", true},
		{"eni-x 10.0.0.2 10.0.0.1 443 50000 6 1 0 60 ACCEPT -", false},
		{"eni-x 10.0.0.1 10.0.0.2 5000 5000 6 1 0 60 ACCEPT -", false},
		{"eni-x 10.0.0.2 10.0.0.1 5000 5000 6 1 0 60 ACCEPT -", true},
		{"eni-x 10.0.0.1 10.0.0.2 - - 1 1 0 60 ACCEPT -", true},
	} {
		if got := serverIsDst(rec(t, c.line)); got != c.toDst {
			t.Errorf("%s: server is dst %v", c.line, got)
		}
	}
}

// Memory stays bounded: windows older than the horizon are handed on
// before the input ends, in start order.
func TestAggregatorFlushesOldWindows(t *testing.T) {
	e := NewEstate(nil, nil)
	var out []*Flow
	a := &Aggregator{Window: 60, Horizon: 120, Estate: e, Out: func(f *Flow) error { c := *f; out = append(out, &c); return nil }}
	for i := 0; i < 100; i++ {
		r := rec(t, "eni-x 10.0.0.1 10.0.0.2 50000 443 6 1 0 60 ACCEPT -")
		r.Start, r.End = int64(i*60), int64(i*60+60)
		if err := a.Add(r); err != nil {
			t.Fatal(err)
		}
		if len(a.open) > 5 {
			t.Fatalf("%d windows open after %d records", len(a.open), i+1)
		}
	}
	if len(out) < 90 || out[0].Start != "0" || out[1].Start != "60" {
		t.Fatalf("flushed %d, first %v", len(out), out[0].Start)
	}
}

func TestCrossAZSummaryAndCost(t *testing.T) {
	inv, facts := fixture()
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil)
	c := &CrossAZ{Estate: e, PricePerGB: 0.01}
	for _, f := range collect(t, e,
		// az1 -> az2: 1 GiB up, 1 GiB down, counted once (client copy).
		"eni-ec2 10.0.1.10 10.0.2.30 40000 5432 6 1073741824 0 60 ACCEPT egress",
		"eni-ec2 10.0.2.30 10.0.1.10 5432 40000 6 1073741824 0 60 ACCEPT ingress",
		"eni-rds 10.0.1.10 10.0.2.30 40000 5432 6 1073741824 0 60 ACCEPT ingress",
		// same zone
		"eni-ec2 10.0.1.10 10.0.1.50 40000 443 6 1000 0 60 ACCEPT egress",
		// internet through the NAT in az1 from az1: same zone hop
		"eni-ec2 10.0.1.10 8.8.8.8 40000 53 17 10 0 60 ACCEPT egress",
		// from az2 (the cache) through the NAT in az1: crosses zones
		"eni-cache 10.0.2.40 8.8.8.8 40000 443 6 536870912 0 60 ACCEPT egress",
		// a deleted interface outside every VPC read: zone unknown
		"eni-gone 172.16.0.5 192.168.5.5 40000 443 6 77 0 60 ACCEPT -",
	) {
		c.Add(f)
	}
	rows := c.Rows()
	want := []CrossAZRow{
		{AccountId: acct, VpcId: "vpc-a", AzIdA: "use1-az1", AzIdB: "use1-az2", Bytes: 2*1073741824 + 536870912, GB: 2.5, Cost: 0.05},
		{AccountId: acct, VpcId: "vpc-a", AzIdA: "use1-az1", AzIdB: "use1-az1", Bytes: 1010, GB: 1010.0 / BytesPerGB},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %+v\nwant %+v", rows, want)
	}
	if c.Duplicates != 1073741824 || c.UnknownAZ != 77 {
		t.Fatalf("duplicates %d unknown %d", c.Duplicates, c.UnknownAZ)
	}
	var b bytes.Buffer
	if err := c.Write(&b, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "500000000001,vpc-a,use1-az1,use1-az2,2684354560,2.500000,0.050000\n") {
		t.Fatalf("csv:\n%s", b.String())
	}
}

func TestTalkersAndServices(t *testing.T) {
	inv, facts := fixture()
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, mustRanges(t))
	flowsIn := collect(t, e,
		"eni-ec2 10.0.1.10 10.0.2.30 40000 5432 6 300 0 60 ACCEPT egress",
		"eni-lambda 10.0.1.20 10.0.2.30 40001 5432 6 200 0 60 ACCEPT egress",
		"eni-ec2 10.0.1.10 52.216.9.9 40002 443 6 50 0 60 ACCEPT egress",
		"eni-ec2 10.0.1.10 10.0.2.70 40003 443 6 40 0 60 ACCEPT egress",
		"eni-ec2 10.0.1.10 3.80.0.9 40004 443 6 30 0 60 ACCEPT egress",
	)
	tk := &Talkers{By: "tag:app"}
	sv := &Services{Estate: e}
	for _, f := range flowsIn {
		tk.Add(f)
		sv.Add(f)
	}
	var b bytes.Buffer
	if err := tk.Write(&b, true); err != nil {
		t.Fatal(err)
	}
	wantT := "client,server,bytes\nweb,orders,300\norders,orders,200\nweb,(untagged aws:service),80\nweb,(untagged ec2:vpc-endpoint),40\n"
	if b.String() != wantT {
		t.Errorf("talkers:\n%s\nwant\n%s", b.String(), wantT)
	}
	b.Reset()
	if err := sv.Write(&b, true); err != nil {
		t.Fatal(err)
	}
	wantS := "service,region,path,client_vpc,bytes\ns3,us-east-1,gateway-endpoint,vpc-a,50\nsqs,us-east-1,vpc-endpoint,vpc-a,40\nec2,us-east-1,nat-gateway,vpc-a,30\n"
	if b.String() != wantS {
		t.Errorf("services:\n%s\nwant\n%s", b.String(), wantS)
	}
}

func mustRanges(t *testing.T) *IPRanges {
	t.Helper()
	r, err := ShippedIPRanges()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOutputs(t *testing.T) {
	inv, facts := fixture()
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil)
	f := collect(t, e, "eni-ec2 10.0.1.10 8.8.8.8 40000 53 17 10 0 60 ACCEPT egress")[0]
	line := writeJSONL(t, f)
	for _, want := range []string{`"Protocol":"udp"`, `"Uploaded":10`, `"Server":{"Addr":"8.8.8.8","Port":53,"Arns":[],"Type":"internet","Rfc1918":false}`,
		`"Tags":{"app":"web","eni":"x","owner":"team-a"}`, `"AvailabilityZoneId":"use1-az1"`} {
		if !strings.Contains(line, want) {
			t.Errorf("jsonl lacks %s:\n%s", want, line)
		}
	}
	var b bytes.Buffer
	cw, err := NewCSVWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := cw.Write(f); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || len(strings.Split(lines[0], ",")) != len(CSVHeader()) ||
		!strings.Contains(lines[1], "app=web;eni=x;owner=team-a") || !strings.HasPrefix(lines[1], "udp,10,0,") {
		t.Errorf("csv:\n%s", b.String())
	}
	if ddl := AthenaDDL("t", "s3://b/p/"); !strings.Contains(ddl, "LOCATION 's3://b/p/'") || !strings.Contains(ddl, "client struct<") {
		t.Errorf("ddl:\n%s", ddl)
	}
}

// The summaries come out the same whether records are merged into
// connections first (the aggregator) or counted one by one with each
// side pair judged once (Feed with a summary, as the command does): they
// only add bytes.
func TestSummariesRecordByRecordEqualAggregated(t *testing.T) {
	text := generatedLog(t, 20_000)
	inv, facts := fixture()
	ranges := mustRanges(t)
	summaries := func(e *Estate) []Summary {
		return []Summary{&CrossAZ{Estate: e, PricePerGB: 0.01}, &Talkers{By: "type"}, &Talkers{By: "tag:app"}, &Talkers{By: "vpc"}, &Services{Estate: e}}
	}
	run := func(perRecord bool) string {
		var b bytes.Buffer
		for i := range summaries(nil) {
			e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, ranges)
			s := summaries(e)[i]
			if perRecord {
				feed(t, e, s, text, nil)
			} else {
				feed(t, e, nil, text, func(f *Flow) error { *s.Row(f) += f.Bytes(); return nil })
			}
			if err := s.Write(&b, true); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	merged, single := run(false), run(true)
	if merged != single {
		t.Fatalf("aggregated:\n%s\nper record:\n%s", merged, single)
	}
	if !strings.Contains(merged, "use1-az1,use1-az2") || !strings.Contains(merged, "aws:service:s3") {
		t.Fatalf("the generated log crosses no zones or reaches no service:\n%s", merged)
	}
}

// pktFormat is a custom format with the packet addresses.
const pktFormat = "${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${start} ${end} ${action} ${pkt-srcaddr} ${pkt-dstaddr} ${flow-direction}"

// feedLines hands lines in format through Feed: merged into Flows when sum
// is nil, else counted in sum.
func feedLines(t *testing.T, e *Estate, format string, sum Summary, lines ...string) []*Flow {
	t.Helper()
	f, err := ParseFormat(format)
	if err != nil {
		t.Fatal(err)
	}
	var out []*Flow
	add, done := Feed(e, sum, 600, 900, func(fl *Flow) error { c := *fl; out = append(out, &c); return nil })
	for _, l := range lines {
		var r Record
		if err := f.Parse(l, &r); err != nil {
			t.Fatal(err)
		}
		if err := add(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := done(); err != nil {
		t.Fatal(err)
	}
	return out
}

// With pkt-srcaddr and pkt-dstaddr, the ends are the packet's: a NAT
// gateway's or transit gateway attachment's records name the instance and
// the host they carry traffic between (AWS's own NAT gateway example: on
// the leg from the instance, dstaddr is the NAT's address and pkt-dstaddr
// the internet host), and a packet from a pod's (secondary) address is the
// instance's. The cross-AZ bytes stay those of the records without them.
func TestPacketAddresses(t *testing.T) {
	inv, facts := fixture()
	ec2 := inv.ENIs["eni-ec2"]
	ec2.Addresses = append(ec2.Addresses, netip.MustParseAddr("10.0.1.11")) // a pod's address
	inv.Reindex()
	facts.FlowLogged = map[string]bool{} // only what is fed here was logged
	natLegs := []string{
		"eni-nat 10.0.2.40 10.0.1.60 40000 443 6 1000 0 60 ACCEPT 10.0.2.40 198.51.100.7 ingress",
		"eni-nat 10.0.1.60 198.51.100.7 50000 443 6 1000 0 60 ACCEPT 10.0.1.60 198.51.100.7 egress",
		"eni-nat 198.51.100.7 10.0.1.60 443 50000 6 9000 0 60 ACCEPT 198.51.100.7 10.0.1.60 ingress",
		"eni-nat 10.0.1.60 10.0.2.40 443 40000 6 9000 0 60 ACCEPT 198.51.100.7 10.0.2.40 egress",
	}
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil)
	out := feedLines(t, e, pktFormat, nil, append(natLegs,
		"eni-tgw 10.0.1.90 10.0.2.30 40001 5432 6 500 0 60 ACCEPT 192.168.7.7 10.0.2.30 egress",
		"eni-ec2 10.0.1.10 10.0.2.30 40002 5432 6 300 0 60 ACCEPT 10.0.1.11 10.0.2.30 egress",
	)...)
	type ends struct{ logger, client, clientENI, server, serverENI string }
	got := map[ends][2]int64{}
	for _, f := range out {
		got[ends{f.LoggedBy, f.Client.Addr, f.Client.InterfaceId, f.Server.Addr, f.Server.InterfaceId}] = [2]int64{f.Uploaded, f.Downloaded}
	}
	want := map[ends][2]int64{
		{"eni-nat", "10.0.2.40", "eni-cache", "198.51.100.7", ""}:   {1000, 9000}, // forwarded: the cache to the host
		{"eni-nat", "10.0.1.60", "eni-nat", "198.51.100.7", ""}:     {1000, 9000}, // the NAT's own public leg
		{"eni-tgw", "192.168.7.7", "", "10.0.2.30", "eni-rds"}:      {500, 0},     // from another VPC through the attachment
		{"eni-ec2", "10.0.1.11", "eni-ec2", "10.0.2.30", "eni-rds"}: {300, 0},     // the pod's address is the instance's
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("flows:\n%v\nwant\n%v", got, want)
	}

	// The cache-to-host bytes cross from the cache's zone to the NAT's
	// once, as they do without the packet addresses (then as the cache
	// talking to the NAT); the NAT's public leg is left out both ways.
	crossAZ := func(format string, lines []string) string {
		c := &CrossAZ{Estate: NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil), PricePerGB: 0.01}
		feedLines(t, c.Estate, format, c, lines...)
		var b bytes.Buffer
		if err := c.Write(&b, true); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%sleft out as counted at the other end: %d", b.String(), c.Duplicates)
	}
	withPkt := crossAZ(pktFormat, natLegs)
	var plain []string
	for _, l := range natLegs {
		w := strings.Fields(l)
		plain = append(plain, strings.Join(append(w[:10:10], w[12]), " "))
	}
	without := crossAZ("${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${bytes} ${start} ${end} ${action} ${flow-direction}", plain)
	if !strings.Contains(withPkt, acct+",vpc-a,use1-az1,use1-az2,10000,") || !strings.HasSuffix(withPkt, "counted at the other end: 10000") || withPkt != without {
		t.Fatalf("cross-AZ with packet addresses:\n%s\nwithout:\n%s", withPkt, without)
	}
}
