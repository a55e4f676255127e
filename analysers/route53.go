package analysers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	route53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	resolvertypes "github.com/aws/aws-sdk-go-v2/service/route53resolver/types"

	"github.com/faultline/faultline/inventory"
)

// route53EndpointRegion is the region of the Route 53 API endpoint in the
// aws partition: the service is global, its scope is inventory.GlobalRegion.
const route53EndpointRegion = "us-east-1"

// route53ZonesAPI holds exactly the call that lists hosted zones,
// route53RecordsAPI the one that lists a zone's records. ListResourceRecordSets
// has no paginator: its token is the (name, type, identifier) of the next
// record.
type route53ZonesAPI interface {
	route53.ListHostedZonesAPIClient
}

type route53RecordsAPI interface {
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
}

// route53ResolverAPI holds exactly the Route 53 Resolver calls: the
// region's endpoints and each endpoint's IP addresses.
type route53ResolverAPI interface {
	route53resolver.ListResolverEndpointsAPIClient
	route53resolver.ListResolverEndpointIpAddressesAPIClient
}

var (
	route53ResolverOneAZ = Check{ID: "ROUTE53-1", Severity: SeverityHigh,
		Description: "Route 53 Resolver endpoint whose IP addresses are all in one Availability Zone: hybrid DNS through it stops with that zone",
		Remediation: "Give the endpoint IP addresses in subnets of at least two Availability Zones (AWS recommends two or more), and list every address on the forwarding side."}
	route53FailoverNoHealthCheck = Check{ID: "ROUTE53-2", Severity: SeverityMedium,
		Description: "Failover record (PRIMARY or SECONDARY) without a health check: Route 53 treats it as always healthy and keeps answering with a dead endpoint",
		Remediation: "Associate a health check with every failover record that is not an alias (at least the PRIMARY, so that the SECONDARY takes over when it fails)."}
	route53FailoverAliasNoEvaluate = Check{ID: "ROUTE53-3", Severity: SeverityMedium,
		Description: "Alias failover record with EvaluateTargetHealth false and no health check: Route 53 keeps answering with the alias target when it fails",
		Remediation: "Set EvaluateTargetHealth to true on the alias failover record (or associate a health check with it)."}
	route53ResolverNotOffered = Check{ID: "ROUTE53-4", Severity: SeverityInfo,
		Description: "Region of the scan where Route 53 Resolver is not offered (its endpoint does not resolve): no Resolver endpoint is read there",
		Remediation: "None needed: there is no Resolver endpoint to judge in that region."}
)

// route53Config is the scope's configuration pointed at the Route 53
// endpoint of the scope's partition (us-east-1 in aws).
func route53Config(s *inventory.Scope) aws.Config {
	cfg := s.Config()
	switch s.Partition {
	case "aws-cn":
		cfg.Region = "cn-northwest-1"
	case "aws-us-gov":
		cfg.Region = "us-gov-west-1"
	default:
		cfg.Region = route53EndpointRegion
	}
	return cfg
}

// route53HostedZones are the account's public and private hosted zones.
var route53HostedZones = &inventory.Kind[route53types.HostedZone]{
	Name:    "route53/hosted-zones",
	Actions: []string{"route53:ListHostedZones"},
	APIs:    []reflect.Type{apiOf[route53ZonesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(route53types.HostedZone)) error {
		return loadRoute53HostedZones(ctx, route53.NewFromConfig(route53Config(s)), add)
	},
}

func loadRoute53HostedZones(ctx context.Context, api route53ZonesAPI, add func(route53types.HostedZone)) error {
	p := route53.NewListHostedZonesPaginator(api, &route53.ListHostedZonesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, z := range page.HostedZones {
			add(z)
		}
	}
	return nil
}

// route53RecordSet is one record of a hosted zone, with its zone.
type route53RecordSet struct {
	ZoneID      string                         `json:"zone_id"`
	ZoneName    string                         `json:"zone_name"`
	PrivateZone bool                           `json:"private_zone,omitempty"`
	Record      route53types.ResourceRecordSet `json:"record"`
}

// route53RecordSets are every record of every hosted zone of the account
// (the rule judges the failover ones; the API cannot filter them).
var route53RecordSets = &inventory.Kind[route53RecordSet]{
	Name:    "route53/resource-record-sets",
	Actions: []string{"route53:ListHostedZones", "route53:ListResourceRecordSets"},
	APIs:    []reflect.Type{apiOf[route53ZonesAPI](), apiOf[route53RecordsAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(route53RecordSet)) error {
		// The records of the zones listed before a failure are read, then
		// the failure is the kind's.
		zones, zoneErr := route53HostedZones.Items(ctx, s)
		if err := loadRoute53RecordSets(ctx, route53.NewFromConfig(route53Config(s)), zones, add); err != nil {
			return err
		}
		return zoneErr
	},
}

// route53ZoneID is a hosted zone's ID without the "/hostedzone/" that
// ListHostedZones puts before it.
func route53ZoneID(id *string) string {
	return strings.TrimPrefix(aws.ToString(id), "/hostedzone/")
}

// loadRoute53RecordSets lists each zone's records, following the next
// record's (name, type, identifier) while the answer is truncated, and
// stopping if a token comes back twice.
func loadRoute53RecordSets(ctx context.Context, api route53RecordsAPI, zones []route53types.HostedZone, add func(route53RecordSet)) error {
	for _, z := range zones {
		id := route53ZoneID(z.Id)
		private := z.Config != nil && z.Config.PrivateZone
		in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(id)}
		seen := map[string]bool{}
		for {
			out, err := api.ListResourceRecordSets(ctx, in)
			if err != nil {
				return err
			}
			for _, r := range out.ResourceRecordSets {
				add(route53RecordSet{ZoneID: id, ZoneName: aws.ToString(z.Name), PrivateZone: private, Record: r})
			}
			if !out.IsTruncated || (out.NextRecordName == nil && out.NextRecordType == "" && out.NextRecordIdentifier == nil) {
				break
			}
			token := aws.ToString(out.NextRecordName) + "\x00" + string(out.NextRecordType) + "\x00" + aws.ToString(out.NextRecordIdentifier)
			if seen[token] {
				break
			}
			seen[token] = true
			in = &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(id), StartRecordName: out.NextRecordName,
				StartRecordType: out.NextRecordType, StartRecordIdentifier: out.NextRecordIdentifier}
		}
	}
	return nil
}

// route53ResolverEndpoint is a Resolver endpoint with its IP addresses.
type route53ResolverEndpoint struct {
	Endpoint    resolvertypes.ResolverEndpoint    `json:"endpoint"`
	IPAddresses []resolvertypes.IpAddressResponse `json:"ip_addresses"`
}

// route53ResolverEndpoints are a region's Resolver endpoints (inbound and
// outbound), each with its IP addresses.
var route53ResolverEndpoints = &inventory.Kind[route53ResolverEndpoint]{
	Name:    "route53resolver/resolver-endpoints",
	Actions: []string{"route53resolver:ListResolverEndpointIpAddresses", "route53resolver:ListResolverEndpoints"},
	APIs:    []reflect.Type{apiOf[route53ResolverAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(route53ResolverEndpoint)) error {
		return loadRoute53ResolverEndpoints(ctx, route53resolver.NewFromConfig(s.Config()), add)
	},
}

// loadRoute53ResolverEndpoints hands over each endpoint once all its IP
// addresses are read, so that a failure keeps only whole ones.
func loadRoute53ResolverEndpoints(ctx context.Context, api route53ResolverAPI, add func(route53ResolverEndpoint)) error {
	eps := route53resolver.NewListResolverEndpointsPaginator(api, &route53resolver.ListResolverEndpointsInput{})
	for eps.HasMorePages() {
		page, err := eps.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ep := range page.ResolverEndpoints {
			item := route53ResolverEndpoint{Endpoint: ep}
			ips := route53resolver.NewListResolverEndpointIpAddressesPaginator(api, &route53resolver.ListResolverEndpointIpAddressesInput{ResolverEndpointId: ep.Id})
			for ips.HasMorePages() {
				ip, err := ips.NextPage(ctx)
				if err != nil {
					return err
				}
				item.IPAddresses = append(item.IPAddresses, ip.IpAddresses...)
			}
			add(item)
		}
	}
	return nil
}

var Route53 = Analyser{
	Name:         "route53",
	Global:       true,
	GlobalRegion: route53EndpointRegion,
	Checks:       []Check{route53ResolverOneAZ, route53FailoverNoHealthCheck, route53FailoverAliasNoEvaluate, route53ResolverNotOffered},
	Kinds:        []inventory.Loader{route53HostedZones, route53RecordSets, route53ResolverEndpoints, inventory.Subnets},
	Run:          analyseRoute53,
}

// analyseRoute53 judges the failover records of every hosted zone, then the
// Resolver endpoints of each region the run covers in the account (read in
// that region's scope). A read that fails, even part-way, does not stop the
// others: what was read is judged, and every failure is the task's.
func analyseRoute53(ctx context.Context, s *inventory.Scope, emit Emit) error {
	t := TargetOf(s)
	records, err := route53RecordSets.Items(ctx, s)
	errs := []error{err}
	for _, r := range records {
		if r.Record.Failover != "" {
			emit(judgeRoute53Failover(r, t))
		}
	}
	for _, region := range s.AccountRegions() {
		errs = append(errs, analyseRoute53Resolver(ctx, s.In(region), emit))
	}
	return errors.Join(errs...)
}

// codeNoService is the run report's code of a service without an endpoint
// in a region (account.CodeNoService), as a snapshot replays it.
const codeNoService = "EndpointNotFound"

// route53ResolverMissing reports whether err says Route 53 Resolver has no
// endpoint in the region: its host name does not resolve (live), or the
// snapshot recorded that.
func route53ResolverMissing(err error) bool {
	var dnsErr *net.DNSError
	var rec *inventory.RecordedError
	return (errors.As(err, &dnsErr) && dnsErr.IsNotFound) || (errors.As(err, &rec) && rec.Code == codeNoService)
}

// route53ResolverGone reports whether an IP address no longer serves
// queries (or never did).
func route53ResolverGone(st resolvertypes.IpAddressStatus) bool {
	switch st {
	case resolvertypes.IpAddressStatusFailedCreation, resolvertypes.IpAddressStatusFailedResourceGone, resolvertypes.IpAddressStatusDetaching,
		resolvertypes.IpAddressStatusDeleting, resolvertypes.IpAddressStatusDeleteFailedFasExpired:
		return true
	}
	return false
}

// analyseRoute53Resolver judges the Resolver endpoints of one region. A
// region where Resolver is not offered gets one ROUTE53-4 row (not a risk)
// instead of failing the task: the scan says it looked and found no
// service. The region's subnets are read only when an endpoint to judge has
// IP addresses; a failed subnet read fails the region before anything is
// judged, since an endpoint placed with missing subnets would be reported on
// subnets "not found". Endpoints being deleted are not judged.
func analyseRoute53Resolver(ctx context.Context, rs *inventory.Scope, emit Emit) error {
	eps, listErr := route53ResolverEndpoints.Items(ctx, rs)
	if route53ResolverMissing(listErr) {
		f := finding(route53ResolverNotOffered, false, fmt.Sprintf("Route 53 Resolver is not offered in %s (its endpoint does not resolve), so no Resolver endpoint was read there.", rs.Region))
		f.ResourceID = rs.Region
		emit(f)
		return nil
	}
	var subnets map[string]inventory.Subnet
	for _, ep := range eps {
		if ep.Endpoint.Status != resolvertypes.ResolverEndpointStatusDeleting && len(ep.IPAddresses) > 0 {
			var err error
			if subnets, err = inventory.SubnetsByID(ctx, rs); err != nil {
				return errors.Join(listErr, err)
			}
			break
		}
	}
	for _, ep := range eps {
		if ep.Endpoint.Status == resolvertypes.ResolverEndpointStatusDeleting {
			continue
		}
		emit(judgeRoute53Resolver(ep, subnets))
	}
	return listErr
}

// route53ResolverDirection is how a message names an endpoint's direction.
func route53ResolverDirection(d resolvertypes.ResolverEndpointDirection) string {
	switch d {
	case resolvertypes.ResolverEndpointDirectionInbound:
		return "Inbound "
	case resolvertypes.ResolverEndpointDirectionOutbound:
		return "Outbound "
	case resolvertypes.ResolverEndpointDirectionInboundDelegation:
		return "Inbound delegation "
	}
	return ""
}

// judgeRoute53Resolver counts the distinct Availability Zones of the
// subnets of an endpoint's IP addresses that serve queries; addresses that
// failed or are being removed are named but not counted.
func judgeRoute53Resolver(ep route53ResolverEndpoint, subnets map[string]inventory.Subnet) Finding {
	e := ep.Endpoint
	id := aws.ToString(e.Id)
	name := aws.ToString(e.Name)
	label := route53ResolverDirection(e.Direction) + "Route 53 Resolver endpoint " + id
	if name != "" {
		label += " (" + name + ")"
	}
	if vpc := aws.ToString(e.HostVPCId); vpc != "" {
		label += " in " + vpc
	}
	var serving, subnetIDs, gone []string
	for _, ip := range ep.IPAddresses {
		addr := aws.ToString(ip.Ip)
		if addr == "" {
			addr = aws.ToString(ip.Ipv6)
		}
		if route53ResolverGone(ip.Status) {
			gone = append(gone, addr+" "+string(ip.Status))
			continue
		}
		serving = append(serving, addr)
		subnetIDs = append(subnetIDs, aws.ToString(ip.SubnetId))
	}
	place := placeSubnets(subnetIDs, subnets)
	azs, unknown := place.AZs, place.Unknown
	n := len(serving)
	addrs := strconv.Itoa(n) + " IP addresses"
	if n == 1 {
		addrs = "1 IP address"
	}
	if n > 0 {
		addrs += " (" + strings.Join(serving, ", ") + ")"
	}
	var f Finding
	switch {
	case n == 0:
		f = finding(route53ResolverOneAZ, true, fmt.Sprintf("%s has no IP address in service, so it answers no DNS query in any Availability Zone.", label))
	case len(azs) >= 2:
		f = finding(route53ResolverOneAZ, false, fmt.Sprintf("%s has %s across %d Availability Zones (%s), so its DNS queries are still answered if one zone fails.",
			label, addrs, len(azs), list(azs)))
	case len(unknown) > 0:
		f = finding(route53ResolverOneAZ, true, fmt.Sprintf("%s has %s; only %s could be placed (%s) and %s could not be found (%s).",
			label, addrs, plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown)))
	default:
		f = finding(route53ResolverOneAZ, true, fmt.Sprintf("%s has %s, all in one Availability Zone (%s), so an outage of that zone stops every DNS query through the endpoint.",
			label, addrs, list(azs)))
	}
	if len(gone) > 0 {
		f.Message += fmt.Sprintf(" Not in service: %s.", strings.Join(gone, ", "))
	}
	f.AZs, f.AZIDs = place.AZs, place.AZIDs
	f.ResourceType = "AWS::Route53Resolver::ResolverEndpoint"
	f.ResourceARN = aws.ToString(e.Arn)
	f.ResourceName = name
	f.ResourceID = id
	return f
}

// judgeRoute53Failover judges one failover record. Route 53 answers with
// the PRIMARY while it is healthy and with the SECONDARY otherwise; a record
// with no way to be found unhealthy (no health check, or an alias that does
// not evaluate its target's health) is always healthy, so Route 53 keeps
// answering with it when its endpoint is dead. An alias record may be tied
// to a health check instead of evaluating its target.
func judgeRoute53Failover(r route53RecordSet, t Target) Finding {
	rec := r.Record
	role := string(rec.Failover)
	label := fmt.Sprintf("Failover record %s %s (%s", aws.ToString(rec.Name), rec.Type, role)
	if set := aws.ToString(rec.SetIdentifier); set != "" {
		label += ", set " + set
	}
	zone := "public hosted zone"
	if r.PrivateZone {
		zone = "private hosted zone"
	}
	label += fmt.Sprintf(") in %s %s (%s)", zone, r.ZoneName, r.ZoneID)
	hc := aws.ToString(rec.HealthCheckId)
	takeover := "the SECONDARY record never takes over."
	if rec.Failover == route53types.ResourceRecordSetFailoverSecondary {
		takeover = "when the PRIMARY fails Route 53 answers with it even if it is down too."
	}
	var f Finding
	if a := rec.AliasTarget; a != nil {
		target := aws.ToString(a.DNSName)
		switch {
		case a.EvaluateTargetHealth:
			f = finding(route53FailoverAliasNoEvaluate, false, fmt.Sprintf("%s is an alias to %s that evaluates its target's health, so Route 53 stops answering with it when the target has no healthy endpoint.",
				label, target))
		case hc != "":
			f = finding(route53FailoverAliasNoEvaluate, false, fmt.Sprintf("%s is an alias to %s that does not evaluate its target's health but is tied to health check %s, so Route 53 stops answering with it when that check fails.",
				label, target, hc))
		default:
			f = finding(route53FailoverAliasNoEvaluate, true, fmt.Sprintf("%s is an alias to %s with EvaluateTargetHealth false and no health check, so Route 53 treats it as always healthy and keeps answering with it when the target fails: %s",
				label, target, takeover))
		}
	} else {
		var values []string
		for _, v := range rec.ResourceRecords {
			values = append(values, aws.ToString(v.Value))
		}
		answer := "its values"
		if len(values) > 0 {
			answer = strings.Join(values, ", ")
		}
		if hc != "" {
			f = finding(route53FailoverNoHealthCheck, false, fmt.Sprintf("%s is tied to health check %s, so Route 53 stops answering with %s when that endpoint fails.",
				label, hc, answer))
		} else {
			f = finding(route53FailoverNoHealthCheck, true, fmt.Sprintf("%s has no health check, so Route 53 treats it as always healthy and keeps answering with %s when that endpoint fails: %s",
				label, answer, takeover))
		}
	}
	f.ResourceType = "AWS::Route53::RecordSet"
	f.ResourceARN = "arn:" + t.Partition + ":route53:::hostedzone/" + r.ZoneID
	f.ResourceName = aws.ToString(rec.Name)
	f.ResourceID = r.ZoneID + "/" + aws.ToString(rec.Name) + "/" + string(rec.Type)
	if set := aws.ToString(rec.SetIdentifier); set != "" {
		f.ResourceID += "/" + set
	}
	return f
}
