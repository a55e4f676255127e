package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"

	"github.com/faultline/faultline/analysers"
)

// seedFSx creates, for every file-system type, its single-AZ and Multi-AZ
// deployment types (Lustre has only single-AZ ones), one of them untagged.
// Covered by fakes only: the DELETING state (moto deletes at once), missing
// configurations, unknown types and deployment types, and subnets that no
// longer exist. moto does not page DescribeFileSystems unless MaxResults is
// sent, so the two-page read is proven by the unit test.
func seedFSx(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	a, b, c := cfg.Region+"a", cfg.Region+"b", cfg.Region+"c"
	api := fsx.NewFromConfig(cfg)
	create := func(name string, in *fsx.CreateFileSystemInput) (id, arn string) {
		in.StorageCapacity = aws.Int32(1200)
		if name != "" {
			in.Tags = []fsxtypes.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}
		}
		out, err := api.CreateFileSystem(ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.FileSystem.FileSystemId), aws.ToString(out.FileSystem.ResourceARN)
	}
	windows := func(name string, dt fsxtypes.WindowsDeploymentType, azs ...string) (string, string) {
		in := &fsx.CreateFileSystemInput{FileSystemType: fsxtypes.FileSystemTypeWindows,
			WindowsConfiguration: &fsxtypes.CreateFileSystemWindowsConfiguration{ThroughputCapacity: aws.Int32(32), DeploymentType: dt,
				PreferredSubnetId: aws.String(subnets[azs[0]])}}
		for _, az := range azs {
			in.SubnetIds = append(in.SubnetIds, subnets[az])
		}
		return create(name, in)
	}
	ontap := func(name string, dt fsxtypes.OntapDeploymentType, azs ...string) (string, string) {
		in := &fsx.CreateFileSystemInput{FileSystemType: fsxtypes.FileSystemTypeOntap,
			OntapConfiguration: &fsxtypes.CreateFileSystemOntapConfiguration{DeploymentType: dt, ThroughputCapacity: aws.Int32(128)}}
		for _, az := range azs {
			in.SubnetIds = append(in.SubnetIds, subnets[az])
		}
		return create(name, in)
	}
	openzfs := func(name string, dt fsxtypes.OpenZFSDeploymentType, azs ...string) (string, string) {
		in := &fsx.CreateFileSystemInput{FileSystemType: fsxtypes.FileSystemTypeOpenzfs,
			OpenZFSConfiguration: &fsxtypes.CreateFileSystemOpenZFSConfiguration{DeploymentType: dt, ThroughputCapacity: aws.Int32(160)}}
		for _, az := range azs {
			in.SubnetIds = append(in.SubnetIds, subnets[az])
		}
		return create(name, in)
	}
	lustre := func(name string, dt fsxtypes.LustreDeploymentType, az string) (string, string) {
		return create(name, &fsx.CreateFileSystemInput{FileSystemType: fsxtypes.FileSystemTypeLustre, SubnetIds: []string{subnets[az]},
			LustreConfiguration: &fsxtypes.CreateFileSystemLustreConfiguration{DeploymentType: dt}})
	}

	r := cfg.Region
	var rows []row
	add := func(id, arn, name, risk, msg, check string) {
		rows = append(rows, row{"fsx", r, arn, name, id, risk, "", msg, check, "HIGH"})
	}
	label := func(kind, id, name string) string {
		if name == "" {
			return kind + " file system " + id
		}
		return kind + " file system " + id + " (" + name + ")"
	}
	single := func(kind, id, name, dt, az string) string {
		return label(kind, id, name) + " is a " + dt + " deployment in " + az + ", so an outage of that Availability Zone makes it unavailable."
	}
	multi := func(kind, id, name, dt, azs string) string {
		return label(kind, id, name) + " is a " + dt + " deployment in " + azs + ", so its standby file server takes over if the preferred Availability Zone fails."
	}
	const win, ont, zfs, lus = "FSx for Windows File Server", "FSx for NetApp ONTAP", "FSx for OpenZFS", "FSx for Lustre"

	id, arn := windows("fsx-win-single-1", fsxtypes.WindowsDeploymentTypeSingleAz1, a)
	add(id, arn, "fsx-win-single-1", "True", single(win, id, "fsx-win-single-1", "SINGLE_AZ_1", a), "FSX-1")
	id, arn = windows("fsx-win-single-2", fsxtypes.WindowsDeploymentTypeSingleAz2, b)
	add(id, arn, "fsx-win-single-2", "True", single(win, id, "fsx-win-single-2", "SINGLE_AZ_2", b), "FSX-1")
	id, arn = windows("fsx-win-multi", fsxtypes.WindowsDeploymentTypeMultiAz1, b, a)
	add(id, arn, "fsx-win-multi", "False", multi(win, id, "fsx-win-multi", "MULTI_AZ_1", a+", "+b), "FSX-1")

	id, arn = ontap("fsx-ontap-single-1", fsxtypes.OntapDeploymentTypeSingleAz1, a)
	add(id, arn, "fsx-ontap-single-1", "True", single(ont, id, "fsx-ontap-single-1", "SINGLE_AZ_1", a), "FSX-2")
	id, arn = ontap("fsx-ontap-single-2", fsxtypes.OntapDeploymentTypeSingleAz2, c)
	add(id, arn, "fsx-ontap-single-2", "True", single(ont, id, "fsx-ontap-single-2", "SINGLE_AZ_2", c), "FSX-2")
	id, arn = ontap("fsx-ontap-multi-1", fsxtypes.OntapDeploymentTypeMultiAz1, a, b)
	add(id, arn, "fsx-ontap-multi-1", "False", multi(ont, id, "fsx-ontap-multi-1", "MULTI_AZ_1", a+", "+b), "FSX-2")
	id, arn = ontap("fsx-ontap-multi-2", fsxtypes.OntapDeploymentTypeMultiAz2, b, c)
	add(id, arn, "fsx-ontap-multi-2", "False", multi(ont, id, "fsx-ontap-multi-2", "MULTI_AZ_2", b+", "+c), "FSX-2")

	id, arn = openzfs("fsx-zfs-single-1", fsxtypes.OpenZFSDeploymentTypeSingleAz1, a)
	add(id, arn, "fsx-zfs-single-1", "True", single(zfs, id, "fsx-zfs-single-1", "SINGLE_AZ_1", a), "FSX-3")
	id, arn = openzfs("fsx-zfs-single-ha-2", fsxtypes.OpenZFSDeploymentTypeSingleAzHa2, b)
	add(id, arn, "fsx-zfs-single-ha-2", "True", single(zfs, id, "fsx-zfs-single-ha-2", "SINGLE_AZ_HA_2", b), "FSX-3")
	id, arn = openzfs("fsx-zfs-multi", fsxtypes.OpenZFSDeploymentTypeMultiAz1, c, a)
	add(id, arn, "fsx-zfs-multi", "False", multi(zfs, id, "fsx-zfs-multi", "MULTI_AZ_1", a+", "+c), "FSX-3")

	lustreMsg := func(id, name, dt, az string) string {
		return label(lus, id, name) + " is a " + dt + " deployment in " + az + "; Lustre file systems always run in a single Availability Zone, so an outage of that zone makes it unavailable."
	}
	id, arn = lustre("fsx-lustre", fsxtypes.LustreDeploymentTypePersistent2, a)
	add(id, arn, "fsx-lustre", "True", lustreMsg(id, "fsx-lustre", "PERSISTENT_2", a), "FSX-4")
	// Untagged: moto then returns no Tags member at all.
	id, arn = lustre("", fsxtypes.LustreDeploymentTypeScratch2, c)
	add(id, arn, "", "True", lustreMsg(id, "", "SCRATCH_2", c), "FSX-4")
	return rows
}

func TestMotoFSx(t *testing.T) {
	checkAnalyser(t, analysers.FSx, seedFSx, "100000000302", "us-east-2")
}
