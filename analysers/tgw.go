package analysers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/inventory"
)

var (
	tgwZoneWithoutSubnet = Check{ID: "TGW-1", Severity: SeverityHigh,
		Description: "Transit gateway VPC attachment with no subnet in an Availability Zone whose subnets route to the transit gateway: traffic from that zone to the transit gateway is dropped",
		Remediation: "Add a subnet of every Availability Zone the VPC uses to the attachment (a small dedicated subnet per zone is the usual pattern)."}
	tgwOneAZ = Check{ID: "TGW-2", Severity: SeverityHigh,
		Description: "Transit gateway VPC attachment whose subnets are all in one Availability Zone: the VPC's traffic through the transit gateway stops if that zone fails",
		Remediation: "Add a subnet in at least one more Availability Zone to the attachment, ideally one in every zone the VPC uses."}
)

// tgwAttachments are the region's transit gateway VPC attachments: the
// inventory's kind, which reach reads too (its loader is tested there).
var tgwAttachments = inventory.TGWAttachments

var TGW = Analyser{
	Name:   "tgw",
	Checks: []Check{tgwZoneWithoutSubnet, tgwOneAZ},
	Kinds:  []inventory.Loader{tgwAttachments, inventory.Subnets, inventory.RouteTables},
	Run:    analyseTGW,
}

// analyseTGW judges every available VPC attachment by its subnets' zones and
// the zones of its VPC's subnets whose route tables send traffic to the
// attachment's transit gateway. Attachments in other states (pending,
// modifying, deleting, deleted, rejected, failed...) are not judged. The
// subnets and route tables are read only when there is an attachment to
// judge, and a failure of either fails the task before anything is judged
// (RoutingOf). An attachment listing that failed part-way still has its
// attachments judged: each verdict needs only its own VPC's subnets.
func analyseTGW(ctx context.Context, s *inventory.Scope, emit Emit) error {
	atts, listErr := tgwAttachments.Items(ctx, s)
	var live []inventory.TGWAttachment
	for _, a := range atts {
		if strings.EqualFold(a.State, "available") {
			live = append(live, a)
		}
	}
	if len(live) == 0 {
		return listErr
	}
	n, err := inventory.RoutingOf(ctx, s)
	if err != nil {
		return err
	}
	t := TargetOf(s)
	for _, a := range live {
		if tgwForeign(a, n) {
			continue
		}
		var routing []*inventory.Subnet
		for _, sn := range netSortedSubnets(n.Subnets) {
			if sn.VPCID != a.VPCID {
				continue
			}
			for _, r := range netLiveRoutes(n, sn) {
				if r.Target == a.TGWID {
					routing = append(routing, sn)
					break
				}
			}
		}
		emit(judgeTGWAttachment(a, routing, n.Subnets, t))
	}
	return listErr
}

// tgwForeign reports whether an attachment is of another account's VPC (the
// transit gateway owner lists the attachments of the VPCs it is shared
// with): none of its subnets and no subnet of its VPC is in this account's
// region. It is judged in the VPC owner's account, where they are.
func tgwForeign(a inventory.TGWAttachment, n *inventory.Network) bool {
	for _, id := range a.Subnets {
		if _, ok := n.Subnets[id]; ok {
			return false
		}
	}
	for _, sn := range n.Subnets {
		if sn.VPCID == a.VPCID {
			return false
		}
	}
	return true
}

// judgeTGWAttachment judges one attachment: routing are its VPC's subnets
// (sorted by zone) whose live routes go to its transit gateway. A routing
// subnet in a zone where the attachment has no subnet is a TGW-1 risk (its
// traffic to the transit gateway is dropped); otherwise an attachment with
// all its subnets in one zone is a TGW-2 risk. AZs are the attachment's
// zones and the routing subnets'.
func judgeTGWAttachment(a inventory.TGWAttachment, routing []*inventory.Subnet, subnets map[string]*inventory.Subnet, t Target) Finding {
	label := fmt.Sprintf("Transit gateway attachment %s of VPC %s to %s", a.ID, a.VPCID, a.TGWID)
	var attZones, unknown, zones []string
	for _, id := range distinct(a.Subnets...) {
		sn, ok := subnets[id]
		if !ok || sn.AZ == "" {
			unknown = append(unknown, id)
			continue
		}
		attZones = append(attZones, sn.AZ)
	}
	attZones = distinct(attZones...)
	var missing []*inventory.Subnet
	var missingZones, routingZones []string
	for _, sn := range routing {
		routingZones = append(routingZones, sn.AZ)
		if !slices.Contains(attZones, sn.AZ) {
			missing = append(missing, sn)
			missingZones = append(missingZones, sn.AZ)
		}
	}
	missingZones, routingZones = distinct(missingZones...), distinct(routingZones...)
	zones = append(append(zones, attZones...), routingZones...)
	nSubnets := len(distinct(a.Subnets...))
	has := fmt.Sprintf("%s has subnets in %s (%s)", label, plural(len(attZones), "Availability Zone"), list(attZones))
	if len(unknown) > 0 {
		has = fmt.Sprintf("%s has %s; only %s could be placed (%s) and %s could not be found (%s)",
			label, plural(nSubnets, "subnet"), plural(len(attZones), "Availability Zone"), list(attZones), plural(len(unknown), "subnet"), list(unknown))
	}
	var f Finding
	switch {
	case len(missing) > 0:
		parts := make([]string, len(missing))
		for i, sn := range missing {
			parts[i] = netSubnetAt(sn)
		}
		msg := fmt.Sprintf("%s; traffic to %s from %s in %s without an attachment subnet (%s) is dropped: %s.",
			has, a.TGWID, plural(len(missing), "subnet"), plural(len(missingZones), "Availability Zone"), list(missingZones), strings.Join(parts, ", "))
		if len(attZones) == 1 && len(unknown) == 0 {
			msg += fmt.Sprintf(" All its subnets are in one Availability Zone, so the VPC's transit gateway traffic also stops if %s fails.", attZones[0])
		}
		f = finding(tgwZoneWithoutSubnet, true, msg)
	case nSubnets == 0:
		f = finding(tgwOneAZ, true, fmt.Sprintf("%s has no subnets, so it has no network interface in any Availability Zone.", label))
	case len(attZones) <= 1:
		var routes string
		switch {
		case len(routing) == 0:
			routes = "no subnet of the VPC routes to " + a.TGWID
		default:
			routes = fmt.Sprintf("%s of the VPC routing to %s, all in that zone", plural(len(routing), "subnet"), a.TGWID)
		}
		what := fmt.Sprintf("%s has %s, all in one Availability Zone (%s)", label, plural(nSubnets, "subnet"), list(attZones))
		if len(unknown) > 0 {
			what = has
		}
		f = finding(tgwOneAZ, true, fmt.Sprintf("%s, so the VPC's traffic through the transit gateway stops if that zone fails (%s).", what, routes))
	case len(routing) == 0:
		f = finding(tgwZoneWithoutSubnet, false, fmt.Sprintf("%s; no subnet of the VPC routes to %s.", has, a.TGWID))
	default:
		f = finding(tgwZoneWithoutSubnet, false, fmt.Sprintf("%s, covering every zone whose subnets route to %s (%s in %s: %s).",
			has, a.TGWID, plural(len(routing), "subnet"), plural(len(routingZones), "Availability Zone"), list(routingZones)))
	}
	f.AZs = distinct(zones...)
	f.AZIDs = zoneIDsOf(f.AZs, netZoneIndex(subnets))
	f.ResourceType = "AWS::EC2::TransitGatewayAttachment"
	f.ResourceARN = t.ARN("ec2", t.Region, "transit-gateway-attachment/"+a.ID)
	f.ResourceID = a.ID
	return f
}
