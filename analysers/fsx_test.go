package analysers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"

	"github.com/faultline/faultline/inventory"
)

var fsxTestTarget = Target{AccountID: "111111111111", Partition: "aws-us-gov", Region: "us-gov-west-1"}

var fsxTestSubnets = []inventory.Subnet{
	{ID: "subnet-a", VPCID: "vpc-1", AZ: "us-gov-west-1a", AZID: "usgw1-az1"},
	{ID: "subnet-b", VPCID: "vpc-1", AZ: "us-gov-west-1b", AZID: "usgw1-az2"},
	{ID: "subnet-c", VPCID: "vpc-1", AZ: "us-gov-west-1c", AZID: "usgw1-az3"},
}

func fsxTestSubnetIndex() map[string]inventory.Subnet {
	m := map[string]inventory.Subnet{}
	for _, s := range fsxTestSubnets {
		m[s.ID] = s
	}
	return m
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
		azs     []string
		azIDs   []string
	}{
		{"Windows SINGLE_AZ_1", fsxWindowsFS("fs-w1", "corp", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a"),
			"FSX-1", true, "FSx for Windows File Server file system fs-w1 (corp) is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
		{"Windows SINGLE_AZ_2", fsxWindowsFS("fs-w2", "", fsxtypes.WindowsDeploymentTypeSingleAz2, "subnet-b"),
			"FSX-1", true, "FSx for Windows File Server file system fs-w2 is a SINGLE_AZ_2 deployment in us-gov-west-1b, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1b"}, []string{"usgw1-az2"}},
		{"Windows MULTI_AZ_1", fsxWindowsFS("fs-wm", "corp-ha", fsxtypes.WindowsDeploymentTypeMultiAz1, "subnet-b", "subnet-a"),
			"FSX-1", false, "FSx for Windows File Server file system fs-wm (corp-ha) is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails.",
			[]string{"us-gov-west-1a", "us-gov-west-1b"}, []string{"usgw1-az1", "usgw1-az2"}},
		{"Windows without configuration, one AZ", fsxFS("fs-wnocfg", "", fsxtypes.FileSystemTypeWindows, "subnet-a"),
			"FSX-1", true, "FSx for Windows File Server file system fs-wnocfg reports no deployment type and is in us-gov-west-1a, so it may depend on a single Availability Zone.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
		{"ONTAP SINGLE_AZ_1", fsxOntapFS("fs-o1", "netapp", fsxtypes.OntapDeploymentTypeSingleAz1, "subnet-a"),
			"FSX-2", true, "FSx for NetApp ONTAP file system fs-o1 (netapp) is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
		{"ONTAP SINGLE_AZ_2", fsxOntapFS("fs-o2", "", fsxtypes.OntapDeploymentTypeSingleAz2, "subnet-c"),
			"FSX-2", true, "FSx for NetApp ONTAP file system fs-o2 is a SINGLE_AZ_2 deployment in us-gov-west-1c, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1c"}, []string{"usgw1-az3"}},
		{"ONTAP MULTI_AZ_1", fsxOntapFS("fs-om1", "", fsxtypes.OntapDeploymentTypeMultiAz1, "subnet-a", "subnet-b"),
			"FSX-2", false, "FSx for NetApp ONTAP file system fs-om1 is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails.",
			[]string{"us-gov-west-1a", "us-gov-west-1b"}, []string{"usgw1-az1", "usgw1-az2"}},
		{"ONTAP MULTI_AZ_2", fsxOntapFS("fs-om2", "", fsxtypes.OntapDeploymentTypeMultiAz2, "subnet-a", "subnet-c"),
			"FSX-2", false, "FSx for NetApp ONTAP file system fs-om2 is a MULTI_AZ_2 deployment in us-gov-west-1a, us-gov-west-1c, so its standby file server takes over if the preferred Availability Zone fails.",
			[]string{"us-gov-west-1a", "us-gov-west-1c"}, []string{"usgw1-az1", "usgw1-az3"}},
		{"ONTAP unrecognised deployment type over two AZs", fsxOntapFS("fs-onew", "", "FUTURE_9", "subnet-a", "subnet-b"),
			"FSX-2", false, "FSx for NetApp ONTAP file system fs-onew has deployment type FUTURE_9, which faultline does not recognise, and is in us-gov-west-1a, us-gov-west-1b, so it does not depend on one Availability Zone.",
			[]string{"us-gov-west-1a", "us-gov-west-1b"}, []string{"usgw1-az1", "usgw1-az2"}},
		{"OpenZFS SINGLE_AZ_1", fsxOpenZFSFS("fs-z1", "", fsxtypes.OpenZFSDeploymentTypeSingleAz1, "subnet-a"),
			"FSX-3", true, "FSx for OpenZFS file system fs-z1 is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
		{"OpenZFS SINGLE_AZ_2", fsxOpenZFSFS("fs-z2", "", fsxtypes.OpenZFSDeploymentTypeSingleAz2, "subnet-a"),
			"FSX-3", true, "FSx for OpenZFS file system fs-z2 is a SINGLE_AZ_2 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
		{"OpenZFS SINGLE_AZ_HA_2 is still one AZ", fsxOpenZFSFS("fs-zha", "zfs", fsxtypes.OpenZFSDeploymentTypeSingleAzHa2, "subnet-b"),
			"FSX-3", true, "FSx for OpenZFS file system fs-zha (zfs) is a SINGLE_AZ_HA_2 deployment in us-gov-west-1b, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1b"}, []string{"usgw1-az2"}},
		{"OpenZFS MULTI_AZ_1", fsxOpenZFSFS("fs-zm", "", fsxtypes.OpenZFSDeploymentTypeMultiAz1, "subnet-a", "subnet-b"),
			"FSX-3", false, "FSx for OpenZFS file system fs-zm is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails.",
			[]string{"us-gov-west-1a", "us-gov-west-1b"}, []string{"usgw1-az1", "usgw1-az2"}},
		{"Lustre", fsxLustreFS("fs-l", "hpc", fsxtypes.LustreDeploymentTypePersistent2, "subnet-a"),
			"FSX-4", true, "FSx for Lustre file system fs-l (hpc) is a PERSISTENT_2 deployment in us-gov-west-1a; Lustre file systems always run in a single Availability Zone, so an outage of that zone makes it unavailable.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
		{"Lustre without configuration", fsxFS("fs-lnocfg", "", fsxtypes.FileSystemTypeLustre, "subnet-c"),
			"FSX-4", true, "FSx for Lustre file system fs-lnocfg is in us-gov-west-1c; Lustre file systems always run in a single Availability Zone, so an outage of that zone makes it unavailable.",
			[]string{"us-gov-west-1c"}, []string{"usgw1-az3"}},
		{"Unknown file-system type over two AZs", fsxFS("fs-new", "", "QUANTUM", "subnet-a", "subnet-b"),
			"FSX-5", false, "FSx (QUANTUM) file system fs-new reports no deployment type and is in us-gov-west-1a, us-gov-west-1b, so it does not depend on one Availability Zone.",
			[]string{"us-gov-west-1a", "us-gov-west-1b"}, []string{"usgw1-az1", "usgw1-az2"}},
		{"No type, no subnets", fsxFS("fs-bare", "", ""),
			"FSX-5", true, "FSx (unknown type) file system fs-bare reports no deployment type and is in an unknown Availability Zone (no subnets reported), so it may depend on a single Availability Zone.",
			nil, nil},
		{"Subnet not found", fsxWindowsFS("fs-gone", "", fsxtypes.WindowsDeploymentTypeSingleAz2, "subnet-gone"),
			"FSX-1", true, "FSx for Windows File Server file system fs-gone is a SINGLE_AZ_2 deployment in an unknown Availability Zone (1 subnet not found: subnet-gone), so an outage of that Availability Zone makes it unavailable.",
			nil, nil},
		{"One of two subnets not found", fsxWindowsFS("fs-half", "", fsxtypes.WindowsDeploymentTypeMultiAz1, "subnet-a", "subnet-gone"),
			"FSX-1", false, "FSx for Windows File Server file system fs-half is a MULTI_AZ_1 deployment in us-gov-west-1a (1 subnet not found: subnet-gone), so its standby file server takes over if the preferred Availability Zone fails.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
		{"Tags without a Name", otherTags,
			"FSX-1", false, "FSx for Windows File Server file system fs-othertags is a MULTI_AZ_1 deployment in us-gov-west-1a, us-gov-west-1b, so its standby file server takes over if the preferred Availability Zone fails.",
			[]string{"us-gov-west-1a", "us-gov-west-1b"}, []string{"usgw1-az1", "usgw1-az2"}},
		{"No ARN in the answer: built in the caller's partition", noARN,
			"FSX-1", true, "FSx for Windows File Server file system fs-noarn is a SINGLE_AZ_1 deployment in us-gov-west-1a, so an outage of that Availability Zone makes it unavailable.",
			[]string{"us-gov-west-1a"}, []string{"usgw1-az1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeFSx(c.fs, fsxTestSubnetIndex(), fsxTestTarget)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			id := aws.ToString(c.fs.FileSystemId)
			if f.ResourceARN != arn+id || f.ResourceName != fsxNameTag(c.fs.Tags) || f.ResourceID != id || f.Engine != "" ||
				f.ResourceType != "AWS::FSx::FileSystem" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
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

func TestLoadFSxFileSystemsReadsEveryPage(t *testing.T) {
	deleting := fsxWindowsFS("fs-p1-deleting", "going", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a")
	deleting.Lifecycle = fsxtypes.FileSystemLifecycleDeleting
	api := &fakeFSx{pages: [][]fsxtypes.FileSystem{
		{fsxWindowsFS("fs-p1-win", "p1-win", fsxtypes.WindowsDeploymentTypeSingleAz2, "subnet-a"), deleting},
		{fsxOntapFS("fs-p2-ontap", "p2-ontap", fsxtypes.OntapDeploymentTypeMultiAz1, "subnet-a", "subnet-b")},
	}}
	var got []string
	if err := loadFSxFileSystems(context.Background(), api, func(fs fsxtypes.FileSystem) {
		got = append(got, aws.ToString(fs.FileSystemId))
	}); err != nil {
		t.Fatal(err)
	}
	// Every file system is read, deleting ones too: the rule skips them.
	if want := []string{"fs-p1-win", "fs-p1-deleting", "fs-p2-ontap"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	err := loadFSxFileSystems(context.Background(), &fakeFSx{err: accessDenied("AccessDeniedException")}, func(fsxtypes.FileSystem) {
		t.Error("an item from a denied listing")
	})
	requireCode(t, err, "AccessDeniedException")
}

func TestAnalyseFSx(t *testing.T) {
	deleting := fsxWindowsFS("fs-deleting", "going", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a")
	deleting.Lifecycle = fsxtypes.FileSystemLifecycleDeleting
	// moto returns no Tags at all for an untagged file system.
	untagged := fsxLustreFS("fs-lustre", "", fsxtypes.LustreDeploymentTypeScratch2, "subnet-c")
	untagged.Tags = nil
	s := testScope()
	inventory.Put(s, fsxFileSystems, []fsxtypes.FileSystem{
		fsxWindowsFS("fs-win", "win", fsxtypes.WindowsDeploymentTypeSingleAz2, "subnet-a"), deleting,
		fsxOntapFS("fs-ontap", "ontap", fsxtypes.OntapDeploymentTypeMultiAz1, "subnet-a", "subnet-b"), untagged,
	}, nil)
	inventory.Put(s, inventory.Subnets, fsxTestSubnets, nil)
	var got []Finding
	if err := analyseFSx(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, check string
		risk      bool
	}{{"fs-win", "FSX-1", true}, {"fs-ontap", "FSX-2", false}, {"fs-lustre", "FSX-4", true}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceID != w.id || got[i].CheckID != w.check || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].ResourceID, got[i].CheckID, got[i].Risk, w.id, w.check, w.risk)
		}
	}
	if !slices.Equal(got[1].AZs, []string{"us-gov-west-1a", "us-gov-west-1b"}) {
		t.Errorf("ONTAP placed in %v", got[1].AZs)
	}
}

func TestAnalyseFSxAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, fsxFileSystems, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseFSx(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, fsxFileSystems, []fsxtypes.FileSystem{
		fsxWindowsFS("fs-1", "", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a"),
		fsxWindowsFS("fs-2", "", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-b"),
	}, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseFSx(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// File systems without subnets, or being deleted, need no subnet read.
	s = testScope()
	deleting := fsxWindowsFS("fs-deleting", "", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a")
	deleting.Lifecycle = fsxtypes.FileSystemLifecycleDeleting
	inventory.Put(s, fsxFileSystems, []fsxtypes.FileSystem{fsxFS("fs-bare", "", ""), deleting}, nil)
	if err := analyseFSx(context.Background(), s, collect(&got)); err != nil || len(got) != 1 {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseFSxKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, fsxFileSystems, []fsxtypes.FileSystem{fsxWindowsFS("fs-page1", "", fsxtypes.WindowsDeploymentTypeSingleAz1, "subnet-a")}, throttled)
	inventory.Put(s, inventory.Subnets, fsxTestSubnets, nil)
	var got []Finding
	if err := analyseFSx(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceID != "fs-page1" {
		t.Fatalf("findings: %+v", got)
	}
}

func TestFSxActions(t *testing.T) {
	want := []string{"ec2:DescribeSubnets", "fsx:DescribeFileSystems"}
	if got := FSx.Actions(); !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}
