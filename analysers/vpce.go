package analysers

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

var (
	vpceInterface = Check{ID: "VPCE-1", Severity: SeverityHigh,
		Description: "Interface VPC endpoint (or other endpoint with network interfaces in subnets) whose subnets span fewer than two Availability Zones",
		Remediation: "Add a subnet in at least one more Availability Zone to the endpoint, ideally one in every zone its clients run in."}
	vpceGWLB = Check{ID: "VPCE-2", Severity: SeverityHigh,
		Description: "Gateway Load Balancer VPC endpoint: one subnet, so one Availability Zone, by design",
		Remediation: "Create one Gateway Load Balancer endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone."}
	vpceGateway = Check{ID: "VPCE-3", Severity: SeverityInfo,
		Description: "Gateway VPC endpoint (S3, DynamoDB): a regional route-table target that does not depend on any Availability Zone",
		Remediation: "None needed for Availability Zone resilience."}
)

// vpceEndpoints are the region's VPC endpoints, in every state: the
// inventory's kind, which reach and flows read too (its loader is tested
// there).
var vpceEndpoints = inventory.VPCEndpoints

var VPCE = Analyser{
	Name:   "vpce",
	Checks: []Check{vpceInterface, vpceGWLB, vpceGateway},
	Kinds:  []inventory.Loader{vpceEndpoints, inventory.Subnets},
	Run:    analyseVPCE,
}

// vpceGone reports endpoints that are not judged because they are being
// removed or never came up: deleting, deleted, rejected, failed and expired.
// EC2 reports states in lower case ("deleted") while the SDK's enum values
// are capitalised ("Deleted"), so the comparison ignores case.
func vpceGone(state ec2types.State) bool {
	switch strings.ToLower(string(state)) {
	case "deleting", "deleted", "rejected", "failed", "expired":
		return true
	}
	return false
}

// analyseVPCE judges every endpoint read, even when the listing failed
// part-way (the error is the task's). Gateway endpoints get one INFO row
// (VPCE-3, not a risk) rather than being skipped, so that a scan shows they
// were seen; they are regional by design. The subnets are read only when an
// endpoint to judge has network interfaces in subnets; a failed subnet read
// fails the task before anything is judged, since an endpoint placed with
// missing subnets would be reported on subnets "not found".
func analyseVPCE(ctx context.Context, s *inventory.Scope, emit Emit) error {
	eps, listErr := vpceEndpoints.Items(ctx, s)
	subnets, err := subnetsFor(ctx, s, eps, func(ep ec2types.VpcEndpoint) bool { return vpceNeedsSubnets(ep) })
	if err != nil {
		return err
	}
	t := TargetOf(s)
	for _, ep := range eps {
		if vpceGone(ep.State) {
			continue
		}
		emit(judgeVPCE(ep, subnets, t))
	}
	return listErr
}

// vpceNeedsSubnets reports whether ep is judged by the zones of its subnets.
func vpceNeedsSubnets(ep ec2types.VpcEndpoint) bool {
	return !vpceGone(ep.State) && ep.VpcEndpointType != ec2types.VpcEndpointTypeGateway && len(ep.SubnetIds) > 0
}

// vpceTypeName is the endpoint type as a message says it ("" when the
// type is not reported).
func vpceTypeName(kind ec2types.VpcEndpointType) string {
	switch kind {
	case ec2types.VpcEndpointTypeGatewayLoadBalancer:
		return "Gateway Load Balancer"
	case ec2types.VpcEndpointTypeServiceNetwork:
		return "Service network"
	}
	return string(kind)
}

// judgeVPCE judges one endpoint. Gateway endpoints are regional (VPCE-3).
// A Gateway Load Balancer endpoint has exactly one subnet by design, so it is
// a risk unless its subnets somehow span two AZs (VPCE-2). Every other type
// (Interface, and the Resource and Service network endpoints that also put
// network interfaces in subnets) is judged by the distinct AZs of its
// subnets (VPCE-1). The ARN is built in the caller's partition with the
// endpoint owner's account.
func judgeVPCE(ep ec2types.VpcEndpoint, subnets map[string]inventory.Subnet, t Target) Finding {
	id := aws.ToString(ep.VpcEndpointId)
	name := nameTag(ep.Tags)
	label := "VPC endpoint " + id
	if kind := vpceTypeName(ep.VpcEndpointType); kind != "" {
		label = kind + " " + label
	}
	if name != "" {
		label += " (" + name + ")"
	}
	if svc := aws.ToString(ep.ServiceName); svc != "" {
		label += " for " + svc
	}
	place := placeSubnets(ep.SubnetIds, subnets)
	azs, unknown := place.AZs, place.Unknown
	n := len(distinct(ep.SubnetIds...))
	var f Finding
	switch ep.VpcEndpointType {
	case ec2types.VpcEndpointTypeGateway:
		f = finding(vpceGateway, false, fmt.Sprintf("%s is a regional route-table target with no network interfaces, so it does not depend on any Availability Zone.", label))
	case ec2types.VpcEndpointTypeGatewayLoadBalancer:
		switch {
		case n == 0:
			f = finding(vpceGWLB, true, fmt.Sprintf("%s has no subnets, so it has no network interface in any Availability Zone.", label))
		case len(azs) >= 2:
			f = finding(vpceGWLB, false, fmt.Sprintf("%s has %s across %d Availability Zones (%s), so it does not depend on one zone.",
				label, plural(n, "subnet"), len(azs), list(azs)))
		default:
			f = finding(vpceGWLB, true, fmt.Sprintf("%s is %s; a Gateway Load Balancer endpoint has one subnet by design, so traffic routed through it stops if that Availability Zone fails: create one endpoint per Availability Zone and route each zone's subnets to the endpoint in the same zone.",
				label, vpceWhere(azs, unknown)))
		}
	default:
		switch {
		case n == 0:
			f = finding(vpceInterface, true, fmt.Sprintf("%s has no subnets, so it has no network interface in any Availability Zone.", label))
		case len(azs) >= 2:
			f = finding(vpceInterface, false, fmt.Sprintf("%s has network interfaces in %s across %d Availability Zones (%s), so it stays reachable if one zone fails.",
				label, plural(n, "subnet"), len(azs), list(azs)))
		case len(unknown) > 0:
			f = finding(vpceInterface, true, fmt.Sprintf("%s has network interfaces in %s; only %s could be placed (%s) and %s could not be found (%s).",
				label, plural(n, "subnet"), plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown)))
		default:
			f = finding(vpceInterface, true, fmt.Sprintf("%s has network interfaces in %s, all in one Availability Zone (%s), so an outage of that zone cuts off every client of the endpoint.",
				label, plural(n, "subnet"), list(azs)))
		}
	}
	if ep.VpcEndpointType != ec2types.VpcEndpointTypeGateway {
		f.AZs, f.AZIDs = place.AZs, place.AZIDs
	}
	f.ResourceType = "AWS::EC2::VPCEndpoint"
	owner := t
	if o := aws.ToString(ep.OwnerId); o != "" {
		owner.AccountID = o
	}
	f.ResourceARN = owner.ARN("ec2", t.Region, "vpc-endpoint/"+id)
	f.ResourceName = name
	f.ResourceID = id
	return f
}

// vpceWhere says where a Gateway Load Balancer endpoint with at least one
// subnet is.
func vpceWhere(azs, unknown []string) string {
	switch {
	case len(azs) > 0 && len(unknown) == 0:
		return "in one Availability Zone (" + list(azs) + ")"
	case len(azs) > 0:
		return "in one Availability Zone (" + list(azs) + "; " + plural(len(unknown), "subnet") + " not found: " + list(unknown) + ")"
	}
	return "in an unknown Availability Zone (" + plural(len(unknown), "subnet") + " not found: " + list(unknown) + ")"
}
