package analysers

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"

	"github.com/faultline/faultline/inventory"
)

// efsAPI holds exactly the calls the efs analyser makes.
type efsAPI interface {
	efs.DescribeFileSystemsAPIClient
	efs.DescribeMountTargetsAPIClient
}

var (
	efsOneZone = Check{ID: "EFS-1", Severity: SeverityHigh,
		Description: "EFS One Zone file system: its data and its mount target live in a single Availability Zone",
		Remediation: "For workloads that must survive an Availability Zone outage, move the data to a Regional file system (restore a backup into one, or replicate to one) and mount it through mount targets in at least two Availability Zones."}
	efsMountTargets = Check{ID: "EFS-2", Severity: SeverityHigh,
		Description: "Regional EFS file system with mount targets in fewer than two Availability Zones",
		Remediation: "Create a mount target in every Availability Zone the clients run in, at least two."}
)

// efsFileSystem is one file system with, when it is Regional and not on its
// way out, its mount targets (every page of them). The mount targets are
// read per file system, so they travel with it.
type efsFileSystem struct {
	FileSystem   efstypes.FileSystemDescription    `json:"file_system"`
	MountTargets []efstypes.MountTargetDescription `json:"mount_targets,omitempty"`
}

// efsFileSystems are the region's file systems with their mount targets.
var efsFileSystems = &inventory.Kind[efsFileSystem]{
	Name:    "efs/file-systems",
	Actions: []string{"elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets"},
	APIs:    []reflect.Type{apiOf[efsAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(efsFileSystem)) error {
		return loadEFSFileSystems(ctx, efs.NewFromConfig(s.Config()), add)
	},
}

// loadEFSFileSystems hands over each file system once it is read in full.
// One Zone file systems need no further call; for a Regional one the mount
// targets are read (DescribeMountTargets), since the rule judges their AZs,
// not NumberOfMountTargets. A failed mount-target read ends the listing: the
// file system it was for is not handed over half-read.
func loadEFSFileSystems(ctx context.Context, api efsAPI, add func(efsFileSystem)) error {
	p := efs.NewDescribeFileSystemsPaginator(api, &efs.DescribeFileSystemsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, fs := range page.FileSystems {
			item := efsFileSystem{FileSystem: fs}
			if !efsGone(fs.LifeCycleState) && !efsIsOneZone(fs) {
				mp := efs.NewDescribeMountTargetsPaginator(api, &efs.DescribeMountTargetsInput{FileSystemId: fs.FileSystemId})
				for mp.HasMorePages() {
					mpage, err := mp.NextPage(ctx)
					if err != nil {
						return err
					}
					item.MountTargets = append(item.MountTargets, mpage.MountTargets...)
				}
			}
			add(item)
		}
	}
	return nil
}

var EFS = Analyser{
	Name:   "efs",
	Checks: []Check{efsOneZone, efsMountTargets},
	Kinds:  []inventory.Loader{efsFileSystems},
	Run:    analyseEFS,
}

// efsGone reports the life-cycle states of file systems and mount targets
// that are on their way out: "deleting" and "deleted" file systems are not
// judged, and such mount targets (and "error" ones, which serve no client)
// are not counted.
func efsGone(state efstypes.LifeCycleState) bool {
	return state == efstypes.LifeCycleStateDeleting || state == efstypes.LifeCycleStateDeleted
}

// analyseEFS judges every file system read, even when the read failed
// part-way (the error is the task's); file systems being deleted are not
// judged.
func analyseEFS(ctx context.Context, s *inventory.Scope, emit Emit) error {
	items, err := efsFileSystems.Items(ctx, s)
	t := TargetOf(s)
	for _, it := range items {
		if efsGone(it.FileSystem.LifeCycleState) {
			continue
		}
		emit(judgeEFS(it.FileSystem, it.MountTargets, t))
	}
	return err
}

func efsIsOneZone(fs efstypes.FileSystemDescription) bool {
	return aws.ToString(fs.AvailabilityZoneName) != "" || aws.ToString(fs.AvailabilityZoneId) != ""
}

// efsName is the Name tag, which DescribeFileSystems also returns as Name.
func efsName(fs efstypes.FileSystemDescription) string {
	if n := aws.ToString(fs.Name); n != "" {
		return n
	}
	for _, tag := range fs.Tags {
		if aws.ToString(tag.Key) == "Name" {
			return aws.ToString(tag.Value)
		}
	}
	return ""
}

// judgeEFS judges one file system. For a Regional file system, mts are its
// mount targets; only the distinct AZs of the live ones count (EFS allows one
// mount target per AZ, but a target being deleted serves no client).
func judgeEFS(fs efstypes.FileSystemDescription, mts []efstypes.MountTargetDescription, t Target) Finding {
	id := aws.ToString(fs.FileSystemId)
	name := efsName(fs)
	label := "EFS file system " + id
	if name != "" {
		label += " (" + name + ")"
	}
	var f Finding
	if efsIsOneZone(fs) {
		az := aws.ToString(fs.AvailabilityZoneName)
		if az == "" {
			az = aws.ToString(fs.AvailabilityZoneId)
		}
		f = finding(efsOneZone, true, fmt.Sprintf("%s is a One Zone file system in %s: its data and mount target are in that Availability Zone only, so an outage of that zone makes it unavailable.",
			label, az))
		f.AZs, f.AZIDs = efsPlace([]string{aws.ToString(fs.AvailabilityZoneName)}, []string{aws.ToString(fs.AvailabilityZoneId)})
	} else {
		var azs, unknown, names, ids []string
		n := 0
		for _, mt := range mts {
			if efsGone(mt.LifeCycleState) || mt.LifeCycleState == efstypes.LifeCycleStateError {
				continue
			}
			n++
			names = append(names, aws.ToString(mt.AvailabilityZoneName))
			ids = append(ids, aws.ToString(mt.AvailabilityZoneId))
			az := aws.ToString(mt.AvailabilityZoneName)
			if az == "" {
				az = aws.ToString(mt.AvailabilityZoneId)
			}
			if az == "" {
				unknown = append(unknown, aws.ToString(mt.MountTargetId))
				continue
			}
			azs = append(azs, az)
		}
		azs = distinct(azs...)
		chk := efsMountTargets
		switch {
		case n == 0:
			f = finding(chk, true, fmt.Sprintf("%s is a Regional file system with no mount targets, so no client in any Availability Zone can mount it.", label))
		case len(azs) >= 2:
			f = finding(chk, false, fmt.Sprintf("%s is a Regional file system with %s across %d Availability Zones (%s), so clients keep access if one zone fails.",
				label, plural(n, "mount target"), len(azs), list(azs)))
		case len(unknown) > 0:
			f = finding(chk, true, fmt.Sprintf("%s is a Regional file system with %s; only %s could be placed (%s) and %s reported no Availability Zone (%s).",
				label, plural(n, "mount target"), plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "mount target"), list(unknown)))
		default:
			f = finding(chk, true, fmt.Sprintf("%s is a Regional file system with %s, all in one Availability Zone (%s), so an outage of that zone cuts every client off although the data is stored in several zones.",
				label, plural(n, "mount target"), list(azs)))
		}
		f.AZs, f.AZIDs = efsPlace(names, ids)
	}
	f.ResourceType = "AWS::EFS::FileSystem"
	f.ResourceARN = aws.ToString(fs.FileSystemArn)
	if f.ResourceARN == "" && id != "" {
		f.ResourceARN = t.ARN("elasticfilesystem", t.Region, "file-system/"+id)
	}
	f.ResourceName = name
	f.ResourceID = id
	return f
}

// efsPlace returns the distinct zone names of a file system's placement
// (names[i] with zone ID ids[i], either "" when not reported) and their zone
// IDs, or nil IDs when any name's is not reported. A zone reported by ID
// only has no name to list.
func efsPlace(names, ids []string) (azs, azIDs []string) {
	idOf := map[string]string{}
	for i, n := range names {
		if n != "" && (idOf[n] == "" || ids[i] != "") {
			idOf[n] = ids[i]
		}
	}
	for n := range idOf {
		azs = append(azs, n)
	}
	if len(azs) == 0 {
		return nil, nil
	}
	azs = distinct(azs...)
	return azs, zoneIDsOf(azs, idOf)
}
