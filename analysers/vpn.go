package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

// vpnAPI holds exactly the call the vpn analyser makes. DescribeVpnConnections
// has no paginator and no NextToken: one call returns every connection of
// the region.
type vpnAPI interface {
	DescribeVpnConnections(ctx context.Context, in *ec2.DescribeVpnConnectionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpnConnectionsOutput, error)
}

var (
	vpnTunnels = Check{ID: "VPN-1", Severity: SeverityHigh,
		Description: "Site-to-Site VPN connection with fewer than two tunnels UP: each tunnel ends in a different AWS Availability Zone, so with one tunnel (or none) up the connection does not survive the loss of that zone's endpoint",
		Remediation: "Configure the customer gateway device to bring up both tunnels (with BGP, or static routes on both) and alarm on TunnelState. Where the device can only run one active tunnel, add a second VPN connection or a Direct Connect path."}
)

// vpnConnection is what the rule needs of a Site-to-Site VPN connection. The
// SDK's VpnConnection is not kept: its CustomerGatewayConfiguration and
// Options.TunnelOptions carry the tunnels' pre-shared keys, which a snapshot
// file must not hold.
type vpnConnection struct {
	ID                string      `json:"id"`
	Name              string      `json:"name,omitempty"`
	State             string      `json:"state"`
	Type              string      `json:"type,omitempty"`
	Category          string      `json:"category,omitempty"`
	CustomerGatewayID string      `json:"customer_gateway_id,omitempty"`
	VpnGatewayID      string      `json:"vpn_gateway_id,omitempty"`
	TransitGatewayID  string      `json:"transit_gateway_id,omitempty"`
	CoreNetworkARN    string      `json:"core_network_arn,omitempty"`
	Tunnels           []vpnTunnel `json:"tunnels,omitempty"`
}

// vpnTunnel is one VgwTelemetry entry: the AWS side of one tunnel.
type vpnTunnel struct {
	OutsideIP        string     `json:"outside_ip"`
	Status           string     `json:"status"`
	StatusMessage    string     `json:"status_message,omitempty"`
	LastStatusChange *time.Time `json:"last_status_change,omitempty"`
}

func vpnConnectionOf(c ec2types.VpnConnection) vpnConnection {
	out := vpnConnection{ID: aws.ToString(c.VpnConnectionId), Name: nameTag(c.Tags), State: string(c.State), Type: string(c.Type),
		Category: aws.ToString(c.Category), CustomerGatewayID: aws.ToString(c.CustomerGatewayId), VpnGatewayID: aws.ToString(c.VpnGatewayId),
		TransitGatewayID: aws.ToString(c.TransitGatewayId), CoreNetworkARN: aws.ToString(c.CoreNetworkArn)}
	for _, t := range c.VgwTelemetry {
		out.Tunnels = append(out.Tunnels, vpnTunnel{OutsideIP: aws.ToString(t.OutsideIpAddress), Status: string(t.Status),
			StatusMessage: aws.ToString(t.StatusMessage), LastStatusChange: t.LastStatusChange})
	}
	return out
}

// vpnConnections are the region's Site-to-Site VPN connections, in every
// state (the rule judges the available ones).
var vpnConnections = &inventory.Kind[vpnConnection]{
	Name:    "ec2/vpn-connections",
	Actions: []string{"ec2:DescribeVpnConnections"},
	APIs:    []reflect.Type{apiOf[vpnAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(vpnConnection)) error {
		return loadVPNConnections(ctx, ec2.NewFromConfig(s.Config()), add)
	},
}

// loadVPNConnections makes one call: DescribeVpnConnections does not page.
func loadVPNConnections(ctx context.Context, api vpnAPI, add func(vpnConnection)) error {
	out, err := api.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{})
	if err != nil {
		return err
	}
	for _, c := range out.VpnConnections {
		add(vpnConnectionOf(c))
	}
	return nil
}

var VPN = Analyser{
	Name:   "vpn",
	Checks: []Check{vpnTunnels},
	Kinds:  []inventory.Loader{vpnConnections},
	Run:    analyseVPN,
}

// analyseVPN judges every available connection. Pending ones have no
// tunnels up yet, deleting and deleted ones carry no traffic: they are not
// judged.
func analyseVPN(ctx context.Context, s *inventory.Scope, emit Emit) error {
	conns, err := vpnConnections.Items(ctx, s)
	t := TargetOf(s)
	for _, c := range conns {
		if !strings.EqualFold(c.State, string(ec2types.VpnStateAvailable)) {
			continue
		}
		emit(judgeVPN(c, t))
	}
	return err
}

// judgeVPN counts the tunnels whose telemetry says UP. A connection has two
// tunnels, each ending on an AWS endpoint in a different Availability Zone:
// with both up, losing one zone's endpoint moves traffic to the other.
// Tunnels are not placed in a zone by the API, so the row has no zones.
func judgeVPN(c vpnConnection, t Target) Finding {
	label := "Site-to-Site VPN connection " + c.ID
	if c.Name != "" {
		label += " (" + c.Name + ")"
	}
	var ends []string
	if c.CustomerGatewayID != "" {
		ends = append(ends, "customer gateway "+c.CustomerGatewayID)
	}
	switch {
	case c.VpnGatewayID != "":
		ends = append(ends, "virtual private gateway "+c.VpnGatewayID)
	case c.TransitGatewayID != "":
		ends = append(ends, "transit gateway "+c.TransitGatewayID)
	case c.CoreNetworkARN != "":
		ends = append(ends, "core network "+c.CoreNetworkARN)
	}
	if len(ends) > 0 {
		label += " between " + strings.Join(ends, " and ")
	}
	var up, down []string
	for _, tn := range c.Tunnels {
		ip := tn.OutsideIP
		if ip == "" {
			ip = "outside IP not reported"
		}
		if strings.EqualFold(tn.Status, string(ec2types.TelemetryStatusUp)) {
			up = append(up, ip)
			continue
		}
		status := tn.Status
		if status == "" {
			status = "status not reported"
		}
		if tn.StatusMessage != "" {
			status += ": " + tn.StatusMessage
		}
		down = append(down, ip+" "+status)
	}
	n := len(c.Tunnels)
	var f Finding
	switch {
	case n == 0:
		f = finding(vpnTunnels, true, fmt.Sprintf("%s reports no tunnel telemetry, so no tunnel is known to be UP: the connection may carry no traffic at all.", label))
	case len(up) >= 2:
		f = finding(vpnTunnels, false, fmt.Sprintf("%s has %d of %s UP (%s), so it stays connected if the AWS endpoint of one tunnel, or its Availability Zone, fails.",
			label, len(up), plural(n, "tunnel"), list(up)))
	case len(up) == 1:
		f = finding(vpnTunnels, true, fmt.Sprintf("%s has 1 of %s UP (%s; down: %s), so the loss of that tunnel's AWS endpoint, or of its Availability Zone, cuts the connection.",
			label, plural(n, "tunnel"), up[0], strings.Join(down, "; ")))
	default:
		f = finding(vpnTunnels, true, fmt.Sprintf("%s has 0 of %s UP (down: %s), so it carries no traffic.",
			label, plural(n, "tunnel"), strings.Join(down, "; ")))
	}
	f.ResourceType = "AWS::EC2::VPNConnection"
	f.ResourceARN = t.ARN("ec2", t.Region, "vpn-connection/"+c.ID)
	f.ResourceName = c.Name
	f.ResourceID = c.ID
	return f
}
