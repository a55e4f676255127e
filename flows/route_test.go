package flows

import (
	"net/netip"
	"testing"

	"github.com/faultline/faultline/inventory"
)

// Route follows the one route lookup reach uses (inventory.LookupRoute).
func TestEstateRoute(t *testing.T) {
	p := netip.MustParsePrefix
	cases := []struct {
		name         string
		routes       []inventory.Route // added to the fixture's main table
		lists        map[string]*inventory.PrefixList
		subnet, addr string
		path, target string
	}{
		{name: "internet through the NAT gateway", subnet: "subnet-1", addr: "8.8.8.8", path: PathNAT, target: "nat-0abc"},
		{name: "S3 by the gateway endpoint's prefix list", subnet: "subnet-1", addr: "52.216.1.1", path: PathGatewayEP, target: "vpce-0s3gw"},
		{name: "inside the VPC", subnet: "subnet-2", addr: "10.0.1.10", path: PathLocal, target: "local"},
		{name: "a subnet no inventory holds", subnet: "subnet-x", addr: "8.8.8.8", path: PathUnknown},
		{name: "a more specific blackhole drops what the prefix list would carry",
			routes: []inventory.Route{{Destination: p("52.216.0.0/16"), Target: "vpce-old", Blackhole: true}},
			subnet: "subnet-1", addr: "52.216.1.1", path: PathBlackhole, target: "vpce-old"},
		{name: "a more specific blackhole drops what the default route would carry",
			routes: []inventory.Route{{Destination: p("8.8.8.0/24"), Target: "pcx-gone", Blackhole: true}},
			subnet: "subnet-1", addr: "8.8.8.8", path: PathBlackhole, target: "pcx-gone"},
		{name: "a blackhole less specific than a live route does not", routes: []inventory.Route{
			{Destination: p("8.0.0.0/8"), Target: "pcx-gone", Blackhole: true},
			{Destination: p("8.8.8.0/24"), Target: "pcx-1"}},
			subnet: "subnet-1", addr: "8.8.8.8", path: PathPeering, target: "pcx-1"},
		{name: "static beats propagated at equal length", routes: []inventory.Route{
			{Destination: p("10.1.0.0/16"), Target: "vgw-1", Propagated: true},
			{Destination: p("10.1.0.0/16"), Target: "tgw-1"}},
			subnet: "subnet-1", addr: "10.1.2.3", path: PathTGW, target: "tgw-1"},
		{name: "a CIDR beats a prefix list at equal length", routes: []inventory.Route{
			{PrefixListID: "pl-corp", Target: "tgw-1"},
			{Destination: p("10.1.0.0/16"), Target: "pcx-1"}},
			lists:  map[string]*inventory.PrefixList{"pl-corp": {ID: "pl-corp", CIDRs: []netip.Prefix{p("10.1.0.0/16")}}},
			subnet: "subnet-1", addr: "10.1.2.3", path: PathPeering, target: "pcx-1"},
		{name: "an unreadable prefix list leaves the path unknown",
			lists:  map[string]*inventory.PrefixList{"pl-s3": {ID: "pl-s3", Err: "ec2:GetManagedPrefixListEntries: AccessDenied"}},
			subnet: "subnet-1", addr: "52.216.1.1", path: PathUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, facts := fixture()
			rt := inv.RouteTables["rtb-1"]
			rt.Routes = append(rt.Routes, c.routes...)
			for id, l := range c.lists {
				inv.PrefixLists[id] = l
			}
			e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil)
			path, target := e.Route(c.subnet, netip.MustParseAddr(c.addr))
			if path != c.path || target != c.target {
				t.Errorf("got %s %q, want %s %q", path, target, c.path, c.target)
			}
		})
	}
}

// Without a default route, an address outside every route has none.
func TestEstateRouteNoRoute(t *testing.T) {
	inv, facts := fixture()
	inv.RouteTables["rtb-1"].Routes = inv.RouteTables["rtb-1"].Routes[:1]
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, nil)
	if path, target := e.Route("subnet-1", netip.MustParseAddr("8.8.8.8")); path != PathNoRoute || target != "" {
		t.Errorf("got %s %q, want %s", path, target, PathNoRoute)
	}
}
