package integration

import (
	"context"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/analysers"
)

// seedEC2 creates standalone instances, running (named and not) and stopped
// (EC2-1 risks, one row each); a terminated instance (moto keeps listing
// it: no row); and an Auto Scaling group with two instances, which moto tags
// aws:autoscaling:groupName (the healthy case: no row from ec2, the group is
// autoscaling's). Covered by fakes only: shutting-down, pending and stopping
// instances (moto moves them to their next state at once), instances
// without placement, and zone IDs (moto reports no
// Placement.AvailabilityZoneId). The reading of more than one page of
// reservations is inventory.Instances' and is tested there.
func seedEC2(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	def := defaultSubnets(t, ctx, cfg)
	var zones []string
	for z := range def {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	first, second := zones[0], zones[1]
	api := ec2.NewFromConfig(cfg)
	launch := func(name, az string) string {
		t.Helper()
		in := &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(def[az])}
		if name != "" {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}
		}
		out, err := api.RunInstances(ctx, in)
		if err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	web := launch("ec2-web", first)
	plain := launch("", second)
	stopped := launch("ec2-batch", second)
	if _, err := api.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{stopped}}); err != nil {
		t.Fatal(err)
	}
	gone := launch("ec2-gone", first)
	if _, err := api.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{gone}}); err != nil {
		t.Fatal(err)
	}
	as := autoscaling.NewFromConfig(cfg)
	if _, err := as.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String("lc"), ImageId: aws.String("ami-12c6146b"), InstanceType: aws.String("t3.micro"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("ec2-group"),
		LaunchConfigurationName: aws.String("lc"), MinSize: aws.Int32(2), MaxSize: aws.Int32(2), DesiredCapacity: aws.Int32(2),
		VPCZoneIdentifier: aws.String(def[first] + "," + def[second])}); err != nil {
		t.Fatal(err)
	}

	account := accountOf(t, ctx, cfg)
	single := func(id, label, az string) row {
		return row{"ec2", r, "arn:aws:ec2:" + r + ":" + account + ":instance/" + id, "", id, "True", "",
			label + " is a single instance in one Availability Zone (" + az + "), not in an Auto Scaling group: an outage of that zone takes it down and nothing relaunches it in another zone.",
			"EC2-1", "MEDIUM"}
	}
	rows := []row{
		single(web, "EC2 instance "+web+" (ec2-web)", first),
		single(plain, "EC2 instance "+plain, second),
		single(stopped, "EC2 instance "+stopped+" (ec2-batch, stopped)", second),
	}
	rows[0].ResourceName, rows[2].ResourceName = "ec2-web", "ec2-batch"
	return rows
}

func TestMotoEC2(t *testing.T) {
	checkAnalyser(t, analysers.EC2, seedEC2, "110000000102", "ap-northeast-1")
}
