//go:build legacy

package analysers

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"
)

var fsxTestTarget = Target{AccountID: "111111111111", Partition: "aws-us-gov", Region: "us-gov-west-1"}

var fsxTestSubnetAZs = map[string]string{
	"subnet-a": "us-gov-west-1a", "subnet-b": "us-gov-west-1b", "subnet-c": "us-gov-west-1c",
}

// fsxFS builds a file system of kind without a type configuration.
func fsxFS(id, name string, kind fsxtypes.FileSystemType, subnets ...string) fsxtypes.FileSystem {
	fs := fsxtypes.FileSystem{
		FileSystemId:   aws.String(id),
		FileSystemType: kind,
		ResourceARN:    aws.String("arn:aws-us-gov:fsx:us-gov-west-1:111111111111:file-system/" + id),
		SubnetIds:      subnets,
		Lifecycle:      fsxtypes.FileSystemLifecycleAvailable,
	}
	if name != "" {
		fs.Tags = []fsxtypes.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}
	}
	return fs
}

func fsxWindowsFS(id, name string, dt fsxtypes.WindowsDeploymentType, subnets ...string) fsxtypes.FileSystem {
	fs := fsxFS(id, name, fsxtypes.FileSystemTypeWindows, subnets...)
	fs.WindowsConfiguration = &fsxtypes.WindowsFileSystemConfiguration{DeploymentType: dt}
	return fs
}

func fsxOntapFS(id, name string, dt fsxtypes.OntapDeploymentType, subnets ...string) fsxtypes.FileSystem {
	fs := fsxFS(id, name, fsxtypes.FileSystemTypeOntap, subnets...)
	fs.OntapConfiguration = &fsxtypes.OntapFileSystemConfiguration{DeploymentType: dt}
	return fs
}

func fsxOpenZFSFS(id, name string, dt fsxtypes.OpenZFSDeploymentType, subnets ...string) fsxtypes.FileSystem {
	fs := fsxFS(id, name, fsxtypes.FileSystemTypeOpenzfs, subnets...)
	fs.OpenZFSConfiguration = &fsxtypes.OpenZFSFileSystemConfiguration{DeploymentType: dt}
	return fs
}

func fsxLustreFS(id, name string, dt fsxtypes.LustreDeploymentType, subnets ...string) fsxtypes.FileSystem {
	fs := fsxFS(id, name, fsxtypes.FileSystemTypeLustre, subnets...)
	fs.LustreConfiguration = &fsxtypes.LustreFileSystemConfiguration{DeploymentType: dt}
	return fs
}

func TestJudgeFSx(t *testing.T) {
	resolver := newSubnetAZs(&fakeSubnets{az: fsxTestSubnetAZs})
	if err := resolver.resolve(context.Background(), []string{"subnet-a", "subnet-b", "subnet-c", "subnet-gone"}); err != nil {
		t.Fatal(err)
	}
	noARN := fsxWindowsFS("fs-noarn", "", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a")
	noARN.ResourceARN = nil
	otherTags := fsxWindowsFS("fs-othertags", "", fsxtypes.WindowsDeploymentTypeMultiAz1, "subnet-a", "subnet-b")
	otherTags.Tags = []fsxtypes.Tag{{Key: aws.String("team")}, {Key: nil, Value: aws.String("x")}}
	const arn = "arn:aws-us-gov:fsx:us-gov-west-1:111111111111:file-system/"
	cases := []struct {
		name    string
		fs      fsxtypes.FileSystem
		check   string
		risk    bool
		message string
	}{
		{"Windows SINGLE_AZ_1", fsxWindowsFS("fs-w1", "corp", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a"),
			"FSX-1", true, "FSx for Windows File Server file system fs-w1 (corp) is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable."},
		{"Windows SINGLE_AZ_2", fsxWindowsFS("fs-w2", "", fsxtypes.WindowsDeploymentTypeSingleAz2, "subnet-b"),
			"FSX-1", true, "FSx for Windows File Server file system fs-w2 is a SINGLE_AZ_2 deployment in us-gov-west-1b, so an outage of that Availability Zone makes it unavailable."},
		{"Windows MULTI_AZ_1", fsxWindowsFS("fs-wm", "corp-ha", fsxtypes.WindowsDeploymentTypeMultiAz1, "subnet-b", "subnet-a"),
			"FSX-1", false, "FSx for Windows File Server file system fs-wm (corp-ha) is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails."},
		{"Windows without configuration, one AZ", fsxFS("fs-wnocfg", "", fsxtypes.FileSystemTypeWindows, "subnet-a"),
			"FSX-1", true, "FSx for Windows File Server file system fs-wnocfg reports no deployment type and is in us-gov-west-1a, so it may depend on a single Availability Zone."},
		{"ONTAP SINGLE_AZ_1", fsxOntapFS("fs-o1", "netapp", fsxtypes.OntapDeploymentTypeSingleAz1, "subnet-a"),
			"FSX-2", true, "FSx for NetApp ONTAP file system fs-o1 (netapp) is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable."},
		{"ONTAP SINGLE_AZ_2", fsxOntapFS("fs-o2", "", fsxtypes.OntapDeploymentTypeSingleAz2, "subnet-c"),
			"FSX-2", true, "FSx for NetApp ONTAP file system fs-o2 is a SINGLE_AZ_2 deployment in us-gov-west-1c, so an outage of that Availability Zone makes it unavailable."},
		{"ONTAP MULTI_AZ_1", fsxOntapFS("fs-om1", "", fsxtypes.OntapDeploymentTypeMultiAz1, "subnet-a", "subnet-b"),
			"FSX-2", false, "FSx for NetApp ONTAP file system fs-om1 is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails."},
		{"ONTAP MULTI_AZ_2", fsxOntapFS("fs-om2", "", fsxtypes.OntapDeploymentTypeMultiAz2, "subnet-a", "subnet-c"),
			"FSX-2", false, "FSx for NetApp ONTAP file system fs-om2 is a MULTI_AZ_2 deployment in us-gov-west-1a, us-gov-west-1c, so its standby file server takes over if the preferred Availability Zone fails."},
		{"ONTAP unrecognised deployment type over two AZs", fsxOntapFS("fs-onew", "", "FUTURE_9", "subnet-a", "subnet-b"),
			"FSX-2", false, "FSx for NetApp ONTAP file system fs-onew has deployment type FUTURE_9, which faultline does not recognise, and is in us-gov-west-1a, us-gov-west-1b, so it does not depend on one Availability Zone."},
		{"OpenZFS SINGLE_AZ_1", fsxOpenZFSFS("fs-z1", "", fsxtypes.OpenZFSDeploymentTypeSingleAz1, "subnet-a"),
			"FSX-3", true, "FSx for OpenZFS file system fs-z1 is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable."},
		{"OpenZFS SINGLE_AZ_2", fsxOpenZFSFS("fs-z2", "", fsxtypes.OpenZFSDeploymentTypeSingleAz2, "subnet-a"),
			"FSX-3", true, "FSx for OpenZFS file system fs-z2 is a SINGLE_AZ_2 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable."},
		{"OpenZFS SINGLE_AZ_HA_2 is still one AZ", fsxOpenZFSFS("fs-zha", "zfs", fsxtypes.OpenZFSDeploymentTypeSingleAzHa2, "subnet-b"),
			"FSX-3", true, "FSx for OpenZFS file system fs-zha (zfs) is a SINGLE_AZ_HA_2 deployment in us-gov-west-1b, so an outage of that Availability Zone makes it unavailable."},
		{"OpenZFS MULTI_AZ_1", fsxOpenZFSFS("fs-zm", "", fsxtypes.OpenZFSDeploymentTypeMultiAz1, "subnet-a", "subnet-b"),
			"FSX-3", false, "FSx for OpenZFS file system fs-zm is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails."},
		{"Lustre", fsxLustreFS("fs-l", "hpc", fsxtypes.LustreDeploymentTypePersistent2, "subnet-a"),
			"FSX-4", true, "FSx for Lustre file system fs-l (hpc) is a PERSISTENT_2 deployment in us-gov-west-1a; Lustre file systems always run in a single Availability Zone, so an outage of that zone makes it unavailable."},
		{"Lustre without configuration", fsxFS("fs-lnocfg", "", fsxtypes.FileSystemTypeLustre, "subnet-c"),
			"FSX-4", true, "FSx for Lustre file system fs-lnocfg is in us-gov-west-1c; Lustre file systems always run in a single Availability Zone, so an outage of that zone makes it unavailable."},
		{"Unknown file-system type over two AZs", fsxFS("fs-new", "", "QUANTUM", "subnet-a", "subnet-b"),
			"FSX-5", false, "FSx (QUANTUM) file system fs-new reports no deployment type and is in us-gov-west-1a, us-gov-west-1b, so it does not depend on one Availability Zone."},
		{"No type, no subnets", fsxFS("fs-bare", "", ""),
			"FSX-5", true, "FSx (unknown type) file system fs-bare reports no deployment type and is in an unknown Availability Zone (no subnets reported), so it may depend on a single Availability Zone."},
		{"Subnet not found", fsxWindowsFS("fs-gone", "", fsxtypes.WindowsDeploymentTypeSingleAz2, "subnet-gone"),
			"FSX-1", true, "FSx for Windows File Server file system fs-gone is a SINGLE_AZ_2 deployment in an unknown Availability Zone (1 subnet not found: subnet-gone), so an outage of that Availability Zone makes it unavailable."},
		{"One of two subnets not found", fsxWindowsFS("fs-half", "", fsxtypes.WindowsDeploymentTypeMultiAz1, "subnet-a", "subnet-gone"),
			"FSX-1", false, "FSx for Windows File Server file system fs-half is a MULTI_AZ_1 deployment in us-gov-west-1a (1 subnet not found: subnet-gone), so its standby file server takes over if the preferred Availability Zone fails."},
		{"Tags without a Name", otherTags,
			"FSX-1", false, "FSx for Windows File Server file system fs-othertags is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails."},
		{"No ARN in the answer: built in the caller's partition", noARN,
			"FSX-1", true, "FSx for Windows File Server file system fs-noarn is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeFSx(c.fs, resolver, fsxTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			id := aws.ToString(c.fs.FileSystemId)
			if f.ResourceARN != arn+id || f.ResourceName != fsxNameTag(c.fs.Tags) || f.ResourceID != id || f.Engine != "" {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

// fakeFSx serves DescribeFileSystems in pages, or an error.
type fakeFSx struct {
	pages [][]fsxtypes.FileSystem
	err   error
}

func (f *fakeFSx) DescribeFileSystems(_ context.Context, in *fsx.DescribeFileSystemsInput, _ ...func(*fsx.Options)) (*fsx.DescribeFileSystemsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.NextToken != nil {
		i = int((*in.NextToken)[0] - '0')
	}
	out := &fsx.DescribeFileSystemsOutput{FileSystems: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(string(rune('0' + i + 1)))
	}
	return out, nil
}

func TestAnalyseFSxReadsEveryPage(t *testing.T) {
	deleting := fsxWindowsFS("fs-deleting", "going", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a")
	deleting.Lifecycle = fsxtypes.FileSystemLifecycleDeleting
	// moto returns no Tags at all for an untagged file system.
	untagged := fsxLustreFS("fs-p2-lustre", "", fsxtypes.LustreDeploymentTypeScratch2, "subnet-c")
	untagged.Tags = nil
	api := &fakeFSx{pages: [][]fsxtypes.FileSystem{
		{fsxWindowsFS("fs-p1-win", "p1-win", fsxtypes.WindowsDeploymentTypeSingleAz2, "subnet-a"), deleting},
		{fsxOntapFS("fs-p2-ontap", "p2-ontap", fsxtypes.OntapDeploymentTypeMultiAz1, "subnet-a", "subnet-b"), untagged},
	}}
	subnets := &fakeSubnets{az: fsxTestSubnetAZs}
	var got []Finding
	if err := analyseFSx(context.Background(), api, subnets, fsxTestTarget, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, check string
		risk      bool
	}{{"fs-p1-win", "FSX-1", true}, {"fs-p2-ontap", "FSX-2", false}, {"fs-p2-lustre", "FSX-4", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceID != w.id || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceID, got[i].CheckID, got[i].Risk, w.id, w.check, w.risk)
		}
	}
	if !strings.Contains(got[1].Message, "us-gov-west-1a, us-gov-west-1b") {
		t.Errorf("page 2 subnets not resolved through every DescribeSubnets page: %q", got[1].Message)
	}
}

func TestAnalyseFSxAccessDenied(t *testing.T) {
	var got []Finding
	err := analyseFSx(context.Background(), &fakeFSx{err: accessDenied("AccessDeniedException")}, &fakeSubnets{}, fsxTestTarget, collect(&got))
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
}

// fsxSubnetsFailing answers DescribeSubnets from fakeSubnets for the first
// calls calls, then fails with err.
type fsxSubnetsFailing struct {
	fakeSubnets
	calls int
	err   error
}

func (f *fsxSubnetsFailing) DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, opts ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	if f.fakeSubnets.calls >= f.calls {
		return nil, f.err
	}
	return f.fakeSubnets.DescribeSubnets(ctx, in, opts...)
}

// A denied subnet lookup fails the task before any file system of that page
// is judged (nothing is emitted half-placed), but the pages already judged
// keep their findings.
func TestAnalyseFSxSubnetsDeniedKeepsEarlierPages(t *testing.T) {
	var got []Finding
	api := &fakeFSx{pages: [][]fsxtypes.FileSystem{
		{fsxWindowsFS("fs-1", "", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a")},
		{fsxWindowsFS("fs-2", "", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-b")},
	}}
	subnets := &fsxSubnetsFailing{fakeSubnets: fakeSubnets{az: fsxTestSubnetAZs}, calls: 1, err: accessDenied("UnauthorizedOperation")}
	err := analyseFSx(context.Background(), api, subnets, fsxTestTarget, collect(&got))
	requireCode(t, err, "UnauthorizedOperation")
	if len(got) != 1 || got[0].ResourceID != "fs-1" {
		t.Fatalf("want only the page-1 finding, got %+v", got)
	}
	got = nil
	err = analyseFSx(context.Background(), api, &fakeSubnets{err: accessDenied("UnauthorizedOperation")}, fsxTestTarget, collect(&got))
	requireCode(t, err, "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet lookup: %+v", got)
	}
}
