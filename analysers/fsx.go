package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"

	"github.com/faultline/faultline/inventory"
)

// fsxAPI holds exactly the FSx calls the fsx analyser makes.
type fsxAPI interface {
	fsx.DescribeFileSystemsAPIClient
}

var (
	fsxWindows = Check{ID: "FSX-1", Severity: SeverityHigh,
		Description: "FSx for Windows File Server file system with a single-AZ deployment type (SINGLE_AZ_1, SINGLE_AZ_2)",
		Remediation: "Use a MULTI_AZ_1 deployment (restore a backup into a new Multi-AZ file system) for shares that must survive an Availability Zone outage."}
	fsxOntap = Check{ID: "FSX-2", Severity: SeverityHigh,
		Description: "FSx for NetApp ONTAP file system with a single-AZ deployment type (SINGLE_AZ_1, SINGLE_AZ_2)",
		Remediation: "Use a MULTI_AZ_1 or MULTI_AZ_2 deployment, or replicate the volumes with SnapMirror to a file system in another Availability Zone."}
	fsxOpenZFS = Check{ID: "FSX-3", Severity: SeverityHigh,
		Description: "FSx for OpenZFS file system with a single-AZ deployment type (SINGLE_AZ_1, SINGLE_AZ_2, SINGLE_AZ_HA_1, SINGLE_AZ_HA_2)",
		Remediation: "Use a MULTI_AZ_1 deployment (restore a backup or snapshot into a new Multi-AZ file system)."}
	fsxLustre = Check{ID: "FSX-4", Severity: SeverityHigh,
		Description: "FSx for Lustre file system: Lustre always runs in a single Availability Zone",
		Remediation: "Keep the data in a linked S3 data repository (or back it up) so that a file system can be recreated in another Availability Zone, or use a Multi-AZ FSx type for data that must stay available."}
	fsxOther = Check{ID: "FSX-5", Severity: SeverityHigh,
		Description: "FSx file system without a recognised deployment type whose subnets are all in one Availability Zone",
		Remediation: "Check the file system's deployment type; choose a Multi-AZ deployment where the file-system type offers one."}
)

// fsxFileSystems are the region's file systems of every type.
var fsxFileSystems = &inventory.Kind[fsxtypes.FileSystem]{
	Name:    "fsx/file-systems",
	Actions: []string{"fsx:DescribeFileSystems"},
	APIs:    []reflect.Type{apiOf[fsxAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(fsxtypes.FileSystem)) error {
		return loadFSxFileSystems(ctx, fsx.NewFromConfig(s.Config()), add)
	},
}

func loadFSxFileSystems(ctx context.Context, api fsxAPI, add func(fsxtypes.FileSystem)) error {
	p := fsx.NewDescribeFileSystemsPaginator(api, &fsx.DescribeFileSystemsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, fs := range page.FileSystems {
			add(fs)
		}
	}
	return nil
}

var FSx = Analyser{
	Name:   "fsx",
	Checks: []Check{fsxWindows, fsxOntap, fsxOpenZFS, fsxLustre, fsxOther},
	Kinds:  []inventory.Loader{fsxFileSystems, inventory.Subnets},
	Run:    analyseFSx,
}

// analyseFSx judges every file system read, of every type, even when the
// listing failed part-way (the error is the task's). File systems in the
// DELETING state are not judged (FSx has no "deleted" state: a deleted file
// system disappears from the list). The subnets are read only when a file
// system to judge names some; a failed subnet read fails the task before
// anything is judged, since a file system placed with missing subnets would
// be reported in an unknown Availability Zone.
func analyseFSx(ctx context.Context, s *inventory.Scope, emit Emit) error {
	fss, listErr := fsxFileSystems.Items(ctx, s)
	subnets, err := subnetsFor(ctx, s, fss, func(fs fsxtypes.FileSystem) bool {
		return fs.Lifecycle != fsxtypes.FileSystemLifecycleDeleting && len(fs.SubnetIds) > 0
	})
	if err != nil {
		return err
	}
	t := TargetOf(s)
	for _, fs := range fss {
		if fs.Lifecycle == fsxtypes.FileSystemLifecycleDeleting {
			continue
		}
		emit(judgeFSx(fs, subnets, t))
	}
	return listErr
}

// fsxKind returns the check, a readable type name and the deployment type of
// a file system. A missing configuration gives an empty deployment type.
func fsxKind(fs fsxtypes.FileSystem) (Check, string, string) {
	switch fs.FileSystemType {
	case fsxtypes.FileSystemTypeWindows:
		dt := ""
		if fs.WindowsConfiguration != nil {
			dt = string(fs.WindowsConfiguration.DeploymentType)
		}
		return fsxWindows, "FSx for Windows File Server", dt
	case fsxtypes.FileSystemTypeOntap:
		dt := ""
		if fs.OntapConfiguration != nil {
			dt = string(fs.OntapConfiguration.DeploymentType)
		}
		return fsxOntap, "FSx for NetApp ONTAP", dt
	case fsxtypes.FileSystemTypeOpenzfs:
		dt := ""
		if fs.OpenZFSConfiguration != nil {
			dt = string(fs.OpenZFSConfiguration.DeploymentType)
		}
		return fsxOpenZFS, "FSx for OpenZFS", dt
	case fsxtypes.FileSystemTypeLustre:
		dt := ""
		if fs.LustreConfiguration != nil {
			dt = string(fs.LustreConfiguration.DeploymentType)
		}
		return fsxLustre, "FSx for Lustre", dt
	}
	kind := string(fs.FileSystemType)
	if kind == "" {
		kind = "unknown type"
	}
	return fsxOther, "FSx (" + kind + ")", ""
}

// fsxWhere says where the subnets are: "in us-east-1a, us-east-1b", with the
// subnets that could not be resolved, if any.
func fsxWhere(azs, unknown []string) string {
	switch {
	case len(azs) > 0 && len(unknown) == 0:
		return "in " + list(azs)
	case len(azs) > 0:
		return "in " + list(azs) + " (" + plural(len(unknown), "subnet") + " not found: " + list(unknown) + ")"
	case len(unknown) > 0:
		return "in an unknown Availability Zone (" + plural(len(unknown), "subnet") + " not found: " + list(unknown) + ")"
	}
	return "in an unknown Availability Zone (no subnets reported)"
}

func fsxNameTag(tags []fsxtypes.Tag) string {
	for _, tag := range tags {
		if aws.ToString(tag.Key) == "Name" {
			return aws.ToString(tag.Value)
		}
	}
	return ""
}

// judgeFSx judges a file system by its deployment type and names the AZs of
// its subnets. Lustre is single-AZ whatever its deployment type. Windows,
// ONTAP and OpenZFS are Multi-AZ when the deployment type starts with
// MULTI_AZ and single-AZ when it starts with SINGLE_AZ (OpenZFS SINGLE_AZ_HA_*
// pairs file servers inside one zone). A deployment type that is missing or
// new, and a file-system type faultline does not know, are judged by the AZs
// of the subnets.
func judgeFSx(fs fsxtypes.FileSystem, subnets map[string]inventory.Subnet, t Target) Finding {
	id := aws.ToString(fs.FileSystemId)
	name := fsxNameTag(fs.Tags)
	chk, kind, dt := fsxKind(fs)
	label := kind + " file system " + id
	if name != "" {
		label += " (" + name + ")"
	}
	place := placeSubnets(fs.SubnetIds, subnets)
	azs, unknown := place.AZs, place.Unknown
	where := fsxWhere(azs, unknown)
	var f Finding
	switch {
	case chk.ID == fsxLustre.ID && dt != "":
		f = finding(chk, true, fmt.Sprintf("%s is a %s deployment %s; Lustre file systems always run in a single Availability Zone, so an outage of that zone makes it unavailable.",
			label, dt, where))
	case chk.ID == fsxLustre.ID:
		f = finding(chk, true, fmt.Sprintf("%s is %s; Lustre file systems always run in a single Availability Zone, so an outage of that zone makes it unavailable.",
			label, where))
	case strings.HasPrefix(dt, "MULTI_AZ"):
		f = finding(chk, false, fmt.Sprintf("%s is a %s deployment %s, so its standby file server takes over if the preferred Availability Zone fails.",
			label, dt, where))
	case strings.HasPrefix(dt, "SINGLE_AZ"):
		f = finding(chk, true, fmt.Sprintf("%s is a %s deployment %s, so an outage of that Availability Zone makes it unavailable.",
			label, dt, where))
	default:
		reported := "reports no deployment type"
		if dt != "" {
			reported = "has deployment type " + dt + ", which faultline does not recognise,"
		}
		if len(azs) >= 2 {
			f = finding(chk, false, fmt.Sprintf("%s %s and is %s, so it does not depend on one Availability Zone.",
				label, reported, where))
		} else {
			f = finding(chk, true, fmt.Sprintf("%s %s and is %s, so it may depend on a single Availability Zone.",
				label, reported, where))
		}
	}
	f.AZs, f.AZIDs = place.AZs, place.AZIDs
	f.ResourceType = "AWS::FSx::FileSystem"
	f.ResourceARN = aws.ToString(fs.ResourceARN)
	if f.ResourceARN == "" && id != "" {
		f.ResourceARN = t.ARN("fsx", t.Region, "file-system/"+id)
	}
	f.ResourceName = name
	f.ResourceID = id
	return f
}
