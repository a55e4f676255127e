package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

var vpnTestTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

// vpnConn is an available connection to a virtual private gateway whose
// tunnels have those statuses (outside IPs 52.0.0.1, 52.0.0.2, ...).
func vpnConn(id string, statuses ...string) vpnConnection {
	c := vpnConnection{ID: id, State: "available", Type: "ipsec.1", CustomerGatewayID: "cgw-1", VpnGatewayID: "vgw-1"}
	for i, st := range statuses {
		c.Tunnels = append(c.Tunnels, vpnTunnel{OutsideIP: "52.0.0." + string(rune('1'+i)), Status: st})
	}
	return c
}

func TestJudgeVPN(t *testing.T) {
	named := vpnConn("vpn-named", "UP", "UP")
	named.Name = "to-dc"
	tgw := vpnConn("vpn-tgw", "UP", "DOWN")
	tgw.VpnGatewayID, tgw.TransitGatewayID = "", "tgw-1"
	tgw.Tunnels[1].StatusMessage = "IPSEC IS DOWN"
	cloudWAN := vpnConn("vpn-wan", "DOWN", "DOWN")
	cloudWAN.VpnGatewayID, cloudWAN.CoreNetworkARN = "", "arn:aws:networkmanager::111111111111:core-network/cn-1"
	bare := vpnConnection{ID: "vpn-bare", State: "available", Tunnels: []vpnTunnel{{Status: "UP"}, {}}}
	cases := []struct {
		name    string
		c       vpnConnection
		risk    bool
		message string
	}{
		{"both tunnels up", named, false,
			"Site-to-Site VPN connection vpn-named (to-dc) between customer gateway cgw-1 and virtual private gateway vgw-1 has 2 of 2 tunnels UP (52.0.0.1, 52.0.0.2), so it stays connected if the AWS endpoint of one tunnel, or its Availability Zone, fails."},
		{"one tunnel up, transit gateway", tgw, true,
			"Site-to-Site VPN connection vpn-tgw between customer gateway cgw-1 and transit gateway tgw-1 has 1 of 2 tunnels UP (52.0.0.1; down: 52.0.0.2 DOWN: IPSEC IS DOWN), so the loss of that tunnel's AWS endpoint, or of its Availability Zone, cuts the connection."},
		{"no tunnel up, Cloud WAN", cloudWAN, true,
			"Site-to-Site VPN connection vpn-wan between customer gateway cgw-1 and core network arn:aws:networkmanager::111111111111:core-network/cn-1 has 0 of 2 tunnels UP (down: 52.0.0.1 DOWN; 52.0.0.2 DOWN), so it carries no traffic."},
		{"no telemetry", vpnConn("vpn-quiet"), true,
			"Site-to-Site VPN connection vpn-quiet between customer gateway cgw-1 and virtual private gateway vgw-1 reports no tunnel telemetry, so no tunnel is known to be UP: the connection may carry no traffic at all."},
		{"fields not reported", bare, true,
			"Site-to-Site VPN connection vpn-bare has 1 of 2 tunnels UP (outside IP not reported; down: outside IP not reported status not reported), so the loss of that tunnel's AWS endpoint, or of its Availability Zone, cuts the connection."},
		{"status in lower case", vpnConn("vpn-lower", "up", "up"), false,
			"Site-to-Site VPN connection vpn-lower between customer gateway cgw-1 and virtual private gateway vgw-1 has 2 of 2 tunnels UP (52.0.0.1, 52.0.0.2), so it stays connected if the AWS endpoint of one tunnel, or its Availability Zone, fails."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeVPN(c.c, vpnTestTarget)
			if f.CheckID != "VPN-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant VPN-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != "arn:aws:ec2:us-east-1:111111111111:vpn-connection/"+c.c.ID || f.ResourceID != c.c.ID ||
				f.ResourceName != c.c.Name || f.ResourceType != "AWS::EC2::VPNConnection" || f.AZs != nil || f.AZIDs != nil {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

// fakeVPN answers DescribeVpnConnections with its connections, or err.
type fakeVPN struct {
	conns []ec2types.VpnConnection
	err   error
	calls int
}

func (f *fakeVPN) DescribeVpnConnections(_ context.Context, in *ec2.DescribeVpnConnectionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpnConnectionsOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &ec2.DescribeVpnConnectionsOutput{VpnConnections: f.conns}, nil
}

// DescribeVpnConnections has no paging: one call reads every connection
// (there is no second page to test). The pre-shared keys of the SDK type
// (customer gateway configuration, tunnel options) are not kept, and the
// item round-trips JSON as a snapshot stores it.
func TestLoadVPNConnections(t *testing.T) {
	changed := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	api := &fakeVPN{conns: []ec2types.VpnConnection{
		{VpnConnectionId: aws.String("vpn-1"), State: ec2types.VpnStateAvailable, Type: ec2types.GatewayTypeIpsec1,
			CustomerGatewayId: aws.String("cgw-1"), VpnGatewayId: aws.String("vgw-1"), Category: aws.String("VPN"),
			Tags:                         []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("dc")}},
			CustomerGatewayConfiguration: aws.String("<pre_shared_key>secret</pre_shared_key>"),
			Options:                      &ec2types.VpnConnectionOptions{TunnelOptions: []ec2types.TunnelOption{{PreSharedKey: aws.String("secret")}}},
			VgwTelemetry: []ec2types.VgwTelemetry{
				{OutsideIpAddress: aws.String("52.0.0.1"), Status: ec2types.TelemetryStatusUp, LastStatusChange: &changed},
				{OutsideIpAddress: aws.String("52.0.0.2"), Status: ec2types.TelemetryStatusDown, StatusMessage: aws.String("IPSEC IS DOWN")}}},
		{VpnConnectionId: aws.String("vpn-2"), State: ec2types.VpnStateDeleted, TransitGatewayId: aws.String("tgw-1")},
	}}
	var got []vpnConnection
	if err := loadVPNConnections(context.Background(), api, func(c vpnConnection) { got = append(got, c) }); err != nil {
		t.Fatal(err)
	}
	if api.calls != 1 || len(got) != 2 {
		t.Fatalf("%d calls, read %+v", api.calls, got)
	}
	want := vpnConnection{ID: "vpn-1", Name: "dc", State: "available", Type: "ipsec.1", Category: "VPN", CustomerGatewayID: "cgw-1", VpnGatewayID: "vgw-1",
		Tunnels: []vpnTunnel{{OutsideIP: "52.0.0.1", Status: "UP", LastStatusChange: &changed}, {OutsideIP: "52.0.0.2", Status: "DOWN", StatusMessage: "IPSEC IS DOWN"}}}
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "secret") {
		t.Errorf("a pre-shared key is kept: %s", raw)
	}
	var back []vpnConnection
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !vpnEqual(back[0], want) || back[1].TransitGatewayID != "tgw-1" || back[1].State != "deleted" {
		t.Errorf("read %+v\nwant %+v", back, want)
	}

	err = loadVPNConnections(context.Background(), &fakeVPN{err: accessDenied("UnauthorizedOperation")}, func(vpnConnection) {
		t.Error("an item from a denied call")
	})
	requireCode(t, err, "UnauthorizedOperation")
}

func vpnEqual(a, b vpnConnection) bool {
	if len(a.Tunnels) != len(b.Tunnels) {
		return false
	}
	for i := range a.Tunnels {
		x, y := a.Tunnels[i], b.Tunnels[i]
		if x.OutsideIP != y.OutsideIP || x.Status != y.Status || x.StatusMessage != y.StatusMessage ||
			(x.LastStatusChange == nil) != (y.LastStatusChange == nil) || (x.LastStatusChange != nil && !x.LastStatusChange.Equal(*y.LastStatusChange)) {
			return false
		}
	}
	a.Tunnels, b.Tunnels = nil, nil
	return reflect.DeepEqual(a, b)
}

// Only available connections are judged: pending ones have no tunnel up
// yet, deleting and deleted ones carry no traffic.
func TestAnalyseVPN(t *testing.T) {
	s := testScope()
	pending, deleting, deleted := vpnConn("vpn-pending"), vpnConn("vpn-deleting", "UP"), vpnConn("vpn-deleted")
	pending.State, deleting.State, deleted.State = "pending", "deleting", "deleted"
	inventory.Put(s, vpnConnections, []vpnConnection{vpnConn("vpn-one", "UP", "DOWN"), pending, vpnConn("vpn-two", "UP", "UP"), deleting, deleted}, nil)
	var got []Finding
	if err := analyseVPN(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ResourceID != "vpn-one" || !got[0].Risk || got[1].ResourceID != "vpn-two" || got[1].Risk {
		t.Fatalf("findings: %+v", got)
	}
}

func TestAnalyseVPNAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, vpnConnections, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	requireCode(t, analyseVPN(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied call: %+v", got)
	}
}

// A read that failed after some items (a snapshot can hold that) keeps
// their rows and returns the error.
func TestAnalyseVPNKeepsWhatWasRead(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled")
	inventory.Put(s, vpnConnections, []vpnConnection{vpnConn("vpn-1", "UP")}, throttled)
	var got []Finding
	if err := analyseVPN(context.Background(), s, collect(&got)); !errors.Is(err, throttled) || len(got) != 1 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestVPNDeclaration(t *testing.T) {
	if VPN.Name != "vpn" || VPN.Global || !slices.Equal(VPN.Actions(), []string{"ec2:DescribeVpnConnections"}) {
		t.Errorf("declaration: %q %v %v", VPN.Name, VPN.Global, VPN.Actions())
	}
}
