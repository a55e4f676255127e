package inventory

import (
	"net/netip"
	"strings"
	"testing"
)

func TestLookupRoute(t *testing.T) {
	p := netip.MustParsePrefix
	cidr := func(dest, target string) RouteCandidate {
		return RouteCandidate{Destination: p(dest), Target: target}
	}
	list := func(id, target string) RouteCandidate { return RouteCandidate{PrefixListID: id, Target: target} }
	propagated := func(c RouteCandidate) RouteCandidate { c.Propagated = true; return c }
	blackhole := func(c RouteCandidate) RouteCandidate { c.Blackhole = true; return c }

	inv := NewNetwork("us-east-1")
	inv.PrefixLists["pl-s3"] = &PrefixList{ID: "pl-s3", CIDRs: []netip.Prefix{p("52.216.0.0/15"), p("3.5.0.0/19")}}
	inv.PrefixLists["pl-corp"] = &PrefixList{ID: "pl-corp", CIDRs: []netip.Prefix{p("10.1.0.0/16")}}
	inv.PrefixLists["pl-denied"] = &PrefixList{ID: "pl-denied", Err: "ec2:GetManagedPrefixListEntries: AccessDenied"}
	listsUnreadable := NewNetwork("us-east-1")
	listsUnreadable.Unreadable[KindPrefixLists] = "ec2:DescribeManagedPrefixLists: AccessDenied"

	cases := []struct {
		name   string
		inv    *Network
		routes []RouteCandidate
		dst    string
		// want is "found DEST -> TARGET", "blackhole DEST -> TARGET",
		// "none", or "unknown: SUBSTRING".
		want string
	}{
		{name: "longest prefix wins", routes: []RouteCandidate{cidr("0.0.0.0/0", "igw-1"), cidr("10.0.0.0/8", "tgw-1"), cidr("10.1.0.0/16", "pcx-1")},
			dst: "10.1.2.3/32", want: "found 10.1.0.0/16 -> pcx-1"},
		{name: "order does not matter", routes: []RouteCandidate{cidr("10.1.0.0/16", "pcx-1"), cidr("10.0.0.0/8", "tgw-1")},
			dst: "10.1.2.3/32", want: "found 10.1.0.0/16 -> pcx-1"},
		{name: "a more specific blackhole beats a less specific live route", routes: []RouteCandidate{cidr("10.0.0.0/8", "tgw-1"), blackhole(cidr("10.1.0.0/16", "pcx-gone"))},
			dst: "10.1.2.3/32", want: "blackhole 10.1.0.0/16 -> pcx-gone"},
		{name: "a less specific blackhole loses to a live route", routes: []RouteCandidate{blackhole(cidr("10.0.0.0/8", "tgw-gone")), cidr("10.1.0.0/16", "pcx-1")},
			dst: "10.1.2.3/32", want: "found 10.1.0.0/16 -> pcx-1"},
		{name: "static beats propagated at equal length", routes: []RouteCandidate{propagated(cidr("10.1.0.0/16", "vgw-1")), cidr("10.1.0.0/16", "tgw-1")},
			dst: "10.1.2.3/32", want: "found 10.1.0.0/16 -> tgw-1"},
		{name: "a longer propagated route beats a static one", routes: []RouteCandidate{cidr("10.0.0.0/8", "tgw-1"), propagated(cidr("10.1.0.0/16", "vgw-1"))},
			dst: "10.1.2.3/32", want: "found 10.1.0.0/16 -> vgw-1"},
		{name: "CIDR beats prefix list at equal length", routes: []RouteCandidate{list("pl-corp", "tgw-1"), cidr("10.1.0.0/16", "pcx-1")},
			dst: "10.1.2.3/32", want: "found 10.1.0.0/16 -> pcx-1"},
		{name: "prefix list entries are read", routes: []RouteCandidate{cidr("0.0.0.0/0", "nat-1"), list("pl-s3", "vpce-s3")},
			dst: "3.5.1.1/32", want: "found pl-s3 -> vpce-s3"},
		{name: "address outside the prefix list", routes: []RouteCandidate{cidr("0.0.0.0/0", "nat-1"), list("pl-s3", "vpce-s3")},
			dst: "8.8.8.8/32", want: "found 0.0.0.0/0 -> nat-1"},
		{name: "prefix list entries unreadable", routes: []RouteCandidate{cidr("0.0.0.0/0", "nat-1"), list("pl-denied", "vpce-s3")},
			dst: "8.8.8.8/32", want: "unknown: route to prefix list pl-denied entries unreadable (ec2:GetManagedPrefixListEntries: AccessDenied)"},
		{name: "prefix list not found", routes: []RouteCandidate{list("pl-missing", "vpce-s3")},
			dst: "8.8.8.8/32", want: "unknown: route to prefix list pl-missing not found"},
		{name: "prefix lists unreadable", inv: listsUnreadable, routes: []RouteCandidate{list("pl-s3", "vpce-s3")},
			dst: "8.8.8.8/32", want: "unknown: route to prefix list pl-s3 unreadable (ec2:DescribeManagedPrefixLists: AccessDenied)"},
		{name: "no route", routes: []RouteCandidate{cidr("10.0.0.0/16", "local")}, dst: "10.1.2.3/32", want: "none"},
		{name: "no routes at all", dst: "10.1.2.3/32", want: "none"},
		{name: "stand-in subnet covered whole", routes: []RouteCandidate{cidr("10.1.0.0/16", "pcx-1")}, dst: "10.1.2.0/24", want: "found 10.1.0.0/16 -> pcx-1"},
		{name: "stand-in subnet covered in part", routes: []RouteCandidate{cidr("10.1.0.0/16", "pcx-1"), cidr("10.1.2.0/25", "tgw-1")},
			dst: "10.1.2.0/24", want: "unknown: a route to 10.1.2.0/25 covers part of 10.1.2.0/24"},
		{name: "IPv6 longest prefix", routes: []RouteCandidate{cidr("::/0", "igw-1"), cidr("2600:1f18::/56", "local"), cidr("2600:1f18:0:10::/64", "pcx-1")},
			dst: "2600:1f18:0:10::5/128", want: "found 2600:1f18:0:10::/64 -> pcx-1"},
		{name: "IPv4 routes never carry IPv6", routes: []RouteCandidate{cidr("0.0.0.0/0", "igw-1")}, dst: "2600:1f18::5/128", want: "none"},
		{name: "IPv6 routes never carry IPv4", routes: []RouteCandidate{cidr("::/0", "eigw-1")}, dst: "8.8.8.8/32", want: "none"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.inv
			if in == nil {
				in = inv
			}
			got := choiceString(in.LookupRoute(c.routes, p(c.dst)))
			if strings.HasPrefix(c.want, "unknown: ") {
				if !strings.HasPrefix(got, "unknown: ") || !strings.Contains(got, strings.TrimPrefix(c.want, "unknown: ")) {
					t.Errorf("got %q, want %q", got, c.want)
				}
				return
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func choiceString(c RouteChoice) string {
	switch {
	case c.Unknown != "":
		return "unknown: " + c.Unknown
	case !c.Found:
		return "none"
	case c.Blackhole:
		return "blackhole " + c.Destination + " -> " + c.Target
	}
	return "found " + c.Destination + " -> " + c.Target
}

func TestCandidates(t *testing.T) {
	p := netip.MustParsePrefix
	inv := NewNetwork("us-east-1")
	vpc := &RouteTable{ID: "rtb-1", Routes: []Route{
		{Destination: p("10.1.0.0/16"), Target: "pcx-1", Propagated: true},
		{Destination: p("10.1.0.0/16"), Target: "tgw-1"},
		{Destination: p("10.2.0.0/16"), Target: "pcx-gone", Blackhole: true},
	}}
	if got := choiceString(inv.LookupRoute(vpc.Candidates(), p("10.1.0.5/32"))); got != "found 10.1.0.0/16 -> tgw-1" {
		t.Errorf("VPC table: got %q", got)
	}
	if got := choiceString(inv.LookupRoute(vpc.Candidates(), p("10.2.0.5/32"))); got != "blackhole 10.2.0.0/16 -> pcx-gone" {
		t.Errorf("VPC table blackhole: got %q", got)
	}
	tgw := &TGWRouteTable{ID: "tgw-rtb-1", Routes: []TGWRoute{
		{Destination: p("10.0.0.0/8"), Attachments: []string{"tgw-attach-a", "tgw-attach-b"}, Propagated: true},
		{Destination: p("10.3.0.0/16"), Blackhole: true},
	}}
	if got := choiceString(inv.LookupRoute(tgw.Candidates(), p("10.1.0.5/32"))); got != "found 10.0.0.0/8 -> tgw-attach-a" {
		t.Errorf("TGW table: got %q", got)
	}
	if got := choiceString(inv.LookupRoute(tgw.Candidates(), p("10.3.0.5/32"))); got != "blackhole 10.3.0.0/16 -> " {
		t.Errorf("TGW table blackhole: got %q", got)
	}
}
