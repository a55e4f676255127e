//go:build legacy

package analysers

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"
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
	}{
		{"no instances", docdbTestCluster("empty", "docdb"), nil, true,
			"DocumentDB cluster empty has no DB instances, so no Availability Zone serves it and there is no instance to fail over to."},
		{"one instance", docdbTestCluster("one", "docdb"), []rdsMember{a1}, true,
			"DocumentDB cluster one has only 1 DB instance (d-a1, in us-east-1a), so an outage of that Availability Zone leaves it with no instance to fail over to."},
		{"all instances in one AZ", docdbTestCluster("same", "docdb"), []rdsMember{a1, a2}, true,
			"DocumentDB cluster same has 2 DB instances, all in one Availability Zone (us-east-1a), so an outage of that zone takes every instance down."},
		{"two AZs", docdbTestCluster("spread", "docdb"), []rdsMember{a1, a2, b1}, false,
			"DocumentDB cluster spread has 3 DB instances across 2 Availability Zones (us-east-1a, us-east-1b), so an instance in another zone takes over if one zone fails."},
		{"one known AZ and an unknown instance", docdbTestCluster("partial", "docdb"), []rdsMember{a1, lost}, true,
			"DocumentDB cluster partial has 2 DB instances in only one known Availability Zone (us-east-1a); the Availability Zone of 1 DB instance is unknown (d-lost), so it cannot be shown to span two zones."},
		{"no known AZ", docdbTestCluster("unknown", "docdb"), []rdsMember{lost}, true,
			"DocumentDB cluster unknown has 1 DB instance, none with a known Availability Zone (d-lost), so it cannot be shown to span two zones."},
		{"no optional fields", bare, nil, true,
			"DocumentDB cluster bare has no DB instances, so no Availability Zone serves it and there is no instance to fail over to."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDocDBCluster(c.cluster, c.members)
			if f.CheckID != "DOCDB-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant DOCDB-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.cluster.DBClusterArn) || f.ResourceName != aws.ToString(c.cluster.DBClusterIdentifier) ||
				f.ResourceID != aws.ToString(c.cluster.DbClusterResourceId) || f.Engine != aws.ToString(c.cluster.Engine) {
				t.Errorf("resource columns: %+v", f)
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

func TestAnalyseDocDBReadsEveryPage(t *testing.T) {
	api := docdbTestEstate()
	var got []Finding
	if err := analyseDocDB(context.Background(), api, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name    string
		risk    bool
		message string
	}{
		// doc-1-b is on the second instance page and only named by its DBClusterIdentifier.
		{"doc-1", false, "DocumentDB cluster doc-1 has 2 DB instances across 2 Availability Zones (us-east-1a, us-east-1b), so an instance in another zone takes over if one zone fails."},
		// The deleting instance does not count; the Aurora instance naming doc-2 is ignored.
		{"doc-2", true, "DocumentDB cluster doc-2 has only 1 DB instance (doc-2-a, in us-east-1a), so an outage of that Availability Zone leaves it with no instance to fail over to."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != "DOCDB-1" || got[i].Risk != w.risk || got[i].Message != w.message || got[i].Engine != "docdb" {
			t.Errorf("finding %d:\n got  %+v\n want %s %v %q", i, got[i], w.name, w.risk, w.message)
		}
	}
	wantCalls := []string{"instances:0", "instances:1", "clusters:0", "clusters:1"}
	if len(api.calls) != len(wantCalls) {
		t.Fatalf("calls %v, want %v", api.calls, wantCalls)
	}
	for i := range wantCalls {
		if api.calls[i] != wantCalls[i] {
			t.Fatalf("calls %v, want %v", api.calls, wantCalls)
		}
	}
	for i, flt := range api.filters {
		if len(flt) != 1 || aws.ToString(flt[0].Name) != "engine" || len(flt[0].Values) != 1 || flt[0].Values[0] != "docdb" {
			t.Errorf("call %d filters %+v, want engine=docdb", i, flt)
		}
	}
}

func TestAnalyseDocDBAccessDenied(t *testing.T) {
	var got []Finding
	err := analyseDocDB(context.Background(), &fakeDocDB{instanceErr: accessDenied("AccessDenied")}, collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// The cluster call is the one that emits: denied on its first page,
	// there is nothing to keep.
	api := docdbTestEstate()
	api.clusterErr = accessDenied("AccessDenied")
	err = analyseDocDB(context.Background(), api, collect(&got))
	requireCode(t, err, "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied cluster list: %+v", got)
	}
	// Failing on its second page keeps the clusters of the first.
	api = docdbTestEstate()
	api.clusterErr, api.errPage = accessDenied("Throttling"), 1
	err = analyseDocDB(context.Background(), api, collect(&got))
	requireCode(t, err, "Throttling")
	if len(got) != 1 || got[0].ResourceName != "doc-1" {
		t.Fatalf("got %+v, want doc-1 only", got)
	}
}
