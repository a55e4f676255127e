//go:build legacy

package analysers

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
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

func efsMT(id, az string, state efstypes.LifeCycleState) efstypes.MountTargetDescription {
	mt := efstypes.MountTargetDescription{MountTargetId: aws.String(id), LifeCycleState: state}
	if az != "" {
		mt.AvailabilityZoneName = aws.String(az)
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
	}{
		{"One Zone", efsOneZoneFS("fs-oz", "scratch", "cn-north-1a"), nil,
			"EFS-1", true, "EFS file system fs-oz (scratch) is a One Zone file system in cn-north-1a: its data and mount target are in that Availability Zone only, so an outage of that zone makes it unavailable.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-oz", "scratch"},
		{"One Zone reported by AZ ID only", idOnly, nil,
			"EFS-1", true, "EFS file system fs-zoneid is a One Zone file system in cnn1-az2: its data and mount target are in that Availability Zone only, so an outage of that zone makes it unavailable.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-zoneid", ""},
		{"Regional, no mount targets", efsRegional("fs-none", "orphan"), nil,
			"EFS-2", true, "EFS file system fs-none (orphan) is a Regional file system with no mount targets, so no client in any Availability Zone can mount it.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-none", "orphan"},
		{"Regional, only dying mount targets", efsRegional("fs-dying", ""),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", efstypes.LifeCycleStateDeleting), efsMT("fsmt-2", "cn-north-1b", efstypes.LifeCycleStateError), efsMT("fsmt-3", "cn-north-1c", efstypes.LifeCycleStateDeleted)},
			"EFS-2", true, "EFS file system fs-dying is a Regional file system with no mount targets, so no client in any Availability Zone can mount it.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-dying", ""},
		{"Regional, one mount target", efsRegional("fs-one", "home"),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok)},
			"EFS-2", true, "EFS file system fs-one (home) is a Regional file system with 1 mount target, all in one Availability Zone (cn-north-1a), so an outage of that zone cuts every client off although the data is stored in several zones.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-one", "home"},
		{"Regional, two AZs plus one being deleted", efsRegional("fs-two", "shared"),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1b", ok), efsMT("fsmt-2", "cn-north-1a", efstypes.LifeCycleStateCreating), efsMT("fsmt-3", "cn-north-1c", efstypes.LifeCycleStateDeleting)},
			"EFS-2", false, "EFS file system fs-two (shared) is a Regional file system with 2 mount targets across 2 Availability Zones (cn-north-1a, cn-north-1b), so clients keep access if one zone fails.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-two", "shared"},
		{"Regional, AZ reported by ID only", efsRegional("fs-ids", ""),
			[]efstypes.MountTargetDescription{{MountTargetId: aws.String("fsmt-1"), AvailabilityZoneId: aws.String("cnn1-az1")}, efsMT("fsmt-2", "cn-north-1b", ok)},
			"EFS-2", false, "EFS file system fs-ids is a Regional file system with 2 mount targets across 2 Availability Zones (cn-north-1b, cnn1-az1), so clients keep access if one zone fails.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-ids", ""},
		{"Regional, a mount target without AZ", efsRegional("fs-unknown", ""),
			[]efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok), efsMT("fsmt-x", "", ok)},
			"EFS-2", true, "EFS file system fs-unknown is a Regional file system with 2 mount targets; only 1 Availability Zone could be placed (cn-north-1a) and 1 mount target reported no Availability Zone (fsmt-x).",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-unknown", ""},
		{"Name from the tags", tagged, []efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok), efsMT("fsmt-2", "cn-north-1b", ok), efsMT("fsmt-3", "cn-north-1c", ok)},
			"EFS-2", false, "EFS file system fs-tagged (from-tag) is a Regional file system with 3 mount targets across 3 Availability Zones (cn-north-1a, cn-north-1b, cn-north-1c), so clients keep access if one zone fails.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-tagged", "from-tag"},
		{"No ARN in the answer: built in the caller's partition", noARN, []efstypes.MountTargetDescription{efsMT("fsmt-1", "cn-north-1a", ok)},
			"EFS-2", true, "EFS file system fs-noarn is a Regional file system with 1 mount target, all in one Availability Zone (cn-north-1a), so an outage of that zone cuts every client off although the data is stored in several zones.",
			"arn:aws-cn:elasticfilesystem:cn-north-1:111111111111:file-system/fs-noarn", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeEFS(c.fs, c.mts, efsTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			if f.ResourceARN != c.arn || f.ResourceName != c.resName || f.ResourceID != aws.ToString(c.fs.FileSystemId) || f.Engine != "" {
				t.Errorf("resource columns: %+v", f)
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

func TestAnalyseEFSReadsEveryPage(t *testing.T) {
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
	var got []Finding
	if err := analyseEFS(context.Background(), api, efsTestTarget, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, check string
		risk        bool
	}{{"p1-oz", "EFS-1", true}, {"p1-one", "EFS-2", true}, {"p2-multi", "EFS-2", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceName, got[i].CheckID, got[i].Risk, w.name, w.check, w.risk)
		}
	}
	// Mount targets are read for Regional file systems only, never for One
	// Zone or deleting ones.
	if strings.Join(api.mtCalls, ",") != "fs-p1-one,fs-p2-multi,fs-p2-multi" {
		t.Errorf("DescribeMountTargets calls: %v", api.mtCalls)
	}
}

func TestAnalyseEFSAccessDenied(t *testing.T) {
	var got []Finding
	err := analyseEFS(context.Background(), &fakeEFS{err: accessDenied("AccessDeniedException")}, efsTestTarget, collect(&got))
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

// A denied DescribeMountTargets fails the task, but the file systems already
// judged (before it, One Zone or Regional) keep their findings.
func TestAnalyseEFSMountTargetsFailureKeepsEarlierFindings(t *testing.T) {
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
	var got []Finding
	err := analyseEFS(context.Background(), api, efsTestTarget, collect(&got))
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 2 || got[0].ResourceID != "fs-oz" || got[1].ResourceID != "fs-ok" {
		t.Fatalf("want the findings for fs-oz and fs-ok, got %+v", got)
	}
}
