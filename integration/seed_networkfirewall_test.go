package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nfwtypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"

	"github.com/faultline/faultline/analysers"
)

// seedNetworkFirewall creates a firewall mapped to one subnet (one zone:
// NETWORKFIREWALL-1 risk) and one mapped to subnets of two zones (healthy),
// both in a VPC whose private subnets route their default route to the
// internet gateway only.
//
// moto 5.2.1 does not implement the firewall's sync states: DescribeFirewall
// reports no per-zone endpoint (FirewallStatus.SyncStates), so the zones
// come from the subnet mappings and no route can name an endpoint. The rows
// say so ("reports no endpoints"). Covered by fakes only therefore: zones
// from live endpoints (failed ones not counted), subnets routing to an
// endpoint of another zone (NETWORKFIREWALL-2) or of their own, transit
// gateway attached firewalls (Availability Zone mappings), firewalls being
// deleted (moto has no DeleteFirewall), firewalls deleted between the
// listing and their description, and two pages of ListFirewalls (moto's
// paging token is sent as "nextToken", which the SDK does not read, so its
// listing is always one page).
func seedNetworkFirewall(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	n := newNetSeed(t, ctx, cfg)
	r := cfg.Region
	a, b := r+"a", r+"b"
	account := accountOf(t, ctx, cfg)
	vpc := n.vpc("10.51.0.0/16")
	n.internetGateway(vpc)
	fwA := n.subnet(vpc, "10.51.0.0/28", a)
	fwB := n.subnet(vpc, "10.51.0.16/28", b)
	n.subnet(vpc, "10.51.1.0/24", a)
	n.subnet(vpc, "10.51.2.0/24", b)
	api := networkfirewall.NewFromConfig(cfg)
	policy := "arn:aws:network-firewall:" + r + ":" + account + ":firewall-policy/inspect"
	create := func(name string, subnets ...string) string {
		t.Helper()
		in := &networkfirewall.CreateFirewallInput{FirewallName: aws.String(name), FirewallPolicyArn: aws.String(policy), VpcId: aws.String(vpc)}
		for _, s := range subnets {
			in.SubnetMappings = append(in.SubnetMappings, nfwtypes.SubnetMapping{SubnetId: aws.String(s)})
		}
		out, err := api.CreateFirewall(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		if out.FirewallStatus != nil && len(out.FirewallStatus.SyncStates) > 0 {
			t.Fatalf("moto now reports sync states: seed routes to the endpoints")
		}
		return aws.ToString(out.Firewall.FirewallArn)
	}
	oneZone := create("fw-one-zone", fwA)
	twoZones := create("fw-two-zones", fwA, fwB)
	return []row{
		{"networkfirewall", r, oneZone, "fw-one-zone", "", "True", "",
			"Network Firewall fw-one-zone has subnet mappings in 1 Availability Zone (" + a + "), so traffic routed through it stops if that zone fails.", "NETWORKFIREWALL-1", "HIGH"},
		{"networkfirewall", r, twoZones, "fw-two-zones", "", "False", "",
			"Network Firewall fw-two-zones has subnet mappings in 2 Availability Zones (" + a + ", " + b + "); it reports no endpoints (no sync states), so the routes to them cannot be checked.", "NETWORKFIREWALL-1", "HIGH"},
	}
}

func TestMotoNetworkFirewall(t *testing.T) {
	checkAnalyser(t, analysers.NetworkFirewall, seedNetworkFirewall, "100000000733", "eu-west-3")
}
