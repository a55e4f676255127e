package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/analysers"
)

// seedVPCE creates Interface endpoints in one subnet, in two subnets of one
// AZ (AWS refuses this; moto does not), in two AZs and in no subnet; a
// Gateway Load Balancer endpoint (one subnet by design); a Gateway endpoint;
// and an Interface endpoint that is then deleted (moto keeps it, in state
// "deleted", and the analyser must skip it). Covered by fakes only: the
// deleting, rejected, failed and expired states, Resource and Service
// network endpoints, endpoints owned by another account, and subnets that no
// longer exist. moto ignores MaxResults, so the two-page read is proven by
// the unit test.
func seedVPCE(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	a, b := cfg.Region+"a", cfg.Region+"b"
	api := ec2.NewFromConfig(cfg)
	vpcs, err := api.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	vpc := vpcs.Vpcs[0].VpcId
	extra, err := api.CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: vpc, CidrBlock: aws.String("172.31.202.0/24"), AvailabilityZone: aws.String(a),
	})
	if err != nil {
		t.Fatal(err)
	}
	account := accountOf(t, ctx, cfg)
	r := cfg.Region
	create := func(name string, kind ec2types.VpcEndpointType, service string, subnetIDs ...string) string {
		t.Helper()
		in := &ec2.CreateVpcEndpointInput{VpcId: vpc, VpcEndpointType: kind, ServiceName: aws.String(service), SubnetIds: subnetIDs}
		if name != "" {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcEndpoint,
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}
		}
		out, err := api.CreateVpcEndpoint(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.VpcEndpoint.VpcEndpointId)
	}
	var rows []row
	add := func(id, name, risk, msg, check, severity string) {
		rows = append(rows, row{"vpce", r, "arn:aws:ec2:" + r + ":" + account + ":vpc-endpoint/" + id, name, id, risk, "", msg, check, severity})
	}
	sqs := "com.amazonaws." + r + ".sqs"
	label := func(kind, id, name, service string) string {
		if name != "" {
			id += " (" + name + ")"
		}
		return kind + " VPC endpoint " + id + " for " + service
	}
	const cutOff = ", so an outage of that zone cuts off every client of the endpoint."

	id := create("vpce-one-subnet", ec2types.VpcEndpointTypeInterface, sqs, subnets[a])
	add(id, "vpce-one-subnet", "True", label("Interface", id, "vpce-one-subnet", sqs)+" has network interfaces in 1 subnet, all in one Availability Zone ("+a+")"+cutOff, "VPCE-1", "HIGH")
	id = create("vpce-two-subnets-one-az", ec2types.VpcEndpointTypeInterface, sqs, subnets[a], aws.ToString(extra.Subnet.SubnetId))
	add(id, "vpce-two-subnets-one-az", "True", label("Interface", id, "vpce-two-subnets-one-az", sqs)+" has network interfaces in 2 subnets, all in one Availability Zone ("+a+")"+cutOff, "VPCE-1", "HIGH")
	id = create("vpce-two-azs", ec2types.VpcEndpointTypeInterface, sqs, subnets[b], subnets[a])
	add(id, "vpce-two-azs", "False", label("Interface", id, "vpce-two-azs", sqs)+" has network interfaces in 2 subnets across 2 Availability Zones ("+a+", "+b+"), so it stays reachable if one zone fails.", "VPCE-1", "HIGH")
	id = create("", ec2types.VpcEndpointTypeInterface, sqs)
	add(id, "", "True", label("Interface", id, "", sqs)+" has no subnets, so it has no network interface in any Availability Zone.", "VPCE-1", "HIGH")

	gwlb := "com.amazonaws.vpce." + r + ".vpce-svc-0123456789abcdef0"
	id = create("vpce-gwlb", ec2types.VpcEndpointTypeGatewayLoadBalancer, gwlb, subnets[b])
	add(id, "vpce-gwlb", "True", label("Gateway Load Balancer", id, "vpce-gwlb", gwlb)+" is in one Availability Zone ("+b+"); a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.", "VPCE-2", "HIGH")

	s3 := "com.amazonaws." + r + ".s3"
	id = create("vpce-s3", ec2types.VpcEndpointTypeGateway, s3)
	add(id, "vpce-s3", "False", label("Gateway", id, "vpce-s3", s3)+" is a regional route-table target with no network interfaces, so it does not depend on any Availability Zone.", "VPCE-3", "INFO")

	deleted := create("vpce-deleted", ec2types.VpcEndpointTypeInterface, sqs, subnets[a])
	if _, err := api.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{deleted}}); err != nil {
		t.Fatal(err)
	}
	// The premise of the skip: moto still lists the endpoint, as "deleted".
	out, err := api.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{deleted}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.VpcEndpoints) != 1 || out.VpcEndpoints[0].State != "deleted" {
		t.Fatalf("moto no longer lists deleted endpoints as such: %+v", out.VpcEndpoints)
	}
	return rows
}

func TestMotoVPCE(t *testing.T) {
	checkAnalyser(t, analysers.VPCE, seedVPCE, "100000000304", "eu-central-1")
}
