package inventory

import (
	"fmt"
	"net/netip"
	"strings"
)

// Coverage is how much of an address range a destination (a route's, a
// rule's) covers.
type Coverage int

const (
	CoversNone Coverage = iota
	CoversAll
	// CoversPart: the range is a stand-in (a subnet's CIDR) for an address
	// that is not known, and the destination holds only some of it.
	CoversPart
)

// Covers says whether destination d covers all of p, part of it, or none.
// IPv4 never covers IPv6.
func Covers(d, p netip.Prefix) Coverage {
	if !d.IsValid() || !p.IsValid() || d.Addr().Is4() != p.Addr().Is4() {
		return CoversNone
	}
	if d.Bits() <= p.Bits() && d.Contains(p.Addr()) {
		return CoversAll
	}
	if d.Overlaps(p) {
		return CoversPart
	}
	return CoversNone
}

// PrefixListEntries returns the entries of prefix list id, or why they
// cannot be read (then nothing that depends on the list can be decided).
func (inv *Network) PrefixListEntries(id string) ([]netip.Prefix, string) {
	pl, ok := inv.PrefixLists[id]
	switch {
	case !ok && inv.Unreadable[KindPrefixLists] != "":
		return nil, "prefix list " + id + " unreadable (" + inv.Unreadable[KindPrefixLists] + ")"
	case !ok:
		return nil, "prefix list " + id + " not found"
	case pl.Err != "":
		return nil, "prefix list " + id + " entries unreadable (" + pl.Err + ")"
	}
	return pl.CIDRs, ""
}

// RouteCandidate is a route of a VPC or transit gateway route table,
// reduced to what LookupRoute needs. Destination or PrefixListID is set.
type RouteCandidate struct {
	Destination  netip.Prefix
	PrefixListID string
	Target       string
	Blackhole    bool
	Propagated   bool
}

// RouteChoice is the answer of LookupRoute: the chosen route, no route
// (Found false), or why no route can be chosen (Unknown).
type RouteChoice struct {
	Found bool
	// Destination is the chosen route's destination as rules name it: its
	// CIDR, or its prefix list's ID.
	Destination string
	Target      string
	// Blackhole: the chosen route drops the traffic; a less specific live
	// route does not take over.
	Blackhole bool
	Unknown   string
}

// LookupRoute picks the route for dst (network-semantics R3, R4): the most
// specific destination that covers all of dst; on equal length a static
// route beats a propagated one and a CIDR beats a prefix list. A blackhole
// route is chosen like any other. A route inside dst (dst a stand-in
// subnet CIDR) or an unreadable prefix list makes the answer unknown.
func (inv *Network) LookupRoute(routes []RouteCandidate, dst netip.Prefix) RouteChoice {
	best, bestBits := -1, -1
	var unknown []string
	better := func(i, bits int) bool {
		if bits != bestBits {
			return bits > bestBits
		}
		a, b := routes[i], routes[best]
		if a.Propagated != b.Propagated {
			return !a.Propagated
		}
		return a.PrefixListID == "" && b.PrefixListID != ""
	}
	for i, r := range routes {
		dests := []netip.Prefix{r.Destination}
		if r.PrefixListID != "" {
			cidrs, why := inv.PrefixListEntries(r.PrefixListID)
			if why != "" {
				unknown = append(unknown, "route to "+why)
				continue
			}
			dests = cidrs
		}
		for _, d := range dests {
			switch Covers(d, dst) {
			case CoversAll:
				if best == -1 || better(i, d.Bits()) {
					best, bestBits = i, d.Bits()
				}
			case CoversPart:
				unknown = append(unknown, fmt.Sprintf("a route to %s covers part of %s", d, dst))
			}
		}
	}
	if len(unknown) > 0 {
		return RouteChoice{Unknown: strings.Join(unknown, "; ")}
	}
	if best == -1 {
		return RouteChoice{}
	}
	r := routes[best]
	dest := r.Destination.String()
	if r.PrefixListID != "" {
		dest = r.PrefixListID
	}
	return RouteChoice{Found: true, Destination: dest, Target: r.Target, Blackhole: r.Blackhole}
}

// Candidates are the table's routes for LookupRoute.
func (rt *RouteTable) Candidates() []RouteCandidate {
	out := make([]RouteCandidate, len(rt.Routes))
	for i, r := range rt.Routes {
		out[i] = RouteCandidate{Destination: r.Destination, PrefixListID: r.PrefixListID, Target: r.Target, Blackhole: r.Blackhole, Propagated: r.Propagated}
	}
	return out
}

// Candidates are the table's routes for LookupRoute; a route's target is
// its first attachment (ECMP across several is not modelled beyond the
// first).
func (rt *TGWRouteTable) Candidates() []RouteCandidate {
	out := make([]RouteCandidate, len(rt.Routes))
	for i, r := range rt.Routes {
		c := RouteCandidate{Destination: r.Destination, PrefixListID: r.PrefixListID, Blackhole: r.Blackhole, Propagated: r.Propagated}
		if len(r.Attachments) > 0 {
			c.Target = r.Attachments[0]
		}
		out[i] = c
	}
	return out
}
