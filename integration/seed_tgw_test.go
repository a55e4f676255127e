package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/faultline/faultline/analysers"
)

// seedTGW creates a transit gateway and VPCs attached to it:
//   - vpc-gap: the attachment has a subnet in zone a only, while the
//     subnets of zones a and b route 10.0.0.0/8 to the transit gateway
//     (TGW-1 risk: zone b's traffic is dropped);
//   - vpc-covered: the attachment has a subnet in zones a and b, whose
//     subnets route to it (healthy);
//   - vpc-one-zone: the attachment's two subnets are both in zone a and no
//     subnet routes to it (TGW-2 risk).
//
// Covered by fakes only: attachments that are not available (moto 5.2.1
// makes every VPC attachment "available" at once and forgets a deleted one
// instead of listing it as "deleted"), an
// attachment without subnets or with a subnet that no longer exists,
// another account's VPC attached to this account's transit gateway,
// blackhole routes, routes to another transit gateway, and an attachment
// listing that fails part-way. moto ignores MaxResults, so the two-page
// read is proven by the inventory's unit test.
func seedTGW(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	n := newNetSeed(t, ctx, cfg)
	r := cfg.Region
	a, b := r+"a", r+"b"
	account := accountOf(t, ctx, cfg)
	tgwOut, err := n.api.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	tgw := aws.ToString(tgwOut.TransitGateway.TransitGatewayId)
	attach := func(vpc string, subnets ...string) string {
		t.Helper()
		out, err := n.api.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{
			TransitGatewayId: aws.String(tgw), VpcId: aws.String(vpc), SubnetIds: subnets})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TransitGatewayVpcAttachment.TransitGatewayAttachmentId)
	}
	toTGW := ec2.CreateRouteInput{DestinationCidrBlock: aws.String("10.0.0.0/8"), TransitGatewayId: aws.String(tgw)}

	gap := n.vpc("10.41.0.0/16")
	gapA := n.subnet(gap, "10.41.1.0/24", a)
	gapB := n.subnet(gap, "10.41.2.0/24", b)
	attGap := attach(gap, gapA)
	n.table(gap, []string{gapA, gapB}, toTGW)

	covered := n.vpc("10.42.0.0/16")
	covA := n.subnet(covered, "10.42.1.0/24", a)
	covB := n.subnet(covered, "10.42.2.0/24", b)
	attCovered := attach(covered, covA, covB)
	n.table(covered, []string{covA, covB}, toTGW)

	oneZone := n.vpc("10.43.0.0/16")
	attOneZone := attach(oneZone, n.subnet(oneZone, "10.43.1.0/24", a), n.subnet(oneZone, "10.43.2.0/24", a))

	att := func(id, vpc, risk, check, msg string) row {
		label := "Transit gateway attachment " + id + " of VPC " + vpc + " to " + tgw
		return row{"tgw", r, "arn:aws:ec2:" + r + ":" + account + ":transit-gateway-attachment/" + id, "", id, risk, "", label + msg, check, "HIGH"}
	}
	return []row{
		att(attGap, gap, "True", "TGW-1", " has subnets in 1 Availability Zone ("+a+"); traffic to "+tgw+" from 1 subnet in 1 Availability Zone without an attachment subnet ("+b+") is dropped: "+
			n.at(gapB, b)+". All its subnets are in one Availability Zone, so the VPC's transit gateway traffic also stops if "+a+" fails."),
		att(attCovered, covered, "False", "TGW-1", " has subnets in 2 Availability Zones ("+a+", "+b+"), covering every zone whose subnets route to "+tgw+" (2 subnets in 2 Availability Zones: "+a+", "+b+")."),
		att(attOneZone, oneZone, "True", "TGW-2", " has 2 subnets, all in one Availability Zone ("+a+"), so the VPC's traffic through the transit gateway stops if that zone fails (no subnet of the VPC routes to "+tgw+")."),
	}
}

func TestMotoTGW(t *testing.T) {
	checkAnalyser(t, analysers.TGW, seedTGW, "100000000732", "ap-south-1")
}
