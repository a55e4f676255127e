package integration

import (
	"context"
	"fmt"
	"testing"

	"github.com/faultline/faultline/internal/motoserver"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"

	"github.com/faultline/faultline/analysers"
)

// efsBulk file systems bring the total past moto's default DescribeFileSystems
// page of 10, so that the analyser must follow NextMarker against moto too.
const efsBulk = 7

// seedEFS creates a One Zone file system and Regional ones with 0, 1, 2 and
// 3 mount targets (one per AZ: EFS refuses two in one AZ), plus untagged
// bulk ones. Not representable in moto, so covered by fakes only: file
// systems or mount targets in the deleting/deleted/error states (moto
// deletes at once and never reports them), and mount targets without an AZ.
func seedEFS(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	subnets := defaultSubnets(t, ctx, cfg)
	a, b, c := cfg.Region+"a", cfg.Region+"b", cfg.Region+"c"
	api := efs.NewFromConfig(cfg)
	create := func(token, name, oneZoneAZ string) (id, arn string) {
		in := &efs.CreateFileSystemInput{CreationToken: aws.String(token)}
		if name != "" {
			in.Tags = []efstypes.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}
		}
		if oneZoneAZ != "" {
			in.AvailabilityZoneName = aws.String(oneZoneAZ)
		}
		out, err := motoserver.CreateFileSystem(ctx, api, in)
		if err != nil {
			t.Fatalf("create %s: %v", token, err)
		}
		return aws.ToString(out.FileSystemId), aws.ToString(out.FileSystemArn)
	}
	mount := func(id string, azs ...string) {
		for _, az := range azs {
			if _, err := api.CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: aws.String(id), SubnetId: aws.String(subnets[az])}); err != nil {
				t.Fatalf("mount target for %s in %s: %v", id, az, err)
			}
		}
	}
	r := cfg.Region
	var rows []row
	add := func(arn, name, id, risk, msg, check string) {
		rows = append(rows, row{"efs", r, arn, name, id, risk, "", msg, check, "HIGH"})
	}

	id, arn := create("one-zone", "efs-one-zone", a)
	add(arn, "efs-one-zone", id, "True",
		"EFS file system "+id+" (efs-one-zone) is a One Zone file system in "+a+": its data and mount target are in that Availability Zone only, so an outage of that zone makes it unavailable.", "EFS-1")

	id, arn = create("no-mounts", "efs-no-mounts", "")
	add(arn, "efs-no-mounts", id, "True",
		"EFS file system "+id+" (efs-no-mounts) is a Regional file system with no mount targets, so no client in any Availability Zone can mount it.", "EFS-2")

	id, arn = create("one-mount", "efs-one-mount", "")
	mount(id, a)
	add(arn, "efs-one-mount", id, "True",
		"EFS file system "+id+" (efs-one-mount) is a Regional file system with 1 mount target, all in one Availability Zone ("+a+"), so an outage of that zone cuts every client off although the data is stored in several zones.", "EFS-2")

	id, arn = create("two-azs", "efs-two-azs", "")
	mount(id, b, a)
	add(arn, "efs-two-azs", id, "False",
		"EFS file system "+id+" (efs-two-azs) is a Regional file system with 2 mount targets across 2 Availability Zones ("+a+", "+b+"), so clients keep access if one zone fails.", "EFS-2")

	id, arn = create("three-azs", "efs-three-azs", "")
	mount(id, a, b, c)
	add(arn, "efs-three-azs", id, "False",
		"EFS file system "+id+" (efs-three-azs) is a Regional file system with 3 mount targets across 3 Availability Zones ("+a+", "+b+", "+c+"), so clients keep access if one zone fails.", "EFS-2")

	for i := 0; i < efsBulk; i++ {
		id, arn = create(fmt.Sprintf("bulk-%02d", i), "", "")
		mount(id, c)
		add(arn, "", id, "True",
			"EFS file system "+id+" is a Regional file system with 1 mount target, all in one Availability Zone ("+c+"), so an outage of that zone cuts every client off although the data is stored in several zones.", "EFS-2")
	}

	// A file system created and deleted again is gone from moto's list.
	id, _ = create("deleted", "efs-deleted", "")
	if _, err := api.DeleteFileSystem(ctx, &efs.DeleteFileSystemInput{FileSystemId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}

	// moto pages DescribeFileSystems at 10 by default: check that the
	// estate really spans two pages.
	first, err := api.DescribeFileSystems(ctx, &efs.DescribeFileSystemsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if first.NextMarker == nil {
		t.Fatalf("moto returned %d file systems on one page; the estate must span two", len(first.FileSystems))
	}
	return rows
}

func TestMotoEFS(t *testing.T) {
	checkAnalyser(t, analysers.EFS, seedEFS, "100000000301", "eu-west-1")
}
