package analysers

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	dmstypes "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"

	"github.com/faultline/faultline/inventory"
)

const dmsTestPrefix = "arn:aws:dms:us-east-1:111111111111:"

func dmsInstance(id string, multiAZ bool, az, secondary string) dmstypes.ReplicationInstance {
	ri := dmstypes.ReplicationInstance{
		ReplicationInstanceIdentifier: aws.String(id),
		ReplicationInstanceArn:        aws.String(dmsTestPrefix + "rep:" + id),
		ReplicationInstanceStatus:     aws.String("available"),
		MultiAZ:                       multiAZ,
	}
	if az != "" {
		ri.AvailabilityZone = aws.String(az)
	}
	if secondary != "" {
		ri.SecondaryAvailabilityZone = aws.String(secondary)
	}
	return ri
}

func dmsTask(id, instanceARN string) dmstypes.ReplicationTask {
	t := dmstypes.ReplicationTask{
		ReplicationTaskIdentifier: aws.String(id),
		ReplicationTaskArn:        aws.String(dmsTestPrefix + "task:" + id),
		Status:                    aws.String("running"),
	}
	if instanceARN != "" {
		t.ReplicationInstanceArn = aws.String(instanceARN)
	}
	return t
}

func dmsConfig(id string, compute *dmstypes.ComputeConfig) dmstypes.ReplicationConfig {
	return dmstypes.ReplicationConfig{
		ReplicationConfigIdentifier: aws.String(id),
		ReplicationConfigArn:        aws.String(dmsTestPrefix + "replication-config:" + id),
		ComputeConfig:               compute,
	}
}

func TestJudgeDMSInstance(t *testing.T) {
	a := []string{"us-east-1a"}
	cases := []struct {
		name    string
		ri      dmstypes.ReplicationInstance
		risk    bool
		message string
		azs     []string
	}{
		{"single-AZ", dmsInstance("single", false, "us-east-1a", ""), true,
			"DMS replication instance single is single-AZ (us-east-1a): it has no standby, so a failure of its Availability Zone stops its replication tasks.", a},
		{"single-AZ without AvailabilityZone", dmsInstance("noaz", false, "", ""), true,
			"DMS replication instance noaz is single-AZ (Availability Zone not reported): it has no standby, so a failure of its Availability Zone stops its replication tasks.", nil},
		{"single-AZ ignores a secondary AZ", dmsInstance("stray", false, "us-east-1a", "us-east-1b"), true,
			"DMS replication instance stray is single-AZ (us-east-1a): it has no standby, so a failure of its Availability Zone stops its replication tasks.", a},
		{"Multi-AZ with both AZs", dmsInstance("multi", true, "us-east-1a", "us-east-1b"), false,
			"DMS replication instance multi is Multi-AZ (primary in us-east-1a, standby in us-east-1b): its standby takes over if the primary's Availability Zone fails.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"Multi-AZ with primary AZ only", dmsInstance("primary", true, "us-east-1a", ""), false,
			"DMS replication instance primary is Multi-AZ (primary in us-east-1a): its standby takes over if the primary's Availability Zone fails.", a},
		{"Multi-AZ with secondary AZ only (moto's Noneb)", dmsInstance("moto", true, "", "Noneb"), false,
			"DMS replication instance moto is Multi-AZ (standby in Noneb): its standby takes over if the primary's Availability Zone fails.", []string{"Noneb"}},
		{"Multi-AZ without AZs", dmsInstance("bare", true, "", ""), false,
			"DMS replication instance bare is Multi-AZ (Availability Zones not reported): its standby takes over if the primary's Availability Zone fails.", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDMSInstance(c.ri)
			if f.CheckID != "DMS-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant DMS-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.ri.ReplicationInstanceArn) || f.ResourceName != aws.ToString(c.ri.ReplicationInstanceIdentifier) ||
				f.ResourceID != "" || f.Engine != "" || f.ResourceType != "AWS::DMS::ReplicationInstance" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

func TestJudgeDMSTask(t *testing.T) {
	instances := map[string]dmsInstanceFacts{
		dmsTestPrefix + "rep:single": {id: "single", az: "us-east-1a"},
		dmsTestPrefix + "rep:noaz":   {id: "noaz", secondaryAZ: "Noneb"},
		dmsTestPrefix + "rep:multi":  {id: "multi", multiAZ: true, az: "us-east-1a", secondaryAZ: "us-east-1b"},
	}
	cases := []struct {
		name    string
		task    dmstypes.ReplicationTask
		risk    bool
		message string
		azs     []string
	}{
		{"on a single-AZ instance", dmsTask("t-single", dmsTestPrefix+"rep:single"), true,
			"DMS replication task t-single runs on replication instance single, which is single-AZ (us-east-1a): a failure of that instance's Availability Zone stops the task.",
			[]string{"us-east-1a"}},
		{"on a single-AZ instance without AZ", dmsTask("t-noaz", dmsTestPrefix+"rep:noaz"), true,
			"DMS replication task t-noaz runs on replication instance noaz, which is single-AZ (Availability Zone not reported): a failure of that instance's Availability Zone stops the task.",
			nil},
		{"on a Multi-AZ instance", dmsTask("t-multi", dmsTestPrefix+"rep:multi"), false,
			"DMS replication task t-multi runs on replication instance multi, which is Multi-AZ (primary in us-east-1a, standby in us-east-1b): the task fails over with the instance's standby.",
			[]string{"us-east-1a", "us-east-1b"}},
		{"instance not read", dmsTask("t-lost", dmsTestPrefix+"rep:gone"), true,
			"DMS replication task t-lost runs on replication instance " + dmsTestPrefix + "rep:gone, which was not found among the replication instances read, so its Availability Zone resilience is unknown and it is reported as a risk.",
			nil},
		{"no instance ARN", dmsTask("t-none", ""), true,
			"DMS replication task t-none reports no replication instance, so its Availability Zone resilience is unknown and it is reported as a risk.",
			nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDMSTask(c.task, instances)
			if f.CheckID != "DMS-2" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant DMS-2 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.task.ReplicationTaskArn) || f.ResourceName != aws.ToString(c.task.ReplicationTaskIdentifier) || f.ResourceID != "" ||
				f.ResourceType != "AWS::DMS::ReplicationTask" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

func TestJudgeDMSReplicationConfig(t *testing.T) {
	cases := []struct {
		name    string
		rc      dmstypes.ReplicationConfig
		risk    bool
		message string
		azs     []string
	}{
		{"Multi-AZ", dmsConfig("multi", &dmstypes.ComputeConfig{MultiAZ: aws.Bool(true), AvailabilityZone: aws.String("us-east-1a")}), false,
			"DMS Serverless replication config multi is Multi-AZ: DMS keeps a standby in a second Availability Zone for its replication.", []string{"us-east-1a"}},
		{"single-AZ with AZ", dmsConfig("single", &dmstypes.ComputeConfig{MultiAZ: aws.Bool(false), AvailabilityZone: aws.String("us-east-1a")}), true,
			"DMS Serverless replication config single is single-AZ (us-east-1a): a failure of its Availability Zone stops its replication.", []string{"us-east-1a"}},
		{"MultiAZ unset defaults to single-AZ", dmsConfig("unset", &dmstypes.ComputeConfig{}), true,
			"DMS Serverless replication config unset is single-AZ (Availability Zone not reported): a failure of its Availability Zone stops its replication.", nil},
		{"no compute config", dmsConfig("bare", nil), true,
			"DMS Serverless replication config bare is single-AZ (Availability Zone not reported): a failure of its Availability Zone stops its replication.", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeDMSReplicationConfig(c.rc)
			if f.CheckID != "DMS-3" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant DMS-3 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != aws.ToString(c.rc.ReplicationConfigArn) || f.ResourceName != aws.ToString(c.rc.ReplicationConfigIdentifier) ||
				f.ResourceType != "AWS::DMS::ReplicationConfig" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || f.AZIDs != nil {
				t.Errorf("placed in %v %v, want %v and no zone IDs", f.AZs, f.AZIDs, c.azs)
			}
		})
	}
}

// fakeDMS serves each Describe call from its pages (the Marker is the page
// index), or fails the call with its error.
type fakeDMS struct {
	instances                          [][]dmstypes.ReplicationInstance
	tasks                              [][]dmstypes.ReplicationTask
	configs                            [][]dmstypes.ReplicationConfig
	instancesErr, tasksErr, configsErr error
	instanceCalls, taskCalls, cfgCalls int
	withoutSettings                    bool
}

// dmsPage returns the page index a Marker asks for and the next Marker.
func dmsPage(marker *string, pages int) (int, *string) {
	i := 0
	if marker != nil {
		i, _ = strconv.Atoi(*marker)
	}
	if i+1 < pages {
		return i, aws.String(strconv.Itoa(i + 1))
	}
	return i, nil
}

func (f *fakeDMS) DescribeReplicationInstances(_ context.Context, in *dms.DescribeReplicationInstancesInput, _ ...func(*dms.Options)) (*dms.DescribeReplicationInstancesOutput, error) {
	f.instanceCalls++
	if f.instancesErr != nil {
		return nil, f.instancesErr
	}
	out := &dms.DescribeReplicationInstancesOutput{}
	if len(f.instances) > 0 {
		i, next := dmsPage(in.Marker, len(f.instances))
		out.ReplicationInstances, out.Marker = f.instances[i], next
	}
	return out, nil
}

func (f *fakeDMS) DescribeReplicationTasks(_ context.Context, in *dms.DescribeReplicationTasksInput, _ ...func(*dms.Options)) (*dms.DescribeReplicationTasksOutput, error) {
	f.taskCalls++
	f.withoutSettings = aws.ToBool(in.WithoutSettings)
	if f.tasksErr != nil {
		return nil, f.tasksErr
	}
	out := &dms.DescribeReplicationTasksOutput{}
	if len(f.tasks) > 0 {
		i, next := dmsPage(in.Marker, len(f.tasks))
		out.ReplicationTasks, out.Marker = f.tasks[i], next
	}
	return out, nil
}

func (f *fakeDMS) DescribeReplicationConfigs(_ context.Context, in *dms.DescribeReplicationConfigsInput, _ ...func(*dms.Options)) (*dms.DescribeReplicationConfigsOutput, error) {
	f.cfgCalls++
	if f.configsErr != nil {
		return nil, f.configsErr
	}
	out := &dms.DescribeReplicationConfigsOutput{}
	if len(f.configs) > 0 {
		i, next := dmsPage(in.Marker, len(f.configs))
		out.ReplicationConfigs, out.Marker = f.configs[i], next
	}
	return out, nil
}

// dmsTwoPageEstate has two pages of everything. The task on page 1 runs on
// an instance of page 2 of the instances, so instances must all be read
// before any task is judged; deleting resources get no row.
func dmsTwoPageEstate() *fakeDMS {
	deleting := dmsInstance("p1-deleting", false, "us-east-1a", "")
	deleting.ReplicationInstanceStatus = aws.String("deleting")
	deletingTask := dmsTask("t-deleting", dmsTestPrefix+"rep:p1-single")
	deletingTask.Status = aws.String("deleting")
	return &fakeDMS{
		instances: [][]dmstypes.ReplicationInstance{
			{dmsInstance("p1-single", false, "us-east-1a", ""), deleting},
			{dmsInstance("p2-multi", true, "us-east-1a", "us-east-1b")},
		},
		tasks: [][]dmstypes.ReplicationTask{
			{dmsTask("t1-on-p2", dmsTestPrefix+"rep:p2-multi"), deletingTask},
			{dmsTask("t2-on-p1", dmsTestPrefix+"rep:p1-single"), dmsTask("t2-on-deleting", dmsTestPrefix+"rep:p1-deleting")},
		},
		configs: [][]dmstypes.ReplicationConfig{
			{dmsConfig("c1-single", nil)},
			{dmsConfig("c2-multi", &dmstypes.ComputeConfig{MultiAZ: aws.Bool(true)})},
		},
	}
}

type dmsWant struct {
	check, name string
	risk        bool
}

func dmsCheckFindings(t *testing.T, got []Finding, want []dmsWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].CheckID != w.check || got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].CheckID, got[i].ResourceName, got[i].Risk, w.check, w.name, w.risk)
		}
	}
}

var dmsTwoPageInstanceRows = []dmsWant{{"DMS-1", "p1-single", true}, {"DMS-1", "p2-multi", false}}
var dmsTwoPageTaskRows = []dmsWant{{"DMS-2", "t1-on-p2", false}, {"DMS-2", "t2-on-p1", true}, {"DMS-2", "t2-on-deleting", true}}

func TestLoadDMSReadsEveryPage(t *testing.T) {
	api := dmsTwoPageEstate()
	ctx := context.Background()
	var instances, tasks, configs []string
	if err := loadDMSInstances(ctx, api, func(ri dmstypes.ReplicationInstance) {
		instances = append(instances, aws.ToString(ri.ReplicationInstanceIdentifier))
	}); err != nil {
		t.Fatal(err)
	}
	if err := loadDMSTasks(ctx, api, func(task dmstypes.ReplicationTask) {
		tasks = append(tasks, aws.ToString(task.ReplicationTaskIdentifier))
	}); err != nil {
		t.Fatal(err)
	}
	if err := loadDMSConfigs(ctx, api, func(rc dmstypes.ReplicationConfig) {
		configs = append(configs, aws.ToString(rc.ReplicationConfigIdentifier))
	}); err != nil {
		t.Fatal(err)
	}
	// Everything listed, deleting resources included: the rule skips them.
	if want := []string{"p1-single", "p1-deleting", "p2-multi"}; !slices.Equal(instances, want) {
		t.Errorf("instances %v, want %v", instances, want)
	}
	if want := []string{"t1-on-p2", "t-deleting", "t2-on-p1", "t2-on-deleting"}; !slices.Equal(tasks, want) {
		t.Errorf("tasks %v, want %v", tasks, want)
	}
	if want := []string{"c1-single", "c2-multi"}; !slices.Equal(configs, want) {
		t.Errorf("configs %v, want %v", configs, want)
	}
	if api.instanceCalls != 2 || api.taskCalls != 2 || api.cfgCalls != 2 {
		t.Errorf("calls: %d instances, %d tasks, %d configs; want 2 of each", api.instanceCalls, api.taskCalls, api.cfgCalls)
	}
	if !api.withoutSettings {
		t.Error("DescribeReplicationTasks should ask for WithoutSettings")
	}
}

func TestLoadDMSAccessDenied(t *testing.T) {
	ctx := context.Background()
	api := &fakeDMS{instancesErr: accessDenied("AccessDeniedException"), tasksErr: accessDenied("AccessDeniedException"),
		configsErr: accessDenied("AccessDeniedException")}
	requireCode(t, loadDMSInstances(ctx, api, func(dmstypes.ReplicationInstance) { t.Error("an instance from a denied listing") }), "AccessDeniedException")
	requireCode(t, loadDMSTasks(ctx, api, func(dmstypes.ReplicationTask) { t.Error("a task from a denied listing") }), "AccessDeniedException")
	requireCode(t, loadDMSConfigs(ctx, api, func(dmstypes.ReplicationConfig) { t.Error("a config from a denied listing") }), "AccessDeniedException")
}

// dmsPut says how much of one kind of the estate a fixture scope holds.
type dmsPut struct {
	pages int   // pages of the kind put; -1: the kind is not put
	err   error // the read's error after them
}

// dmsTestScope puts the estate's instances, tasks and configs in a fixture
// scope as the dmsPuts say.
func dmsTestScope(est *fakeDMS, instances, tasks, configs dmsPut) *inventory.Scope {
	s := testScope()
	if instances.pages >= 0 {
		inventory.Put(s, dmsReplicationInstances, slices.Concat(est.instances[:instances.pages]...), instances.err)
	}
	if tasks.pages >= 0 {
		inventory.Put(s, dmsReplicationTasks, slices.Concat(est.tasks[:tasks.pages]...), tasks.err)
	}
	if configs.pages >= 0 {
		inventory.Put(s, dmsReplicationConfigs, slices.Concat(est.configs[:configs.pages]...), configs.err)
	}
	return s
}

var dmsWhole, dmsNotPut = dmsPut{pages: 2}, dmsPut{pages: -1}

func TestAnalyseDMS(t *testing.T) {
	var got []Finding
	if err := analyseDMS(context.Background(), dmsTestScope(dmsTwoPageEstate(), dmsWhole, dmsWhole, dmsWhole), collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]dmsWant{}, dmsTwoPageInstanceRows...), dmsTwoPageTaskRows...),
		dmsWant{"DMS-3", "c1-single", true}, dmsWant{"DMS-3", "c2-multi", false})
	dmsCheckFindings(t, got, want)
	// The task on a deleting instance is judged by that instance, not
	// reported as "not found".
	if !strings.Contains(got[4].Message, "runs on replication instance p1-deleting, which is single-AZ") {
		t.Errorf("task on a deleting instance: %q", got[4].Message)
	}
	// t1-on-p2 runs where p2-multi does.
	if !slices.Equal(got[2].AZs, []string{"us-east-1a", "us-east-1b"}) {
		t.Errorf("task placed in %v", got[2].AZs)
	}
}

func TestAnalyseDMSAccessDenied(t *testing.T) {
	// The tasks and configs are not put: reading them would fail.
	var got []Finding
	s := dmsTestScope(dmsTwoPageEstate(), dmsPut{0, accessDenied("AccessDeniedException")}, dmsNotPut, dmsNotPut)
	requireCode(t, analyseDMS(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("after a denied instance list: %+v", got)
	}
}

// A failing task list keeps the instance rows and reads no config; a failing
// DMS Serverless list keeps the instance and task rows.
func TestAnalyseDMSLaterCallFails(t *testing.T) {
	var got []Finding
	s := dmsTestScope(dmsTwoPageEstate(), dmsWhole, dmsPut{0, accessDenied("AccessDeniedException")}, dmsNotPut)
	requireCode(t, analyseDMS(context.Background(), s, collect(&got)), "AccessDeniedException")
	dmsCheckFindings(t, got, dmsTwoPageInstanceRows)

	got = nil
	s = dmsTestScope(dmsTwoPageEstate(), dmsWhole, dmsWhole, dmsPut{0, accessDenied("AccessDeniedException")})
	requireCode(t, analyseDMS(context.Background(), s, collect(&got)), "AccessDeniedException")
	dmsCheckFindings(t, got, append(append([]dmsWant{}, dmsTwoPageInstanceRows...), dmsTwoPageTaskRows...))
}

func TestAnalyseDMSKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	// Instances failing after page 1: page 1's instance is judged, and no
	// task, since t1-on-p2's instance is on the page not read.
	var got []Finding
	s := dmsTestScope(dmsTwoPageEstate(), dmsPut{1, accessDenied("Throttling")}, dmsNotPut, dmsNotPut)
	requireCode(t, analyseDMS(context.Background(), s, collect(&got)), "Throttling")
	dmsCheckFindings(t, got, []dmsWant{{"DMS-1", "p1-single", true}})

	// Tasks failing after page 1: page 1's task is judged.
	got = nil
	s = dmsTestScope(dmsTwoPageEstate(), dmsWhole, dmsPut{1, accessDenied("Throttling")}, dmsNotPut)
	requireCode(t, analyseDMS(context.Background(), s, collect(&got)), "Throttling")
	dmsCheckFindings(t, got, append(append([]dmsWant{}, dmsTwoPageInstanceRows...), dmsWant{"DMS-2", "t1-on-p2", false}))

	// Configs failing after page 1: page 1's config is judged.
	got = nil
	s = dmsTestScope(dmsTwoPageEstate(), dmsWhole, dmsWhole, dmsPut{1, accessDenied("Throttling")})
	requireCode(t, analyseDMS(context.Background(), s, collect(&got)), "Throttling")
	dmsCheckFindings(t, got, append(append(append([]dmsWant{}, dmsTwoPageInstanceRows...), dmsTwoPageTaskRows...), dmsWant{"DMS-3", "c1-single", true}))
}

func TestDMSAnalyserDeclaration(t *testing.T) {
	if DMS.Name != "dms" || DMS.Global {
		t.Errorf("name/global: %q %v", DMS.Name, DMS.Global)
	}
	for _, api := range DMS.ClientAPIs() {
		for i := 0; i < api.NumMethod(); i++ {
			name := api.Method(i).Name
			if !strings.HasPrefix(name, "Describe") {
				t.Errorf("%s.%s is not a read call", api, name)
			}
			if !slices.ContainsFunc(DMS.Actions(), func(act string) bool { return strings.HasSuffix(act, ":"+name) }) {
				t.Errorf("Actions lack an action for %s", name)
			}
		}
	}
	want := []string{"dms:DescribeReplicationConfigs", "dms:DescribeReplicationInstances", "dms:DescribeReplicationTasks"}
	if !slices.Equal(DMS.Actions(), want) {
		t.Errorf("Actions: %v, want %v", DMS.Actions(), want)
	}
}
