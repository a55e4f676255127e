package analysers

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

var ec2Standalone = Check{ID: "EC2-1", Severity: SeverityMedium,
	Description: "EC2 instance that is not in an Auto Scaling group: one instance is one Availability Zone, and nothing relaunches it in another",
	Remediation: "Run the workload in an Auto Scaling group (or several instances behind a load balancer) across at least two Availability Zones, or keep what it needs (AMI, snapshots, data) ready to launch it in another zone."}

// ec2Instances are the region's instances, in every state: the inventory's
// kind, which reach, flows and globalaccelerator read too (its loader is
// tested there).
var ec2Instances = inventory.Instances

// ec2GroupTag is the tag EC2 Auto Scaling puts on the instances of a group.
const ec2GroupTag = "aws:autoscaling:groupName"

var EC2 = Analyser{
	Name:   "ec2",
	Checks: []Check{ec2Standalone},
	Kinds:  []inventory.Loader{ec2Instances},
	Run:    analyseEC2,
}

// analyseEC2 judges every standalone instance read, even when the listing
// failed part-way (the error is the task's). Instances in an Auto Scaling
// group get no row: the autoscaling analyser judges their group.
func analyseEC2(ctx context.Context, s *inventory.Scope, emit Emit) error {
	instances, err := ec2Instances.Items(ctx, s)
	t := TargetOf(s)
	for _, in := range instances {
		if f, ok := judgeEC2Instance(in, t); ok {
			emit(f)
		}
	}
	return err
}

// ec2Gone reports instances that are not judged: terminated or on their way
// there.
func ec2Gone(in ec2types.Instance) bool {
	if in.State == nil {
		return false
	}
	switch in.State.Name {
	case ec2types.InstanceStateNameTerminated, ec2types.InstanceStateNameShuttingDown:
		return true
	}
	return false
}

// ec2GroupOf is the Auto Scaling group an instance is in ("" for none).
func ec2GroupOf(in ec2types.Instance) string {
	for _, t := range in.Tags {
		if aws.ToString(t.Key) == ec2GroupTag {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// judgeEC2Instance judges an instance that is not in an Auto Scaling group:
// it is in one Availability Zone, whatever it runs (EC2-1, always a risk).
// Terminated and shutting-down instances, and instances in a group, get no
// row (ok is false). A stopped (or pending, stopping) instance is judged too,
// its state said: its volumes are in that zone. The ARN is built in the
// caller's partition and account.
func judgeEC2Instance(in ec2types.Instance, t Target) (Finding, bool) {
	if ec2Gone(in) || ec2GroupOf(in) != "" {
		return Finding{}, false
	}
	id := aws.ToString(in.InstanceId)
	name := nameTag(in.Tags)
	var about []string
	if name != "" {
		about = append(about, name)
	}
	if in.State != nil && in.State.Name != "" && in.State.Name != ec2types.InstanceStateNameRunning {
		about = append(about, string(in.State.Name))
	}
	label := "EC2 instance " + id
	if len(about) > 0 {
		label += " (" + strings.Join(about, ", ") + ")"
	}
	var az, azID string
	if in.Placement != nil {
		az, azID = aws.ToString(in.Placement.AvailabilityZone), aws.ToString(in.Placement.AvailabilityZoneId)
	}
	var f Finding
	if az == "" {
		f = finding(ec2Standalone, true, fmt.Sprintf("%s is a single instance, not in an Auto Scaling group, and its Availability Zone is not reported: an outage of that zone takes it down and nothing relaunches it in another zone.", label))
	} else {
		f = finding(ec2Standalone, true, fmt.Sprintf("%s is a single instance in one Availability Zone (%s), not in an Auto Scaling group: an outage of that zone takes it down and nothing relaunches it in another zone.", label, az))
		f.AZs = []string{az}
		if azID != "" {
			f.AZIDs = []string{azID}
		}
	}
	f.ResourceType = "AWS::EC2::Instance"
	f.ResourceARN = t.ARN("ec2", t.Region, "instance/"+id)
	f.ResourceName = name
	f.ResourceID = id
	return f, true
}
