package analysers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	autoscalingtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/faultline/faultline/inventory"
)

// autoscalingTestSubnets are a region's subnets with free addresses: two in
// us-east-1a (150 free), one in us-east-1b (20), one in us-east-1c (5).
var autoscalingTestSubnets = []inventory.Subnet{
	{ID: "subnet-a1", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1", FreeIPv4: 100},
	{ID: "subnet-a2", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1", FreeIPv4: 50},
	{ID: "subnet-b1", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2", FreeIPv4: 20},
	{ID: "subnet-c1", VPCID: "vpc-1", AZ: "us-east-1c", AZID: "use1-az3", FreeIPv4: 5},
	{ID: "subnet-b20", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2", FreeIPv4: 100},
}

func autoscalingTestSubnetIndex() map[string]inventory.Subnet {
	m := map[string]inventory.Subnet{}
	for _, s := range autoscalingTestSubnets {
		m[s.ID] = s
	}
	return m
}

// autoscalingTestGroup is a group of name over subnets (comma-separated, as the API
// gives them), with desired capacity and max size.
func autoscalingTestGroup(name, subnets string, desired, maxSize int32) autoscalingtypes.AutoScalingGroup {
	g := autoscalingtypes.AutoScalingGroup{
		AutoScalingGroupName: aws.String(name),
		AutoScalingGroupARN:  aws.String("arn:aws:autoscaling:us-east-1:111111111111:autoScalingGroup:uuid:autoScalingGroupName/" + name),
		DesiredCapacity:      aws.Int32(desired), MaxSize: aws.Int32(maxSize), MinSize: aws.Int32(0),
	}
	if subnets != "" {
		g.VPCZoneIdentifier = aws.String(subnets)
	}
	return g
}

// autoscalingWithInstances gives g one InService instance in each zone named ("" for
// a zone not reported).
func autoscalingWithInstances(g autoscalingtypes.AutoScalingGroup, azs ...string) autoscalingtypes.AutoScalingGroup {
	for i, az := range azs {
		in := autoscalingtypes.Instance{InstanceId: aws.String("i-" + strconv.Itoa(i)), LifecycleState: autoscalingtypes.LifecycleStateInService}
		if az != "" {
			in.AvailabilityZone = aws.String(az)
		}
		g.Instances = append(g.Instances, in)
	}
	return g
}

func autoscalingWithStates(g autoscalingtypes.AutoScalingGroup, az string, states ...autoscalingtypes.LifecycleState) autoscalingtypes.AutoScalingGroup {
	for _, st := range states {
		g.Instances = append(g.Instances, autoscalingtypes.Instance{InstanceId: aws.String("i-" + string(st)), AvailabilityZone: aws.String(az), LifecycleState: st})
	}
	return g
}

// autoscalingTestRow is one expected finding of a group.
type autoscalingTestRow struct {
	check     string
	risk      bool
	message   string
	azs, azID []string
}

func TestAutoScalingNeeded(t *testing.T) {
	for _, c := range []struct{ desired, k, want int }{
		{1, 2, 2}, {2, 2, 4}, {3, 2, 6}, {1, 3, 2}, {2, 3, 3}, {6, 3, 9}, {7, 3, 11}, {5, 4, 7}, {6, 4, 8}, {1, 6, 2},
	} {
		if got := autoscalingNeeded(c.desired, c.k); got != c.want {
			t.Errorf("desired %d over %d zones: needed %d, want %d", c.desired, c.k, got, c.want)
		}
	}
}

func TestJudgeAutoScalingGroup(t *testing.T) {
	a, b, c := "us-east-1a", "us-east-1b", "us-east-1c"
	ab, abc, ac := []string{a, b}, []string{a, b, c}, []string{a, c}
	abID, abcID, acID := []string{"use1-az1", "use1-az2"}, []string{"use1-az1", "use1-az2", "use1-az3"}, []string{"use1-az1", "use1-az3"}
	zonesOnly := func(name string, desired, maxSize int32, zones ...string) autoscalingtypes.AutoScalingGroup {
		g := autoscalingTestGroup(name, "", desired, maxSize)
		g.AvailabilityZones = zones
		return g
	}
	cases := []struct {
		name  string
		group autoscalingtypes.AutoScalingGroup
		want  []autoscalingTestRow
	}{
		{"one subnet", autoscalingWithInstances(autoscalingTestGroup("one", "subnet-a1", 2, 4), a, a), []autoscalingTestRow{
			{"AUTOSCALING-1", true, "Auto Scaling group one launches into 1 subnet, all in one Availability Zone (us-east-1a), so an outage of that zone stops every instance and the group cannot launch replacements in another zone.",
				[]string{a}, []string{"use1-az1"}}}},
		{"two subnets in one AZ, with spaces", autoscalingTestGroup("same", "subnet-a1, subnet-a2", 4, 8), []autoscalingTestRow{
			{"AUTOSCALING-1", true, "Auto Scaling group same launches into 2 subnets, all in one Availability Zone (us-east-1a), so an outage of that zone stops every instance and the group cannot launch replacements in another zone.",
				[]string{a}, []string{"use1-az1"}}}},
		{"desired 0 is judged on placement only", autoscalingTestGroup("idle", "subnet-a1,subnet-b1", 0, 0), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group idle launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID}}},
		{"max size below ceil(desired x k/(k-1)), instances in one AZ", autoscalingWithInstances(autoscalingTestGroup("web", "subnet-c1,subnet-b1,subnet-a1", 6, 8), a, a, a, a, a, a), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group web launches into 3 subnets across 3 Availability Zones (us-east-1a, us-east-1b, us-east-1c), so it can run and relaunch instances outside a failed zone.", abc, abcID},
			{"AUTOSCALING-2", true, "Auto Scaling group web: desired 6 over 3 Availability Zones needs 9 instances to keep 6 running with one zone lost; its max size is only 8 and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 25 free for the 3 extra instances.", abc, abcID},
			{"AUTOSCALING-3", true, "Auto Scaling group web spans 3 Availability Zones but runs all its 6 instances in us-east-1a, so an outage of that zone stops them all until the group launches replacements in its other zones.", []string{a}, []string{"use1-az1"}}}},
		{"statically stable, instances spread", autoscalingWithInstances(autoscalingTestGroup("ok", "subnet-a1,subnet-b1", 2, 4), b, a), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group ok launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID},
			{"AUTOSCALING-2", false, "Auto Scaling group ok: desired 2 over 2 Availability Zones needs 4 instances to keep 2 running with one zone lost; its max size 4 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 20 free for the 2 extra instances.", ab, abID},
			{"AUTOSCALING-3", false, "Auto Scaling group ok runs 2 instances across 2 Availability Zones (us-east-1a: 1, us-east-1b: 1), so an outage of one zone leaves instances running in another.", ab, abID}}},
		{"free addresses outside the largest AZ too few", autoscalingTestGroup("ips", "subnet-a1,subnet-c1", 10, 20), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group ips launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1c), so it can run and relaunch instances outside a failed zone.", ac, acID},
			{"AUTOSCALING-2", true, "Auto Scaling group ips: desired 10 over 2 Availability Zones needs 20 instances to keep 10 running with one zone lost; its max size 20 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have only 5 free for the 10 extra instances.", ac, acID}}},
		{"max size and addresses both short", autoscalingTestGroup("both", "subnet-a1,subnet-c1", 10, 12), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group both launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1c), so it can run and relaunch instances outside a failed zone.", ac, acID},
			{"AUTOSCALING-2", true, "Auto Scaling group both: desired 10 over 2 Availability Zones needs 20 instances to keep 10 running with one zone lost; its max size is only 12 and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have only 5 free for the 10 extra instances.", ac, acID}}},
		{"subnets of one AZ are summed, ties go to the first zone", autoscalingTestGroup("tie", "subnet-a1,subnet-b20,subnet-a2", 1, 2), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group tie launches into 3 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID},
			{"AUTOSCALING-2", false, "Auto Scaling group tie: desired 1 over 2 Availability Zones needs 2 instances to keep 1 running with one zone lost; its max size 2 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 100 free for the 1 extra instance.", ab, abID}}},
		{"exactly enough addresses", autoscalingTestGroup("exact", "subnet-a1,subnet-c1", 5, 10), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group exact launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1c), so it can run and relaunch instances outside a failed zone.", ac, acID},
			{"AUTOSCALING-2", false, "Auto Scaling group exact: desired 5 over 2 Availability Zones needs 10 instances to keep 5 running with one zone lost; its max size 10 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 5 free for the 5 extra instances.", ac, acID}}},
		{"zones without subnets", autoscalingWithInstances(zonesOnly("classic", 2, 3, b, a), a, ""), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group classic lists no subnets and launches into 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, nil},
			{"AUTOSCALING-2", true, "Auto Scaling group classic: desired 2 over 2 Availability Zones needs 4 instances to keep 2 running with one zone lost; its max size is only 3 (it lists no subnets, so free IPv4 addresses are not counted).", ab, nil},
			{"AUTOSCALING-3", true, "Auto Scaling group classic spans 2 Availability Zones but runs 1 of its 2 instances in us-east-1a and reports no Availability Zone for the other 1, so an outage of that zone may stop them all until the group launches replacements in its other zones.", []string{a}, nil}}},
		{"zones without subnets, statically stable", zonesOnly("classic-ok", 3, 6, a, b), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group classic-ok lists no subnets and launches into 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, nil},
			{"AUTOSCALING-2", false, "Auto Scaling group classic-ok: desired 3 over 2 Availability Zones needs 6 instances to keep 3 running with one zone lost; its max size 6 allows it (it lists no subnets, so free IPv4 addresses are not counted).", ab, nil}}},
		{"one zone without subnets", zonesOnly("classic-one", 1, 1, a), []autoscalingTestRow{
			{"AUTOSCALING-1", true, "Auto Scaling group classic-one lists no subnets and launches into one Availability Zone (us-east-1a), so an outage of that zone stops every instance and the group cannot launch replacements in another zone.", []string{a}, nil}}},
		{"no subnets and no zones", autoscalingTestGroup("nowhere", "", 1, 1), []autoscalingTestRow{
			{"AUTOSCALING-1", true, "Auto Scaling group nowhere lists no subnets and no Availability Zones, so it has nowhere to run instances.", nil, nil}}},
		{"deleted subnet", autoscalingTestGroup("gone", "subnet-a1,subnet-gone", 2, 4), []autoscalingTestRow{
			{"AUTOSCALING-1", true, "Auto Scaling group gone launches into 2 subnets; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-gone).", []string{a}, []string{"use1-az1"}}}},
		{"every subnet unknown", autoscalingTestGroup("lost", "subnet-x", 2, 4), []autoscalingTestRow{
			{"AUTOSCALING-1", true, "Auto Scaling group lost launches into 1 subnet; only 0 Availability Zones could be placed (none) and 1 subnet could not be found (subnet-x).", nil, nil}}},
		{"deleted subnet beside two zones", autoscalingTestGroup("partly", "subnet-a1,subnet-b1,subnet-gone", 2, 4), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group partly launches into 3 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID},
			{"AUTOSCALING-2", false, "Auto Scaling group partly: desired 2 over 2 Availability Zones needs 4 instances to keep 2 running with one zone lost; its max size 4 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 20 free for the 2 extra instances (1 subnet not found, not counted).", ab, abID}}},
		{"one serving instance; leaving, standby and warm ones not counted",
			autoscalingWithStates(autoscalingWithInstances(autoscalingTestGroup("single", "subnet-a1,subnet-b1", 1, 2), b), a,
				autoscalingtypes.LifecycleStateTerminating, autoscalingtypes.LifecycleStateTerminated, autoscalingtypes.LifecycleStateDetaching,
				autoscalingtypes.LifecycleStateStandby, autoscalingtypes.LifecycleStateEnteringStandby, autoscalingtypes.LifecycleStateWarmedRunning), []autoscalingTestRow{
				{"AUTOSCALING-1", false, "Auto Scaling group single launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID},
				{"AUTOSCALING-2", false, "Auto Scaling group single: desired 1 over 2 Availability Zones needs 2 instances to keep 1 running with one zone lost; its max size 2 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 20 free for the 1 extra instance.", ab, abID},
				{"AUTOSCALING-3", true, "Auto Scaling group single spans 2 Availability Zones but runs its only instance in us-east-1b, so an outage of that zone stops it until the group launches a replacement in another zone.", []string{b}, []string{"use1-az2"}}}},
		{"pending instances count", autoscalingWithStates(autoscalingWithInstances(autoscalingTestGroup("pending", "subnet-a1,subnet-b1", 2, 4), a), b, autoscalingtypes.LifecycleStatePending), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group pending launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID},
			{"AUTOSCALING-2", false, "Auto Scaling group pending: desired 2 over 2 Availability Zones needs 4 instances to keep 2 running with one zone lost; its max size 4 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 20 free for the 2 extra instances.", ab, abID},
			{"AUTOSCALING-3", false, "Auto Scaling group pending runs 2 instances across 2 Availability Zones (us-east-1a: 1, us-east-1b: 1), so an outage of one zone leaves instances running in another.", ab, abID}}},
		{"spread with a zone not reported", autoscalingWithInstances(autoscalingTestGroup("spread", "subnet-a1,subnet-b1", 3, 6), a, b, ""), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group spread launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID},
			{"AUTOSCALING-2", false, "Auto Scaling group spread: desired 3 over 2 Availability Zones needs 6 instances to keep 3 running with one zone lost; its max size 6 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 20 free for the 3 extra instances.", ab, abID},
			{"AUTOSCALING-3", false, "Auto Scaling group spread runs 3 instances across 2 Availability Zones (us-east-1a: 1, us-east-1b: 1, zone not reported: 1), so an outage of one zone leaves instances running in another.", ab, abID}}},
		{"no instance zone reported: no instance row", autoscalingWithInstances(autoscalingTestGroup("unplaced", "subnet-a1,subnet-b1", 2, 4), "", ""), []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group unplaced launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID},
			{"AUTOSCALING-2", false, "Auto Scaling group unplaced: desired 2 over 2 Availability Zones needs 4 instances to keep 2 running with one zone lost; its max size 4 allows it and the subnets outside us-east-1a (the zone with the most free IPv4 addresses) have 20 free for the 2 extra instances.", ab, abID}}},
		{"missing sizes", autoscalingtypes.AutoScalingGroup{AutoScalingGroupName: aws.String("bare"), VPCZoneIdentifier: aws.String("subnet-a1,subnet-b1")}, []autoscalingTestRow{
			{"AUTOSCALING-1", false, "Auto Scaling group bare launches into 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it can run and relaunch instances outside a failed zone.", ab, abID}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := judgeAutoScalingGroup(c.group, autoscalingTestSubnetIndex())
			if len(got) != len(c.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(got), len(c.want), got)
			}
			for i, w := range c.want {
				f := got[i]
				if f.CheckID != w.check || f.Risk != w.risk || f.Message != w.message {
					t.Errorf("finding %d: got %s %v %q\nwant %s %v %q", i, f.CheckID, f.Risk, f.Message, w.check, w.risk, w.message)
				}
				sev := map[string]Severity{"AUTOSCALING-1": SeverityHigh, "AUTOSCALING-2": SeverityMedium, "AUTOSCALING-3": SeverityMedium}[w.check]
				if f.Severity != sev {
					t.Errorf("finding %d: severity %s, want %s", i, f.Severity, sev)
				}
				if f.ResourceName != aws.ToString(c.group.AutoScalingGroupName) || f.ResourceARN != aws.ToString(c.group.AutoScalingGroupARN) ||
					f.ResourceID != "" || f.ResourceType != "AWS::AutoScaling::AutoScalingGroup" {
					t.Errorf("finding %d: resource columns %+v", i, f)
				}
				if !slices.Equal(f.AZs, w.azs) || !slices.Equal(f.AZIDs, w.azID) {
					t.Errorf("finding %d: placed in %v %v, want %v %v", i, f.AZs, f.AZIDs, w.azs, w.azID)
				}
			}
		})
	}
}

// fakeAutoScaling serves DescribeAutoScalingGroups page by page (the
// NextToken is the page index), or an error.
type fakeAutoScaling struct {
	pages [][]autoscalingtypes.AutoScalingGroup
	err   error
	calls int
	max   []int32
}

func (f *fakeAutoScaling) DescribeAutoScalingGroups(_ context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error) {
	f.calls++
	f.max = append(f.max, aws.ToInt32(in.MaxRecords))
	if f.err != nil {
		return nil, f.err
	}
	i := rdsFakePage(in.NextToken)
	return &autoscaling.DescribeAutoScalingGroupsOutput{AutoScalingGroups: f.pages[i], NextToken: rdsFakeNext(i, len(f.pages))}, nil
}

func autoscalingTestPages() [][]autoscalingtypes.AutoScalingGroup {
	deleting := autoscalingTestGroup("p1-deleting", "subnet-a1", 1, 1)
	deleting.Status = aws.String("Delete in progress")
	return [][]autoscalingtypes.AutoScalingGroup{
		{autoscalingTestGroup("p1-one-az", "subnet-a1", 1, 2), deleting},
		{autoscalingWithInstances(autoscalingTestGroup("p2-ok", "subnet-a1,subnet-b1", 2, 4), autoscalingTestAZs...)},
	}
}

var autoscalingTestAZs = []string{"us-east-1a", "us-east-1b"}

func TestLoadAutoScalingGroupsReadsEveryPage(t *testing.T) {
	api := &fakeAutoScaling{pages: autoscalingTestPages()}
	var got []string
	if err := loadAutoScalingGroups(context.Background(), api, func(g autoscalingtypes.AutoScalingGroup) {
		got = append(got, aws.ToString(g.AutoScalingGroupName))
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1-one-az", "p1-deleting", "p2-ok"}; !slices.Equal(got, want) || api.calls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.calls, want)
	}
	if !slices.Equal(api.max, []int32{100, 100}) {
		t.Errorf("MaxRecords %v, want 100 a page", api.max)
	}
	err := loadAutoScalingGroups(context.Background(), &fakeAutoScaling{err: accessDenied("AccessDenied")}, func(autoscalingtypes.AutoScalingGroup) {
		t.Error("a group from a denied listing")
	})
	requireCode(t, err, "AccessDenied")
}

// A snapshot file holds the groups as JSON: they must come back the same.
func TestAutoScalingGroupRoundTripsJSON(t *testing.T) {
	g := autoscalingWithStates(autoscalingWithInstances(autoscalingTestGroup("rt", "subnet-a1,subnet-b1", 2, 4), autoscalingTestAZs...), "us-east-1a", autoscalingtypes.LifecycleStateStandby)
	g.AvailabilityZones = autoscalingTestAZs
	g.CreatedTime = aws.Time(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	g.Tags = []autoscalingtypes.TagDescription{{Key: aws.String("team"), Value: aws.String("web")}}
	g.MixedInstancesPolicy = &autoscalingtypes.MixedInstancesPolicy{LaunchTemplate: &autoscalingtypes.LaunchTemplate{
		Overrides: []autoscalingtypes.LaunchTemplateOverrides{{InstanceType: aws.String("m7g.large")}}}}
	g.AvailabilityZoneDistribution = &autoscalingtypes.AvailabilityZoneDistribution{CapacityDistributionStrategy: autoscalingtypes.CapacityDistributionStrategyBalancedBestEffort}
	first, err := json.Marshal([]autoscalingtypes.AutoScalingGroup{g})
	if err != nil {
		t.Fatal(err)
	}
	var back []autoscalingtypes.AutoScalingGroup
	if err := json.Unmarshal(first, &back); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(back)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("round trip changed the group (%v):\n%s\n%s", err, first, again)
	}
	if len(back) != 1 || len(judgeAutoScalingGroup(back[0], autoscalingTestSubnetIndex())) != 3 {
		t.Fatalf("decoded group judged differently: %+v", back)
	}
}

func TestAnalyseAutoScaling(t *testing.T) {
	s := testScope()
	inventory.Put(s, autoscalingGroups, slices.Concat(autoscalingTestPages()...), nil)
	inventory.Put(s, inventory.Subnets, autoscalingTestSubnets, nil)
	var got []Finding
	if err := analyseAutoScaling(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range got {
		ids = append(ids, f.ResourceName+" "+f.CheckID+" "+strconv.FormatBool(f.Risk))
	}
	// The deleting group is not judged.
	want := []string{"p1-one-az AUTOSCALING-1 true", "p2-ok AUTOSCALING-1 false", "p2-ok AUTOSCALING-2 false", "p2-ok AUTOSCALING-3 false"}
	if !slices.Equal(ids, want) {
		t.Fatalf("findings %v\nwant     %v", ids, want)
	}
}

func TestAnalyseAutoScalingAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, autoscalingGroups, nil, accessDenied("AccessDenied"))
	var got []Finding
	requireCode(t, analyseAutoScaling(context.Background(), s, collect(&got)), "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, autoscalingGroups, []autoscalingtypes.AutoScalingGroup{autoscalingTestGroup("g", "subnet-a1,subnet-b1", 2, 4)}, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseAutoScaling(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// Groups without subnets (and groups being deleted) need no subnet read:
	// with subnets unreadable they are still judged.
	s = testScope()
	classic := autoscalingTestGroup("classic", "", 0, 0)
	classic.AvailabilityZones = autoscalingTestAZs
	deleting := autoscalingTestGroup("deleting", "subnet-a1", 1, 1)
	deleting.Status = aws.String("Delete in progress")
	inventory.Put(s, autoscalingGroups, []autoscalingtypes.AutoScalingGroup{classic, deleting}, nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	if err := analyseAutoScaling(context.Background(), s, collect(&got)); err != nil || len(got) != 1 || got[0].ResourceName != "classic" {
		t.Fatalf("err %v, findings %+v", err, got)
	}
}

func TestAnalyseAutoScalingKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, autoscalingGroups, []autoscalingtypes.AutoScalingGroup{autoscalingTestGroup("page1", "subnet-b1", 1, 1)}, throttled)
	inventory.Put(s, inventory.Subnets, autoscalingTestSubnets, nil)
	var got []Finding
	if err := analyseAutoScaling(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceName != "page1" || !got[0].Risk {
		t.Fatalf("findings: %+v", got)
	}
}
