package analysers

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nfwtypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"

	"github.com/faultline/faultline/inventory"
)

// networkfirewallAPI holds exactly the calls the networkfirewall analyser's
// kind makes.
type networkfirewallAPI interface {
	networkfirewall.ListFirewallsAPIClient
	DescribeFirewall(ctx context.Context, params *networkfirewall.DescribeFirewallInput, optFns ...func(*networkfirewall.Options)) (*networkfirewall.DescribeFirewallOutput, error)
}

var (
	networkfirewallOneAZ = Check{ID: "NETWORKFIREWALL-1", Severity: SeverityHigh,
		Description: "Network Firewall whose endpoints are all in one Availability Zone (or that has none): traffic routed through it stops if that zone fails",
		Remediation: "Map a subnet of every Availability Zone the protected subnets use to the firewall, so that each zone has its own firewall endpoint."}
	networkfirewallCrossAZ = Check{ID: "NETWORKFIREWALL-2", Severity: SeverityHigh,
		Description: "Network Firewall whose endpoint in one Availability Zone is the route target of subnets in another zone: they lose their inspected traffic if that zone fails",
		Remediation: "Route each zone's subnets to the firewall endpoint of their own zone (one route table per zone)."}
)

// networkfirewallFirewall is one firewall as DescribeFirewall reports it:
// its subnet mappings, and in its status the endpoint of each zone.
type networkfirewallFirewall struct {
	Firewall nfwtypes.Firewall        `json:"firewall"`
	Status   *nfwtypes.FirewallStatus `json:"status,omitempty"`
}

// networkfirewallFirewalls are the region's firewalls, each described.
var networkfirewallFirewalls = &inventory.Kind[networkfirewallFirewall]{
	Name:    "network-firewall/firewalls",
	Actions: []string{"network-firewall:DescribeFirewall", "network-firewall:ListFirewalls"},
	APIs:    []reflect.Type{apiOf[networkfirewallAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(networkfirewallFirewall)) error {
		return loadNetworkFirewalls(ctx, networkfirewall.NewFromConfig(s.Config()), add)
	},
}

// loadNetworkFirewalls reads every page of ListFirewalls and describes each
// firewall listed (ListFirewalls gives only names and ARNs). A firewall
// deleted between the two calls (ResourceNotFoundException) is left out;
// any other failure ends the listing.
func loadNetworkFirewalls(ctx context.Context, api networkfirewallAPI, add func(networkfirewallFirewall)) error {
	p := networkfirewall.NewListFirewallsPaginator(api, &networkfirewall.ListFirewallsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range page.Firewalls {
			out, err := api.DescribeFirewall(ctx, &networkfirewall.DescribeFirewallInput{FirewallArn: m.FirewallArn})
			var gone *nfwtypes.ResourceNotFoundException
			if errors.As(err, &gone) {
				continue
			}
			if err != nil {
				return err
			}
			if out.Firewall == nil {
				continue
			}
			add(networkfirewallFirewall{Firewall: *out.Firewall, Status: out.FirewallStatus})
		}
	}
	return nil
}

var NetworkFirewall = Analyser{
	Name:   "networkfirewall",
	Checks: []Check{networkfirewallOneAZ, networkfirewallCrossAZ},
	Kinds:  []inventory.Loader{networkfirewallFirewalls, inventory.Subnets, inventory.RouteTables},
	Run:    analyseNetworkFirewall,
}

// networkfirewallDeleting reports a firewall on its way out (not judged).
func networkfirewallDeleting(fw networkfirewallFirewall) bool {
	return fw.Status != nil && fw.Status.Status == nfwtypes.FirewallStatusValueDeleting
}

// analyseNetworkFirewall judges every firewall read, even when the listing
// failed part-way (each verdict needs only that firewall and the routes to
// its endpoints; the error is the task's). The subnets and route tables are
// read only when there is a firewall to judge, and a failure of either fails
// the task before anything is judged (RoutingOf).
func analyseNetworkFirewall(ctx context.Context, s *inventory.Scope, emit Emit) error {
	fws, listErr := networkfirewallFirewalls.Items(ctx, s)
	var live []networkfirewallFirewall
	for _, fw := range fws {
		if !networkfirewallDeleting(fw) {
			live = append(live, fw)
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
	for _, fw := range live {
		emit(judgeNetworkFirewall(fw, networkfirewallUses(n, networkfirewallEndpoints(fw)), n.Subnets, t))
	}
	return listErr
}

// networkfirewallEndpoint is a firewall's endpoint in one zone.
type networkfirewallEndpoint struct {
	AZ, ID, SubnetID string
	Status           nfwtypes.AttachmentStatus
}

// live: a deleting, failed or erroring endpoint serves no zone.
func (e networkfirewallEndpoint) live() bool {
	switch e.Status {
	case nfwtypes.AttachmentStatusDeleting, nfwtypes.AttachmentStatusFailed, nfwtypes.AttachmentStatusError:
		return false
	}
	return true
}

// networkfirewallEndpoints are the endpoints of the firewall's sync states
// (keyed by zone name), sorted by zone.
func networkfirewallEndpoints(fw networkfirewallFirewall) []networkfirewallEndpoint {
	if fw.Status == nil {
		return nil
	}
	var out []networkfirewallEndpoint
	for az, st := range fw.Status.SyncStates {
		e := networkfirewallEndpoint{AZ: az}
		if st.Attachment != nil {
			e.ID, e.SubnetID, e.Status = aws.ToString(st.Attachment.EndpointId), aws.ToString(st.Attachment.SubnetId), st.Attachment.Status
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AZ < out[j].AZ })
	return out
}

// networkfirewallUse is a subnet whose route table sends traffic (the
// destinations) to a firewall endpoint.
type networkfirewallUse struct {
	Subnet       *inventory.Subnet
	Endpoint     networkfirewallEndpoint
	Destinations []string
}

// networkfirewallUses are the subnets whose live routes (any destination)
// go to one of the endpoints, one per subnet and endpoint, sorted by zone and
// subnet.
func networkfirewallUses(n *inventory.Network, endpoints []networkfirewallEndpoint) []networkfirewallUse {
	byID := map[string]networkfirewallEndpoint{}
	for _, e := range endpoints {
		if e.ID != "" {
			byID[e.ID] = e
		}
	}
	if len(byID) == 0 {
		return nil
	}
	var out []networkfirewallUse
	for _, sn := range netSortedSubnets(n.Subnets) {
		at := map[string]int{}
		for _, r := range netLiveRoutes(n, sn) {
			e, ok := byID[r.Target]
			if !ok {
				continue
			}
			dest := r.PrefixListID
			if dest == "" {
				dest = r.Destination.String()
			}
			i, seen := at[e.ID]
			if !seen {
				i = len(out)
				at[e.ID] = i
				out = append(out, networkfirewallUse{Subnet: sn, Endpoint: e})
			}
			out[i].Destinations = append(out[i].Destinations, dest)
		}
	}
	return out
}

// judgeNetworkFirewall judges one firewall. Its zones are those of its live
// endpoints when it reports sync states; else those of its subnet mappings
// (a firewall whose status is not reported yet), else its Availability Zone
// mappings (a transit-gateway-attached firewall). One zone or none is a
// NETWORKFIREWALL-1 risk; a subnet routing to the endpoint of another zone
// a NETWORKFIREWALL-2 risk. AZs are the firewall's zones and those of the
// subnets routing to it.
func judgeNetworkFirewall(fw networkfirewallFirewall, uses []networkfirewallUse, subnets map[string]*inventory.Subnet, t Target) Finding {
	name := aws.ToString(fw.Firewall.FirewallName)
	label := "Network Firewall " + name
	idOf := netZoneIndex(subnets)
	endpoints := networkfirewallEndpoints(fw)
	var zones, unknown []string
	var source string
	switch {
	case len(endpoints) > 0:
		source = "live endpoints"
		for _, e := range endpoints {
			if e.live() {
				zones = append(zones, e.AZ)
			}
		}
	case len(fw.Firewall.SubnetMappings) > 0:
		source = "subnet mappings"
		for _, m := range fw.Firewall.SubnetMappings {
			id := aws.ToString(m.SubnetId)
			if sn, ok := subnets[id]; ok && sn.AZ != "" {
				zones = append(zones, sn.AZ)
			} else {
				unknown = append(unknown, id)
			}
		}
	default:
		source = "Availability Zone mappings"
		for _, m := range fw.Firewall.AvailabilityZoneMappings {
			zones = append(zones, aws.ToString(m.AvailabilityZone))
		}
	}
	zones = distinct(zones...)
	has := fmt.Sprintf("%s has %s in %s (%s)", label, source, plural(len(zones), "Availability Zone"), list(zones))
	if len(unknown) > 0 {
		unknown = distinct(unknown...)
		has += fmt.Sprintf(" and %s that could not be found (%s)", plural(len(unknown), "mapped subnet"), list(unknown))
	}
	all := append([]string{}, zones...)
	var cross []networkfirewallUse
	for _, u := range uses {
		all = append(all, u.Subnet.AZ, u.Endpoint.AZ)
		if u.Subnet.AZ != u.Endpoint.AZ {
			cross = append(cross, u)
		}
	}
	crossText := func() string {
		parts := make([]string, len(cross))
		for i, u := range cross {
			parts[i] = fmt.Sprintf("%s sends %s to %s in %s", netSubnetAt(u.Subnet), strings.Join(u.Destinations, ", "), u.Endpoint.ID,
				netZoneText(u.Endpoint.AZ, idOf[u.Endpoint.AZ]))
		}
		return strings.Join(parts, "; ")
	}
	var f Finding
	switch {
	case len(zones) <= 1:
		msg := has + ", so traffic routed through it stops if that zone fails."
		if len(zones) == 0 {
			msg = has + ", so it cannot be shown to inspect traffic in any Availability Zone."
		}
		if len(cross) > 0 {
			msg += fmt.Sprintf(" The route tables of %s in other zones send traffic to it: %s.", plural(len(distinctSubnets(cross)), "subnet"), crossText())
		}
		f = finding(networkfirewallOneAZ, true, msg)
	case len(cross) > 0:
		f = finding(networkfirewallCrossAZ, true, fmt.Sprintf("%s, but the route tables of %s send traffic to a firewall endpoint of another zone, which they lose if that zone fails: %s.",
			has, plural(len(distinctSubnets(cross)), "subnet"), crossText()))
	case len(endpoints) == 0:
		f = finding(networkfirewallOneAZ, false, fmt.Sprintf("%s; it reports no endpoints (no sync states), so the routes to them cannot be checked.", has))
	case len(uses) == 0:
		f = finding(networkfirewallOneAZ, false, fmt.Sprintf("%s; no route table of a subnet sends traffic to them.", has))
	default:
		f = finding(networkfirewallOneAZ, false, fmt.Sprintf("%s, and each of the %s routing to them uses the endpoint of its own zone.",
			has, plural(len(distinctSubnets(uses)), "subnet")))
	}
	f.AZs = distinct(all...)
	f.AZIDs = zoneIDsOf(f.AZs, idOf)
	f.ResourceType = "AWS::NetworkFirewall::Firewall"
	f.ResourceARN = aws.ToString(fw.Firewall.FirewallArn)
	if f.ResourceARN == "" {
		f.ResourceARN = t.ARN("network-firewall", t.Region, "firewall/"+name)
	}
	f.ResourceName = name
	f.ResourceID = aws.ToString(fw.Firewall.FirewallId)
	return f
}

func distinctSubnets(uses []networkfirewallUse) []string {
	ids := make([]string, len(uses))
	for i, u := range uses {
		ids[i] = u.Subnet.ID
	}
	return distinct(ids...)
}
