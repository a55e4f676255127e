package analysers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/faultline/faultline/inventory"
)

var (
	ecsConfinedOneAZ = Check{ID: "ECS-1", Severity: SeverityHigh,
		Description: "Service whose awsvpc subnets are all in one Availability Zone, or whose placement constraint confines its tasks to one Availability Zone",
		Remediation: "Give the service's network configuration subnets in at least two Availability Zones (three for static stability), and remove memberOf constraints that name one zone."}
	ecsTasksOneAZ = Check{ID: "ECS-2", Severity: SeverityMedium,
		Description: "Service that expects two or more tasks whose running tasks all sit in one Availability Zone",
		Remediation: "Spread the tasks: give the service subnets (Fargate, awsvpc) or container instances (EC2) in several Availability Zones, spread by attribute:ecs.availability-zone, and turn on Availability Zone rebalancing."}
	ecsPlacement = Check{ID: "ECS-3", Severity: SeverityMedium,
		Description: "Service on EC2 capacity whose placement strategy does not spread tasks across Availability Zones first",
		Remediation: "Make spread on attribute:ecs.availability-zone the first placement strategy of the service (binpack or spread by instance after it)."}
	ecsSingleTask = Check{ID: "ECS-4", Severity: SeverityMedium,
		Description: "Replica service with a desired count of one: its only task is in one Availability Zone at a time",
		Remediation: "Run at least two tasks (three for static stability) spread across Availability Zones."}
)

var ECS = Analyser{
	Name:   "ecs",
	Checks: []Check{ecsConfinedOneAZ, ecsTasksOneAZ, ecsPlacement, ecsSingleTask},
	Kinds:  []inventory.Loader{inventory.ECSClusters, inventory.ECSServices, inventory.ECSTasks, inventory.Subnets},
	Run:    analyseECS,
}

// ecsAZSpread is the placement strategy field that spreads by zone.
const ecsAZSpread = "attribute:ecs.availability-zone"

// analyseECS judges every active service read, even when the listing
// failed part-way (services are judged one by one; the error is the
// task's). The subnets are read only when a service uses awsvpc or a task
// must be placed by its subnet, and a failed subnet read fails the task
// before anything is judged (a service placed with missing subnets would
// be reported on subnets "not found"). The tasks are read only when a
// service expects two or more; a task listing that failed is not judged
// at all, since from part of a service's tasks a spread service could look
// confined to one zone: its error is returned after the other checks' rows.
func analyseECS(ctx context.Context, s *inventory.Scope, emit Emit) error {
	all, listErr := inventory.ECSServices.Items(ctx, s)
	var services []inventory.ECSService
	needSubnets, needTasks := false, false
	for _, svc := range all {
		// DRAINING and INACTIVE services are being deleted; ECS Anywhere
		// (EXTERNAL) services run outside any Availability Zone.
		if !strings.EqualFold(svc.Status, "ACTIVE") || strings.EqualFold(svc.LaunchType, "EXTERNAL") {
			continue
		}
		services = append(services, svc)
		needSubnets = needSubnets || svc.AwsVPC != nil
		needTasks = needTasks || svc.DesiredCount >= 2
	}
	var tasks []inventory.ECSTask
	var tasksErr error
	if needTasks {
		tasks, tasksErr = inventory.ECSTasks.Items(ctx, s)
		for _, t := range tasks {
			needSubnets = needSubnets || (t.AZ == "" && t.Subnet != "")
		}
	}
	var subnets map[string]inventory.Subnet
	if needSubnets {
		var err error
		if subnets, err = inventory.SubnetsByID(ctx, s); err != nil {
			return err
		}
	}
	byService := map[string][]inventory.ECSTask{}
	for _, t := range tasks {
		if name, ok := strings.CutPrefix(t.Group, "service:"); ok {
			k := t.ClusterARN + "\x00" + name
			byService[k] = append(byService[k], t)
		}
	}
	for _, svc := range services {
		if f, ok := judgeECSConfinement(svc, subnets); ok {
			emit(f)
		}
		switch {
		case svc.DesiredCount == 1 && !strings.EqualFold(svc.SchedulingStrategy, "DAEMON"):
			emit(judgeECSSingleTask(svc))
		case svc.DesiredCount >= 2 && tasksErr == nil:
			emit(judgeECSTasks(svc, byService[svc.ClusterARN+"\x00"+svc.Name], subnets))
		}
		if f, ok := judgeECSPlacement(svc); ok {
			emit(f)
		}
	}
	if listErr != nil {
		return listErr
	}
	return tasksErr
}

// ecsLabel names a service and its cluster in messages.
func ecsLabel(svc inventory.ECSService) string {
	cluster := svc.ClusterARN
	if i := strings.LastIndexByte(cluster, '/'); i >= 0 {
		cluster = cluster[i+1:]
	}
	if cluster == "" {
		return "ECS service " + svc.Name
	}
	return "ECS service " + svc.Name + " (cluster " + cluster + ")"
}

func ecsFinding(f Finding, svc inventory.ECSService) Finding {
	f.ResourceType = "AWS::ECS::Service"
	f.ResourceARN = svc.ARN
	f.ResourceName = svc.Name
	return f
}

// ecsZoneName is an Availability Zone (or Local Zone) name.
var ecsZoneName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+(-[a-z]+-\d+)?[a-z]$`)

// ecsAZClause is one conjunct of a cluster query expression that limits
// attribute:ecs.availability-zone to listed values: "== z" or "in [z, ...]".
var ecsAZClause = regexp.MustCompile(`^\(?\s*attribute:ecs\.availability-zone\s*(==|in)\s*\[?([^\]()]*)\]?\s*\)?$`)

// ecsAnd and ecsOr are the conjunction and disjunction of the cluster
// query language.
var (
	ecsAnd = regexp.MustCompile(`\s+(?i:and)\s+|\s*&&\s*`)
	ecsOr  = regexp.MustCompile(`\s(?i:or)\s|\|\|`)
)

// ecsPinnedZone returns the zone a memberOf constraint confines the
// service's tasks to, and the constraint's expression: a conjunct (joined
// by "and" or "&&", with no "or" anywhere) that allows exactly one zone
// name. Anything it cannot read so is not reported as a confinement.
func ecsPinnedZone(constraints []inventory.ECSPlacementConstraint) (zone, expr string) {
	for _, c := range constraints {
		if !strings.EqualFold(c.Type, "memberOf") || ecsOr.MatchString(c.Expression) {
			continue
		}
		for _, clause := range ecsAnd.Split(strings.TrimSpace(c.Expression), -1) {
			m := ecsAZClause.FindStringSubmatch(strings.TrimSpace(clause))
			if m == nil {
				continue
			}
			var zones []string
			for _, v := range strings.Split(m[2], ",") {
				zones = append(zones, strings.Trim(strings.TrimSpace(v), `"'`))
			}
			if zones = distinct(zones...); len(zones) == 1 && ecsZoneName.MatchString(zones[0]) {
				return zones[0], c.Expression
			}
		}
	}
	return "", ""
}

// judgeECSConfinement is ECS-1: where the service's configuration allows
// its tasks to run. It applies to awsvpc services (their subnets) and to
// services with a memberOf constraint naming one zone; other services get
// no ECS-1 row (their tasks go wherever their container instances are,
// which ECS-2 and ECS-3 judge).
func judgeECSConfinement(svc inventory.ECSService, subnets map[string]inventory.Subnet) (Finding, bool) {
	label := ecsLabel(svc)
	zone, expr := ecsPinnedZone(svc.PlacementConstraints)
	if zone != "" {
		f := finding(ecsConfinedOneAZ, true, fmt.Sprintf("%s has placement constraint memberOf(%s), which confines its tasks to one Availability Zone (%s): an outage of that zone stops every task and ECS cannot start replacements elsewhere.",
			label, expr, zone))
		f.AZs = []string{zone}
		if sn, ok := subnetInZone(subnets, zone); ok {
			f.AZIDs = []string{sn.AZID}
		}
		return ecsFinding(f, svc), true
	}
	if svc.AwsVPC == nil {
		return Finding{}, false
	}
	f := judgeSubnetSpread(ecsConfinedOneAZ, label, "places its tasks in",
		"uses awsvpc networking with no subnets, so its tasks have no Availability Zone to run in.",
		"an outage of that zone stops every task and ECS cannot start replacements elsewhere.", svc.AwsVPC.Subnets, subnets)
	return ecsFinding(f, svc), true
}

// subnetInZone returns a subnet of zone, for its zone ID.
func subnetInZone(subnets map[string]inventory.Subnet, zone string) (inventory.Subnet, bool) {
	for _, sn := range subnets {
		if sn.AZ == zone && sn.AZID != "" {
			return sn, true
		}
	}
	return inventory.Subnet{}, false
}

// judgeECSSingleTask is ECS-4: a replica service that runs one task.
func judgeECSSingleTask(svc inventory.ECSService) Finding {
	f := finding(ecsSingleTask, true, fmt.Sprintf("%s has a desired count of 1, so its only task is in one Availability Zone at a time: an outage of that zone stops the service until ECS starts a replacement in another zone.",
		ecsLabel(svc)))
	return ecsFinding(f, svc)
}

// judgeECSTasks is ECS-2, for a service that expects two or more tasks:
// the zones of its running tasks (a task's reported zone, else its awsvpc
// subnet's). It is MEDIUM rather than HIGH: the service's configuration
// lets ECS run tasks in other zones (a configuration that does not is
// ECS-1, HIGH), so ECS replaces tasks lost with the zone, but the service
// is down until it has, and only if the other zones have capacity.
func judgeECSTasks(svc inventory.ECSService, tasks []inventory.ECSTask, subnets map[string]inventory.Subnet) Finding {
	label := ecsLabel(svc)
	count := map[string]int{}
	idOf := map[string]string{}
	var zones []string
	unknown := 0
	for _, t := range tasks {
		az := t.AZ
		if sn, ok := subnets[t.Subnet]; ok && t.Subnet != "" {
			if az == "" {
				az = sn.AZ
			}
			if sn.AZ == az {
				idOf[az] = sn.AZID
			}
		}
		if az == "" {
			unknown++
			continue
		}
		if count[az] == 0 {
			zones = append(zones, az)
		}
		count[az]++
	}
	zones = distinct(zones...)
	for _, z := range zones {
		if idOf[z] == "" {
			if sn, ok := subnetInZone(subnets, z); ok {
				idOf[z] = sn.AZID
			}
		}
	}
	n, known := len(tasks), len(tasks)-unknown
	var spread []string
	for _, z := range zones {
		spread = append(spread, fmt.Sprintf("%s: %d", z, count[z]))
	}
	desired := fmt.Sprintf("desired %d", svc.DesiredCount)
	var f Finding
	switch {
	case n == 0:
		f = finding(ecsTasksOneAZ, false, fmt.Sprintf("%s has no running task (%s), so there is no task placement to judge.", label, desired))
	case len(zones) >= 2:
		f = finding(ecsTasksOneAZ, false, fmt.Sprintf("%s runs %s across %d Availability Zones (%s), %s.",
			label, plural(n, "task"), len(zones), strings.Join(spread, ", "), desired))
	case len(zones) == 0:
		f = finding(ecsTasksOneAZ, true, fmt.Sprintf("%s runs %s (%s) and none reports an Availability Zone, so they cannot be shown to span two zones.",
			label, plural(n, "task"), desired))
	case unknown > 0:
		f = finding(ecsTasksOneAZ, true, fmt.Sprintf("%s runs %s in one Availability Zone (%s) and %s whose Availability Zone is not reported (%s).",
			label, plural(known, "task"), zones[0], plural(unknown, "task"), desired))
	case n == 1:
		f = finding(ecsTasksOneAZ, true, fmt.Sprintf("%s runs 1 task, in one Availability Zone (%s), while it expects %d: an outage of that zone stops the service until ECS starts replacements in another zone.",
			label, zones[0], svc.DesiredCount))
	default:
		f = finding(ecsTasksOneAZ, true, fmt.Sprintf("%s runs all %d of its tasks in one Availability Zone (%s), %s: an outage of that zone stops the service until ECS starts replacements in another zone.",
			label, n, zones[0], desired))
	}
	f.AZs = zones
	if len(zones) > 0 {
		f.AZIDs = zoneIDsOf(zones, idOf)
	}
	return ecsFinding(f, svc)
}

// ecsFargate reports whether the service runs on Fargate: its launch type,
// or a capacity provider strategy of Fargate providers only.
func ecsFargate(svc inventory.ECSService) bool {
	if svc.LaunchType != "" {
		return strings.EqualFold(svc.LaunchType, "FARGATE")
	}
	if len(svc.CapacityProviders) == 0 {
		return false
	}
	for _, p := range svc.CapacityProviders {
		if p != "FARGATE" && p != "FARGATE_SPOT" {
			return false
		}
	}
	return true
}

// judgeECSPlacement is ECS-3, for services whose tasks ECS places on
// container instances: EC2 ones, and those whose launch type is the
// cluster's default capacity provider strategy (not in the service).
// Fargate services are spread across their subnets' zones by Fargate, and
// daemon services run one task per instance (no placement strategy): they
// get no ECS-3 row. No strategy is ECS's default for services, spread by
// attribute:ecs.availability-zone.
func judgeECSPlacement(svc inventory.ECSService) (Finding, bool) {
	if ecsFargate(svc) || strings.EqualFold(svc.SchedulingStrategy, "DAEMON") {
		return Finding{}, false
	}
	label := ecsLabel(svc)
	var steps []string
	spreadsAZ := false
	for _, p := range svc.PlacementStrategy {
		step := p.Type
		if p.Field != "" {
			step += "(" + p.Field + ")"
		}
		steps = append(steps, step)
		if strings.EqualFold(p.Type, "spread") && strings.EqualFold(p.Field, ecsAZSpread) {
			spreadsAZ = true
		}
	}
	strategy := strings.Join(steps, ", ")
	var f Finding
	switch {
	case len(steps) == 0:
		f = finding(ecsPlacement, false, fmt.Sprintf("%s sets no placement strategy, so ECS spreads its tasks across Availability Zones (the default for services: spread by %s).", label, ecsAZSpread))
	case strings.EqualFold(svc.PlacementStrategy[0].Type, "spread") && strings.EqualFold(svc.PlacementStrategy[0].Field, ecsAZSpread):
		f = finding(ecsPlacement, false, fmt.Sprintf("%s spreads its tasks across Availability Zones first (placement strategy %s).", label, strategy))
	case spreadsAZ:
		f = finding(ecsPlacement, true, fmt.Sprintf("%s places its tasks by %s: spreading across Availability Zones is not the first strategy, so ECS may put the tasks on one zone's instances.", label, strategy))
	default:
		f = finding(ecsPlacement, true, fmt.Sprintf("%s places its tasks by %s, with no spread by %s, so ECS may put the tasks on one zone's instances.", label, strategy, ecsAZSpread))
	}
	return ecsFinding(f, svc), true
}
