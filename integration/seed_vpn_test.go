package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/analysers"
)

// seedVPN creates Site-to-Site VPN connections to a virtual private gateway
// (named) and to a transit gateway, and one that is then deleted (moto keeps
// it, in state "deleted", and the analyser must skip it). moto does not
// implement tunnel telemetry: DescribeVpnConnections returns no
// VgwTelemetry, so every available connection is the "no tunnel telemetry"
// risk. The tunnel counts (2 UP healthy, 1 UP, 0 UP, fields not reported)
// and the pending and deleting states are covered by fakes only
// (analysers/vpn_test.go), as is the dropping of the pre-shared keys (moto's
// CustomerGatewayConfiguration carries one too, and the kind does not keep
// it).
func seedVPN(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := ec2.NewFromConfig(cfg)
	cgw, err := api.CreateCustomerGateway(ctx, &ec2.CreateCustomerGatewayInput{Type: ec2types.GatewayTypeIpsec1,
		BgpAsn: aws.Int32(65000), IpAddress: aws.String("198.51.100.7")})
	if err != nil {
		t.Fatal(err)
	}
	cgwID := aws.ToString(cgw.CustomerGateway.CustomerGatewayId)
	vgw, err := api.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{Type: ec2types.GatewayTypeIpsec1})
	if err != nil {
		t.Fatal(err)
	}
	vgwID := aws.ToString(vgw.VpnGateway.VpnGatewayId)
	tgw, err := api.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	tgwID := aws.ToString(tgw.TransitGateway.TransitGatewayId)
	create := func(name string, in *ec2.CreateVpnConnectionInput) string {
		t.Helper()
		in.Type, in.CustomerGatewayId = aws.String("ipsec.1"), aws.String(cgwID)
		if name != "" {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpnConnection,
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}
		}
		out, err := api.CreateVpnConnection(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.VpnConnection.VpnConnectionId)
	}
	account := accountOf(t, ctx, cfg)
	r := cfg.Region
	var rows []row
	add := func(id, name, msg string) {
		rows = append(rows, row{"vpn", r, "arn:aws:ec2:" + r + ":" + account + ":vpn-connection/" + id, name, id, "True", "", msg, "VPN-1", "HIGH"})
	}
	const quiet = " reports no tunnel telemetry, so no tunnel is known to be UP: the connection may carry no traffic at all."
	id := create("to-dc", &ec2.CreateVpnConnectionInput{VpnGatewayId: aws.String(vgwID)})
	add(id, "to-dc", "Site-to-Site VPN connection "+id+" (to-dc) between customer gateway "+cgwID+" and virtual private gateway "+vgwID+quiet)
	id = create("", &ec2.CreateVpnConnectionInput{TransitGatewayId: aws.String(tgwID)})
	add(id, "", "Site-to-Site VPN connection "+id+" between customer gateway "+cgwID+" and transit gateway "+tgwID+quiet)
	gone := create("gone", &ec2.CreateVpnConnectionInput{VpnGatewayId: aws.String(vgwID)})
	if _, err := api.DeleteVpnConnection(ctx, &ec2.DeleteVpnConnectionInput{VpnConnectionId: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestMotoVPN(t *testing.T) {
	checkAnalyser(t, analysers.VPN, seedVPN, "106000000001", "ap-northeast-1")
}
