package analysers

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/faultline/faultline/inventory"
)

// dxConnectionsAPI and dxVirtualInterfacesAPI hold exactly the calls the
// dx analyser's kinds make. The SDK has no paginator (and no per-operation
// interface) for them, although both page with nextToken: the loaders loop
// on the token themselves.
type dxConnectionsAPI interface {
	DescribeConnections(context.Context, *directconnect.DescribeConnectionsInput, ...func(*directconnect.Options)) (*directconnect.DescribeConnectionsOutput, error)
}

type dxVirtualInterfacesAPI interface {
	DescribeVirtualInterfaces(context.Context, *directconnect.DescribeVirtualInterfacesInput, ...func(*directconnect.Options)) (*directconnect.DescribeVirtualInterfacesOutput, error)
}

var (
	dxRegionCheck = Check{ID: "DX-1", Severity: SeverityHigh,
		Description: "Region whose Direct Connect connections are one connection, or all at one Direct Connect location",
		Remediation: "Add a Direct Connect connection at a second Direct Connect location, so that one connection or location can fail."}
	dxNoConnectionsCheck = Check{ID: "DX-2", Severity: SeverityInfo,
		Description: "Region with no Direct Connect connection: nothing to judge",
		Remediation: "None needed for Availability Zone resilience."}
	dxConnectionCheck = Check{ID: "DX-3", Severity: SeverityHigh,
		Description: "Direct Connect connection with no other connection of its region at another Direct Connect location",
		Remediation: "Pair the connection with a connection at another Direct Connect location of the region."}
	dxGatewayCheck = Check{ID: "DX-4", Severity: SeverityHigh,
		Description: "Virtual private gateway or Direct Connect gateway reached through one virtual interface, or through virtual interfaces on one connection",
		Remediation: "Attach virtual interfaces on at least two connections, preferably at two Direct Connect locations, to the gateway."}
)

// dxPageSize is the largest page the Direct Connect Describe calls return.
const dxPageSize = 100

// dxIgnoredStates are the connection and virtual interface states that are
// not counted: deleted and deleting ones are gone or going and will never
// carry traffic again, and rejected ones were never provisioned (a hosted
// connection or interface that the account declined). A "down" connection or
// interface is counted: it is still provisioned and expected back, so it is
// part of the network's design, and its outage is an operational alarm rather
// than a topology choice. Every other state (ordering, requested, pending,
// available, confirming, verifying, testing, unknown) is counted too.
var dxIgnoredStates = map[string]bool{"deleted": true, "deleting": true, "rejected": true}

// dxConnections are the region's connections, as listed (a connection
// served on two pages is listed twice).
var dxConnections = &inventory.Kind[dxtypes.Connection]{
	Name:    "directconnect/connections",
	Actions: []string{"directconnect:DescribeConnections"},
	APIs:    []reflect.Type{apiOf[dxConnectionsAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(dxtypes.Connection)) error {
		return loadDXConnections(ctx, directconnect.NewFromConfig(s.Config()), add)
	},
}

func loadDXConnections(ctx context.Context, api dxConnectionsAPI, add func(dxtypes.Connection)) error {
	var token *string
	for {
		out, err := api.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{
			MaxResults: aws.Int32(dxPageSize), NextToken: token})
		if err != nil {
			return err
		}
		for _, c := range out.Connections {
			add(c)
		}
		if !dxMorePages(token, out.NextToken) {
			return nil
		}
		token = out.NextToken
	}
}

// dxVirtualInterfaces are the region's virtual interfaces, as listed.
var dxVirtualInterfaces = &inventory.Kind[dxtypes.VirtualInterface]{
	Name:    "directconnect/virtual-interfaces",
	Actions: []string{"directconnect:DescribeVirtualInterfaces"},
	APIs:    []reflect.Type{apiOf[dxVirtualInterfacesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(dxtypes.VirtualInterface)) error {
		return loadDXVirtualInterfaces(ctx, directconnect.NewFromConfig(s.Config()), add)
	},
}

func loadDXVirtualInterfaces(ctx context.Context, api dxVirtualInterfacesAPI, add func(dxtypes.VirtualInterface)) error {
	var token *string
	for {
		out, err := api.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{
			MaxResults: aws.Int32(dxPageSize), NextToken: token})
		if err != nil {
			return err
		}
		for _, v := range out.VirtualInterfaces {
			add(v)
		}
		if !dxMorePages(token, out.NextToken) {
			return nil
		}
		token = out.NextToken
	}
}

var DX = Analyser{
	Name:   "dx",
	Checks: []Check{dxRegionCheck, dxNoConnectionsCheck, dxConnectionCheck, dxGatewayCheck},
	Kinds:  []inventory.Loader{dxConnections, dxVirtualInterfaces},
	Run:    analyseDX,
}

// analyseDX judges the region's connections and emits the region row and
// one row per live connection BEFORE it reads the virtual interfaces, so
// that a failing DescribeVirtualInterfaces keeps them. Then it emits one row
// per virtual private gateway and per Direct Connect gateway that has live
// virtual interfaces in the region.
//
// A listing that failed part-way is not judged: every row weighs a
// connection or an interface against all the others of the region, so from
// part of the list a redundant connection or gateway could be reported as
// the only one.
func analyseDX(ctx context.Context, s *inventory.Scope, emit Emit) error {
	t := TargetOf(s)
	conns, err := dxConnections.Items(ctx, s)
	if err != nil {
		return err
	}
	var live []dxtypes.Connection
	locationOf := map[string]string{}
	for _, c := range conns {
		id := aws.ToString(c.ConnectionId)
		if _, seen := locationOf[id]; seen {
			continue // a connection served on two pages counts once
		}
		locationOf[id] = aws.ToString(c.Location)
		if !dxIgnoredStates[string(c.ConnectionState)] {
			live = append(live, c)
		}
	}
	emit(judgeDXRegion(t.Region, live))
	for _, c := range live {
		emit(judgeDXConnection(t, c, live))
	}

	vifs, err := dxVirtualInterfaces.Items(ctx, s)
	if err != nil {
		return err
	}
	gateways := map[dxGateway][]dxtypes.VirtualInterface{}
	seenVIF := map[string]bool{}
	for _, vif := range vifs {
		if seenVIF[aws.ToString(vif.VirtualInterfaceId)] || dxIgnoredStates[string(vif.VirtualInterfaceState)] {
			continue
		}
		seenVIF[aws.ToString(vif.VirtualInterfaceId)] = true
		// Public virtual interfaces have no gateway: they reach AWS
		// public endpoints and are covered by the connection rows.
		if id := aws.ToString(vif.VirtualGatewayId); id != "" {
			g := dxGateway{kind: dxVirtualPrivateGateway, id: id}
			gateways[g] = append(gateways[g], vif)
		}
		if id := aws.ToString(vif.DirectConnectGatewayId); id != "" {
			g := dxGateway{kind: dxDirectConnectGateway, id: id}
			gateways[g] = append(gateways[g], vif)
		}
	}
	keys := make([]dxGateway, 0, len(gateways))
	for g := range gateways {
		keys = append(keys, g)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].kind != keys[j].kind {
			return keys[i].kind < keys[j].kind
		}
		return keys[i].id < keys[j].id
	})
	for _, g := range keys {
		emit(judgeDXGateway(t, g, gateways[g], locationOf))
	}
	return nil
}

// dxMorePages says whether to ask for another page: there is a next token,
// and it is not the one just sent (a service repeating its token would
// otherwise loop forever).
func dxMorePages(sent, next *string) bool {
	n := aws.ToString(next)
	return n != "" && n != aws.ToString(sent)
}

// dxConnectionARN is the connection's ARN. The API's connection IDs are
// dxcon-…, but some (moto's) are already ARNs: those are used as they are.
func dxConnectionARN(t Target, c dxtypes.Connection) string {
	id := aws.ToString(c.ConnectionId)
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	region := aws.ToString(c.Region)
	if region == "" {
		region = t.Region
	}
	return t.ARN("directconnect", region, "dxcon/"+id)
}

func dxConnectionIDs(conns []dxtypes.Connection) []string {
	ids := make([]string, 0, len(conns))
	for _, c := range conns {
		ids = append(ids, aws.ToString(c.ConnectionId))
	}
	return distinct(ids...)
}

func dxLocations(conns []dxtypes.Connection) []string {
	locs := make([]string, 0, len(conns))
	for _, c := range conns {
		locs = append(locs, aws.ToString(c.Location))
	}
	return distinct(locs...)
}

// judgeDXRegion judges the region's live connections as a whole: one
// connection, or several at one location, is a single point of failure for
// the region's Direct Connect path.
func judgeDXRegion(region string, live []dxtypes.Connection) Finding {
	ids, locs := dxConnectionIDs(live), dxLocations(live)
	var f Finding
	switch {
	case len(live) == 0:
		f = finding(dxNoConnectionsCheck, false, fmt.Sprintf(
			"There are no Direct Connect connections in %s, so there is no Direct Connect path to judge.", region))
	case len(live) == 1:
		f = finding(dxRegionCheck, true, fmt.Sprintf(
			"Region %s has 1 Direct Connect connection (%s at %s): a failure of that connection or its location cuts the region's Direct Connect path.",
			region, list(ids), list(locs)))
	case len(locs) >= 2:
		f = finding(dxRegionCheck, false, fmt.Sprintf(
			"Region %s has %s (%s) at %d locations (%s), so one connection or location can fail without cutting the region's Direct Connect path.",
			region, plural(len(live), "Direct Connect connection"), list(ids), len(locs), list(locs)))
	default:
		f = finding(dxRegionCheck, true, fmt.Sprintf(
			"Region %s has %s (%s), all at one location (%s): a failure of that location cuts them all.",
			region, plural(len(live), "Direct Connect connection"), list(ids), list(locs)))
	}
	// The row judges the region's connections as a whole; Direct Connect
	// locations are not Availability Zones, so no row of dx is placed.
	f.ResourceType = "AWS::DirectConnect::Connection"
	f.ResourceID = region
	return f
}

// judgeDXConnection judges one live connection by the other live connections
// of its region: it is covered when one of them is at another location.
func judgeDXConnection(t Target, c dxtypes.Connection, live []dxtypes.Connection) Finding {
	id := aws.ToString(c.ConnectionId)
	loc := aws.ToString(c.Location)
	label := id + " at " + loc
	if loc == "" {
		label = id + " (location not reported)"
	}
	if s := string(c.ConnectionState); s != "" && s != string(dxtypes.ConnectionStateAvailable) {
		label += " (state " + s + ")"
	}
	var otherLocs []string
	others := 0
	for _, o := range live {
		if aws.ToString(o.ConnectionId) == id {
			continue
		}
		others++
		// A partner whose location is not reported is not known to be
		// elsewhere. (The API always reports a connection's location.)
		if l := aws.ToString(o.Location); l != "" && l != loc {
			otherLocs = append(otherLocs, l)
		}
	}
	otherLocs = distinct(otherLocs...)
	region := t.Region
	var f Finding
	switch {
	case others == 0:
		f = finding(dxConnectionCheck, true, fmt.Sprintf(
			"Direct Connect connection %s is the only Direct Connect connection in %s: if it or its location fails, the region loses its Direct Connect path.",
			label, region))
	case loc == "":
		f = finding(dxConnectionCheck, true, fmt.Sprintf(
			"Direct Connect connection %s is one of %s in %s, but without its location its location diversity cannot be judged.",
			label, plural(others+1, "connection"), region))
	case len(otherLocs) == 0:
		f = finding(dxConnectionCheck, true, fmt.Sprintf(
			"Direct Connect connection %s is one of %s in %s and none of the others is at another location, so a failure of %s cuts them all.",
			label, plural(others+1, "connection"), region, loc))
	default:
		f = finding(dxConnectionCheck, false, fmt.Sprintf(
			"Direct Connect connection %s is one of %s in %s, with others at %s, so a failure of %s does not cut the region's Direct Connect path.",
			label, plural(others+1, "connection"), region, list(otherLocs), loc))
	}
	f.ResourceType = "AWS::DirectConnect::Connection"
	f.ResourceARN = dxConnectionARN(t, c)
	f.ResourceName = aws.ToString(c.ConnectionName)
	f.ResourceID = id
	return f
}

// dxGatewayKind orders and names the two kinds of gateway a virtual
// interface attaches to.
type dxGatewayKind int

const (
	dxVirtualPrivateGateway dxGatewayKind = iota
	dxDirectConnectGateway
)

type dxGateway struct {
	kind dxGatewayKind
	id   string
}

// dxGatewayARN builds the gateway's ARN: a virtual private gateway is an EC2
// resource of the region; a Direct Connect gateway is global (no region).
func dxGatewayARN(t Target, g dxGateway) string {
	if g.kind == dxDirectConnectGateway {
		return t.ARN("directconnect", "", "dx-gateway/"+g.id)
	}
	return t.ARN("ec2", t.Region, "vpn-gateway/"+g.id)
}

// dxGatewayType is the gateway's CloudFormation type.
func dxGatewayType(g dxGateway) string {
	if g.kind == dxDirectConnectGateway {
		return "AWS::DirectConnect::DirectConnectGateway"
	}
	return "AWS::EC2::VPNGateway"
}

// judgeDXGateway judges a gateway by its live virtual interfaces in the
// region and the distinct connections they use: one interface, or several on
// one connection, is a single point of failure. A Direct Connect gateway is
// global and may also have interfaces in other regions: the row (and its
// message) covers this region's interfaces only.
func judgeDXGateway(t Target, g dxGateway, vifs []dxtypes.VirtualInterface, locationOf map[string]string) Finding {
	kind := "Virtual private gateway"
	if g.kind == dxDirectConnectGateway {
		kind = "Direct Connect gateway"
	}
	var vifIDs, connIDs, locs []string
	for _, v := range vifs {
		vifIDs = append(vifIDs, aws.ToString(v.VirtualInterfaceId))
		conn := aws.ToString(v.ConnectionId)
		connIDs = append(connIDs, conn)
		loc := aws.ToString(v.Location)
		if loc == "" {
			loc = locationOf[conn]
		}
		locs = append(locs, loc)
	}
	vifIDs, connIDs, locs = distinct(vifIDs...), distinct(connIDs...), distinct(locs...)
	subject := fmt.Sprintf("%s %s has %s in %s", kind, g.id, plural(len(vifs), "virtual interface"), t.Region)
	var f Finding
	switch {
	case len(vifs) == 1:
		f = finding(dxGatewayCheck, true, fmt.Sprintf(
			"%s (%s on connection %s): a failure of that interface or its connection cuts the gateway's Direct Connect path.",
			subject, list(vifIDs), list(connIDs)))
	case len(connIDs) < 2:
		f = finding(dxGatewayCheck, true, fmt.Sprintf(
			"%s (%s), all on one connection (%s): a failure of that connection cuts them all.",
			subject, list(vifIDs), list(connIDs)))
	case len(locs) >= 2:
		f = finding(dxGatewayCheck, false, fmt.Sprintf(
			"%s (%s) on %d connections (%s) at %d locations (%s), so one connection or location can fail without cutting the gateway's Direct Connect path.",
			subject, list(vifIDs), len(connIDs), list(connIDs), len(locs), list(locs)))
	default:
		f = finding(dxGatewayCheck, false, fmt.Sprintf(
			"%s (%s) on %d connections (%s), all at one location (%s), so one connection can fail without cutting the gateway's Direct Connect path, but a failure of that location would cut it.",
			subject, list(vifIDs), len(connIDs), list(connIDs), list(locs)))
	}
	f.ResourceType = dxGatewayType(g)
	f.ResourceARN = dxGatewayARN(t, g)
	f.ResourceID = g.id
	return f
}
