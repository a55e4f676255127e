//go:build legacy

package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	dmstypes "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
)

// dmsAPI holds exactly the calls the dms analyser makes.
type dmsAPI interface {
	dms.DescribeReplicationInstancesAPIClient
	dms.DescribeReplicationTasksAPIClient
	dms.DescribeReplicationConfigsAPIClient
}

var (
	dmsInstanceCheck = Check{ID: "DMS-1", Severity: SeverityHigh,
		Description: "DMS replication instance that is not Multi-AZ",
		Remediation: "Modify the replication instance to Multi-AZ so that DMS keeps a standby in a second Availability Zone."}
	dmsTaskCheck = Check{ID: "DMS-2", Severity: SeverityHigh,
		Description: "DMS replication task on a single-AZ replication instance, or on one that could not be read",
		Remediation: "Run the task on a Multi-AZ replication instance, or modify its instance to Multi-AZ."}
	dmsServerlessCheck = Check{ID: "DMS-3", Severity: SeverityHigh,
		Description: "DMS Serverless replication config that is not Multi-AZ",
		Remediation: "Set MultiAZ in the replication config's compute configuration so that DMS provisions a standby in a second Availability Zone."}
)

var DMS = Analyser{
	Name: "dms",
	Actions: []string{"dms:DescribeReplicationInstances", "dms:DescribeReplicationTasks",
		"dms:DescribeReplicationConfigs"},
	Checks:     []Check{dmsInstanceCheck, dmsTaskCheck, dmsServerlessCheck},
	ClientAPIs: []reflect.Type{apiOf[dmsAPI]()},
	Run: func(ctx context.Context, cfg aws.Config, t Target, emit Emit) error {
		return analyseDMS(ctx, dms.NewFromConfig(cfg), emit)
	},
}

// dmsInstanceFacts is what a task's judgement needs of its replication
// instance.
type dmsInstanceFacts struct {
	id          string
	multiAZ     bool
	az          string
	secondaryAZ string
}

func dmsFactsOf(ri dmstypes.ReplicationInstance) dmsInstanceFacts {
	return dmsInstanceFacts{
		id:          aws.ToString(ri.ReplicationInstanceIdentifier),
		multiAZ:     ri.MultiAZ,
		az:          aws.ToString(ri.AvailabilityZone),
		secondaryAZ: aws.ToString(ri.SecondaryAvailabilityZone),
	}
}

// dmsGoneStatuses are the replication instance and task statuses that are
// not judged: the resource is being deleted and will not run again.
var dmsGoneStatuses = map[string]bool{"deleting": true, "deleted": true}

func dmsGone(status *string) bool {
	return dmsGoneStatuses[strings.ToLower(aws.ToString(status))]
}

// analyseDMS reads every replication instance first (a task may name an
// instance from any page), then every task, then the DMS Serverless
// replication configs. Each row is emitted as soon as it is judged, so a
// failing later call keeps the rows of the earlier ones.
func analyseDMS(ctx context.Context, api dmsAPI, emit Emit) error {
	instances := map[string]dmsInstanceFacts{}
	ip := dms.NewDescribeReplicationInstancesPaginator(api, &dms.DescribeReplicationInstancesInput{})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ri := range page.ReplicationInstances {
			// An instance being deleted gets no row, but its tasks still
			// name it, so it stays known to them.
			instances[aws.ToString(ri.ReplicationInstanceArn)] = dmsFactsOf(ri)
			if dmsGone(ri.ReplicationInstanceStatus) {
				continue
			}
			emit(judgeDMSInstance(ri))
		}
	}
	tp := dms.NewDescribeReplicationTasksPaginator(api, &dms.DescribeReplicationTasksInput{WithoutSettings: aws.Bool(true)})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, task := range page.ReplicationTasks {
			if dmsGone(task.Status) {
				continue
			}
			emit(judgeDMSTask(task, instances))
		}
	}
	cp := dms.NewDescribeReplicationConfigsPaginator(api, &dms.DescribeReplicationConfigsInput{})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, rc := range page.ReplicationConfigs {
			emit(judgeDMSReplicationConfig(rc))
		}
	}
	return nil
}

// dmsPlacement describes where an instance runs, for a message. A single-AZ
// instance is described by its AvailabilityZone only: SecondaryAvailabilityZone
// means nothing without a standby.
func dmsPlacement(f dmsInstanceFacts) string {
	if !f.multiAZ {
		if f.az == "" {
			return "Availability Zone not reported"
		}
		return f.az
	}
	var parts []string
	if f.az != "" {
		parts = append(parts, "primary in "+f.az)
	}
	if f.secondaryAZ != "" {
		parts = append(parts, "standby in "+f.secondaryAZ)
	}
	if len(parts) == 0 {
		return "Availability Zones not reported"
	}
	return strings.Join(parts, ", ")
}

// judgeDMSInstance: a replication instance without Multi-AZ has no standby.
func judgeDMSInstance(ri dmstypes.ReplicationInstance) Finding {
	facts := dmsFactsOf(ri)
	var f Finding
	if facts.multiAZ {
		f = finding(dmsInstanceCheck, false, fmt.Sprintf(
			"DMS replication instance %s is Multi-AZ (%s): its standby takes over if the primary's Availability Zone fails.",
			facts.id, dmsPlacement(facts)))
	} else {
		f = finding(dmsInstanceCheck, true, fmt.Sprintf(
			"DMS replication instance %s is single-AZ (%s): it has no standby, so a failure of its Availability Zone stops its replication tasks.",
			facts.id, dmsPlacement(facts)))
	}
	f.ResourceARN = aws.ToString(ri.ReplicationInstanceArn)
	f.ResourceName = facts.id
	return f
}

// judgeDMSTask judges a task by the instance it runs on. A task whose
// instance was not read cannot be judged: it is reported as a risk so that
// it is looked at, with a message that says why.
func judgeDMSTask(task dmstypes.ReplicationTask, instances map[string]dmsInstanceFacts) Finding {
	id := aws.ToString(task.ReplicationTaskIdentifier)
	instanceARN := aws.ToString(task.ReplicationInstanceArn)
	inst, found := instances[instanceARN]
	var f Finding
	switch {
	case instanceARN == "":
		f = finding(dmsTaskCheck, true, fmt.Sprintf(
			"DMS replication task %s reports no replication instance, so its Availability Zone resilience is unknown and it is reported as a risk.", id))
	case !found:
		f = finding(dmsTaskCheck, true, fmt.Sprintf(
			"DMS replication task %s runs on replication instance %s, which was not found among the replication instances read, so its Availability Zone resilience is unknown and it is reported as a risk.",
			id, instanceARN))
	case inst.multiAZ:
		f = finding(dmsTaskCheck, false, fmt.Sprintf(
			"DMS replication task %s runs on replication instance %s, which is Multi-AZ (%s): the task fails over with the instance's standby.",
			id, inst.id, dmsPlacement(inst)))
	default:
		f = finding(dmsTaskCheck, true, fmt.Sprintf(
			"DMS replication task %s runs on replication instance %s, which is single-AZ (%s): a failure of that instance's Availability Zone stops the task.",
			id, inst.id, dmsPlacement(inst)))
	}
	f.ResourceARN = aws.ToString(task.ReplicationTaskArn)
	f.ResourceName = id
	return f
}

// judgeDMSReplicationConfig: a DMS Serverless replication is Multi-AZ only
// when its compute config says so (the API's default is single-AZ).
func judgeDMSReplicationConfig(rc dmstypes.ReplicationConfig) Finding {
	id := aws.ToString(rc.ReplicationConfigIdentifier)
	facts := dmsInstanceFacts{id: id}
	if rc.ComputeConfig != nil {
		facts.multiAZ = aws.ToBool(rc.ComputeConfig.MultiAZ)
		facts.az = aws.ToString(rc.ComputeConfig.AvailabilityZone)
	}
	var f Finding
	if facts.multiAZ {
		f = finding(dmsServerlessCheck, false, fmt.Sprintf(
			"DMS Serverless replication config %s is Multi-AZ: DMS keeps a standby in a second Availability Zone for its replication.", id))
	} else {
		f = finding(dmsServerlessCheck, true, fmt.Sprintf(
			"DMS Serverless replication config %s is single-AZ (%s): a failure of its Availability Zone stops its replication.",
			id, dmsPlacement(facts)))
	}
	f.ResourceARN = aws.ToString(rc.ReplicationConfigArn)
	f.ResourceName = id
	return f
}
