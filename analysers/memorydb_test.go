package analysers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	memorydbtypes "github.com/aws/aws-sdk-go-v2/service/memorydb/types"

	"github.com/faultline/faultline/inventory"
)

var memorydbTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

func memorydbARN(name string) string {
	return "arn:aws:memorydb:us-east-1:111111111111:cluster/" + name
}

// memorydbShard builds a shard whose nodes are in azs ("" for a node whose
// AZ is not reported).
func memorydbShard(name string, azs ...string) memorydbtypes.Shard {
	sh := memorydbtypes.Shard{Name: aws.String(name), NumberOfNodes: aws.Int32(int32(len(azs)))}
	for i, az := range azs {
		n := memorydbtypes.Node{Name: aws.String(name + "-" + strconv.Itoa(i+1))}
		if az != "" {
			n.AvailabilityZone = aws.String(az)
		}
		sh.Nodes = append(sh.Nodes, n)
	}
	return sh
}

func memorydbCluster(name, engine string, shards ...memorydbtypes.Shard) memorydbtypes.Cluster {
	c := memorydbtypes.Cluster{Name: aws.String(name), ARN: aws.String(memorydbARN(name)), Status: aws.String("available"), Shards: shards}
	if engine != "" {
		c.Engine = aws.String(engine)
	}
	return c
}

func TestJudgeMemoryDBCluster(t *testing.T) {
	const a, b, c = "us-east-1a", "us-east-1b", "us-east-1c"
	sh := memorydbShard
	noARN := memorydbCluster("no-arn", "", sh("0001", a, b))
	noARN.ARN = nil
	govTarget := Target{AccountID: "111111111111", Partition: "aws-us-gov", Region: "us-gov-west-1"}

	cases := []struct {
		name    string
		c       memorydbtypes.Cluster
		t       Target
		check   string
		sev     Severity
		risk    bool
		arn     string
		message string
		azs     []string
	}{
		{"single-node shard", memorydbCluster("single", "redis", sh("0001", a)), memorydbTarget,
			"MEMORYDB-1", SeverityHigh, true, memorydbARN("single"),
			"MemoryDB redis cluster single (1 shard) is at risk: shard 0001 has no replica (1 node in us-east-1a).",
			[]string{"us-east-1a"}},
		{"single node without AZ", memorydbCluster("single-noaz", "valkey", sh("0001", "")), memorydbTarget,
			"MEMORYDB-1", SeverityHigh, true, memorydbARN("single-noaz"),
			"MemoryDB valkey cluster single-noaz (1 shard) is at risk: shard 0001 has no replica (1 node, Availability Zone not reported).",
			nil},
		{"shard listing no nodes", memorydbCluster("empty-shard", "redis", sh("0001", a, b), sh("0002")), memorydbTarget,
			"MEMORYDB-1", SeverityHigh, true, memorydbARN("empty-shard"),
			"MemoryDB redis cluster empty-shard (2 shards) is at risk: shard 0002 lists no nodes.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"no replica and one AZ are both named", memorydbCluster("mixed", "redis", sh("0001", b, b), sh("0002", c), sh("0003", a, c)), memorydbTarget,
			"MEMORYDB-1", SeverityHigh, true, memorydbARN("mixed"),
			"MemoryDB redis cluster mixed (3 shards) is at risk: shard 0002 has no replica (1 node in us-east-1c); shard 0001 has all 2 nodes in one Availability Zone (us-east-1b).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"every node of a shard in one AZ", memorydbCluster("one-az", "redis", sh("0001", a, b), sh("0002", c, c, c)), memorydbTarget,
			"MEMORYDB-2", SeverityHigh, true, memorydbARN("one-az"),
			"MemoryDB redis cluster one-az (2 shards) is at risk: shard 0002 has all 3 nodes in one Availability Zone (us-east-1c).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"nodes report no AZ", memorydbCluster("no-az", "redis", sh("0001", "", "")), memorydbTarget,
			"MEMORYDB-2", SeverityHigh, true, memorydbARN("no-az"),
			"MemoryDB redis cluster no-az (1 shard) is at risk: shard 0001 reports no Availability Zone for its 2 nodes.",
			nil},
		{"one node without AZ", memorydbCluster("part-az", "redis", sh("0001", a, "")), memorydbTarget,
			"MEMORYDB-2", SeverityHigh, true, memorydbARN("part-az"),
			"MemoryDB redis cluster part-az (1 shard) is at risk: shard 0001 has 1 node in one reported Availability Zone (us-east-1a) and 1 node whose Availability Zone is not reported.",
			[]string{"us-east-1a"}},
		{"no shard details", memorydbCluster("no-shards", "redis"), memorydbTarget,
			"MEMORYDB-2", SeverityHigh, true, memorydbARN("no-shards"),
			"MemoryDB redis cluster no-shards (0 shards) is at risk: it reports no shard details, so its node placement cannot be checked.",
			nil},
		{"every shard in two AZs", memorydbCluster("healthy", "valkey", sh("0001", a, b), sh("0002", c, b, c)), memorydbTarget,
			"MEMORYDB-3", SeverityInfo, false, memorydbARN("healthy"),
			"MemoryDB valkey cluster healthy (2 shards) has nodes in at least 2 Availability Zones in every shard (us-east-1a, us-east-1b, us-east-1c).",
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"no engine, no ARN: ARN in the caller's partition", noARN, govTarget,
			"MEMORYDB-3", SeverityInfo, false, "arn:aws-us-gov:memorydb:us-gov-west-1:111111111111:cluster/no-arn",
			"MemoryDB cluster no-arn (1 shard) has nodes in at least 2 Availability Zones in every shard (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeMemoryDBCluster(c.c, c.t)
			if f.CheckID != c.check || f.Severity != c.sev || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant %s %s %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.check, c.sev, c.risk, c.message)
			}
			if f.ResourceARN != c.arn || f.ResourceName != aws.ToString(c.c.Name) || f.ResourceID != "" || f.Engine != aws.ToString(c.c.Engine) ||
				f.ResourceType != "AWS::MemoryDB::Cluster" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

// fakeMemoryDB serves DescribeClusters in pages (NextToken "1", "2", ...),
// or an error.
type fakeMemoryDB struct {
	pages    [][]memorydbtypes.Cluster
	err      error
	calls    int
	badInput bool
}

func (f *fakeMemoryDB) DescribeClusters(_ context.Context, in *memorydb.DescribeClustersInput, _ ...func(*memorydb.Options)) (*memorydb.DescribeClustersOutput, error) {
	f.calls++
	if !aws.ToBool(in.ShowShardDetails) {
		f.badInput = true
	}
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &memorydb.DescribeClustersOutput{Clusters: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func TestLoadMemoryDBClustersReadsEveryPage(t *testing.T) {
	deleting := memorydbCluster("p1-deleting", "redis", memorydbShard("0001", "us-east-1a"))
	deleting.Status = aws.String("deleting")
	api := &fakeMemoryDB{pages: [][]memorydbtypes.Cluster{
		{memorydbCluster("p1-single", "redis", memorydbShard("0001", "us-east-1a")), deleting},
		{memorydbCluster("p2-ok", "valkey", memorydbShard("0001", "us-east-1a", "us-east-1b"))},
	}}
	var got []string
	if err := loadMemoryDBClusters(context.Background(), api, func(c memorydbtypes.Cluster) { got = append(got, aws.ToString(c.Name)) }); err != nil {
		t.Fatal(err)
	}
	if api.badInput {
		t.Error("DescribeClusters called without ShowShardDetails")
	}
	if want := []string{"p1-single", "p1-deleting", "p2-ok"}; !slices.Equal(got, want) || api.calls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.calls, want)
	}
	err := loadMemoryDBClusters(context.Background(), &fakeMemoryDB{err: accessDenied("AccessDeniedException")}, func(memorydbtypes.Cluster) {
		t.Error("a cluster from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

func TestAnalyseMemoryDB(t *testing.T) {
	deleting := memorydbCluster("p1-deleting", "redis", memorydbShard("0001", "us-east-1a"))
	deleting.Status = aws.String("deleting")
	s := testScope()
	inventory.Put(s, memorydbClusters, []memorydbtypes.Cluster{
		memorydbCluster("p1-single", "redis", memorydbShard("0001", "us-east-1a")), deleting,
		memorydbCluster("p2-ok", "valkey", memorydbShard("0001", "us-east-1a", "us-east-1b")),
	}, nil)
	var got []Finding
	if err := analyseMemoryDB(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, check string
		risk        bool
	}{{"p1-single", "MEMORYDB-1", true}, {"p2-ok", "MEMORYDB-3", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceName, got[i].CheckID, got[i].Risk, w.name, w.check, w.risk)
		}
	}
}

func TestAnalyseMemoryDBAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, memorydbClusters, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseMemoryDB(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

func TestAnalyseMemoryDBKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, memorydbClusters, []memorydbtypes.Cluster{memorydbCluster("page1", "redis", memorydbShard("0001", "us-east-1a"))}, throttled)
	var got []Finding
	if err := analyseMemoryDB(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceName != "page1" {
		t.Fatalf("findings: %+v", got)
	}
}
