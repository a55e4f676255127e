package analysers

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"

	"github.com/faultline/faultline/inventory"
)

// mskAPI holds exactly the calls of the msk analyser's kind.
type mskAPI interface {
	kafka.ListClustersV2APIClient
}

var (
	mskOneAZ = Check{ID: "MSK-1", Severity: SeverityHigh,
		Description: "Provisioned MSK cluster whose brokers are all in one Availability Zone (or whose zones cannot be shown to be more than one)",
		Remediation: "Recreate the cluster with client subnets in three Availability Zones and migrate the topics to it (MirrorMaker 2 or MSK Replicator)."}
	mskTwoAZs = Check{ID: "MSK-2", Severity: SeverityMedium,
		Description: "Provisioned MSK cluster whose brokers are in only two Availability Zones: losing one takes half of the brokers, and a partition with two of its three replicas there falls below min.insync.replicas=2",
		Remediation: "Recreate the cluster with client subnets in three Availability Zones and migrate the topics to it (MirrorMaker 2 or MSK Replicator)."}
	mskServerless = Check{ID: "MSK-3", Severity: SeverityInfo,
		Description: "MSK Serverless cluster: MSK spreads its capacity over the region's Availability Zones",
		Remediation: "None needed for Availability Zone resilience; keep its client subnets in at least two Availability Zones."}
)

// mskClusters are the region's MSK clusters, provisioned and serverless
// (ListClustersV2 gives both, each with its broker node group or VPC
// configs, so no describe call is needed).
var mskClusters = &inventory.Kind[kafkatypes.Cluster]{
	Name:    "kafka/clusters",
	Actions: []string{"kafka:ListClustersV2"},
	APIs:    []reflect.Type{apiOf[mskAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(kafkatypes.Cluster)) error {
		return loadMSKClusters(ctx, kafka.NewFromConfig(s.Config()), add)
	},
}

func loadMSKClusters(ctx context.Context, api mskAPI, add func(kafkatypes.Cluster)) error {
	p := kafka.NewListClustersV2Paginator(api, &kafka.ListClustersV2Input{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range page.ClusterInfoList {
			add(c)
		}
	}
	return nil
}

var MSK = Analyser{
	Name:   "msk",
	Checks: []Check{mskOneAZ, mskTwoAZs, mskServerless},
	Kinds:  []inventory.Loader{mskClusters, inventory.Subnets},
	Run:    analyseMSK,
}

// mskGone reports clusters that are not judged: being deleted, or failed
// (a failed cluster never came up and has no brokers to lose).
func mskGone(c kafkatypes.Cluster) bool {
	return c.State == kafkatypes.ClusterStateDeleting || c.State == kafkatypes.ClusterStateFailed
}

// mskSubnetsOf are the subnets a cluster's placement is read from: the
// broker node group's client subnets, or a serverless cluster's VPC
// configs' subnets.
func mskSubnetsOf(c kafkatypes.Cluster) []string {
	if mskIsServerless(c) {
		var ids []string
		if c.Serverless != nil {
			for _, vc := range c.Serverless.VpcConfigs {
				ids = append(ids, vc.SubnetIds...)
			}
		}
		return ids
	}
	if c.Provisioned != nil && c.Provisioned.BrokerNodeGroupInfo != nil {
		return c.Provisioned.BrokerNodeGroupInfo.ClientSubnets
	}
	return nil
}

func mskIsServerless(c kafkatypes.Cluster) bool {
	return c.ClusterType == kafkatypes.ClusterTypeServerless || (c.ClusterType == "" && c.Serverless != nil && c.Provisioned == nil)
}

// analyseMSK judges every cluster read, even when the listing failed
// part-way (the error is the task's). The subnets are read only when a
// cluster to judge names some; a failed subnet read fails the task before
// anything is judged, since a cluster placed with missing subnets would be
// reported on subnets "not found".
func analyseMSK(ctx context.Context, s *inventory.Scope, emit Emit) error {
	clusters, listErr := mskClusters.Items(ctx, s)
	subnets, err := subnetsFor(ctx, s, clusters, func(c kafkatypes.Cluster) bool { return !mskGone(c) && len(mskSubnetsOf(c)) > 0 })
	if err != nil {
		return err
	}
	for _, c := range clusters {
		if mskGone(c) {
			continue
		}
		emit(judgeMSKCluster(c, subnets))
	}
	return listErr
}

// judgeMSKCluster judges a provisioned cluster by the distinct AZs of its
// brokers' client subnets (MSK puts its brokers evenly in them): one AZ is
// MSK-1, two are MSK-2, three or more are healthy (MSK-2 not a risk). When
// some client subnet cannot be found and the broker node group lists zone
// IDs (ZoneIds), those count instead. A serverless cluster is MSK-3 (INFO).
func judgeMSKCluster(c kafkatypes.Cluster, subnets map[string]inventory.Subnet) Finding {
	name := aws.ToString(c.ClusterName)
	var f Finding
	if mskIsServerless(c) {
		place := placeSubnets(mskSubnetsOf(c), subnets)
		where := ""
		if len(place.AZs) > 0 {
			where = fmt.Sprintf(" (its client subnets are in %s: %s)", plural(len(place.AZs), "Availability Zone"), list(place.AZs))
		}
		f = finding(mskServerless, false, fmt.Sprintf(
			"MSK Serverless cluster %s has no brokers of its own to place: MSK spreads its capacity over the region's Availability Zones%s.", name, where))
		f.AZs, f.AZIDs = place.AZs, place.AZIDs
		f.ResourceType = "AWS::MSK::ServerlessCluster"
	} else {
		f = judgeMSKProvisioned(name, c.Provisioned, subnets)
		f.ResourceType = "AWS::MSK::Cluster"
	}
	f.ResourceARN = aws.ToString(c.ClusterArn)
	f.ResourceName = name
	if arn := f.ResourceARN; arn != "" {
		f.ResourceID = arn[strings.LastIndexByte(arn, '/')+1:]
	}
	return f
}

func judgeMSKProvisioned(name string, p *kafkatypes.Provisioned, subnets map[string]inventory.Subnet) Finding {
	var info kafkatypes.BrokerNodeGroupInfo
	brokers := "its broker nodes (count not reported)"
	if p != nil {
		if p.NumberOfBrokerNodes != nil {
			brokers = plural(int(*p.NumberOfBrokerNodes), "broker node")
		}
		if p.BrokerNodeGroupInfo != nil {
			info = *p.BrokerNodeGroupInfo
		}
	}
	label := "MSK cluster " + name + " has " + brokers
	ids := distinct(info.ClientSubnets...)
	place := placeSubnets(ids, subnets)
	zoneIDs := distinct(info.ZoneIds...)
	azs, unknown := place.AZs, place.Unknown
	n := len(azs)
	var where string
	switch {
	case len(ids) == 0 && len(zoneIDs) == 0:
		where = "; it lists no client subnets, so its brokers cannot be placed in any Availability Zone"
	case len(unknown) == 0 && len(ids) > 0 && n == 1:
		where = fmt.Sprintf(" in %s, all in one Availability Zone (%s)", plural(len(ids), "client subnet"), list(azs))
	case len(unknown) == 0 && len(ids) > 0:
		where = fmt.Sprintf(" in %s across %d Availability Zones (%s)", plural(len(ids), "client subnet"), n, list(azs))
	case len(zoneIDs) > n:
		// MSK's own zone IDs say more than the subnets that could be found.
		n = len(zoneIDs)
		where = fmt.Sprintf(" in %s (zone IDs %s)", plural(n, "Availability Zone"), list(zoneIDs))
		if len(unknown) > 0 {
			where += fmt.Sprintf("; %s could not be found (%s)", plural(len(unknown), "client subnet"), list(unknown))
		}
		azs, place.AZIDs = mskNamesOf(zoneIDs, subnets)
	default:
		where = fmt.Sprintf(" in %s; only %s could be placed (%s) and %s could not be found (%s)",
			plural(len(ids), "client subnet"), plural(n, "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown))
	}
	var f Finding
	switch {
	case n >= 3:
		f = finding(mskTwoAZs, false, label+where+", so it keeps a majority of each partition's replicas if one zone fails.")
	case n == 2:
		f = finding(mskTwoAZs, true, label+where+": losing one zone takes half of the brokers, and partitions with two of their three replicas in that zone fall below min.insync.replicas=2 and stop accepting writes; MSK recommends three Availability Zones.")
	case n == 1 && len(unknown) == 0:
		f = finding(mskOneAZ, true, label+where+", so an outage of that zone takes the whole cluster down.")
	default:
		f = finding(mskOneAZ, true, label+where+".")
	}
	f.AZs, f.AZIDs = azs, place.AZIDs
	return f
}

// mskNamesOf are the zone names of zone IDs, as the region's subnets name
// them, sorted by name, with the IDs in the same order; IDs no subnet is in
// are left out.
func mskNamesOf(zoneIDs []string, subnets map[string]inventory.Subnet) (names, ids []string) {
	nameOf := map[string]string{}
	for _, sn := range subnets {
		if sn.AZID != "" && sn.AZ != "" {
			nameOf[sn.AZID] = sn.AZ
		}
	}
	idOf := map[string]string{}
	for _, id := range zoneIDs {
		if n := nameOf[id]; n != "" {
			names = append(names, n)
			idOf[n] = id
		}
	}
	sort.Strings(names)
	for _, n := range names {
		ids = append(ids, idOf[n])
	}
	return names, ids
}
