package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	dmstypes "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"

	"github.com/faultline/faultline/analysers"
)

// seedDMS creates replication instances (single-AZ and Multi-AZ, with and
// without an AvailabilityZone) and tasks on them, plus a task whose instance
// does not exist (moto does not check it). moto fakes SecondaryAvailabilityZone
// as AvailabilityZone+"b" ("Noneb" without one) for Multi-AZ instances: the
// expected messages say what moto returns. DMS Serverless replication configs
// are not implemented by moto (HTTP 500), so DMS-3 is covered by fakes only.
func seedDMS(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	api := dms.NewFromConfig(cfg)
	r := cfg.Region
	a := r + "a"
	instance := func(id string, multiAZ bool, az string) string {
		in := &dms.CreateReplicationInstanceInput{
			ReplicationInstanceIdentifier: aws.String(id),
			ReplicationInstanceClass:      aws.String("dms.t3.micro"),
			MultiAZ:                       aws.Bool(multiAZ),
		}
		if az != "" {
			in.AvailabilityZone = aws.String(az)
		}
		out, err := api.CreateReplicationInstance(ctx, in)
		if err != nil {
			t.Fatalf("create instance %s: %v", id, err)
		}
		return aws.ToString(out.ReplicationInstance.ReplicationInstanceArn)
	}
	task := func(id, instanceARN string) string {
		out, err := api.CreateReplicationTask(ctx, &dms.CreateReplicationTaskInput{
			ReplicationTaskIdentifier: aws.String(id),
			ReplicationInstanceArn:    aws.String(instanceARN),
			SourceEndpointArn:         aws.String("arn:aws:dms:" + r + ":000000000000:endpoint:source"),
			TargetEndpointArn:         aws.String("arn:aws:dms:" + r + ":000000000000:endpoint:target"),
			MigrationType:             dmstypes.MigrationTypeValueFullLoad,
			TableMappings:             aws.String(`{"rules":[]}`),
		})
		if err != nil {
			t.Fatalf("create task %s: %v", id, err)
		}
		return aws.ToString(out.ReplicationTask.ReplicationTaskArn)
	}
	single := instance("ri-single-az", false, a)
	noAZ := instance("ri-single-no-az", false, "")
	multi := instance("ri-multi-az", true, a)
	multiNoAZ := instance("ri-multi-no-az", true, "")
	missing := "arn:aws:dms:" + r + ":" + accountOf(t, ctx, cfg) + ":rep:ri-not-there"
	dmsRow := func(arn, name, risk, msg, check string) row {
		return row{"dms", r, arn, name, "", risk, "", msg, check, "HIGH"}
	}
	return []row{
		dmsRow(single, "ri-single-az", "True",
			"DMS replication instance ri-single-az is single-AZ ("+a+"): it has no standby, so a failure of its Availability Zone stops its replication tasks.", "DMS-1"),
		dmsRow(noAZ, "ri-single-no-az", "True",
			"DMS replication instance ri-single-no-az is single-AZ (Availability Zone not reported): it has no standby, so a failure of its Availability Zone stops its replication tasks.", "DMS-1"),
		dmsRow(multi, "ri-multi-az", "False",
			"DMS replication instance ri-multi-az is Multi-AZ (primary in "+a+", standby in "+a+"b): its standby takes over if the primary's Availability Zone fails.", "DMS-1"),
		dmsRow(multiNoAZ, "ri-multi-no-az", "False",
			"DMS replication instance ri-multi-no-az is Multi-AZ (standby in Noneb): its standby takes over if the primary's Availability Zone fails.", "DMS-1"),
		dmsRow(task("task-on-single", single), "task-on-single", "True",
			"DMS replication task task-on-single runs on replication instance ri-single-az, which is single-AZ ("+a+"): a failure of that instance's Availability Zone stops the task.", "DMS-2"),
		dmsRow(task("task-on-single-no-az", noAZ), "task-on-single-no-az", "True",
			"DMS replication task task-on-single-no-az runs on replication instance ri-single-no-az, which is single-AZ (Availability Zone not reported): a failure of that instance's Availability Zone stops the task.", "DMS-2"),
		dmsRow(task("task-on-multi", multi), "task-on-multi", "False",
			"DMS replication task task-on-multi runs on replication instance ri-multi-az, which is Multi-AZ (primary in "+a+", standby in "+a+"b): the task fails over with the instance's standby.", "DMS-2"),
		dmsRow(task("task-lost", missing), "task-lost", "True",
			"DMS replication task task-lost runs on replication instance "+missing+", which was not found among the replication instances read, so its Availability Zone resilience is unknown and it is reported as a risk.", "DMS-2"),
	}
}

// TestMotoDMS: the instance and task rows are emitted before
// DescribeReplicationConfigs, which moto answers with HTTP 500, so the task
// fails but keeps them.
func TestMotoDMS(t *testing.T) {
	checkAnalyserUntilUnimplemented(t, analysers.DMS, seedDMS, "100000000401", "eu-west-1", "DescribeReplicationConfigs")
}
