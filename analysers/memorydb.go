package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	memorydbtypes "github.com/aws/aws-sdk-go-v2/service/memorydb/types"

	"github.com/faultline/faultline/inventory"
)

// memorydbAPI holds exactly the calls the memorydb analyser makes.
type memorydbAPI interface {
	memorydb.DescribeClustersAPIClient
}

var (
	memorydbNoReplica = Check{ID: "MEMORYDB-1", Severity: SeverityHigh,
		Description: "Cluster with a shard that has a single node and no replica",
		Remediation: "Add at least one replica per shard (UpdateCluster ReplicaConfiguration) so that every shard has nodes in two Availability Zones."}
	memorydbShardOneAZ = Check{ID: "MEMORYDB-2", Severity: SeverityHigh,
		Description: "Cluster with a shard whose nodes are all in one Availability Zone",
		Remediation: "Give the cluster's subnet group subnets in several Availability Zones and replace the shard's replicas so that they land in another Availability Zone."}
	memorydbHealthy = Check{ID: "MEMORYDB-3", Severity: SeverityInfo,
		Description: "Cluster whose every shard has nodes in at least two Availability Zones",
		Remediation: "None needed for Availability Zone resilience."}
)

// memorydbClusters are the region's clusters, with their shards' nodes
// (ShowShardDetails).
var memorydbClusters = &inventory.Kind[memorydbtypes.Cluster]{
	Name:    "memorydb/clusters",
	Actions: []string{"memorydb:DescribeClusters"},
	APIs:    []reflect.Type{apiOf[memorydbAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(memorydbtypes.Cluster)) error {
		return loadMemoryDBClusters(ctx, memorydb.NewFromConfig(s.Config()), add)
	},
}

func loadMemoryDBClusters(ctx context.Context, api memorydbAPI, add func(memorydbtypes.Cluster)) error {
	p := memorydb.NewDescribeClustersPaginator(api, &memorydb.DescribeClustersInput{ShowShardDetails: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, c := range page.Clusters {
			add(c)
		}
	}
	return nil
}

var MemoryDB = Analyser{
	Name:   "memorydb",
	Checks: []Check{memorydbNoReplica, memorydbShardOneAZ, memorydbHealthy},
	Kinds:  []inventory.Loader{memorydbClusters},
	Run:    analyseMemoryDB,
}

// analyseMemoryDB judges every cluster read, even when the listing failed
// part-way (the error is the task's).
func analyseMemoryDB(ctx context.Context, s *inventory.Scope, emit Emit) error {
	clusters, err := memorydbClusters.Items(ctx, s)
	t := TargetOf(s)
	for _, c := range clusters {
		// Clusters being deleted ("deleting", "deleted") are not judged.
		if status := strings.ToLower(aws.ToString(c.Status)); status == "deleting" || status == "deleted" {
			continue
		}
		emit(judgeMemoryDBCluster(c, t))
	}
	return err
}

// judgeMemoryDBCluster judges a cluster by the real Availability Zones of
// each shard's nodes. The row takes the check of the first kind of problem
// found (a shard without replica, then a shard in one Availability Zone); its
// message names every problem shard.
func judgeMemoryDBCluster(c memorydbtypes.Cluster, t Target) Finding {
	name := aws.ToString(c.Name)
	engine := aws.ToString(c.Engine)
	subject := "MemoryDB cluster " + name
	if engine != "" {
		subject = "MemoryDB " + engine + " cluster " + name
	}
	subject += " (" + plural(len(c.Shards), "shard") + ")"

	var noReplica, oneAZ, allAZs []string
	for _, sh := range c.Shards {
		who := "shard " + aws.ToString(sh.Name)
		var nodeAZs []string
		for _, n := range sh.Nodes {
			nodeAZs = append(nodeAZs, aws.ToString(n.AvailabilityZone))
		}
		missing, single, azs := judgeShard(who, nodeAZs)
		allAZs = append(allAZs, azs...)
		if missing != "" {
			noReplica = append(noReplica, missing)
		}
		if single != "" {
			oneAZ = append(oneAZ, single)
		}
	}
	if len(c.Shards) == 0 {
		oneAZ = append(oneAZ, "it reports no shard details, so its node placement cannot be checked")
	}

	var f Finding
	problems := append(append([]string{}, noReplica...), oneAZ...)
	switch {
	case len(noReplica) > 0:
		f = finding(memorydbNoReplica, true, fmt.Sprintf("%s is at risk: %s.", subject, strings.Join(problems, "; ")))
	case len(oneAZ) > 0:
		f = finding(memorydbShardOneAZ, true, fmt.Sprintf("%s is at risk: %s.", subject, strings.Join(problems, "; ")))
	default:
		f = finding(memorydbHealthy, false, fmt.Sprintf(
			"%s has nodes in at least 2 Availability Zones in every shard (%s).", subject, list(distinct(allAZs...))))
	}
	f.ResourceType = "AWS::MemoryDB::Cluster"
	if azs := distinct(allAZs...); len(azs) > 0 {
		f.AZs = azs
	}
	f.ResourceARN = aws.ToString(c.ARN)
	if f.ResourceARN == "" {
		f.ResourceARN = t.ARN("memorydb", t.Region, "cluster/"+name)
	}
	f.ResourceName = name
	f.Engine = engine
	return f
}
