package analysers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/inventory"
)

var ec2TestTarget = Target{AccountID: "111111111111", Partition: "aws", Region: "us-east-1"}

// ec2TestInstance is an instance in state, in az ("" for no placement),
// with tags as key, value pairs.
func ec2TestInstance(id string, state ec2types.InstanceStateName, az string, tags ...string) ec2types.Instance {
	in := ec2types.Instance{InstanceId: aws.String(id), State: &ec2types.InstanceState{Name: state}}
	if az != "" {
		in.Placement = &ec2types.Placement{AvailabilityZone: aws.String(az)}
	}
	for i := 0; i+1 < len(tags); i += 2 {
		in.Tags = append(in.Tags, ec2types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	return in
}

func TestJudgeEC2Instance(t *testing.T) {
	withZoneID := ec2TestInstance("i-zoneid", ec2types.InstanceStateNameRunning, "us-east-1b")
	withZoneID.Placement.AvailabilityZoneId = aws.String("use1-az2")
	noState := ec2TestInstance("i-nostate", "", "us-east-1a")
	noState.State = nil
	single := func(label, az string) string {
		return label + " is a single instance in one Availability Zone (" + az + "), not in an Auto Scaling group: an outage of that zone takes it down and nothing relaunches it in another zone."
	}
	cases := []struct {
		name      string
		in        ec2types.Instance
		judged    bool
		message   string
		named     string
		azs, azID []string
	}{
		{"running, named", ec2TestInstance("i-web", ec2types.InstanceStateNameRunning, "us-east-1a", "Name", "web", "team", "a"), true,
			single("EC2 instance i-web (web)", "us-east-1a"), "web", []string{"us-east-1a"}, nil},
		{"running, unnamed", ec2TestInstance("i-plain", ec2types.InstanceStateNameRunning, "us-east-1a"), true,
			single("EC2 instance i-plain", "us-east-1a"), "", []string{"us-east-1a"}, nil},
		{"zone ID reported", withZoneID, true, single("EC2 instance i-zoneid", "us-east-1b"), "", []string{"us-east-1b"}, []string{"use1-az2"}},
		{"stopped, named", ec2TestInstance("i-stopped", ec2types.InstanceStateNameStopped, "us-east-1c", "Name", "batch"), true,
			single("EC2 instance i-stopped (batch, stopped)", "us-east-1c"), "batch", []string{"us-east-1c"}, nil},
		{"pending", ec2TestInstance("i-pending", ec2types.InstanceStateNamePending, "us-east-1a"), true,
			single("EC2 instance i-pending (pending)", "us-east-1a"), "", []string{"us-east-1a"}, nil},
		{"stopping", ec2TestInstance("i-stopping", ec2types.InstanceStateNameStopping, "us-east-1a"), true,
			single("EC2 instance i-stopping (stopping)", "us-east-1a"), "", []string{"us-east-1a"}, nil},
		{"no state reported", noState, true, single("EC2 instance i-nostate", "us-east-1a"), "", []string{"us-east-1a"}, nil},
		{"no placement", ec2TestInstance("i-where", ec2types.InstanceStateNameRunning, ""), true,
			"EC2 instance i-where is a single instance, not in an Auto Scaling group, and its Availability Zone is not reported: an outage of that zone takes it down and nothing relaunches it in another zone.", "", nil, nil},
		{"in an Auto Scaling group", ec2TestInstance("i-asg", ec2types.InstanceStateNameRunning, "us-east-1a", "Name", "node", "aws:autoscaling:groupName", "web-asg"), false, "", "", nil, nil},
		{"terminated", ec2TestInstance("i-term", ec2types.InstanceStateNameTerminated, "us-east-1a"), false, "", "", nil, nil},
		{"shutting down", ec2TestInstance("i-shut", ec2types.InstanceStateNameShuttingDown, "us-east-1a"), false, "", "", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := judgeEC2Instance(c.in, ec2TestTarget)
			if ok != c.judged {
				t.Fatalf("judged %v, want %v: %+v", ok, c.judged, f)
			}
			if !ok {
				return
			}
			if f.CheckID != "EC2-1" || f.Severity != SeverityMedium || !f.Risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant EC2-1 MEDIUM true %q", f.CheckID, f.Severity, f.Risk, f.Message, c.message)
			}
			id := aws.ToString(c.in.InstanceId)
			if f.ResourceARN != "arn:aws:ec2:us-east-1:111111111111:instance/"+id || f.ResourceID != id || f.ResourceName != c.named ||
				f.ResourceType != "AWS::EC2::Instance" || f.Engine != "" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azID) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azID)
			}
		})
	}
}

func TestJudgeEC2InstancePartition(t *testing.T) {
	f, _ := judgeEC2Instance(ec2TestInstance("i-cn", ec2types.InstanceStateNameRunning, "cn-north-1a"),
		Target{AccountID: "222222222222", Partition: "aws-cn", Region: "cn-north-1"})
	if f.ResourceARN != "arn:aws-cn:ec2:cn-north-1:222222222222:instance/i-cn" {
		t.Errorf("ARN %s", f.ResourceARN)
	}
}

func TestAnalyseEC2(t *testing.T) {
	s := testScope()
	inventory.Put(s, ec2Instances, []ec2types.Instance{
		ec2TestInstance("i-alone", ec2types.InstanceStateNameRunning, "us-east-1a"),
		ec2TestInstance("i-grouped", ec2types.InstanceStateNameRunning, "us-east-1b", "aws:autoscaling:groupName", "g"),
		ec2TestInstance("i-gone", ec2types.InstanceStateNameTerminated, "us-east-1a"),
		ec2TestInstance("i-off", ec2types.InstanceStateNameStopped, "us-east-1b"),
	}, nil)
	var got []Finding
	if err := analyseEC2(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ResourceID != "i-alone" || got[1].ResourceID != "i-off" {
		t.Fatalf("findings: %+v", got)
	}
}

func TestAnalyseEC2AccessDeniedAndPartialRead(t *testing.T) {
	s := testScope()
	inventory.Put(s, ec2Instances, nil, accessDenied("UnauthorizedOperation"))
	var got []Finding
	requireCode(t, analyseEC2(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	s = testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, ec2Instances, []ec2types.Instance{ec2TestInstance("i-page1", ec2types.InstanceStateNameRunning, "us-east-1a")}, throttled)
	if err := analyseEC2(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	if len(got) != 1 || got[0].ResourceID != "i-page1" {
		t.Fatalf("findings: %+v", got)
	}
}
