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
	opensearchQuorumLost = Check{ID: "OPENSEARCH-3", Severity: SeverityHigh,
		Description: "Zone-aware OpenSearch domain that loses its cluster-manager quorum with one Availability Zone: the zone holding most master-eligible nodes (dedicated masters, else data nodes) leaves no majority behind (2 data nodes without dedicated masters; 3 dedicated masters over 2 zones)",
		Remediation: "Add three dedicated master nodes and use three Availability Zones, so that losing one zone leaves two of the three masters."}
	opensearchQuorumThin = Check{ID: "OPENSEARCH-4", Severity: SeverityMedium,
		Description: "Zone-aware OpenSearch domain that keeps a quorum when one Availability Zone fails, but without 3 dedicated master nodes (data nodes elect the cluster manager) or with fewer than 3 data nodes",
		Remediation: "Add three dedicated master nodes over three Availability Zones and run at least three data nodes."}
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
	Checks: []Check{opensearchSingleNode, opensearchOneAZ, opensearchQuorumLost, opensearchQuorumThin},
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
	subnets, err := subnetsFor(ctx, s, domains, func(d opensearchtypes.DomainStatus) bool {
		return !aws.ToBool(d.Deleted) && d.VPCOptions != nil && len(d.VPCOptions.SubnetIds) > 0
	})
	if err != nil {
		return err
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
// domain turn out to be in one AZ or the domain's quorum does not survive
// one of them (judgeOpenSearchQuorum). Public domains have no VPCOptions: their
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
			f = judgeOpenSearchQuorum(label, cc, count, zones, "", standby)
		case len(azs) >= 2:
			f = judgeOpenSearchQuorum(label, cc, count, len(azs), " ("+list(azs)+")", standby)
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

// judgeOpenSearchQuorum judges a zone-aware domain spread over zones
// Availability Zones (where names them, for a VPC domain): can it still
// elect a cluster manager when one zone fails? The master-eligible nodes
// are the dedicated master nodes when enabled, else the data nodes; AWS
// spreads them evenly, so the zone with the most holds ceil(m/zones) of the
// m, and the others keep a quorum only if what is left is a majority of m
// (OPENSEARCH-3). A domain that survives on data nodes alone, or with fewer
// than 3 data nodes, is still below the bar of 3 dedicated masters and 3
// data nodes (OPENSEARCH-4). A domain whose data node count is not reported
// and that has no dedicated masters cannot be counted: it is judged on its
// zones only.
func judgeOpenSearchQuorum(label string, cc *opensearchtypes.ClusterConfig, count, zones int, where, standby string) Finding {
	spread := plural(zones, "Availability Zone") + where
	dedicated := aws.ToBool(cc.DedicatedMasterEnabled)
	masters := int(aws.ToInt32(cc.DedicatedMasterCount))
	if count == 0 && !dedicated {
		return finding(opensearchOneAZ, false, fmt.Sprintf("%s has zone awareness enabled and spreads its data nodes over %s%s, so it keeps serving if one zone fails.",
			label, spread, standby))
	}
	if dedicated && masters == 0 {
		return finding(opensearchQuorumThin, true, fmt.Sprintf("%s has zone awareness over %s and dedicated master nodes enabled, but reports no dedicated master count, so its quorum cannot be counted.",
			label, spread))
	}
	eligible, who := count, "data nodes"
	if dedicated {
		eligible, who = masters, "dedicated master nodes"
	}
	worst := (eligible + zones - 1) / zones
	left, quorum := eligible-worst, eligible/2+1
	switch {
	case left < quorum && !dedicated:
		return finding(opensearchQuorumLost, true, fmt.Sprintf("%s has zone awareness over %s but no dedicated master nodes: its %s elect the cluster manager, and losing the zone holding %d of them leaves %d of %d, short of the quorum of %d, so the domain cannot elect a cluster manager until the zone returns.",
			label, spread, plural(eligible, "data node"), worst, left, eligible, quorum))
	case left < quorum:
		return finding(opensearchQuorumLost, true, fmt.Sprintf("%s has %s over %s: losing the zone holding %d of them leaves %d of %d, short of the quorum of %d, so the domain cannot elect a cluster manager until the zone returns.",
			label, plural(eligible, "dedicated master node"), spread, worst, left, eligible, quorum))
	case !dedicated:
		return finding(opensearchQuorumThin, true, fmt.Sprintf("%s spreads %s over %s but has no dedicated master nodes: losing one zone leaves %d of %d master-eligible %s (a quorum needs %d), and the cluster manager then runs on data nodes that are taking over the lost zone's shards.",
			label, plural(count, "data node"), spread, left, eligible, who, quorum))
	case count > 0 && count < 3:
		return finding(opensearchQuorumThin, true, fmt.Sprintf("%s has %s over %s, which keep a quorum if one zone fails, but only %s, so losing a zone leaves %s to hold every shard.",
			label, plural(masters, "dedicated master node"), spread, plural(count, "data node"), plural(count-1, "data node")))
	}
	nodes := "its data nodes"
	if count > 0 {
		nodes = plural(count, "data node")
	}
	if standby != "" {
		standby = " and one zone held as standby (Multi-AZ with Standby)"
	}
	return finding(opensearchOneAZ, false, fmt.Sprintf("%s has zone awareness enabled and spreads %s over %s with %s%s, so it keeps serving, and keeps its quorum (%d of %d masters left), if one zone fails.",
		label, nodes, spread, plural(masters, "dedicated master node"), standby, left, masters))
}
