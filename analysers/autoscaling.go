package analysers

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	autoscalingtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/faultline/faultline/inventory"
)

// autoscalingAPI holds exactly the calls of the autoscaling analyser's kind.
type autoscalingAPI interface {
	autoscaling.DescribeAutoScalingGroupsAPIClient
}

var (
	autoscalingSingleAZ = Check{ID: "AUTOSCALING-1", Severity: SeverityHigh,
		Description: "Auto Scaling group whose subnets (or, without subnets, Availability Zones) are all in one Availability Zone",
		Remediation: "Add subnets in at least one more Availability Zone (ideally two) to the group's VPCZoneIdentifier, so that it can run and relaunch instances outside a failed zone."}
	autoscalingStaticStability = Check{ID: "AUTOSCALING-2", Severity: SeverityMedium,
		Description: "Multi-AZ Auto Scaling group that cannot carry its desired capacity with one Availability Zone lost (static stability): over k zones it needs ceil(desired × k/(k−1)) instances, and its max size is below that, or the free IPv4 addresses of its subnets outside the zone with the most cannot hold the extra instances",
		Remediation: "Raise the max size to at least ceil(desired × k/(k−1)) (better: run that many instances all the time), and give the group subnets with enough free IPv4 addresses in every zone."}
	autoscalingInstancesOneAZ = Check{ID: "AUTOSCALING-3", Severity: SeverityMedium,
		Description: "Auto Scaling group that spans several Availability Zones but runs all its instances in one",
		Remediation: "Rebalance the group (AZRebalance must not be suspended), or check for capacity or subnet problems in its other zones: until then an outage of that zone stops every instance."}
)

// autoscalingGroups are the region's Auto Scaling groups, with their
// instances.
var autoscalingGroups = &inventory.Kind[autoscalingtypes.AutoScalingGroup]{
	Name:    "autoscaling/groups",
	Actions: []string{"autoscaling:DescribeAutoScalingGroups"},
	APIs:    []reflect.Type{apiOf[autoscalingAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(autoscalingtypes.AutoScalingGroup)) error {
		return loadAutoScalingGroups(ctx, autoscaling.NewFromConfig(s.Config()), add)
	},
}

// loadAutoScalingGroups lists every group, 100 a page (the API's maximum).
func loadAutoScalingGroups(ctx context.Context, api autoscalingAPI, add func(autoscalingtypes.AutoScalingGroup)) error {
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(api, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range page.AutoScalingGroups {
			add(g)
		}
	}
	return nil
}

var AutoScaling = Analyser{
	Name:   "autoscaling",
	Checks: []Check{autoscalingSingleAZ, autoscalingStaticStability, autoscalingInstancesOneAZ},
	Kinds:  []inventory.Loader{autoscalingGroups, inventory.Subnets},
	Run:    analyseAutoScaling,
}

// analyseAutoScaling judges every group read, even when the listing failed
// part-way (the error is the task's). The subnets are read only when a group
// to judge lists subnets; a failed subnet read fails the task before anything
// is judged, since a group placed with missing subnets would be reported on
// subnets "not found" and its free addresses undercounted.
func analyseAutoScaling(ctx context.Context, s *inventory.Scope, emit Emit) error {
	groups, listErr := autoscalingGroups.Items(ctx, s)
	subnets, err := subnetsFor(ctx, s, groups, func(g autoscalingtypes.AutoScalingGroup) bool {
		return !autoscalingGone(g) && len(autoscalingSubnetIDs(g)) > 0
	})
	if err != nil {
		return err
	}
	for _, g := range groups {
		if autoscalingGone(g) {
			continue
		}
		for _, f := range judgeAutoScalingGroup(g, subnets) {
			emit(f)
		}
	}
	return listErr
}

// autoscalingGone reports a group being deleted (Status "Delete in
// progress"): it is not judged.
func autoscalingGone(g autoscalingtypes.AutoScalingGroup) bool {
	return strings.HasPrefix(strings.ToLower(aws.ToString(g.Status)), "delete")
}

// autoscalingSubnetIDs are the subnets of VPCZoneIdentifier (a
// comma-separated list).
func autoscalingSubnetIDs(g autoscalingtypes.AutoScalingGroup) []string {
	var ids []string
	for _, id := range strings.Split(aws.ToString(g.VPCZoneIdentifier), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return distinct(ids...)
}

// judgeAutoScalingGroup judges a group's placement (AUTOSCALING-1) and, when
// it spans at least two zones and has a desired capacity, its static
// stability (AUTOSCALING-2) and where its instances run (AUTOSCALING-3). A
// group with desired capacity 0 is judged on placement only.
//
// The group is placed by the zones of its subnets (VPCZoneIdentifier), else
// by its AvailabilityZones (a group without subnets launches into the
// zones' default subnets, whose free addresses are then not counted).
func judgeAutoScalingGroup(g autoscalingtypes.AutoScalingGroup, subnets map[string]inventory.Subnet) []Finding {
	name := aws.ToString(g.AutoScalingGroupName)
	label := "Auto Scaling group " + name
	ids := autoscalingSubnetIDs(g)
	var place Placement
	if len(ids) > 0 {
		place = placeSubnets(ids, subnets)
	} else {
		place.AZs = distinct(g.AvailabilityZones...)
	}
	azs, unknown := place.AZs, place.Unknown
	where := "launches into " + plural(len(ids), "subnet")
	var placed Finding
	switch {
	case len(ids) == 0 && len(azs) == 0:
		placed = finding(autoscalingSingleAZ, true, label+" lists no subnets and no Availability Zones, so it has nowhere to run instances.")
	case len(azs) >= 2 && len(ids) > 0:
		placed = finding(autoscalingSingleAZ, false, fmt.Sprintf("%s %s across %d Availability Zones (%s), so it can run and relaunch instances outside a failed zone.",
			label, where, len(azs), list(azs)))
	case len(azs) >= 2:
		placed = finding(autoscalingSingleAZ, false, fmt.Sprintf("%s lists no subnets and launches into %d Availability Zones (%s), so it can run and relaunch instances outside a failed zone.",
			label, len(azs), list(azs)))
	case len(unknown) > 0:
		placed = finding(autoscalingSingleAZ, true, fmt.Sprintf("%s %s; only %s could be placed (%s) and %s could not be found (%s).",
			label, where, plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown)))
	case len(ids) > 0:
		placed = finding(autoscalingSingleAZ, true, fmt.Sprintf("%s %s, all in one Availability Zone (%s), so an outage of that zone stops every instance and the group cannot launch replacements in another zone.",
			label, where, list(azs)))
	default:
		placed = finding(autoscalingSingleAZ, true, fmt.Sprintf("%s lists no subnets and launches into one Availability Zone (%s), so an outage of that zone stops every instance and the group cannot launch replacements in another zone.",
			label, list(azs)))
	}
	out := []Finding{placed}
	desired := int(aws.ToInt32(g.DesiredCapacity))
	if len(azs) >= 2 && desired > 0 {
		out = append(out, judgeAutoScalingCapacity(g, label, ids, place, subnets))
		if f, ok := judgeAutoScalingInstances(g, label, len(azs), zoneIDIndex(place)); ok {
			out = append(out, f)
		}
	}
	for i := range out {
		f := &out[i]
		if f.AZs == nil {
			f.AZs, f.AZIDs = place.AZs, place.AZIDs
		}
		f.ResourceType = "AWS::AutoScaling::AutoScalingGroup"
		f.ResourceARN = aws.ToString(g.AutoScalingGroupARN)
		f.ResourceName = name
	}
	return out
}

// autoscalingNeeded is the size a group of desired instances over k zones
// needs so that desired remain with one zone lost: ceil(desired × k/(k−1)).
func autoscalingNeeded(desired, k int) int {
	return (desired*k + k - 2) / (k - 1)
}

// judgeAutoScalingCapacity judges static stability (D6) for a group over
// k ≥ 2 zones with desired > 0: it needs ceil(desired × k/(k−1))
// instances, so its max size must reach that, and the extra instances
// (needed − desired) must find free IPv4 addresses in its subnets outside
// the zone that has the most (the zone whose loss leaves the fewest).
// Subnets not found count no addresses.
func judgeAutoScalingCapacity(g autoscalingtypes.AutoScalingGroup, label string, ids []string, place Placement, subnets map[string]inventory.Subnet) Finding {
	desired, maxSize, k := int(aws.ToInt32(g.DesiredCapacity)), int(aws.ToInt32(g.MaxSize)), len(place.AZs)
	needed := autoscalingNeeded(desired, k)
	extra := needed - desired
	lead := fmt.Sprintf("%s: desired %d over %d Availability Zones needs %d instances to keep %d running with one zone lost",
		label, desired, k, needed, desired)
	maxOK := maxSize >= needed
	maxClause := fmt.Sprintf("its max size %d allows it", maxSize)
	if !maxOK {
		maxClause = fmt.Sprintf("its max size is only %d", maxSize)
	}
	if len(ids) == 0 {
		return finding(autoscalingStaticStability, !maxOK, fmt.Sprintf("%s; %s (it lists no subnets, so free IPv4 addresses are not counted).", lead, maxClause))
	}
	freeByAZ := map[string]int{}
	total := 0
	for _, id := range ids {
		if sn, ok := subnets[id]; ok && sn.AZ != "" {
			freeByAZ[sn.AZ] += int(sn.FreeIPv4)
			total += int(sn.FreeIPv4)
		}
	}
	largest := place.AZs[0]
	for _, az := range place.AZs { // sorted: ties go to the first name
		if freeByAZ[az] > freeByAZ[largest] {
			largest = az
		}
	}
	outside := total - freeByAZ[largest]
	ipOK := outside >= extra
	have := "have"
	if !ipOK {
		have = "have only"
	}
	ipClause := fmt.Sprintf("the subnets outside %s (the zone with the most free IPv4 addresses) %s %d free for the %s",
		largest, have, outside, plural(extra, "extra instance"))
	if len(place.Unknown) > 0 {
		ipClause += fmt.Sprintf(" (%s not found, not counted)", plural(len(place.Unknown), "subnet"))
	}
	return finding(autoscalingStaticStability, !maxOK || !ipOK, fmt.Sprintf("%s; %s and %s.", lead, maxClause, ipClause))
}

// autoscalingServing reports whether an instance of the group carries its
// capacity: not on its way out (terminating, detaching), in standby, or in
// the warm pool.
func autoscalingServing(state autoscalingtypes.LifecycleState) bool {
	s := string(state)
	for _, prefix := range []string{"Terminat", "Detach", "Warmed:", "Standby", "EnteringStandby"} {
		if strings.HasPrefix(s, prefix) {
			return false
		}
	}
	return true
}

// judgeAutoScalingInstances judges where the serving instances of a group
// over zones ≥ 2 Availability Zones run (Instances[].AvailabilityZone). A
// group with no serving instance, or none whose zone is reported, gets no
// row. Its AZs are the instances' zones, with their IDs from idOf (the
// group's zones) when every one is there.
func judgeAutoScalingInstances(g autoscalingtypes.AutoScalingGroup, label string, zones int, idOf map[string]string) (Finding, bool) {
	count := map[string]int{}
	n, unreported := 0, 0
	for _, in := range g.Instances {
		if !autoscalingServing(in.LifecycleState) {
			continue
		}
		n++
		az := aws.ToString(in.AvailabilityZone)
		if az == "" {
			unreported++
			continue
		}
		count[az]++
	}
	if len(count) == 0 {
		return Finding{}, false
	}
	var azs []string
	for az := range count {
		azs = append(azs, az)
	}
	sort.Strings(azs)
	var f Finding
	switch {
	case len(azs) >= 2:
		parts := make([]string, len(azs))
		for i, az := range azs {
			parts[i] = fmt.Sprintf("%s: %d", az, count[az])
		}
		if unreported > 0 {
			parts = append(parts, fmt.Sprintf("zone not reported: %d", unreported))
		}
		f = finding(autoscalingInstancesOneAZ, false, fmt.Sprintf("%s runs %s across %d Availability Zones (%s), so an outage of one zone leaves instances running in another.",
			label, plural(n, "instance"), len(azs), strings.Join(parts, ", ")))
	case unreported > 0:
		f = finding(autoscalingInstancesOneAZ, true, fmt.Sprintf("%s spans %d Availability Zones but runs %d of its %s in %s and reports no Availability Zone for the other %d, so an outage of that zone may stop them all until the group launches replacements in its other zones.",
			label, zones, count[azs[0]], plural(n, "instance"), azs[0], unreported))
	case n == 1:
		f = finding(autoscalingInstancesOneAZ, true, fmt.Sprintf("%s spans %d Availability Zones but runs its only instance in %s, so an outage of that zone stops it until the group launches a replacement in another zone.",
			label, zones, azs[0]))
	default:
		f = finding(autoscalingInstancesOneAZ, true, fmt.Sprintf("%s spans %d Availability Zones but runs all its %s in %s, so an outage of that zone stops them all until the group launches replacements in its other zones.",
			label, zones, plural(n, "instance"), azs[0]))
	}
	f.AZs, f.AZIDs = azs, zoneIDsOf(azs, idOf)
	return f, true
}

// zoneIDIndex maps a placement's zone names to their IDs (empty when the IDs
// are not known).
func zoneIDIndex(p Placement) map[string]string {
	idOf := map[string]string{}
	if len(p.AZIDs) == len(p.AZs) {
		for i, az := range p.AZs {
			idOf[az] = p.AZIDs[i]
		}
	}
	return idOf
}
