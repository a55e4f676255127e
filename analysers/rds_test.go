package analysers

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/faultline/faultline/inventory"
)

const rdsTestARN = "arn:aws:rds:us-east-1:111111111111:"

func rdsTestInstance(id, engine, az string, multiAZ bool) rdstypes.DBInstance {
	return rdstypes.DBInstance{
		DBInstanceIdentifier: aws.String(id), DBInstanceArn: aws.String(rdsTestARN + "db:" + id),
		DbiResourceId: aws.String("db-RES-" + id), Engine: aws.String(engine), AvailabilityZone: aws.String(az),
		MultiAZ: aws.Bool(multiAZ), DBInstanceStatus: aws.String("available"),
	}
}

func rdsTestReplica(id, source, az string, multiAZ bool) rdstypes.DBInstance {
	db := rdsTestInstance(id, "mysql", az, multiAZ)
	db.ReadReplicaSourceDBInstanceIdentifier = aws.String(source)
	return db
}

func rdsTestMember(id, engine, az, cluster string) rdstypes.DBInstance {
	db := rdsTestInstance(id, engine, az, false)
	db.DBClusterIdentifier = aws.String(cluster)
	return db
}

func rdsTestCluster(id, engine string, members ...string) rdstypes.DBCluster {
	c := rdstypes.DBCluster{
		DBClusterIdentifier: aws.String(id), DBClusterArn: aws.String(rdsTestARN + "cluster:" + id),
		DbClusterResourceId: aws.String("cluster-RES-" + id), Engine: aws.String(engine),
		EngineMode: aws.String("provisioned"), Status: aws.String("available"),
	}
	for i, m := range members {
		c.DBClusterMembers = append(c.DBClusterMembers, rdstypes.DBClusterMember{DBInstanceIdentifier: aws.String(m), IsClusterWriter: aws.Bool(i == 0)})
	}
	return c
}

func TestJudgeRDSInstance(t *testing.T) {
	withSecondary := rdsTestInstance("db-sec", "postgres", "us-east-1a", true)
	withSecondary.SecondaryAvailabilityZone = aws.String("us-east-1b")
	straySecondary := rdsTestInstance("db-stray", "mysql", "us-east-1a", false)
	straySecondary.SecondaryAvailabilityZone = aws.String("us-east-1b")
	noAZ := rdsTestInstance("db-new", "mysql", "", false)
	noAZ.AvailabilityZone = nil
	bare := rdstypes.DBInstance{DBInstanceIdentifier: aws.String("bare")} // every optional field missing
	single := &rdsInstanceFact{az: "us-east-1c"}
	multi := &rdsInstanceFact{az: "us-east-1c", multiAZ: true}
	a, ab := []string{"us-east-1a"}, []string{"us-east-1a", "us-east-1b"}
	cases := []struct {
		name    string
		db      rdstypes.DBInstance
		source  *rdsInstanceFact
		risk    bool
		message string
		azs     []string
	}{
		{"single-AZ", rdsTestInstance("db1", "mysql", "us-east-1a", false), nil, true,
			"RDS DB instance db1 is Single-AZ (us-east-1a) with no standby, so an outage of that Availability Zone takes it down.", a},
		{"single-AZ, AZ not reported", noAZ, nil, true,
			"RDS DB instance db-new is Single-AZ (Availability Zone not reported) with no standby, so an outage of that Availability Zone takes it down.", nil},
		{"single-AZ ignores a secondary AZ", straySecondary, nil, true,
			"RDS DB instance db-stray is Single-AZ (us-east-1a) with no standby, so an outage of that Availability Zone takes it down.", a},
		{"no optional fields", bare, nil, true,
			"RDS DB instance bare is Single-AZ (Availability Zone not reported) with no standby, so an outage of that Availability Zone takes it down.", nil},
		{"Multi-AZ, standby AZ unknown", rdsTestInstance("db2", "postgres", "us-east-1a", true), nil, false,
			"RDS DB instance db2 is Multi-AZ (primary in us-east-1a, standby in another Availability Zone): RDS fails over to the standby if the primary's Availability Zone fails.", a},
		{"Multi-AZ, standby AZ known", withSecondary, nil, false,
			"RDS DB instance db-sec is Multi-AZ (primary in us-east-1a, standby in us-east-1b): RDS fails over to the standby if the primary's Availability Zone fails.", ab},
		{"single-AZ replica, source not listed", rdsTestReplica("r1", "arn:aws:rds:us-west-2:111111111111:db:src", "us-east-1a", false), nil, true,
			"RDS read replica r1 of arn:aws:rds:us-west-2:111111111111:db:src is Single-AZ (us-east-1a) with no standby, so an outage of that Availability Zone takes it down.", a},
		{"single-AZ replica of single-AZ source", rdsTestReplica("r2", "src", "us-east-1a", false), single, true,
			"RDS read replica r2 of src is Single-AZ (us-east-1a) with no standby, so an outage of that Availability Zone takes it down; its source src is also Single-AZ (us-east-1c).", a},
		{"single-AZ replica of Multi-AZ source", rdsTestReplica("r3", "src", "us-east-1a", false), multi, true,
			"RDS read replica r3 of src is Single-AZ (us-east-1a) with no standby, so an outage of that Availability Zone takes it down.", a},
		{"Multi-AZ replica of single-AZ source", rdsTestReplica("r4", "src", "us-east-1a", true), single, false,
			"RDS read replica r4 of src is Multi-AZ (primary in us-east-1a, standby in another Availability Zone): RDS fails over to the standby if the primary's Availability Zone fails; its source src, however, is Single-AZ (us-east-1c).", a},
		{"Multi-AZ replica of Multi-AZ source", rdsTestReplica("r5", "src", "us-east-1a", true), multi, false,
			"RDS read replica r5 of src is Multi-AZ (primary in us-east-1a, standby in another Availability Zone): RDS fails over to the standby if the primary's Availability Zone fails.", a},
		{"single-AZ replica of single-AZ source without AZ", rdsTestReplica("r6", "src", "us-east-1a", false), &rdsInstanceFact{}, true,
			"RDS read replica r6 of src is Single-AZ (us-east-1a) with no standby, so an outage of that Availability Zone takes it down; its source src is also Single-AZ (Availability Zone not reported).", a},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRDSInstance(c.db, c.source)
			if f.CheckID != "RDS-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant RDS-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.db.DBInstanceArn) || f.ResourceName != aws.ToString(c.db.DBInstanceIdentifier) ||
				f.ResourceID != aws.ToString(c.db.DbiResourceId) || f.Engine != aws.ToString(c.db.Engine) || f.ResourceType != "AWS::RDS::DBInstance" {
				t.Errorf("resource columns: %+v", f)
			}
			// The zone IDs are left to the engine.
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

func TestRDSSourceFact(t *testing.T) {
	facts := map[string]rdsInstanceFact{
		"src":     {az: "us-east-1a"},
		"gone":    {az: "us-east-1a", deleting: true},
		"member":  {az: "us-east-1a", cluster: "c1"},
		"src-maz": {az: "us-east-1b", multiAZ: true},
	}
	cases := []struct {
		name, source string
		wantAZ       string // "" = nil
	}{
		{"not a replica", "", ""},
		{"source by identifier", "src", "us-east-1a"},
		{"source by ARN in the same account and region", rdsTestARN + "db:src-maz", "us-east-1b"},
		{"source in another region", "arn:aws:rds:us-west-2:111111111111:db:src", ""},
		{"source in another account", "arn:aws:rds:us-east-1:222222222222:db:src", ""},
		{"source not listed", "elsewhere", ""},
		{"source being deleted", "gone", ""},
		{"source is a cluster member", "member", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := rdsTestInstance("replica", "mysql", "us-east-1c", false)
			if c.source != "" {
				db.ReadReplicaSourceDBInstanceIdentifier = aws.String(c.source)
			}
			got := rdsSourceFact(db, facts)
			switch {
			case c.wantAZ == "" && got != nil:
				t.Errorf("got %+v, want nil", got)
			case c.wantAZ != "" && (got == nil || got.az != c.wantAZ):
				t.Errorf("got %+v, want AZ %s", got, c.wantAZ)
			}
		})
	}
	// A replica without its own ARN cannot reduce an ARN to an identifier.
	db := rdstypes.DBInstance{ReadReplicaSourceDBInstanceIdentifier: aws.String(rdsTestARN + "db:src")}
	if got := rdsSourceID(db); got != rdsTestARN+"db:src" {
		t.Errorf("rdsSourceID without own ARN: %q", got)
	}
}

func TestJudgeRDSCluster(t *testing.T) {
	serverless := rdsTestCluster("sls", "aurora-mysql")
	serverless.EngineMode = aws.String("serverless")
	bare := rdstypes.DBCluster{DBClusterIdentifier: aws.String("bare")} // every optional field missing
	a1, a2, b1, c1 := rdsMember{"i-a1", "us-east-1a"}, rdsMember{"i-a2", "us-east-1a"}, rdsMember{"i-b1", "us-east-1b"}, rdsMember{"i-c1", "us-east-1c"}
	lost, lost2 := rdsMember{"i-lost", ""}, rdsMember{"i-lost2", ""}
	const aurora, neptune = "AWS::RDS::DBCluster", "AWS::Neptune::DBCluster"
	cases := []struct {
		name     string
		cluster  rdstypes.DBCluster
		members  []rdsMember
		check    string
		severity Severity
		risk     bool
		message  string
		rtype    string
		azs      []string
	}{
		{"Aurora Serverless v1", serverless, nil, "RDS-3", SeverityMedium, true,
			"Aurora Serverless v1 cluster sls runs its capacity in a single Availability Zone; if that zone fails, AWS recreates the capacity in another zone and the database is unavailable during the move.",
			aurora, nil},
		{"no instances", rdsTestCluster("empty", "aurora-postgresql"), nil, "RDS-2", SeverityHigh, true,
			"Aurora cluster empty has no DB instances, so no Availability Zone serves it and there is no instance to fail over to.",
			aurora, nil},
		{"one instance", rdsTestCluster("one", "aurora-mysql"), []rdsMember{a1}, "RDS-2", SeverityHigh, true,
			"Aurora cluster one has only 1 DB instance (i-a1, in us-east-1a), so an outage of that Availability Zone leaves it with no instance to fail over to.",
			aurora, []string{"us-east-1a"}},
		{"all instances in one AZ", rdsTestCluster("same", "aurora-mysql"), []rdsMember{a2, a1}, "RDS-2", SeverityHigh, true,
			"Aurora cluster same has 2 DB instances, all in one Availability Zone (us-east-1a), so an outage of that zone takes every instance down.",
			aurora, []string{"us-east-1a"}},
		{"two AZs", rdsTestCluster("spread", "aurora-mysql"), []rdsMember{b1, a1, a2}, "RDS-2", SeverityHigh, false,
			"Aurora cluster spread has 3 DB instances across 2 Availability Zones (us-east-1a, us-east-1b), so an instance in another zone takes over if one zone fails.",
			aurora, []string{"us-east-1a", "us-east-1b"}},
		{"two AZs and an unknown member", rdsTestCluster("spread2", "aurora-mysql"), []rdsMember{lost, c1, a1}, "RDS-2", SeverityHigh, false,
			"Aurora cluster spread2 has 3 DB instances across 2 Availability Zones (us-east-1a, us-east-1c), so an instance in another zone takes over if one zone fails.",
			aurora, []string{"us-east-1a", "us-east-1c"}},
		{"one known AZ and an unknown member", rdsTestCluster("partial", "aurora-mysql"), []rdsMember{lost, a1}, "RDS-2", SeverityHigh, true,
			"Aurora cluster partial has 2 DB instances in only one known Availability Zone (us-east-1a); the Availability Zone of 1 DB instance is unknown (i-lost), so it cannot be shown to span two zones.",
			aurora, []string{"us-east-1a"}},
		{"no known AZ", rdsTestCluster("unknown", "aurora-mysql"), []rdsMember{lost2, lost}, "RDS-2", SeverityHigh, true,
			"Aurora cluster unknown has 2 DB instances, none with a known Availability Zone (i-lost, i-lost2), so it cannot be shown to span two zones.",
			aurora, nil},
		{"Neptune", rdsTestCluster("graph", "neptune"), []rdsMember{c1}, "RDS-2", SeverityHigh, true,
			"Neptune cluster graph has only 1 DB instance (i-c1, in us-east-1c), so an outage of that Availability Zone leaves it with no instance to fail over to.",
			neptune, []string{"us-east-1c"}},
		{"Multi-AZ DB cluster, mysql", rdsTestCluster("maz", "mysql"), []rdsMember{a1, b1, c1}, "RDS-2", SeverityHigh, false,
			"Multi-AZ DB cluster maz has 3 DB instances across 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c), so an instance in another zone takes over if one zone fails.",
			aurora, []string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"Multi-AZ DB cluster, postgres", rdsTestCluster("mazpg", "postgres"), []rdsMember{a1, a2}, "RDS-2", SeverityHigh, true,
			"Multi-AZ DB cluster mazpg has 2 DB instances, all in one Availability Zone (us-east-1a), so an outage of that zone takes every instance down.",
			aurora, []string{"us-east-1a"}},
		{"no optional fields", bare, nil, "RDS-2", SeverityHigh, true,
			"RDS DB cluster bare has no DB instances, so no Availability Zone serves it and there is no instance to fail over to.",
			aurora, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRDSCluster(c.cluster, c.members)
			if f.CheckID != c.check || f.Severity != c.severity || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.severity, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.cluster.DBClusterArn) || f.ResourceName != aws.ToString(c.cluster.DBClusterIdentifier) ||
				f.ResourceID != aws.ToString(c.cluster.DbClusterResourceId) || f.Engine != aws.ToString(c.cluster.Engine) || f.ResourceType != c.rtype {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

// rdsEstate is a region's DB instances and clusters, page by page as the
// RDS API would list them.
type rdsEstate struct {
	instances [][]rdstypes.DBInstance
	clusters  [][]rdstypes.DBCluster
}

// rdsTestEstate is two pages of instances and two of clusters, with every
// kind of resource the analyser must skip or defer.
func rdsTestEstate() *rdsEstate {
	deletingDB := rdsTestInstance("db-deleting", "mysql", "us-east-1a", false)
	deletingDB.DBInstanceStatus = aws.String("deleting")
	deletingMember := rdsTestMember("aur-2-going", "aurora-mysql", "us-east-1b", "aur-2")
	deletingMember.DBInstanceStatus = aws.String("deleting")
	deletingCluster := rdsTestCluster("aur-deleting", "aurora-mysql")
	deletingCluster.Status = aws.String("deleting")
	return &rdsEstate{
		instances: [][]rdstypes.DBInstance{
			{
				rdsTestInstance("p1-single", "mysql", "us-east-1a", false),
				// Its source is on page 2: judged after the listing.
				rdsTestReplica("p1-replica", "p2-source", "us-east-1b", false),
				rdsTestMember("aur-1-w", "aurora-mysql", "us-east-1a", "aur-1"),
				rdsTestMember("docdb-1", "docdb", "us-east-1a", "docdb-cluster"),
				deletingDB,
			},
			{
				rdsTestInstance("p2-source", "mysql", "us-east-1c", false),
				rdsTestInstance("p2-multi", "postgres", "us-east-1a", true),
				// Listed by aur-1 only through its DBClusterIdentifier.
				rdsTestMember("aur-1-r", "aurora-mysql", "us-east-1b", "aur-1"),
				rdsTestMember("aur-2-w", "aurora-mysql", "us-east-1a", "aur-2"),
				deletingMember,
				rdsTestInstance("docdb-standalone", "docdb", "us-east-1a", false),
			},
		},
		clusters: [][]rdstypes.DBCluster{
			{rdsTestCluster("aur-1", "aurora-mysql", "aur-1-w"), rdsTestCluster("docdb-cluster", "docdb", "docdb-1"), deletingCluster},
			{rdsTestCluster("aur-2", "aurora-mysql", "aur-2-w", "aur-2-going"), rdsTestCluster("aur-3", "aurora-mysql", "aur-3-missing")},
		},
	}
}

// rdsTestScope puts pages of the estate in a fixture scope: instancePages
// and clusterPages of them (-1: none, the kind is not put), each kind
// failing with its error after them.
func rdsTestScope(est *rdsEstate, instancePages int, instanceErr error, clusterPages int, clusterErr error) *inventory.Scope {
	s := testScope()
	if instancePages >= 0 {
		inventory.Put(s, rdsDBInstances, slices.Concat(est.instances[:instancePages]...), instanceErr)
	}
	if clusterPages >= 0 {
		inventory.Put(s, rdsDBClusters, slices.Concat(est.clusters[:clusterPages]...), clusterErr)
	}
	return s
}

func TestAnalyseRDS(t *testing.T) {
	s := rdsTestScope(rdsTestEstate(), 2, nil, 2, nil)
	var got []Finding
	if err := analyseRDS(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, check string
		risk        bool
		message     string
	}{
		{"p1-single", "RDS-1", true, "RDS DB instance p1-single is Single-AZ (us-east-1a) with no standby, so an outage of that Availability Zone takes it down."},
		{"p2-source", "RDS-1", true, "RDS DB instance p2-source is Single-AZ (us-east-1c) with no standby, so an outage of that Availability Zone takes it down."},
		{"p2-multi", "RDS-1", false, "RDS DB instance p2-multi is Multi-AZ (primary in us-east-1a, standby in another Availability Zone): RDS fails over to the standby if the primary's Availability Zone fails."},
		{"p1-replica", "RDS-1", true, "RDS read replica p1-replica of p2-source is Single-AZ (us-east-1b) with no standby, so an outage of that Availability Zone takes it down; its source p2-source is also Single-AZ (us-east-1c)."},
		{"aur-1", "RDS-2", false, "Aurora cluster aur-1 has 2 DB instances across 2 Availability Zones (us-east-1a, us-east-1b), so an instance in another zone takes over if one zone fails."},
		// The deleting member does not count.
		{"aur-2", "RDS-2", true, "Aurora cluster aur-2 has only 1 DB instance (aur-2-w, in us-east-1a), so an outage of that Availability Zone leaves it with no instance to fail over to."},
		{"aur-3", "RDS-2", true, "Aurora cluster aur-3 has 1 DB instance, none with a known Availability Zone (aur-3-missing), so it cannot be shown to span two zones."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Risk != w.risk || got[i].Message != w.message {
			t.Errorf("finding %d:\n got  %s %s %v %q\n want %s %s %v %q", i, got[i].ResourceName, got[i].CheckID, got[i].Risk, got[i].Message,
				w.name, w.check, w.risk, w.message)
		}
	}
	// aur-1's members are placed, the one listed only by its
	// DBClusterIdentifier included.
	if !slices.Equal(got[4].AZs, []string{"us-east-1a", "us-east-1b"}) {
		t.Errorf("aur-1 placed in %v", got[4].AZs)
	}
}

func TestAnalyseRDSAccessDenied(t *testing.T) {
	// Denied instances: nothing to keep, and the clusters (not put: reading
	// them would fail NotCollected) are not read.
	var got []Finding
	err := analyseRDS(context.Background(), rdsTestScope(rdsTestEstate(), 0, accessDenied("AccessDenied"), -1, nil), collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}

	// Denied clusters: the instances already judged are kept.
	got = nil
	err = analyseRDS(context.Background(), rdsTestScope(rdsTestEstate(), 2, nil, 0, accessDenied("AccessDenied")), collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 4 {
		t.Fatalf("got %d findings, want the 4 instance findings: %+v", len(got), got)
	}
	for _, f := range got {
		if f.CheckID != "RDS-1" {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

func TestAnalyseRDSKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	// The clusters failing after page 1 keep page 1's cluster.
	var got []Finding
	err := analyseRDS(context.Background(), rdsTestScope(rdsTestEstate(), 2, nil, 1, accessDenied("Throttling")), collect(&got))
	requireCode(t, err, "Throttling")
	if len(got) != 5 || got[4].ResourceName != "aur-1" {
		t.Fatalf("got %+v, want the 4 instances and aur-1", got)
	}

	// The instances failing after page 1 keep page 1's standalone instance;
	// the replica waiting for its source is not judged half-informed, nor
	// are the clusters (not put), whose members may be unread.
	got = nil
	err = analyseRDS(context.Background(), rdsTestScope(rdsTestEstate(), 1, accessDenied("Throttling"), -1, nil), collect(&got))
	requireCode(t, err, "Throttling")
	if len(got) != 1 || got[0].ResourceName != "p1-single" {
		t.Fatalf("got %+v, want p1-single only", got)
	}
}
