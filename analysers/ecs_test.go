package analysers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/faultline/faultline/inventory"
)

const ecsTestCluster = "arn:aws:ecs:us-east-1:111111111111:cluster/prod"

func ecsTestService(name string, desired int32, subnets ...string) inventory.ECSService {
	svc := inventory.ECSService{ARN: "arn:aws:ecs:us-east-1:111111111111:service/prod/" + name, Name: name, ClusterARN: ecsTestCluster,
		Status: "ACTIVE", LaunchType: "FARGATE", SchedulingStrategy: "REPLICA", DesiredCount: desired}
	if len(subnets) > 0 {
		svc.AwsVPC = &inventory.ECSNetwork{Subnets: subnets}
	}
	return svc
}

func ecsEC2Service(name string, desired int32, strategy ...inventory.ECSPlacementStrategy) inventory.ECSService {
	svc := ecsTestService(name, desired)
	svc.LaunchType = "EC2"
	svc.PlacementStrategy = strategy
	return svc
}

func ecsTestTask(service, az, subnet string) inventory.ECSTask {
	return inventory.ECSTask{ARN: "arn:aws:ecs:us-east-1:111111111111:task/prod/" + service + az + subnet, ClusterARN: ecsTestCluster,
		Group: "service:" + service, AZ: az, Subnet: subnet}
}

var (
	spreadAZ       = inventory.ECSPlacementStrategy{Type: "spread", Field: "attribute:ecs.availability-zone"}
	spreadInstance = inventory.ECSPlacementStrategy{Type: "spread", Field: "instanceId"}
	binpackMemory  = inventory.ECSPlacementStrategy{Type: "binpack", Field: "memory"}
	randomPlace    = inventory.ECSPlacementStrategy{Type: "random"}
)

func memberOf(expr string) inventory.ECSPlacementConstraint {
	return inventory.ECSPlacementConstraint{Type: "memberOf", Expression: expr}
}

func TestECSPinnedZone(t *testing.T) {
	cases := []struct {
		constraints []inventory.ECSPlacementConstraint
		zone        string
	}{
		{nil, ""},
		{[]inventory.ECSPlacementConstraint{{Type: "distinctInstance"}}, ""},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone == us-east-1a")}, "us-east-1a"},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone in [us-east-1b]")}, "us-east-1b"},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]")}, ""},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.instance-type =~ t3.* and attribute:ecs.availability-zone == us-east-1a")}, "us-east-1a"},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.instance-type == t3.small && (attribute:ecs.availability-zone == us-east-1b)")}, "us-east-1b"},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone == us-east-1a or attribute:ecs.availability-zone == us-east-1b")}, ""},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone != us-east-1a")}, ""},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone not_in [us-east-1a]")}, ""},
		{[]inventory.ECSPlacementConstraint{memberOf("attribute:ecs.instance-type == t3.small")}, ""},
		{[]inventory.ECSPlacementConstraint{{Type: "distinctInstance"}, memberOf("attribute:ecs.availability-zone == us-east-1-bos-1a")}, "us-east-1-bos-1a"},
	}
	for _, c := range cases {
		if zone, _ := ecsPinnedZone(c.constraints); zone != c.zone {
			t.Errorf("%+v: zone %q, want %q", c.constraints, zone, c.zone)
		}
	}
}

func TestJudgeECSConfinement(t *testing.T) {
	pinned := ecsEC2Service("pinned", 2)
	pinned.PlacementConstraints = []inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone == us-east-1a")}
	pinnedVPC := ecsTestService("pinned-vpc", 2, "subnet-a1", "subnet-b1")
	pinnedVPC.LaunchType = "EC2"
	pinnedVPC.PlacementConstraints = []inventory.ECSPlacementConstraint{memberOf("attribute:ecs.availability-zone == us-east-1b")}
	cases := []struct {
		name       string
		svc        inventory.ECSService
		row        bool
		risk       bool
		message    string
		azs, azIDs []string
	}{
		{"bridge networking, no constraint", ecsEC2Service("bridge", 2), false, false, "", nil, nil},
		{"one subnet", ecsTestService("one", 2, "subnet-a1"), true, true,
			"ECS service one (cluster prod) places its tasks in 1 subnet, all in one Availability Zone (us-east-1a): an outage of that zone stops every task and ECS cannot start replacements elsewhere.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"two subnets in one AZ", ecsTestService("same", 2, "subnet-a1", "subnet-a2"), true, true,
			"ECS service same (cluster prod) places its tasks in 2 subnets, all in one Availability Zone (us-east-1a): an outage of that zone stops every task and ECS cannot start replacements elsewhere.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"two AZs", ecsTestService("multi", 2, "subnet-a1", "subnet-b1"), true, false,
			"ECS service multi (cluster prod) places its tasks in 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b).",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"deleted subnet", ecsTestService("gone", 2, "subnet-a1", "subnet-gone"), true, true,
			"ECS service gone (cluster prod) places its tasks in 2 subnets; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-gone).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"no subnet found", ecsTestService("lost", 2, "subnet-gone"), true, true,
			"ECS service lost (cluster prod) places its tasks in 1 subnet, none of which could be found (subnet-gone), so its Availability Zones are unknown.", nil, nil},
		{"awsvpc without subnets", func() inventory.ECSService {
			s := ecsTestService("empty", 2)
			s.AwsVPC = &inventory.ECSNetwork{}
			return s
		}(), true, true, "ECS service empty (cluster prod) uses awsvpc networking with no subnets, so its tasks have no Availability Zone to run in.", nil, nil},
		{"pinned by a constraint", pinned, true, true,
			"ECS service pinned (cluster prod) has placement constraint memberOf(attribute:ecs.availability-zone == us-east-1a), which confines its tasks to one Availability Zone (us-east-1a): an outage of that zone stops every task and ECS cannot start replacements elsewhere.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"pinned despite subnets in two AZs", pinnedVPC, true, true,
			"ECS service pinned-vpc (cluster prod) has placement constraint memberOf(attribute:ecs.availability-zone == us-east-1b), which confines its tasks to one Availability Zone (us-east-1b): an outage of that zone stops every task and ECS cannot start replacements elsewhere.",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := judgeECSConfinement(c.svc, testSubnetIndex())
			if ok != c.row {
				t.Fatalf("row %v, want %v: %+v", ok, c.row, f)
			}
			if !ok {
				return
			}
			if f.CheckID != "ECS-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant ECS-1 %v %q", f.CheckID, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceType != "AWS::ECS::Service" || f.ResourceARN != c.svc.ARN || f.ResourceName != c.svc.Name {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

func TestJudgeECSTasks(t *testing.T) {
	cases := []struct {
		name       string
		desired    int32
		tasks      []inventory.ECSTask
		risk       bool
		message    string
		azs, azIDs []string
	}{
		{"no running task", 3, nil, false,
			"ECS service web (cluster prod) has no running task (desired 3), so there is no task placement to judge.", nil, nil},
		{"spread, zones reported", 4, []inventory.ECSTask{ecsTestTask("web", "us-east-1a", ""), ecsTestTask("web", "us-east-1b", ""), ecsTestTask("web", "us-east-1a", "x"), ecsTestTask("web", "us-east-1b", "x")}, false,
			"ECS service web (cluster prod) runs 4 tasks across 2 Availability Zones (us-east-1a: 2, us-east-1b: 2), desired 4.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"spread, placed by subnet", 2, []inventory.ECSTask{ecsTestTask("web", "", "subnet-a1"), ecsTestTask("web", "", "subnet-b1")}, false,
			"ECS service web (cluster prod) runs 2 tasks across 2 Availability Zones (us-east-1a: 1, us-east-1b: 1), desired 2.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"all in one AZ", 3, []inventory.ECSTask{ecsTestTask("web", "us-east-1a", ""), ecsTestTask("web", "", "subnet-a2"), ecsTestTask("web", "us-east-1a", "subnet-a1")}, true,
			"ECS service web (cluster prod) runs all 3 of its tasks in one Availability Zone (us-east-1a), desired 3: an outage of that zone stops the service until ECS starts replacements in another zone.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"one task of two", 2, []inventory.ECSTask{ecsTestTask("web", "us-east-1b", "")}, true,
			"ECS service web (cluster prod) runs 1 task, in one Availability Zone (us-east-1b), while it expects 2: an outage of that zone stops the service until ECS starts replacements in another zone.",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
		{"one AZ and unplaced tasks", 3, []inventory.ECSTask{ecsTestTask("web", "us-east-1a", ""), ecsTestTask("web", "", "subnet-gone"), ecsTestTask("web", "", "")}, true,
			"ECS service web (cluster prod) runs 1 task in one Availability Zone (us-east-1a) and 2 tasks whose Availability Zone is not reported (desired 3).",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"no zone at all", 2, []inventory.ECSTask{ecsTestTask("web", "", ""), ecsTestTask("web", "", "")}, true,
			"ECS service web (cluster prod) runs 2 tasks (desired 2) and none reports an Availability Zone, so they cannot be shown to span two zones.", nil, nil},
		{"zone outside the account's subnets", 2, []inventory.ECSTask{ecsTestTask("web", "us-east-1c", ""), ecsTestTask("web", "us-east-1a", "")}, false,
			"ECS service web (cluster prod) runs 2 tasks across 2 Availability Zones (us-east-1a: 1, us-east-1c: 1), desired 2.",
			[]string{"us-east-1a", "us-east-1c"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := ecsTestService("web", c.desired, "subnet-a1", "subnet-b1")
			f := judgeECSTasks(svc, c.tasks, testSubnetIndex())
			if f.CheckID != "ECS-2" || f.Severity != SeverityMedium || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant ECS-2 %v %q", f.CheckID, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceType != "AWS::ECS::Service" || f.ResourceARN != svc.ARN || f.ResourceName != "web" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

func TestJudgeECSPlacement(t *testing.T) {
	daemon := ecsEC2Service("daemon", 3, binpackMemory)
	daemon.SchedulingStrategy = "DAEMON"
	fargateProviders := ecsTestService("cp-fargate", 2)
	fargateProviders.LaunchType, fargateProviders.CapacityProviders = "", []string{"FARGATE", "FARGATE_SPOT"}
	mixedProviders := ecsTestService("cp-mixed", 2)
	mixedProviders.LaunchType, mixedProviders.CapacityProviders = "", []string{"FARGATE", "asg-provider"}
	mixedProviders.PlacementStrategy = []inventory.ECSPlacementStrategy{binpackMemory}
	clusterDefault := ecsTestService("cluster-default", 2)
	clusterDefault.LaunchType = ""
	cases := []struct {
		name    string
		svc     inventory.ECSService
		row     bool
		risk    bool
		message string
	}{
		{"Fargate", ecsTestService("fargate", 2, "subnet-a1"), false, false, ""},
		{"Fargate capacity providers", fargateProviders, false, false, ""},
		{"daemon", daemon, false, false, ""},
		{"no strategy", ecsEC2Service("default", 2), true, false,
			"ECS service default (cluster prod) sets no placement strategy, so ECS spreads its tasks across Availability Zones (the default for services: spread by attribute:ecs.availability-zone)."},
		{"cluster default capacity, no strategy", clusterDefault, true, false,
			"ECS service cluster-default (cluster prod) sets no placement strategy, so ECS spreads its tasks across Availability Zones (the default for services: spread by attribute:ecs.availability-zone)."},
		{"AZ spread first", ecsEC2Service("az-first", 2, spreadAZ, binpackMemory), true, false,
			"ECS service az-first (cluster prod) spreads its tasks across Availability Zones first (placement strategy spread(attribute:ecs.availability-zone), binpack(memory))."},
		{"AZ spread second", ecsEC2Service("az-second", 2, binpackMemory, spreadAZ), true, true,
			"ECS service az-second (cluster prod) places its tasks by binpack(memory), spread(attribute:ecs.availability-zone): spreading across Availability Zones is not the first strategy, so ECS may put the tasks on one zone's instances."},
		{"spread by instance", ecsEC2Service("by-instance", 2, spreadInstance), true, true,
			"ECS service by-instance (cluster prod) places its tasks by spread(instanceId), with no spread by attribute:ecs.availability-zone, so ECS may put the tasks on one zone's instances."},
		{"random", ecsEC2Service("random", 2, randomPlace), true, true,
			"ECS service random (cluster prod) places its tasks by random, with no spread by attribute:ecs.availability-zone, so ECS may put the tasks on one zone's instances."},
		{"EC2 capacity provider", mixedProviders, true, true,
			"ECS service cp-mixed (cluster prod) places its tasks by binpack(memory), with no spread by attribute:ecs.availability-zone, so ECS may put the tasks on one zone's instances."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := judgeECSPlacement(c.svc)
			if ok != c.row {
				t.Fatalf("row %v, want %v: %+v", ok, c.row, f)
			}
			if !ok {
				return
			}
			if f.CheckID != "ECS-3" || f.Severity != SeverityMedium || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant ECS-3 %v %q", f.CheckID, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceType != "AWS::ECS::Service" || f.ResourceARN != c.svc.ARN || f.AZs != nil {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

func TestJudgeECSSingleTask(t *testing.T) {
	f := judgeECSSingleTask(ecsTestService("solo", 1, "subnet-a1", "subnet-b1"))
	if f.CheckID != "ECS-4" || !f.Risk || f.Severity != SeverityMedium || f.ResourceName != "solo" ||
		f.Message != "ECS service solo (cluster prod) has a desired count of 1, so its only task is in one Availability Zone at a time: an outage of that zone stops the service until ECS starts a replacement in another zone." {
		t.Errorf("%+v", f)
	}
}

// ecsRows are the findings as "name CHECK risk".
func ecsRows(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		r := "ok"
		if f.Risk {
			r = "risk"
		}
		out = append(out, f.ResourceName+" "+f.CheckID+" "+r)
	}
	return out
}

func TestAnalyseECS(t *testing.T) {
	draining := ecsTestService("draining", 2, "subnet-a1")
	draining.Status = "DRAINING"
	external := ecsEC2Service("anywhere", 2)
	external.LaunchType = "EXTERNAL"
	otherCluster := ecsTestTask("spread", "us-east-1a", "")
	otherCluster.ClusterARN = "arn:aws:ecs:us-east-1:111111111111:cluster/other"
	s := testScope()
	inventory.Put(s, inventory.ECSServices, []inventory.ECSService{
		ecsTestService("spread", 2, "subnet-a1", "subnet-b1"),
		ecsTestService("one-az", 2, "subnet-a1"),
		ecsTestService("solo", 1, "subnet-a1", "subnet-b1"),
		ecsTestService("idle", 0, "subnet-a1", "subnet-b1"),
		ecsEC2Service("ec2-binpack", 3, binpackMemory),
		draining, external,
	}, nil)
	inventory.Put(s, inventory.ECSTasks, []inventory.ECSTask{
		ecsTestTask("spread", "", "subnet-a1"), ecsTestTask("spread", "", "subnet-b1"),
		ecsTestTask("one-az", "us-east-1a", ""), ecsTestTask("one-az", "us-east-1a", "subnet-a1"),
		ecsTestTask("ec2-binpack", "us-east-1b", ""), ecsTestTask("ec2-binpack", "us-east-1b", ""), ecsTestTask("ec2-binpack", "us-east-1a", ""),
		otherCluster, // another cluster's service of the same name
		{ARN: "standalone", ClusterARN: ecsTestCluster, Group: "family:batch", AZ: "us-east-1a"},
	}, nil)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseECS(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"spread ECS-1 ok", "spread ECS-2 ok",
		"one-az ECS-1 risk", "one-az ECS-2 risk",
		"solo ECS-1 ok", "solo ECS-4 risk",
		"idle ECS-1 ok",
		"ec2-binpack ECS-2 ok", "ec2-binpack ECS-3 risk",
	}
	if rows := ecsRows(got); !slices.Equal(rows, want) {
		t.Errorf("rows %v\nwant %v", rows, want)
	}
	if got[1].Message != "ECS service spread (cluster prod) runs 2 tasks across 2 Availability Zones (us-east-1a: 1, us-east-1b: 1), desired 2." {
		t.Errorf("spread: %q", got[1].Message)
	}
}

// The tasks are read only for a service that expects two or more, and the
// subnets only for awsvpc services or tasks placed by subnet: a kind not
// put in the fixture fails if read.
func TestAnalyseECSReadsOnlyWhatItNeeds(t *testing.T) {
	s := testScope()
	inventory.Put(s, inventory.ECSServices, []inventory.ECSService{ecsEC2Service("solo", 1), ecsEC2Service("idle", 0, spreadAZ)}, nil)
	var got []Finding
	if err := analyseECS(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if rows := ecsRows(got); !slices.Equal(rows, []string{"solo ECS-4 risk", "solo ECS-3 ok", "idle ECS-3 ok"}) {
		t.Errorf("rows %v", rows)
	}
	// Tasks that report their zone need no subnet.
	s = testScope()
	inventory.Put(s, inventory.ECSServices, []inventory.ECSService{ecsEC2Service("web", 2)}, nil)
	inventory.Put(s, inventory.ECSTasks, []inventory.ECSTask{ecsTestTask("web", "us-east-1a", ""), ecsTestTask("web", "us-east-1b", "")}, nil)
	got = nil
	if err := analyseECS(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if rows := ecsRows(got); !slices.Equal(rows, []string{"web ECS-2 ok", "web ECS-3 ok"}) {
		t.Errorf("rows %v", rows)
	}
	if got[0].AZIDs != nil {
		t.Errorf("zone IDs without subnets: %v (the engine fills them)", got[0].AZIDs)
	}
}

func TestAnalyseECSAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, inventory.ECSServices, nil, accessDenied("AccessDeniedException"))
	var got []Finding
	requireCode(t, analyseECS(context.Background(), s, collect(&got)), "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, inventory.ECSServices, []inventory.ECSService{ecsTestService("web", 1, "subnet-a1")}, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseECS(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// A denied task read keeps the rows that do not need tasks, and makes
	// no ECS-2 row.
	s = testScope()
	inventory.Put(s, inventory.ECSServices, []inventory.ECSService{ecsTestService("web", 2, "subnet-a1"), ecsEC2Service("ec2", 2)}, nil)
	inventory.Put(s, inventory.ECSTasks, nil, accessDenied("AccessDeniedException"))
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	requireCode(t, analyseECS(context.Background(), s, collect(&got)), "AccessDeniedException")
	if rows := ecsRows(got); !slices.Equal(rows, []string{"web ECS-1 risk", "ec2 ECS-3 ok"}) {
		t.Errorf("rows %v", rows)
	}
}

// A task listing that failed part-way is not judged: with the second page
// missing, a spread service would look confined to one zone.
func TestAnalyseECSPartialTasksAreNotJudged(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, inventory.ECSServices, []inventory.ECSService{ecsTestService("web", 2, "subnet-a1", "subnet-b1")}, nil)
	inventory.Put(s, inventory.ECSTasks, []inventory.ECSTask{ecsTestTask("web", "us-east-1a", "")}, throttled)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseECS(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the task listing's", err)
	}
	if rows := ecsRows(got); !slices.Equal(rows, []string{"web ECS-1 ok"}) {
		t.Errorf("rows %v", rows)
	}
}

func TestAnalyseECSKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on cluster 2")
	inventory.Put(s, inventory.ECSServices, []inventory.ECSService{ecsTestService("page1", 1, "subnet-b1")}, throttled)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseECS(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if rows := ecsRows(got); !slices.Equal(rows, []string{"page1 ECS-1 risk", "page1 ECS-4 risk"}) {
		t.Errorf("rows %v", rows)
	}
}
