package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	dmstypes "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"

	"github.com/faultline/faultline/inventory"
)

// dmsInstancesAPI, dmsTasksAPI and dmsConfigsAPI hold exactly the calls of
// the dms analyser's kinds.
type dmsInstancesAPI interface {
	dms.DescribeReplicationInstancesAPIClient
}

type dmsTasksAPI interface {
	dms.DescribeReplicationTasksAPIClient
}

type dmsConfigsAPI interface {
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

// dmsReplicationInstances are the region's replication instances.
var dmsReplicationInstances = &inventory.Kind[dmstypes.ReplicationInstance]{
	Name:    "dms/replication-instances",
	Actions: []string{"dms:DescribeReplicationInstances"},
	APIs:    []reflect.Type{apiOf[dmsInstancesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(dmstypes.ReplicationInstance)) error {
		return loadDMSInstances(ctx, dms.NewFromConfig(s.Config()), add)
	},
}

// dmsReplicationTasks are the region's replication tasks, without their
// settings documents.
var dmsReplicationTasks = &inventory.Kind[dmstypes.ReplicationTask]{
	Name:    "dms/replication-tasks",
	Actions: []string{"dms:DescribeReplicationTasks"},
	APIs:    []reflect.Type{apiOf[dmsTasksAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(dmstypes.ReplicationTask)) error {
		return loadDMSTasks(ctx, dms.NewFromConfig(s.Config()), add)
	},
}

// dmsReplicationConfigs are the region's DMS Serverless replication configs.
var dmsReplicationConfigs = &inventory.Kind[dmstypes.ReplicationConfig]{
	Name:    "dms/replication-configs",
	Actions: []string{"dms:DescribeReplicationConfigs"},
	APIs:    []reflect.Type{apiOf[dmsConfigsAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(dmstypes.ReplicationConfig)) error {
		return loadDMSConfigs(ctx, dms.NewFromConfig(s.Config()), add)
	},
}

func loadDMSInstances(ctx context.Context, api dmsInstancesAPI, add func(dmstypes.ReplicationInstance)) error {
	p := dms.NewDescribeReplicationInstancesPaginator(api, &dms.DescribeReplicationInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ri := range page.ReplicationInstances {
			add(ri)
		}
	}
	return nil
}

func loadDMSTasks(ctx context.Context, api dmsTasksAPI, add func(dmstypes.ReplicationTask)) error {
	p := dms.NewDescribeReplicationTasksPaginator(api, &dms.DescribeReplicationTasksInput{WithoutSettings: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, task := range page.ReplicationTasks {
			add(task)
		}
	}
	return nil
}

func loadDMSConfigs(ctx context.Context, api dmsConfigsAPI, add func(dmstypes.ReplicationConfig)) error {
	p := dms.NewDescribeReplicationConfigsPaginator(api, &dms.DescribeReplicationConfigsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, rc := range page.ReplicationConfigs {
			add(rc)
		}
	}
	return nil
}

var DMS = Analyser{
	Name:   "dms",
	Checks: []Check{dmsInstanceCheck, dmsTaskCheck, dmsServerlessCheck},
	Kinds:  []inventory.Loader{dmsReplicationInstances, dmsReplicationTasks, dmsReplicationConfigs},
	Run:    analyseDMS,
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

// analyseDMS judges every replication instance, then every task (a task may
// name any instance), then the DMS Serverless replication configs. Rows are
// emitted in that order, so a failing later read keeps the rows of the
// earlier ones.
func analyseDMS(ctx context.Context, s *inventory.Scope, emit Emit) error {
	ris, err := dmsReplicationInstances.Items(ctx, s)
	instances := map[string]dmsInstanceFacts{}
	for _, ri := range ris {
		// An instance being deleted gets no row, but its tasks still name
		// it, so it stays known to them.
		instances[aws.ToString(ri.ReplicationInstanceArn)] = dmsFactsOf(ri)
		if dmsGone(ri.ReplicationInstanceStatus) {
			continue
		}
		emit(judgeDMSInstance(ri))
	}
	if err != nil {
		// With part of the instances read, a task on an instance not read
		// would be reported as running on an unknown instance: the tasks
		// are not judged.
		return err
	}
	tasks, err := dmsReplicationTasks.Items(ctx, s)
	for _, task := range tasks {
		if dmsGone(task.Status) {
			continue
		}
		emit(judgeDMSTask(task, instances))
	}
	if err != nil {
		// The replication configs are not read either, as before.
		return err
	}
	configs, err := dmsReplicationConfigs.Items(ctx, s)
	for _, rc := range configs {
		emit(judgeDMSReplicationConfig(rc))
	}
	return err
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

// dmsAZs are the zones an instance runs in: its AvailabilityZone, and its
// standby's SecondaryAvailabilityZone when it is Multi-AZ (as in
// dmsPlacement).
func dmsAZs(f dmsInstanceFacts) []string {
	if !f.multiAZ {
		return distinct(f.az)
	}
	return distinct(f.az, f.secondaryAZ)
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
	f.ResourceType = "AWS::DMS::ReplicationInstance"
	f.AZs = dmsAZs(facts)
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
	if found {
		// The task runs where its instance does.
		f.AZs = dmsAZs(inst)
	}
	f.ResourceType = "AWS::DMS::ReplicationTask"
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
	f.ResourceType = "AWS::DMS::ReplicationConfig"
	f.AZs = distinct(facts.az)
	f.ResourceARN = aws.ToString(rc.ReplicationConfigArn)
	f.ResourceName = id
	return f
}
