package analysers

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"

	"github.com/faultline/faultline/inventory"
)

// moto cannot create DocumentDB clusters or instances (its RDS backend rejects
// Engine=docdb), so every DocumentDB case below is covered by fakes only. The
// integration seed proves that Aurora and Neptune clusters in the account give
// no docdb row.

func docdbTestCluster(id, engine string, members ...string) docdbtypes.DBCluster {
	c := docdbtypes.DBCluster{
		DBClusterIdentifier: aws.String(id), DBClusterArn: aws.String(rdsTestARN + "cluster:" + id),
		DbClusterResourceId: aws.String("cluster-RES-" + id), Engine: aws.String(engine), Status: aws.String("available"),
	}
	for i, m := range members {
		c.DBClusterMembers = append(c.DBClusterMembers, docdbtypes.DBClusterMember{DBInstanceIdentifier: aws.String(m), IsClusterWriter: aws.Bool(i == 0)})
	}
	return c
}

func docdbTestInstance(id, engine, az, cluster string) docdbtypes.DBInstance {
	return docdbtypes.DBInstance{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String(engine), AvailabilityZone: aws.String(az),
		DBClusterIdentifier: aws.String(cluster), DBInstanceStatus: aws.String("available"),
	}
}

func TestJudgeDocDBCluster(t *testing.T) {
	a1, a2, b1 := rdsMember{"d-a1", "us-east-1a"}, rdsMember{"d-a2", "us-east-1a"}, rdsMember{"d-b1", "us-east-1b"}
	lost := rdsMember{"d-lost", ""}
	bare := docdbtypes.DBCluster{DBClusterIdentifier: aws.String("bare")} // every optional field missing
	cases := []struct {
		name    string
		cluster docdbtypes.DBCluster
		members []rdsMember
		risk    bool
		message string
		azs     []string
	}{
		{"no instances", docdbTestCluster("empty", "docdb"), nil, true,
			"DocumentDB cluster empty has no DB instances, so no Availability Zone serves it and there is no instance to fail over to.", nil},
		{"one instance", docdbTestCluster("one", "docdb"), []rdsMember{a1}, true,
			"DocumentDB cluster one has only 1 DB instance (d-a1, in us-east-1a), so an outage of that Availability Zone leaves it with no instance to fail over to.",
			[]string{"us-east-1a"}},
		{"all instances in one AZ", docdbTestCluster("same", "docdb"), []rdsMember{a1, a2}, true,
			"DocumentDB cluster same has 2 DB instances, all in one Availability Zone (us-east-1a), so an outage of that zone takes every instance down.",
			[]string{"us-east-1a"}},
		{"two AZs", docdbTestCluster("spread", "docdb"), []rdsMember{a1, a2, b1}, false,
			"DocumentDB cluster spread has 3 DB instances across 2 Availability Zones (us-east-1a, us-east-1b), so an instance in another zone takes over if one zone fails.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"one known AZ and an unknown instance", docdbTestCluster("partial", "docdb"), []rdsMember{a1, lost}, true,
			"DocumentDB cluster partial has 2 DB instances in only one known Availability Zone (us-east-1a); the Availability Zone of 1 DB instance is unknown (d-lost), so it cannot be shown to span two zones.",
			[]string{"us-east-1a"}},
		{"no known AZ", docdbTestCluster("unknown", "docdb"), []rdsMember{lost}, true,
			"DocumentDB cluster unknown has 1 DB instance, none with a known Availability Zone (d-lost), so it cannot be shown to span two zones.", nil},
		{"no optional fields", bare, nil, true,
			"DocumentDB cluster bare has no DB instances, so no Availability Zone serves it and there is no instance to fail over to.", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDocDBCluster(c.cluster, c.members)
			if f.CheckID != "DOCDB-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant DOCDB-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.cluster.DBClusterArn) || f.ResourceName != aws.ToString(c.cluster.DBClusterIdentifier) ||
				f.ResourceID != aws.ToString(c.cluster.DbClusterResourceId) || f.Engine != aws.ToString(c.cluster.Engine) || f.ResourceType != "AWS::DocDB::DBCluster" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

// fakeDocDB serves both calls page by page (the Marker is the page index),
// ignoring the engine filter like an endpoint that shares the RDS backend
// would, and records the filters it was sent.
type fakeDocDB struct {
	instances   [][]docdbtypes.DBInstance
	clusters    [][]docdbtypes.DBCluster
	instanceErr error
	clusterErr  error
	errPage     int
	calls       []string
	filters     [][]docdbtypes.Filter
}

func (f *fakeDocDB) DescribeDBInstances(_ context.Context, in *docdb.DescribeDBInstancesInput, _ ...func(*docdb.Options)) (*docdb.DescribeDBInstancesOutput, error) {
	i := rdsFakePage(in.Marker)
	f.calls = append(f.calls, "instances:"+strconv.Itoa(i))
	f.filters = append(f.filters, in.Filters)
	if f.instanceErr != nil && i == f.errPage {
		return nil, f.instanceErr
	}
	if len(f.instances) == 0 {
		return &docdb.DescribeDBInstancesOutput{}, nil
	}
	return &docdb.DescribeDBInstancesOutput{DBInstances: f.instances[i], Marker: rdsFakeNext(i, len(f.instances))}, nil
}

func (f *fakeDocDB) DescribeDBClusters(_ context.Context, in *docdb.DescribeDBClustersInput, _ ...func(*docdb.Options)) (*docdb.DescribeDBClustersOutput, error) {
	i := rdsFakePage(in.Marker)
	f.calls = append(f.calls, "clusters:"+strconv.Itoa(i))
	f.filters = append(f.filters, in.Filters)
	if f.clusterErr != nil && i == f.errPage {
		return nil, f.clusterErr
	}
	if len(f.clusters) == 0 {
		return &docdb.DescribeDBClustersOutput{}, nil
	}
	return &docdb.DescribeDBClustersOutput{DBClusters: f.clusters[i], Marker: rdsFakeNext(i, len(f.clusters))}, nil
}

func docdbTestEstate() *fakeDocDB {
	going := docdbTestInstance("doc-2-going", "docdb", "us-east-1b", "doc-2")
	going.DBInstanceStatus = aws.String("deleting")
	deletingCluster := docdbTestCluster("doc-deleting", "docdb")
	deletingCluster.Status = aws.String("deleting")
	return &fakeDocDB{
		instances: [][]docdbtypes.DBInstance{
			{docdbTestInstance("doc-1-a", "docdb", "us-east-1a", "doc-1"), docdbTestInstance("aur-1-w", "aurora-mysql", "us-east-1b", "doc-2")},
			{docdbTestInstance("doc-1-b", "docdb", "us-east-1b", "doc-1"), docdbTestInstance("doc-2-a", "docdb", "us-east-1a", "doc-2"), going},
		},
		clusters: [][]docdbtypes.DBCluster{
			// An Aurora and a Neptune cluster the endpoint returned despite the filter.
			{docdbTestCluster("doc-1", "docdb", "doc-1-a"), docdbTestCluster("aur-1", "aurora-mysql", "aur-1-w"), deletingCluster},
			{docdbTestCluster("doc-2", "docdb", "doc-2-a", "doc-2-going"), docdbTestCluster("graph", "neptune")},
		},
	}
}

func TestLoadDocDBReadsEveryPageWithTheEngineFilter(t *testing.T) {
	api := docdbTestEstate()
	var instances, clusters []string
	if err := loadDocDBInstances(context.Background(), api, func(db docdbtypes.DBInstance) {
		instances = append(instances, aws.ToString(db.DBInstanceIdentifier))
	}); err != nil {
		t.Fatal(err)
	}
	if err := loadDocDBClusters(context.Background(), api, func(c docdbtypes.DBCluster) {
		clusters = append(clusters, aws.ToString(c.DBClusterIdentifier))
	}); err != nil {
		t.Fatal(err)
	}
	// What the endpoint returned, filter ignored or not: the rule checks
	// the engine again.
	if want := []string{"doc-1-a", "aur-1-w", "doc-1-b", "doc-2-a", "doc-2-going"}; !slices.Equal(instances, want) {
		t.Errorf("instances %v, want %v", instances, want)
	}
	if want := []string{"doc-1", "aur-1", "doc-deleting", "doc-2", "graph"}; !slices.Equal(clusters, want) {
		t.Errorf("clusters %v, want %v", clusters, want)
	}
	if want := []string{"instances:0", "instances:1", "clusters:0", "clusters:1"}; !slices.Equal(api.calls, want) {
		t.Errorf("calls %v, want %v", api.calls, want)
	}
	for i, flt := range api.filters {
		if len(flt) != 1 || aws.ToString(flt[0].Name) != "engine" || len(flt[0].Values) != 1 || flt[0].Values[0] != "docdb" {
			t.Errorf("call %d filters %+v, want engine=docdb", i, flt)
		}
	}
}

func TestLoadDocDBAccessDenied(t *testing.T) {
	api := &fakeDocDB{instanceErr: accessDenied("AccessDenied"), clusterErr: accessDenied("AccessDenied")}
	requireCode(t, loadDocDBInstances(context.Background(), api, func(docdbtypes.DBInstance) {
		t.Error("an instance from a denied listing")
	}), "AccessDenied")
	requireCode(t, loadDocDBClusters(context.Background(), api, func(docdbtypes.DBCluster) {
		t.Error("a cluster from a denied listing")
	}), "AccessDenied")
}

// docdbTestScope puts pages of the estate in a fixture scope: instancePages
// and clusterPages of them (-1: the kind is not put), each kind failing with
// its error after them.
func docdbTestScope(est *fakeDocDB, instancePages int, instanceErr error, clusterPages int, clusterErr error) *inventory.Scope {
	s := testScope()
	if instancePages >= 0 {
		inventory.Put(s, docdbDBInstances, slices.Concat(est.instances[:instancePages]...), instanceErr)
	}
	if clusterPages >= 0 {
		inventory.Put(s, docdbDBClusters, slices.Concat(est.clusters[:clusterPages]...), clusterErr)
	}
	return s
}

func TestAnalyseDocDB(t *testing.T) {
	var got []Finding
	if err := analyseDocDB(context.Background(), docdbTestScope(docdbTestEstate(), 2, nil, 2, nil), collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name    string
		risk    bool
		message string
		azs     []string
	}{
		// doc-1-b is on the second instance page and only named by its DBClusterIdentifier.
		{"doc-1", false, "DocumentDB cluster doc-1 has 2 DB instances across 2 Availability Zones (us-east-1a, us-east-1b), so an instance in another zone takes over if one zone fails.",
			[]string{"us-east-1a", "us-east-1b"}},
		// The deleting instance does not count; the Aurora instance naming doc-2 is ignored.
		{"doc-2", true, "DocumentDB cluster doc-2 has only 1 DB instance (doc-2-a, in us-east-1a), so an outage of that Availability Zone leaves it with no instance to fail over to.",
			[]string{"us-east-1a"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != "DOCDB-1" || got[i].Risk != w.risk || got[i].Message != w.message || got[i].Engine != "docdb" ||
			!slices.Equal(got[i].AZs, w.azs) {
			t.Errorf("finding %d:\n got  %+v\n want %s %v %q %v", i, got[i], w.name, w.risk, w.message, w.azs)
		}
	}
}

func TestAnalyseDocDBAccessDenied(t *testing.T) {
	// Denied instances: nothing judged, the clusters (not put) not read.
	var got []Finding
	err := analyseDocDB(context.Background(), docdbTestScope(docdbTestEstate(), 0, accessDenied("AccessDenied"), -1, nil), collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// The clusters are what is judged: denied, there is nothing to keep.
	err = analyseDocDB(context.Background(), docdbTestScope(docdbTestEstate(), 2, nil, 0, accessDenied("AccessDenied")), collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied cluster list: %+v", got)
	}
}

func TestAnalyseDocDBKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	// The clusters failing after page 1 keep the clusters of page 1.
	var got []Finding
	err := analyseDocDB(context.Background(), docdbTestScope(docdbTestEstate(), 2, nil, 1, accessDenied("Throttling")), collect(&got))
	requireCode(t, err, "Throttling")
	if len(got) != 1 || got[0].ResourceName != "doc-1" {
		t.Fatalf("got %+v, want doc-1 only", got)
	}
	// The instances failing after page 1 judge no cluster: doc-1 would be
	// judged with one instance (doc-1-b is on page 2).
	got = nil
	err = analyseDocDB(context.Background(), docdbTestScope(docdbTestEstate(), 1, accessDenied("Throttling"), 2, nil), collect(&got))
	requireCode(t, err, "Throttling")
	if len(got) != 0 {
		t.Fatalf("findings judged on part of the instances: %+v", got)
	}
}
