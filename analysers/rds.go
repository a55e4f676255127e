package analysers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/faultline/faultline/inventory"
)

var (
	rdsInstanceSingleAZ = Check{ID: "RDS-1", Severity: SeverityHigh,
		Description: "DB instance (read replicas included) deployed in a single Availability Zone, with no Multi-AZ standby",
		Remediation: "Convert the instance to a Multi-AZ deployment (ModifyDBInstance with MultiAZ=true); for a read replica, also make its source Multi-AZ."}
	rdsClusterSingleAZ = Check{ID: "RDS-2", Severity: SeverityHigh,
		Description: "Aurora, Neptune or Multi-AZ DB cluster with a single DB instance, or with all its DB instances in one Availability Zone",
		Remediation: "Add a reader DB instance in another Availability Zone so that the cluster can fail over to it."}
	rdsServerlessV1 = Check{ID: "RDS-3", Severity: SeverityMedium,
		Description: "Aurora Serverless v1 cluster: its capacity runs in one Availability Zone and is recreated in another zone after a zone failure, with downtime",
		Remediation: "Migrate to Aurora Serverless v2 or provisioned Aurora with a reader DB instance in a second Availability Zone."}
)

// rdsDBInstances are the region's DB instances and rdsDBClusters its DB
// clusters, as the RDS API lists them (Aurora, Neptune and DocumentDB
// members included): the inventory's kinds, which reach and flows read too
// (their loaders are tested there).
var (
	rdsDBInstances = inventory.DBInstances
	rdsDBClusters  = inventory.DBClusters
)

var RDS = Analyser{
	Name:   "rds",
	Checks: []Check{rdsInstanceSingleAZ, rdsClusterSingleAZ, rdsServerlessV1},
	Kinds:  []inventory.Loader{rdsDBInstances, rdsDBClusters},
	Run:    analyseRDS,
}

// rdsInstanceFact is what the analyser keeps of each DB instance while it
// reads them all: enough to place cluster members and read replica sources.
type rdsInstanceFact struct {
	az       string
	cluster  string
	multiAZ  bool
	deleting bool
}

// rdsMember is a cluster member DB instance and its Availability Zone ("" when
// unknown).
type rdsMember struct{ ID, AZ string }

// rdsDeleting reports DB instance and cluster states that are on their way out
// ("deleting"; "deleted" is not reported by the API but is ignored too). Such
// resources are not judged, and a deleting member does not count as a
// cluster's instance.
func rdsDeleting(status *string) bool {
	s := aws.ToString(status)
	return s == "deleting" || s == "deleted"
}

// rdsSkipEngine leaves DocumentDB to the docdb analyser: the RDS API lists
// docdb clusters and instances too.
func rdsSkipEngine(engine *string) bool { return aws.ToString(engine) == "docdb" }

// analyseRDS judges the DB instances, then the clusters by the AZs of their
// member instances.
func analyseRDS(ctx context.Context, s *inventory.Scope, emit Emit) error {
	// Standalone instances are judged in listing order; a read replica whose
	// source comes later in the listing waits for the end of it, because its
	// message says whether the source is Single-AZ.
	instances, instancesErr := rdsDBInstances.Items(ctx, s)
	facts := map[string]rdsInstanceFact{}
	var waiting []rdstypes.DBInstance
	for _, db := range instances {
		if rdsSkipEngine(db.Engine) {
			continue
		}
		fact := rdsInstanceFact{
			az:       aws.ToString(db.AvailabilityZone),
			cluster:  aws.ToString(db.DBClusterIdentifier),
			multiAZ:  aws.ToBool(db.MultiAZ),
			deleting: rdsDeleting(db.DBInstanceStatus),
		}
		facts[aws.ToString(db.DBInstanceIdentifier)] = fact
		// Cluster members are judged through their cluster.
		if fact.deleting || fact.cluster != "" {
			continue
		}
		if src := rdsSourceID(db); src != "" {
			if _, seen := facts[src]; !seen {
				waiting = append(waiting, db)
				continue
			}
		}
		emit(judgeRDSInstance(db, rdsSourceFact(db, facts)))
	}
	if instancesErr != nil {
		// The listing failed part-way: a waiting replica's source and a
		// cluster's members may be among the instances not read, so judging
		// them would call a source "not listed" or a member's AZ unknown.
		// Only the instances judged on their own are kept.
		return instancesErr
	}
	for _, db := range waiting {
		emit(judgeRDSInstance(db, rdsSourceFact(db, facts)))
	}

	// Clusters, judged by the AZs of their member instances.
	byCluster := map[string][]string{}
	for id, f := range facts {
		if f.cluster != "" && !f.deleting {
			byCluster[f.cluster] = append(byCluster[f.cluster], id)
		}
	}
	clusters, clustersErr := rdsDBClusters.Items(ctx, s)
	for _, c := range clusters {
		if rdsSkipEngine(c.Engine) || rdsDeleting(c.Status) {
			continue
		}
		var listed []string
		for _, m := range c.DBClusterMembers {
			listed = append(listed, aws.ToString(m.DBInstanceIdentifier))
		}
		members := rdsMembers(append(listed, byCluster[aws.ToString(c.DBClusterIdentifier)]...), facts)
		emit(judgeRDSCluster(c, members))
	}
	return clustersErr
}

// rdsMembers places member instance IDs (the cluster's DBClusterMembers and
// the instances that name the cluster) in their AZs, leaving out deleting
// instances. An ID missing from the instance listing gets an empty AZ.
func rdsMembers(ids []string, facts map[string]rdsInstanceFact) []rdsMember {
	var out []rdsMember
	for _, id := range distinct(ids...) {
		f, ok := facts[id]
		if ok && f.deleting {
			continue
		}
		out = append(out, rdsMember{ID: id, AZ: f.az})
	}
	return out
}

// rdsSourceID is the DB instance identifier of a read replica's source, or
// "". AWS gives the identifier for a source in the same region and the ARN
// for one in another region or account; an ARN in the replica's own account
// and region is reduced to its identifier.
func rdsSourceID(db rdstypes.DBInstance) string {
	src := aws.ToString(db.ReadReplicaSourceDBInstanceIdentifier)
	if !strings.HasPrefix(src, "arn:") {
		return src
	}
	own := aws.ToString(db.DBInstanceArn)
	i := strings.LastIndex(own, ":db:")
	if i < 0 || !strings.HasPrefix(src, own[:i+len(":db:")]) {
		return src
	}
	return src[i+len(":db:"):]
}

// rdsSourceFact returns the listed facts of a read replica's source, or nil
// when the instance is not a replica, or its source is elsewhere (another
// region or account), being deleted, or a cluster member.
func rdsSourceFact(db rdstypes.DBInstance, facts map[string]rdsInstanceFact) *rdsInstanceFact {
	src := rdsSourceID(db)
	if src == "" {
		return nil
	}
	f, ok := facts[src]
	if !ok || f.deleting || f.cluster != "" {
		return nil
	}
	return &f
}

// rdsAZ names an Availability Zone in a message, or says it is unknown.
func rdsAZ(az string) string {
	if az == "" {
		return "Availability Zone not reported"
	}
	return az
}

// judgeRDSInstance judges a DB instance that is not a cluster member by its
// MultiAZ flag. A read replica is judged on its own flag, and its message
// names its source and says when that source (found in the same listing) is
// Single-AZ too.
func judgeRDSInstance(db rdstypes.DBInstance, source *rdsInstanceFact) Finding {
	id := aws.ToString(db.DBInstanceIdentifier)
	subject := "RDS DB instance " + id
	src := aws.ToString(db.ReadReplicaSourceDBInstanceIdentifier)
	if src != "" {
		subject = "RDS read replica " + id + " of " + src
	}
	az := rdsAZ(aws.ToString(db.AvailabilityZone))
	var msg string
	multi := aws.ToBool(db.MultiAZ)
	placed := []string{aws.ToString(db.AvailabilityZone)}
	if multi {
		standby := "another Availability Zone"
		if s := aws.ToString(db.SecondaryAvailabilityZone); s != "" {
			standby = s
			placed = append(placed, s)
		}
		msg = fmt.Sprintf("%s is Multi-AZ (primary in %s, standby in %s): RDS fails over to the standby if the primary's Availability Zone fails",
			subject, az, standby)
	} else {
		msg = fmt.Sprintf("%s is Single-AZ (%s) with no standby, so an outage of that Availability Zone takes it down", subject, az)
	}
	if source != nil && !source.multiAZ {
		if multi {
			msg += fmt.Sprintf("; its source %s, however, is Single-AZ (%s)", src, rdsAZ(source.az))
		} else {
			msg += fmt.Sprintf("; its source %s is also Single-AZ (%s)", src, rdsAZ(source.az))
		}
	}
	f := finding(rdsInstanceSingleAZ, !multi, msg+".")
	f.ResourceType = rdsResourceType(aws.ToString(db.Engine), "DBInstance")
	// The primary's zone, and the standby's when RDS reports it.
	f.AZs = distinct(placed...)
	f.ResourceARN = aws.ToString(db.DBInstanceArn)
	f.ResourceName = id
	f.ResourceID = aws.ToString(db.DbiResourceId)
	f.Engine = aws.ToString(db.Engine)
	return f
}

// rdsResourceType is the CloudFormation type of a DB instance or cluster
// (what is "DBInstance" or "DBCluster"): Neptune's have their own namespace.
func rdsResourceType(engine, what string) string {
	if engine == "neptune" {
		return "AWS::Neptune::" + what
	}
	return "AWS::RDS::" + what
}

// rdsMemberAZs are the distinct known AZs of a cluster's members, sorted.
func rdsMemberAZs(members []rdsMember) []string {
	var azs []string
	for _, m := range members {
		azs = append(azs, m.AZ)
	}
	return distinct(azs...)
}

// rdsClusterKind names the kind of cluster for messages.
func rdsClusterKind(engine string) string {
	switch {
	case strings.HasPrefix(engine, "aurora"):
		return "Aurora cluster"
	case engine == "neptune":
		return "Neptune cluster"
	case engine == "mysql" || engine == "postgres":
		return "Multi-AZ DB cluster"
	default:
		return "RDS DB cluster"
	}
}

// judgeRDSCluster judges a DB cluster. Aurora Serverless v1 (EngineMode
// "serverless") has no DB instances: AWS runs its capacity in one AZ and
// recreates it in another after a zone failure. Every other cluster
// (provisioned or Serverless v2 Aurora, Neptune, Multi-AZ DB clusters) is
// judged by the AZs of its member instances.
func judgeRDSCluster(c rdstypes.DBCluster, members []rdsMember) Finding {
	id := aws.ToString(c.DBClusterIdentifier)
	var f Finding
	if aws.ToString(c.EngineMode) == "serverless" {
		f = finding(rdsServerlessV1, true, fmt.Sprintf(
			"Aurora Serverless v1 cluster %s runs its capacity in a single Availability Zone; if that zone fails, AWS recreates the capacity in another zone and the database is unavailable during the move.", id))
	} else {
		risk, msg := rdsPlacement(rdsClusterKind(aws.ToString(c.Engine))+" "+id, members)
		f = finding(rdsClusterSingleAZ, risk, msg)
		f.AZs = rdsMemberAZs(members)
	}
	f.ResourceType = rdsResourceType(aws.ToString(c.Engine), "DBCluster")
	f.ResourceARN = aws.ToString(c.DBClusterArn)
	f.ResourceName = id
	f.ResourceID = aws.ToString(c.DbClusterResourceId)
	f.Engine = aws.ToString(c.Engine)
	return f
}

// rdsPlacement judges a cluster (RDS, Neptune or DocumentDB) by the distinct
// AZs of its member DB instances: no member, one member, or all members in one
// AZ is a risk; members in two or more AZs is healthy. Members whose AZ is
// unknown are named.
func rdsPlacement(subject string, members []rdsMember) (risk bool, msg string) {
	members = append([]rdsMember(nil), members...)
	sort.Slice(members, func(i, j int) bool { return members[i].ID < members[j].ID })
	var azList, unknown []string
	for _, m := range members {
		if m.AZ == "" {
			unknown = append(unknown, m.ID)
		} else {
			azList = append(azList, m.AZ)
		}
	}
	azs := distinct(azList...)
	n := plural(len(members), "DB instance")
	switch {
	case len(members) == 0:
		return true, fmt.Sprintf("%s has no DB instances, so no Availability Zone serves it and there is no instance to fail over to.", subject)
	case len(azs) >= 2:
		return false, fmt.Sprintf("%s has %s across %d Availability Zones (%s), so an instance in another zone takes over if one zone fails.",
			subject, n, len(azs), list(azs))
	case len(unknown) == len(members):
		return true, fmt.Sprintf("%s has %s, none with a known Availability Zone (%s), so it cannot be shown to span two zones.",
			subject, n, list(unknown))
	case len(unknown) > 0:
		return true, fmt.Sprintf("%s has %s in only one known Availability Zone (%s); the Availability Zone of %s is unknown (%s), so it cannot be shown to span two zones.",
			subject, n, list(azs), plural(len(unknown), "DB instance"), list(unknown))
	case len(members) == 1:
		return true, fmt.Sprintf("%s has only 1 DB instance (%s, in %s), so an outage of that Availability Zone leaves it with no instance to fail over to.",
			subject, members[0].ID, members[0].AZ)
	default:
		return true, fmt.Sprintf("%s has %s, all in one Availability Zone (%s), so an outage of that zone takes every instance down.",
			subject, n, list(azs))
	}
}
