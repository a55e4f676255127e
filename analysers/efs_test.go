package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"

	"github.com/faultline/faultline/inventory"
)

// efsTestTarget is in a non-"aws" partition, so that a built ARN shows it
// uses the caller's partition.
var efsTestTarget = Target{AccountID: "111111111111", Partition: "aws-cn", Region: "cn-north-1"}

func efsRegional(id, name string) efstypes.FileSystemDescription {
	return efstypes.FileSystemDescription{
		FileSystemId:   aws.String(id),
		FileSystemArn:  aws.String("arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/" + id),
		Name:           aws.String(name),
		LifeCycleState: efstypes.LifeCycleStateAvailable,
	}
}

func efsOneZoneFS(id, name, az string) efstypes.FileSystemDescription {
	fs := efsRegional(id, name)
	fs.AvailabilityZoneName = aws.String(az)
	fs.AvailabilityZoneId = aws.String("cnn1-az1")
	return fs
}

// efsMT is a mount target in az, with that zone's ID (cn-north-1a is
// cnn1-az1, and so on).
func efsMT(id, az string, state efstypes.LifeCycleState) efstypes.MountTargetDescription {
	mt := efstypes.MountTargetDescription{MountTargetId: aws.String(id), LifeCycleState: state}
	if az != "" {
		mt.AvailabilityZoneName = aws.String(az)
		mt.AvailabilityZoneId = aws.String("cnn1-az" + string(rune('1'+az[len(az)-1]-'a')))
	}
	return mt
}

func TestJudgeEFS(t *testing.T) {
	ok := efstypes.LifeCycleStateAvailable
	idOnly := efsRegional("fs-zoneid", "")
	idOnly.AvailabilityZoneId = aws.String("cnn1-az2")
	tagged := efsRegional("fs-tagged", "")
	tagged.Tags = []efstypes.Tag{{Key: aws.String("team"), Value: aws.String("x")}, {Key: aws.String("Name"), Value: aws.String("from-tag")}}
	noARN := efsRegional("fs-noarn", "")
	noARN.FileSystemArn = nil
	cases := []struct {
		name    string
		fs      efstypes.FileSystemDescription
		mts     []efstypes.MountTargetDescription
		check   string
		risk    bool
		message string
		arn     string
		resName string
		azs     []string
		azIDs   []string
	}{
		{"One Zone", efsOneZoneFS("fs-oz", "scratch", "cn-north-1a"), nil,
			"EFS-1", true, "EFS file system fs-oz (scratch) is a One Zone file system in cn-north-1a: its data and mount target are in that Availability Zone only, so an outage of that zone makes it unavailable.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-oz", "scratch", []string{"cn-north-1a"}, []string{"cnn1-az1"}},
		{"One Zone reported by AZ ID only", idOnly, nil,
			"EFS-1", true, "EFS file system fs-zoneid is a One Zone file system in cnn1-az2: its data and mount target are in that Availability Zone only, so an outage of that zone makes it unavailable.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-zoneid", "", nil, nil},
		{"Regional, no mount targets", efsRegional("fs-none", "orphan"), nil,
			"EFS-2", true, "EFS file system fs-none (orphan) is a Regional file system with no mount targets, so no client in any Availability Zone can mount it.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-none", "orphan", nil, nil},
		{"Regional, only dying mount targets", efsRegional("fs-dying", ""),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", efstypes.LifeCycleStateDeleting), efsMT("fsmt-2", "cn-north-1b", efstypes.LifeCycleStateError), efsMT("fsmt-3", "cn-north-1c", efstypes.LifeCycleStateDeleted)},
			"EFS-2", true, "EFS file system fs-dying is a Regional file system with no mount targets, so no client in any Availability Zone can mount it.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-dying", "", nil, nil},
		{"Regional, one mount target", efsRegional("fs-one", "home"),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok)},
			"EFS-2", true, "EFS file system fs-one (home) is a Regional file system with 1 mount target, all in one Availability Zone (cn-north-1a), so an outage of that zone cuts every client off although the data is stored in several zones.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-one", "home", []string{"cn-north-1a"}, []string{"cnn1-az1"}},
		{"Regional, two AZs plus one being deleted", efsRegional("fs-two", "shared"),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1b", ok), efsMT("fsmt-2", "cn-north-1a", efstypes.LifeCycleStateCreating), efsMT("fsmt-3", "cn-north-1c", efstypes.LifeCycleStateDeleting)},
			"EFS-2", false, "EFS file system fs-two (shared) is a Regional file system with 2 mount targets across 2 Availability Zones (cn-north-1a, cn-north-1b), so clients keep access if one zone fails.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-two", "shared", []string{"cn-north-1a", "cn-north-1b"}, []string{"cnn1-az1", "cnn1-az2"}},
		{"Regional, AZ reported by ID only", efsRegional("fs-ids", ""),
			[]efstypes.MountTargetDescription{{MountTargetId: aws.String("fsmt-1"), AvailabilityZoneId: aws.String("cnn1-az1")}, efsMT("fsmt-2", "cn-north-1b", ok)},
			"EFS-2", false, "EFS file system fs-ids is a Regional file system with 2 mount targets across 2 Availability Zones (cn-north-1b, cnn1-az1), so clients keep access if one zone fails.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-ids", "", []string{"cn-north-1b"}, []string{"cnn1-az2"}},
		{"Regional, a mount target without AZ", efsRegional("fs-unknown", ""),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok), efsMT("fsmt-x", "", ok)},
			"EFS-2", true, "EFS file system fs-unknown is a Regional file system with 2 mount targets; only 1 Availability Zone could be placed (cn-north-1a) and 1 mount target reported no Availability Zone (fsmt-x).",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-unknown", "", []string{"cn-north-1a"}, []string{"cnn1-az1"}},
		{"Name from the tags", tagged, []efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok), efsMT("fsmt-2", "cn-north-1b", ok), efsMT("fsmt-3", "cn-north-1c", ok)},
			"EFS-2", false, "EFS file system fs-tagged (from-tag) is a Regional file system with 3 mount targets across 3 Availability Zones (cn-north-1a, cn-north-1b, cn-north-1c), so clients keep access if one zone fails.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-tagged", "from-tag", []string{"cn-north-1a", "cn-north-1b", "cn-north-1c"}, []string{"cnn1-az1", "cnn1-az2", "cnn1-az3"}},
		{"No ARN in the answer: built in the caller's partition", noARN, []efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok)},
			"EFS-2", true, "EFS file system fs-noarn is a Regional file system with 1 mount target, all in one Availability Zone (cn-north-1a), so an outage of that zone cuts every client off although the data is stored in several zones.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-noarn", "", []string{"cn-north-1a"}, []string{"cnn1-az1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeEFS(c.fs, c.mts, efsTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			if f.ResourceARN != c.arn || f.ResourceName != c.resName || f.ResourceID != aws.ToString(c.fs.FileSystemId) || f.Engine != "" ||
				f.ResourceType != "AWS::EFS::FileSystem" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
			if f.Severity != SeverityHigh {
				t.Errorf("severity %s", f.Severity)
			}
		})
	}
}

// fakeEFS serves DescribeFileSystems in pages and DescribeMountTargets per
// file system, each mount target on its own page, so that both calls must
// be paginated. mtErr fails DescribeMountTargets for that file system.
type fakeEFS struct {
	pages   [][]efstypes.FileSystemDescription
	mts     map[string][]efstypes.MountTargetDescription
	err     error
	mtErr   map[string]error
	mtCalls []string
}

func (f *fakeEFS) DescribeFileSystems(_ context.Context, in *efs.DescribeFileSystemsInput, _ ...func(*efs.Options)) (*efs.DescribeFileSystemsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.Marker != nil {
		i = int((*in.Marker)[0] - '0')
	}
	out := &efs.DescribeFileSystemsOutput{FileSystems: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextMarker = aws.String(string(rune('0' + i + 1)))
	}
	return out, nil
}

func (f *fakeEFS) DescribeMountTargets(_ context.Context, in *efs.DescribeMountTargetsInput, _ ...func(*efs.Options)) (*efs.DescribeMountTargetsOutput, error) {
	id := aws.ToString(in.FileSystemId)
	f.mtCalls = append(f.mtCalls, id)
	if err := f.mtErr[id]; err != nil {
		return nil, err
	}
	all := f.mts[id]
	i := 0
	if in.Marker != nil {
		i = int((*in.Marker)[0] - '0')
	}
	out := &efs.DescribeMountTargetsOutput{}
	if i < len(all) {
		out.MountTargets = all[i : i+1]
		if i+1 < len(all) {
			out.NextMarker = aws.String(string(rune('0' + i + 1)))
		}
	}
	return out, nil
}

func TestLoadEFSFileSystemsReadsEveryPage(t *testing.T) {
	ok := efstypes.LifeCycleStateAvailable
	deleting := efsRegional("fs-deleting", "going")
	deleting.LifeCycleState = efstypes.LifeCycleStateDeleting
	deleted := efsOneZoneFS("fs-deleted", "gone", "cn-north-1a")
	deleted.LifeCycleState = efstypes.LifeCycleStateDeleted
	api := &fakeEFS{
		pages: [][]efstypes.FileSystemDescription{
			{efsOneZoneFS("fs-p1-oz", "p1-oz", "cn-north-1a"), efsRegional("fs-p1-one", "p1-one"), deleting},
			{efsRegional("fs-p2-multi", "p2-multi"), deleted},
		},
		mts: map[string][]efstypes.MountTargetDescription{
			"fs-p1-one": {efsMT("fsmt-1", "cn-north-1a", ok)},
			// Two pages of mount targets: the second AZ is only on page 2.
			"fs-p2-multi": {efsMT("fsmt-2", "cn-north-1a", ok), efsMT("fsmt-3", "cn-north-1b", ok)},
		},
	}
	var got []string
	if err := loadEFSFileSystems(context.Background(), api, func(it efsFileSystem) {
		var mts []string
		for _, mt := range it.MountTargets {
			mts = append(mts, aws.ToString(mt.MountTargetId))
		}
		got = append(got, aws.ToString(it.FileSystem.FileSystemId)+"["+strings.Join(mts, " ")+"]")
	}); err != nil {
		t.Fatal(err)
	}
	// Every file system is read, those on their way out too (the rule skips
	// them), each with every page of its mount targets.
	if want := []string{"fs-p1-oz[]", "fs-p1-one[fsmt-1]", "fs-deleting[]", "fs-p2-multi[fsmt-2 fsmt-3]", "fs-deleted[]"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	// Mount targets are read for Regional file systems only, never for One
	// Zone or deleting ones.
	if strings.Join(api.mtCalls, ",") != "fs-p1-one,fs-p2-multi,fs-p2-multi" {
		t.Errorf("DescribeMountTargets calls: %v", api.mtCalls)
	}
	err := loadEFSFileSystems(context.Background(), &fakeEFS{err: accessDenied("AccessDeniedException")}, func(efsFileSystem) {
		t.Error("an item from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

// A denied DescribeMountTargets ends the read with its error, keeping the
// file systems read in full before it (One Zone or Regional); the one it was
// for is not handed over without its mount targets.
func TestLoadEFSFileSystemsMountTargetsDenied(t *testing.T) {
	api := &fakeEFS{
		pages: [][]efstypes.FileSystemDescription{
			{efsOneZoneFS("fs-oz", "oz", "cn-north-1a"), efsRegional("fs-ok", "ok")},
			{efsRegional("fs-denied", "denied"), efsRegional("fs-after", "after")},
		},
		mts: map[string][]efstypes.MountTargetDescription{
			"fs-ok": {efsMT("fsmt-1", "cn-north-1a", efstypes.LifeCycleStateAvailable)},
		},
		mtErr: map[string]error{"fs-denied": accessDenied("AccessDeniedException")},
	}
	var got []string
	err := loadEFSFileSystems(context.Background(), api, func(it efsFileSystem) {
		got = append(got, aws.ToString(it.FileSystem.FileSystemId))
	})
	requireCode(t, err, "AccessDeniedException")
	if want := []string{"fs-oz", "fs-ok"}; !slices.Equal(got, want) {
		t.Fatalf("read %v, want %v", got, want)
	}
}

func TestAnalyseEFS(t *testing.T) {
	ok := efstypes.LifeCycleStateAvailable
	deleting := efsRegional("fs-deleting", "going")
	deleting.LifeCycleState = efstypes.LifeCycleStateDeleting
	deleted := efsOneZoneFS("fs-deleted", "gone", "cn-north-1a")
	deleted.LifeCycleState = efstypes.LifeCycleStateDeleted
	s := testScope()
	inventory.Put(s, efsFileSystems, []efsFileSystem{
		{FileSystem: efsOneZoneFS("fs-oz", "oz", "cn-north-1a")},
		{FileSystem: efsRegional("fs-one", "one"), MountTargets: []efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok)}},
		{FileSystem: deleting},
		{FileSystem: efsRegional("fs-multi", "multi"), MountTargets: []efstypes.MountTargetDescription{efsMT("fsmt-2", "cn-north-1a", ok), efsMT("fsmt-3", "cn-north-1b", ok)}},
		{FileSystem: deleted},
	}, nil)
	var got []Finding
	if err := analyseEFS(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, check string
		risk        bool
	}{{"oz", "EFS-1", true}, {"one", "EFS-2", true}, {"multi", "EFS-2", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceName, got[i].CheckID, got[i].Risk, w.name, w.check, w.risk)
		}
	}
}

func TestAnalyseEFSAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, efsFileSystems, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseEFS(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

// A read that failed part-way (here a denied DescribeMountTargets) fails the
// task, but the file systems read before it keep their findings.
func TestAnalyseEFSKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	denied := accessDenied("AccessDeniedException")
	inventory.Put(s, efsFileSystems, []efsFileSystem{
		{FileSystem: efsOneZoneFS("fs-oz", "oz", "cn-north-1a")},
		{FileSystem: efsRegional("fs-ok", "ok"), MountTargets: []efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", efstypes.LifeCycleStateAvailable)}},
	}, denied)
	var got []Finding
	if err := analyseEFS(context.Background(), s, collect(&got)); !errors.Is(err, denied) {
		t.Fatalf("err %v, want the read's", err)
	}
	if len(got) != 2 || got[0].ResourceID != "fs-oz" || got[1].ResourceID != "fs-ok" {
		t.Fatalf("want the findings for fs-oz and fs-ok, got %+v", got)
	}
}

// EFS places its findings from the API's own zone fields: it reads no
// subnets, so its actions are its kind's and the zone lookups'.
func TestEFSActions(t *testing.T) {
	want := []string{"elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets"}
	if got := EFS.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}

// An item is written to a snapshot and read back as it was.
func TestEFSFileSystemRoundTripsThroughJSON(t *testing.T) {
	in := efsFileSystem{FileSystem: efsRegional("fs-1", "one"), MountTargets: []efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", efstypes.LifeCycleStateAvailable)}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out efsFileSystem
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("read back %+v\nwrote     %+v", out, in)
	}
}
