package analysers

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	opensearchtypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"

	"github.com/faultline/faultline/inventory"
)

// opensearchAPI holds exactly the OpenSearch calls the opensearch analyser
// makes. Neither operation pages: ListDomainNames returns every domain of the
// region in one answer, and DescribeDomains takes at most five names.
type opensearchAPI interface {
	ListDomainNames(ctx context.Context, in *opensearch.ListDomainNamesInput, optFns ...func(*opensearch.Options)) (*opensearch.ListDomainNamesOutput, error)
	DescribeDomains(ctx context.Context, in *opensearch.DescribeDomainsInput, optFns ...func(*opensearch.Options)) (*opensearch.DescribeDomainsOutput, error)
}

// opensearchDescribeBatch is the DescribeDomains limit on domain names per call.
const opensearchDescribeBatch = 5

var (
	opensearchSingleNode = Check{ID: "OPENSEARCH-1", Severity: SeverityHigh,
		Description: "OpenSearch domain with a single data node",
		Remediation: "Run at least two data nodes (three or more for a quorum) with zone awareness across two or three Availability Zones, and keep replica shards."}
	opensearchOneAZ = Check{ID: "OPENSEARCH-2", Severity: SeverityHigh,
		Description: "OpenSearch domain whose data nodes are all in one Availability Zone (zone awareness disabled, or VPC subnets in one zone)",
		Remediation: "Enable zone awareness with two or three Availability Zones (or Multi-AZ with Standby), give a VPC domain one subnet per zone, and keep at least one replica shard."}
)

// opensearchDomains are the region's domains (both engine types), as
// DescribeDomains reports them.
var opensearchDomains = &inventory.Kind[opensearchtypes.DomainStatus]{
	Name:    "opensearch/domains",
	Actions: []string{"es:ListDomainNames", "es:DescribeDomains"},
	APIs:    []reflect.Type{apiOf[opensearchAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(opensearchtypes.DomainStatus)) error {
		return loadOpenSearchDomains(ctx, opensearch.NewFromConfig(s.Config()), add)
	},
}

// loadOpenSearchDomains lists the domain names and describes them five at a
// time, handing over each batch before describing the next.
func loadOpenSearchDomains(ctx context.Context, api opensearchAPI, add func(opensearchtypes.DomainStatus)) error {
	out, err := api.ListDomainNames(ctx, &opensearch.ListDomainNamesInput{})
	if err != nil {
		return err
	}
	var names []string
	for _, d := range out.DomainNames {
		if n := aws.ToString(d.DomainName); n != "" {
			names = append(names, n)
		}
	}
	for len(names) > 0 {
		batch := names
		if len(batch) > opensearchDescribeBatch {
			batch = batch[:opensearchDescribeBatch]
		}
		names = names[len(batch):]
		desc, err := api.DescribeDomains(ctx, &opensearch.DescribeDomainsInput{DomainNames: batch})
		if err != nil {
			return err
		}
		for _, d := range desc.DomainStatusList {
			add(d)
		}
	}
	return nil
}

var OpenSearch = Analyser{
	Name:   "opensearch",
	Checks: []Check{opensearchSingleNode, opensearchOneAZ},
	Kinds:  []inventory.Loader{opensearchDomains, inventory.Subnets},
	Run:    analyseOpenSearch,
}

// analyseOpenSearch judges every domain read, even when a DescribeDomains
// batch failed (the error is the task's). Domains whose Deleted flag is set
// (deletion in progress) are not judged. The subnets are read only when a
// VPC domain is to be judged; a failed subnet read fails the task before
// anything is judged, since a domain placed with missing subnets would be
// reported on subnets "not found".
func analyseOpenSearch(ctx context.Context, s *inventory.Scope, emit Emit) error {
	domains, listErr := opensearchDomains.Items(ctx, s)
	var subnets map[string]inventory.Subnet
	for _, d := range domains {
		if !aws.ToBool(d.Deleted) && d.VPCOptions != nil && len(d.VPCOptions.SubnetIds) > 0 {
			var err error
			if subnets, err = inventory.SubnetsByID(ctx, s); err != nil {
				return err
			}
			break
		}
	}
	t := TargetOf(s)
	for _, d := range domains {
		if aws.ToBool(d.Deleted) {
			continue
		}
		emit(judgeOpenSearch(d, subnets, t))
	}
	return listErr
}

// judgeOpenSearch judges the data nodes of a domain: a single data node, or
// zone awareness disabled (every data node in one AZ), is a risk; zone
// awareness over two or three AZs is healthy, unless the subnets of a VPC
// domain turn out to be in one AZ. Public domains have no VPCOptions: their
// AZs are not reported, so their messages name none. The AZs of a VPC domain
// are those of its subnets (moto, unlike AWS, reports no
// VPCOptions.AvailabilityZones) together with any the API reports.
func judgeOpenSearch(d opensearchtypes.DomainStatus, subnets map[string]inventory.Subnet, t Target) Finding {
	name := aws.ToString(d.DomainName)
	cc := d.ClusterConfig
	if cc == nil {
		cc = &opensearchtypes.ClusterConfig{}
	}
	count := int(aws.ToInt32(cc.InstanceCount))
	nodes := "its data nodes"
	if count > 0 {
		nodes = plural(count, "data node")
	}
	vpc := d.VPCOptions != nil && (len(d.VPCOptions.SubnetIds) > 0 || len(d.VPCOptions.AvailabilityZones) > 0)
	var azs, unknown, azIDs []string
	if vpc {
		place := placeSubnets(d.VPCOptions.SubnetIds, subnets)
		unknown = place.Unknown
		azs = distinct(append(place.AZs, d.VPCOptions.AvailabilityZones...)...)
		idOf := map[string]string{}
		for i, az := range place.AZs {
			if i < len(place.AZIDs) {
				idOf[az] = place.AZIDs[i]
			}
		}
		azIDs = zoneIDsOf(azs, idOf)
	}
	inAZs := ""
	if len(azs) > 0 {
		inAZs = " (" + list(azs) + ")"
	}
	label := "OpenSearch domain " + name
	var f Finding
	switch {
	case count == 1:
		where := ""
		if len(azs) > 0 {
			where = " in " + list(azs)
		}
		f = finding(opensearchSingleNode, true, fmt.Sprintf("%s has a single data node%s, so an outage of its Availability Zone makes the domain unavailable.",
			label, where))
	case !aws.ToBool(cc.ZoneAwarenessEnabled):
		all := "all " + nodes
		if count == 2 {
			all = "both data nodes"
		}
		f = finding(opensearchOneAZ, true, fmt.Sprintf("%s has zone awareness disabled, so %s are in one Availability Zone%s and an outage of that zone makes the domain unavailable.",
			label, all, inAZs))
	default:
		zones := 2 // the AWS default when ZoneAwarenessConfig is absent
		if cc.ZoneAwarenessConfig != nil && cc.ZoneAwarenessConfig.AvailabilityZoneCount != nil {
			zones = int(aws.ToInt32(cc.ZoneAwarenessConfig.AvailabilityZoneCount))
		}
		standby := ""
		if aws.ToBool(cc.MultiAZWithStandbyEnabled) {
			standby = " with one zone held as standby (Multi-AZ with Standby)"
		}
		switch {
		case zones < 2:
			f = finding(opensearchOneAZ, true, fmt.Sprintf("%s has zone awareness enabled for only %s, so an outage of that zone makes the domain unavailable.",
				label, plural(zones, "Availability Zone")))
		case !vpc:
			f = finding(opensearchOneAZ, false, fmt.Sprintf("%s has zone awareness enabled and spreads %s over %s%s, so it keeps serving if one zone fails.",
				label, nodes, plural(zones, "Availability Zone"), standby))
		case len(azs) >= 2:
			f = finding(opensearchOneAZ, false, fmt.Sprintf("%s has zone awareness enabled and spreads %s over %d Availability Zones (%s)%s, so it keeps serving if one zone fails.",
				label, nodes, len(azs), list(azs), standby))
		case len(unknown) > 0:
			f = finding(opensearchOneAZ, true, fmt.Sprintf("%s has zone awareness enabled for %s, but its VPC subnets are known to be in only %s (%s): %s could not be found (%s).",
				label, plural(zones, "Availability Zone"), plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown)))
		default:
			f = finding(opensearchOneAZ, true, fmt.Sprintf("%s has zone awareness enabled for %s, but its VPC subnets are all in one Availability Zone (%s), so an outage of that zone makes the domain unavailable.",
				label, plural(zones, "Availability Zone"), list(azs)))
		}
	}
	if len(azs) > 0 {
		f.AZs, f.AZIDs = azs, azIDs
	}
	f.ResourceType = "AWS::OpenSearchService::Domain"
	f.ResourceARN = aws.ToString(d.ARN)
	if f.ResourceARN == "" && name != "" {
		f.ResourceARN = t.ARN("es", t.Region, "domain/"+name)
	}
	f.ResourceName = name
	f.ResourceID = aws.ToString(d.DomainId)
	f.Engine = aws.ToString(d.EngineVersion)
	return f
}
