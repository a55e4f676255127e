package analysers

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

var (
	natgwCrossAZ = Check{ID: "NATGW-1", Severity: SeverityHigh,
		Description: "Zonal NAT gateway that is the egress route (0.0.0.0/0, ::/0 or NAT64 64:ff9b::/96) of subnets in other Availability Zones: they lose their egress if the gateway's zone fails",
		Remediation: "Create a NAT gateway in each Availability Zone and route each zone's private subnets to the NAT gateway of their own zone (one route table per zone), or use a regional NAT gateway."}
	natgwSharedVPC = Check{ID: "NATGW-2", Severity: SeverityHigh,
		Description: "VPC whose private subnets in several Availability Zones all send their egress to one zonal NAT gateway: the egress of every zone dies with that gateway's zone",
		Remediation: "Create a NAT gateway in each Availability Zone that has private subnets and route each zone's subnets to its own zone's gateway, or use a regional NAT gateway."}
	natgwRegional = Check{ID: "NATGW-3", Severity: SeverityHigh,
		Description: "Regional NAT gateway that is the egress route of subnets in an Availability Zone it does not serve",
		Remediation: "Turn on automatic zone provisioning for the regional NAT gateway, or add the missing Availability Zones (with their Elastic IP addresses) to it."}
)

// natGateways are the region's NAT gateways in every state: the inventory's
// kind, which reach reads too (its loader is tested there).
var natGateways = inventory.NATGateways

var NATGW = Analyser{
	Name:   "natgw",
	Checks: []Check{natgwCrossAZ, natgwSharedVPC, natgwRegional},
	Kinds:  []inventory.Loader{natGateways, inventory.Subnets, inventory.RouteTables},
	Run:    analyseNATGW,
}

// natLive reports whether a NAT gateway carries traffic or is about to:
// deleted, deleting and failed gateways are not judged, and routes to them
// are no dependency (their traffic is dropped already, or soon).
func natLive(state ec2types.NatGatewayState) bool {
	switch strings.ToLower(string(state)) {
	case "deleted", "deleting", "failed":
		return false
	}
	return true
}

// natUse is a subnet whose egress route goes to a NAT gateway.
type natUse struct {
	Subnet *inventory.Subnet
	NAT    string
}

// analyseNATGW judges every live NAT gateway by the subnets whose egress
// route goes to it (NATGW-1 for zonal gateways, NATGW-3 for regional ones),
// then every VPC with such private subnets (NATGW-2). The subnets and route
// tables are read only when there is a gateway to judge, and a failure of
// either read fails the task before anything is judged (RoutingOf). A NAT
// gateway listing that failed part-way still has its gateways judged (each
// verdict needs only the subnets routing to that gateway) but no VPC row: a
// subnet routing to a gateway not read would be left out of its VPC, and
// "several gateways" could read as "one".
func analyseNATGW(ctx context.Context, s *inventory.Scope, emit Emit) error {
	all, listErr := natGateways.Items(ctx, s)
	var live []ec2types.NatGateway
	for _, g := range all {
		if natLive(g.State) {
			live = append(live, g)
		}
	}
	if len(live) == 0 {
		return listErr
	}
	n, err := inventory.RoutingOf(ctx, s)
	if err != nil {
		return err
	}
	uses := natUses(n, live)
	byNAT := map[string][]natUse{}
	byVPC := map[string][]natUse{}
	for _, u := range uses {
		byNAT[u.NAT] = append(byNAT[u.NAT], u)
		byVPC[u.Subnet.VPCID] = append(byVPC[u.Subnet.VPCID], u)
	}
	t := TargetOf(s)
	nats := map[string]ec2types.NatGateway{}
	for _, g := range live {
		nats[aws.ToString(g.NatGatewayId)] = g
		emit(judgeNATGateway(g, byNAT[aws.ToString(g.NatGatewayId)], n.Subnets, t))
	}
	if listErr != nil {
		return listErr
	}
	vpcs := make([]string, 0, len(byVPC))
	for v := range byVPC {
		vpcs = append(vpcs, v)
	}
	sort.Strings(vpcs)
	for _, v := range vpcs {
		emit(judgeNATVPC(v, byVPC[v], nats, n.Subnets, t))
	}
	return nil
}

// natEgress are the destinations whose route makes a subnet's egress depend
// on a NAT gateway: the IPv4 and IPv6 default routes and the NAT64 prefix.
// A ::/0 route to an egress-only internet gateway is no NAT dependency: only
// routes whose target is a live NAT gateway count.
var natEgress = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0"), netip.MustParsePrefix("64:ff9b::/96")}

// natUses are the region's subnets whose egress routes (the live routes of
// their route table, see netLiveRoutes) go to one of the live NAT gateways,
// one per subnet and gateway, sorted by zone and subnet.
func natUses(n *inventory.Network, live []ec2types.NatGateway) []natUse {
	isNAT := map[string]bool{}
	for _, g := range live {
		isNAT[aws.ToString(g.NatGatewayId)] = true
	}
	var out []natUse
	for _, sn := range netSortedSubnets(n.Subnets) {
		seen := map[string]bool{}
		for _, r := range netLiveRoutes(n, sn) {
			if r.PrefixListID != "" || !isNAT[r.Target] || !slices.Contains(natEgress, r.Destination) || seen[r.Target] {
				continue
			}
			seen[r.Target] = true
			out = append(out, natUse{Subnet: sn, NAT: r.Target})
		}
	}
	return out
}

// netLiveRoutes are the routes of subnet sn's route table (its explicit
// association, else its VPC's main table: RouteTableOf) that carry traffic:
// not blackholes, and each the route that LookupRoute picks for its own
// destination among the table's routes to that destination (a static route
// beats a propagated one). Prefix-list routes are kept as they are: no other
// route has their destination. Nil when the subnet has no route table (a
// subnet shared by another account, whose tables this account cannot read).
// Edge (gateway) route tables are not modelled.
func netLiveRoutes(n *inventory.Network, sn *inventory.Subnet) []inventory.Route {
	rt, ok := n.RouteTableOf(sn)
	if !ok {
		return nil
	}
	cands := rt.Candidates()
	seen := map[string]bool{}
	var out []inventory.Route
	for _, r := range rt.Routes {
		if r.Blackhole || r.Target == "" {
			continue
		}
		if r.PrefixListID == "" {
			var same []inventory.RouteCandidate
			for _, c := range cands {
				if c.PrefixListID == "" && c.Destination == r.Destination {
					same = append(same, c)
				}
			}
			choice := n.LookupRoute(same, r.Destination)
			if !choice.Found || choice.Blackhole || choice.Target != r.Target {
				continue
			}
		}
		key := r.Destination.String() + "|" + r.PrefixListID + "|" + r.Target
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, r)
	}
	return out
}

// netSortedSubnets are the network's subnets sorted by zone, then ID.
func netSortedSubnets(m map[string]*inventory.Subnet) []*inventory.Subnet {
	out := make([]*inventory.Subnet, 0, len(m))
	for _, sn := range m {
		out = append(out, sn)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].AZ != out[j].AZ {
			return out[i].AZ < out[j].AZ
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// netZoneText is "us-east-1a (use1-az1)", or the name alone when the ID is not
// known.
func netZoneText(name, id string) string {
	if id == "" {
		return name
	}
	return name + " (" + id + ")"
}

// netSubnetAt names a subnet and its zone: "subnet-1 in us-east-1a (use1-az1)".
func netSubnetAt(sn *inventory.Subnet) string {
	if sn.AZ == "" {
		return sn.ID + " in an unknown Availability Zone"
	}
	return sn.ID + " in " + netZoneText(sn.AZ, sn.AZID)
}

// netZoneIndex maps the zone names of subnets to their IDs.
func netZoneIndex(subnets map[string]*inventory.Subnet) map[string]string {
	idOf := map[string]string{}
	for _, sn := range subnets {
		if sn.AZ != "" && sn.AZID != "" {
			idOf[sn.AZ] = sn.AZID
		}
	}
	return idOf
}

// natLabel names a gateway in messages: "NAT gateway nat-1 (egress-a)",
// "private NAT gateway ...", "regional NAT gateway ...".
func natLabel(g ec2types.NatGateway) string {
	label := "NAT gateway " + aws.ToString(g.NatGatewayId)
	switch {
	case g.AvailabilityMode == ec2types.AvailabilityModeRegional:
		label = "regional " + label
	case g.ConnectivityType == ec2types.ConnectivityTypePrivate:
		label = "private " + label
	}
	if name := nameTag(g.Tags); name != "" {
		label += " (" + name + ")"
	}
	return label
}

// natZone is the zone of a zonal gateway: its subnet's, else the one its
// addresses report.
func natZone(g ec2types.NatGateway, subnets map[string]*inventory.Subnet) (name, id string) {
	if sn, ok := subnets[aws.ToString(g.SubnetId)]; ok && sn.AZ != "" {
		return sn.AZ, sn.AZID
	}
	for _, a := range g.NatGatewayAddresses {
		if az := aws.ToString(a.AvailabilityZone); az != "" {
			return az, aws.ToString(a.AvailabilityZoneId)
		}
	}
	return "", ""
}

// natServes are the zones a regional gateway serves: those of its addresses
// that are not failed or on their way out, by name and by ID.
func natServes(g ec2types.NatGateway) (names []string, ids map[string]string) {
	ids = map[string]string{}
	for _, a := range g.NatGatewayAddresses {
		switch a.Status {
		case ec2types.NatGatewayAddressStatusFailed, ec2types.NatGatewayAddressStatusDisassociating, ec2types.NatGatewayAddressStatusUnassigning:
			continue
		}
		name, id := aws.ToString(a.AvailabilityZone), aws.ToString(a.AvailabilityZoneId)
		if name == "" {
			continue
		}
		names = append(names, name)
		if id != "" {
			ids[name] = id
		}
	}
	return distinct(names...), ids
}

func subnetList(uses []natUse) string {
	parts := make([]string, len(uses))
	for i, u := range uses {
		parts[i] = netSubnetAt(u.Subnet)
	}
	return strings.Join(parts, ", ")
}

func subnetIDs(uses []natUse) string {
	parts := make([]string, len(uses))
	for i, u := range uses {
		parts[i] = u.Subnet.ID
	}
	return strings.Join(parts, ", ")
}

const natNoUse = "no route table sends 0.0.0.0/0, ::/0 or 64:ff9b::/96 to it"

// judgeNATGateway judges one live gateway by the subnets whose egress route
// goes to it (uses, sorted by zone). A zonal gateway (NATGW-1) is a risk
// when a subnet of another zone uses it; a regional one (NATGW-3) when a
// subnet of a zone it does not serve does. AZs are the gateway's zones and
// those of the subnets using it.
func judgeNATGateway(g ec2types.NatGateway, uses []natUse, subnets map[string]*inventory.Subnet, t Target) Finding {
	id := aws.ToString(g.NatGatewayId)
	label := natLabel(g)
	idOf := netZoneIndex(subnets)
	var zones []string
	for _, u := range uses {
		zones = append(zones, u.Subnet.AZ)
	}
	var f Finding
	if g.AvailabilityMode == ec2types.AvailabilityModeRegional {
		served, servedIDs := natServes(g)
		for name, zid := range servedIDs {
			if idOf[name] == "" {
				idOf[name] = zid
			}
		}
		zones = append(zones, served...)
		var unserved []natUse
		for _, u := range uses {
			if !natServesSubnet(served, servedIDs, u.Subnet) {
				unserved = append(unserved, u)
			}
		}
		serves := fmt.Sprintf("%s serves %s (%s)", label, plural(len(served), "Availability Zone"), list(served))
		switch {
		case len(unserved) > 0:
			tail := "it provisions zones automatically but does not serve those zones now, so until it expands there their egress depends on the zones it serves"
			if g.AutoProvisionZones == ec2types.AutoProvisionZonesStateDisabled {
				tail = "automatic zone provisioning is disabled, so they have no egress through it until their zones are added"
			}
			f = finding(natgwRegional, true, fmt.Sprintf("%s and is the egress route of %s in zones it does not serve: %s; %s.",
				serves, plural(len(unserved), "subnet"), subnetList(unserved), tail))
		case len(uses) > 0:
			f = finding(natgwRegional, false, fmt.Sprintf("%s, every zone of the %s whose egress route it is.",
				serves, plural(len(uses), "subnet")))
		default:
			f = finding(natgwRegional, false, fmt.Sprintf("%s and is the egress route of no subnet: %s.", serves, natNoUse))
		}
	} else {
		az, azID := natZone(g, subnets)
		if az != "" && azID != "" {
			idOf[az] = azID
		}
		zones = append(zones, az)
		var own, other []natUse
		for _, u := range uses {
			if az != "" && u.Subnet.AZ == az {
				own = append(own, u)
			} else {
				other = append(other, u)
			}
		}
		where := label + " in " + netZoneText(az, azID)
		switch {
		case az == "" && len(uses) == 0:
			f = finding(natgwCrossAZ, false, fmt.Sprintf("%s is in subnet %s, which could not be found, and is the egress route of no subnet: %s.",
				label, aws.ToString(g.SubnetId), natNoUse))
		case az == "":
			f = finding(natgwCrossAZ, true, fmt.Sprintf("%s is in subnet %s, which could not be found, so its Availability Zone is unknown; it is the egress route of %s in %s (%s), which cannot be shown to use a NAT gateway of their own zone: %s.",
				label, aws.ToString(g.SubnetId), plural(len(uses), "subnet"), plural(len(distinct(zones...)), "Availability Zone"), list(distinct(zones...)), subnetList(uses)))
		case len(other) > 0:
			msg := fmt.Sprintf("%s is the egress route of %s in other Availability Zones, which lose their egress if %s fails: %s.",
				where, plural(len(other), "subnet"), az, subnetList(other))
			if len(own) > 0 {
				msg += fmt.Sprintf(" It is also the egress route of %s in its own zone (%s).", plural(len(own), "subnet"), subnetIDs(own))
			}
			f = finding(natgwCrossAZ, true, msg)
		case len(own) > 0:
			f = finding(natgwCrossAZ, false, fmt.Sprintf("%s is the egress route of %s, all in its own Availability Zone (%s).",
				where, plural(len(own), "subnet"), subnetIDs(own)))
		default:
			f = finding(natgwCrossAZ, false, fmt.Sprintf("%s is the egress route of no subnet: %s.", where, natNoUse))
		}
	}
	f.AZs = distinct(zones...)
	f.AZIDs = zoneIDsOf(f.AZs, idOf)
	f.ResourceType = "AWS::EC2::NatGateway"
	f.ResourceARN = t.ARN("ec2", t.Region, "natgateway/"+id)
	f.ResourceName = nameTag(g.Tags)
	f.ResourceID = id
	return f
}

func natServesSubnet(served []string, ids map[string]string, sn *inventory.Subnet) bool {
	for _, name := range served {
		if name == sn.AZ || (sn.AZID != "" && ids[name] == sn.AZID) {
			return true
		}
	}
	return false
}

// judgeNATVPC judges a VPC by its private subnets (uses: each subnet whose
// egress route goes to a live NAT gateway, with the gateway): a risk
// (NATGW-2) when they are in several zones and all use one zonal gateway.
func judgeNATVPC(vpc string, uses []natUse, nats map[string]ec2types.NatGateway, subnets map[string]*inventory.Subnet, t Target) Finding {
	idOf := netZoneIndex(subnets)
	var subnetZones, zones, natIDs, privIDs []string
	for _, u := range uses {
		subnetZones = append(subnetZones, u.Subnet.AZ)
		natIDs = append(natIDs, u.NAT)
		privIDs = append(privIDs, u.Subnet.ID)
	}
	subnetZones, natIDs, privIDs = distinct(subnetZones...), distinct(natIDs...), distinct(privIDs...)
	zones = append(zones, subnetZones...)
	var gws []string
	for _, id := range natIDs {
		g := nats[id]
		if g.AvailabilityMode == ec2types.AvailabilityModeRegional {
			gws = append(gws, id+" (regional)")
			continue
		}
		az, azID := natZone(g, subnets)
		if az == "" {
			gws = append(gws, id+" (zone unknown)")
			continue
		}
		if azID != "" {
			idOf[az] = azID
		}
		zones = append(zones, az)
		gws = append(gws, id+" in "+netZoneText(az, azID))
	}
	has := fmt.Sprintf("VPC %s has %s", vpc, plural(len(privIDs), "private subnet"))
	var f Finding
	switch {
	case len(subnetZones) >= 2 && len(natIDs) == 1 && nats[natIDs[0]].AvailabilityMode != ec2types.AvailabilityModeRegional:
		f = finding(natgwSharedVPC, true, fmt.Sprintf("%s in %d Availability Zones (%s) whose egress all goes through one zonal NAT gateway, %s: if that zone fails, every zone of the VPC loses its egress.",
			has, len(subnetZones), list(subnetZones), gws[0]))
	case len(subnetZones) >= 2:
		f = finding(natgwSharedVPC, false, fmt.Sprintf("%s in %d Availability Zones (%s) whose egress goes through %s (%s), not through one zonal NAT gateway.",
			has, len(subnetZones), list(subnetZones), plural(len(natIDs), "NAT gateway"), strings.Join(gws, ", ")))
	default:
		f = finding(natgwSharedVPC, false, fmt.Sprintf("%s, all in one Availability Zone (%s), whose egress goes through %s (%s): no NAT gateway carries the egress of several zones of it.",
			has, list(subnetZones), plural(len(natIDs), "NAT gateway"), strings.Join(gws, ", ")))
	}
	f.AZs = distinct(zones...)
	f.AZIDs = zoneIDsOf(f.AZs, idOf)
	f.ResourceType = "AWS::EC2::VPC"
	f.ResourceARN = t.ARN("ec2", t.Region, "vpc/"+vpc)
	f.ResourceID = vpc
	return f
}
