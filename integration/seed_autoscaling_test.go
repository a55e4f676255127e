package integration

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/faultline/faultline/analysers"
)

// autoscalingSeed creates subnets, groups and instances in moto.
type autoscalingSeed struct {
	t   *testing.T
	ctx context.Context
	cfg aws.Config
	vpc *string
}

// subnet creates a subnet of cidr in az. moto counts a subnet's free
// addresses as AWS does (size − 5 reserved: 11 in a /28, 27 in a /27) and
// takes one for each instance launched in it.
func (s autoscalingSeed) subnet(cidr, az string) string {
	s.t.Helper()
	out, err := ec2.NewFromConfig(s.cfg).CreateSubnet(s.ctx, &ec2.CreateSubnetInput{VpcId: s.vpc, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})
	if err != nil {
		s.t.Fatalf("subnet %s in %s: %v", cidr, az, err)
	}
	return aws.ToString(out.Subnet.SubnetId)
}

// group creates a group from the launch configuration "lc"; moto launches
// its desired instances at once, every one in the first subnet listed.
func (s autoscalingSeed) group(name string, desired, maxSize int32, zones []string, subnets ...string) {
	s.t.Helper()
	in := &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), LaunchConfigurationName: aws.String("lc"),
		MinSize: aws.Int32(0), MaxSize: aws.Int32(maxSize), DesiredCapacity: aws.Int32(desired), AvailabilityZones: zones}
	if len(subnets) > 0 {
		in.VPCZoneIdentifier = aws.String(strings.Join(subnets, ","))
	}
	if _, err := autoscaling.NewFromConfig(s.cfg).CreateAutoScalingGroup(s.ctx, in); err != nil {
		s.t.Fatalf("group %s: %v", name, err)
	}
}

// seedAutoScaling creates, in a region with zones a, b and c: a group in
// one subnet and one in two subnets of one zone (AUTOSCALING-1 risks); a
// three-zone group whose max size is below ceil(desired × 3/2), and a
// two-zone group whose subnets outside the zone with the most free addresses
// cannot hold the extra instances (AUTOSCALING-2 risks); a statically stable
// two-zone group whose instances are spread (moto launches every instance in
// the first subnet, so its second instance is launched apart and attached);
// an idle group (desired 0: placement only); and a group with zones but no
// subnets (its instances land in the zones' default subnets, picked by
// moto, so their zones are read back to write the expected row). The groups
// with all their instances in the first subnet's zone are the AUTOSCALING-3
// risks. Covered by fakes only: groups being deleted (moto deletes at once),
// instances leaving, in standby or in a warm pool, instances or subnets
// whose zone is not reported, and subnets that no longer exist. moto pages
// DescribeAutoScalingGroups, but the two-page read is proven by the unit
// test (seeding 101 groups to pass the analyser's page of 100 costs more
// than it proves).
func seedAutoScaling(t *testing.T, ctx context.Context, cfg aws.Config) []row {
	t.Helper()
	r := cfg.Region
	a, b, c := r+"a", r+"b", r+"c"
	def := defaultSubnets(t, ctx, cfg)
	vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	s := autoscalingSeed{t, ctx, cfg, vpcs.Vpcs[0].VpcId}
	api := autoscaling.NewFromConfig(cfg)
	if _, err := api.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String("lc"), ImageId: aws.String("ami-12c6146b"), InstanceType: aws.String("t3.micro"),
	}); err != nil {
		t.Fatal(err)
	}

	s.group("asg-one-subnet", 2, 4, nil, def[a])
	s.group("asg-one-az", 0, 2, nil, s.subnet("172.31.210.0/28", a), s.subnet("172.31.210.16/28", a))
	// 6 instances in the /28 of a (5 left), 11 free in b and c.
	s.group("asg-max-short", 6, 8, nil, s.subnet("172.31.211.0/28", a), s.subnet("172.31.211.16/28", b), s.subnet("172.31.211.32/28", c))
	// 8 instances in the /28 of a (3 left), 11 free in b.
	s.group("asg-few-ips", 8, 16, nil, s.subnet("172.31.212.0/28", a), s.subnet("172.31.212.16/28", b))
	// One instance launched in the /27 of a, one in b attached (desired
	// becomes 2): 26 free in each.
	stableB := s.subnet("172.31.213.32/27", b)
	s.group("asg-stable", 1, 4, nil, s.subnet("172.31.213.0/27", a), stableB)
	run, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(stableB)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.AttachInstances(ctx, &autoscaling.AttachInstancesInput{AutoScalingGroupName: aws.String("asg-stable"),
		InstanceIds: []string{aws.ToString(run.Instances[0].InstanceId)}}); err != nil {
		t.Fatal(err)
	}
	s.group("asg-idle", 0, 0, nil, def[a], def[b])
	s.group("asg-zones", 2, 3, []string{b, a}, nil...)

	// The ARNs, and where moto put the zone-only group's instances.
	arn := map[string]string{}
	zonesInstances := map[string]int{}
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(api, &autoscaling.DescribeAutoScalingGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.AutoScalingGroups {
			arn[aws.ToString(g.AutoScalingGroupName)] = aws.ToString(g.AutoScalingGroupARN)
			if aws.ToString(g.AutoScalingGroupName) == "asg-zones" {
				for _, in := range g.Instances {
					zonesInstances[aws.ToString(in.AvailabilityZone)]++
				}
			}
		}
	}
	var rows []row
	add := func(name, risk, check, severity, msg string) {
		rows = append(rows, row{"autoscaling", r, arn[name], name, "", risk, "", msg, check, severity})
	}
	placed := func(name, subnets string, zones ...string) {
		add(name, "False", "AUTOSCALING-1", "HIGH", fmt.Sprintf("Auto Scaling group %s launches into %s across %d Availability Zones (%s), so it can run and relaunch instances outside a failed zone.",
			name, subnets, len(zones), strings.Join(zones, ", ")))
	}
	add("asg-one-subnet", "True", "AUTOSCALING-1", "HIGH", "Auto Scaling group asg-one-subnet launches into 1 subnet, all in one Availability Zone ("+a+"), so an outage of that zone stops every instance and the group cannot launch replacements in another zone.")
	add("asg-one-az", "True", "AUTOSCALING-1", "HIGH", "Auto Scaling group asg-one-az launches into 2 subnets, all in one Availability Zone ("+a+"), so an outage of that zone stops every instance and the group cannot launch replacements in another zone.")

	placed("asg-max-short", "3 subnets", a, b, c)
	add("asg-max-short", "True", "AUTOSCALING-2", "MEDIUM", "Auto Scaling group asg-max-short: desired 6 over 3 Availability Zones needs 9 instances to keep 6 running with one zone lost; its max size is only 8 and the subnets outside "+b+" (the zone with the most free IPv4 addresses) have 16 free for the 3 extra instances.")
	add("asg-max-short", "True", "AUTOSCALING-3", "MEDIUM", "Auto Scaling group asg-max-short spans 3 Availability Zones but runs all its 6 instances in "+a+", so an outage of that zone stops them all until the group launches replacements in its other zones.")

	placed("asg-few-ips", "2 subnets", a, b)
	add("asg-few-ips", "True", "AUTOSCALING-2", "MEDIUM", "Auto Scaling group asg-few-ips: desired 8 over 2 Availability Zones needs 16 instances to keep 8 running with one zone lost; its max size 16 allows it and the subnets outside "+b+" (the zone with the most free IPv4 addresses) have only 3 free for the 8 extra instances.")
	add("asg-few-ips", "True", "AUTOSCALING-3", "MEDIUM", "Auto Scaling group asg-few-ips spans 2 Availability Zones but runs all its 8 instances in "+a+", so an outage of that zone stops them all until the group launches replacements in its other zones.")

	placed("asg-stable", "2 subnets", a, b)
	add("asg-stable", "False", "AUTOSCALING-2", "MEDIUM", "Auto Scaling group asg-stable: desired 2 over 2 Availability Zones needs 4 instances to keep 2 running with one zone lost; its max size 4 allows it and the subnets outside "+a+" (the zone with the most free IPv4 addresses) have 26 free for the 2 extra instances.")
	add("asg-stable", "False", "AUTOSCALING-3", "MEDIUM", "Auto Scaling group asg-stable runs 2 instances across 2 Availability Zones ("+a+": 1, "+b+": 1), so an outage of one zone leaves instances running in another.")

	placed("asg-idle", "2 subnets", a, b)

	add("asg-zones", "False", "AUTOSCALING-1", "HIGH", "Auto Scaling group asg-zones lists no subnets and launches into 2 Availability Zones ("+a+", "+b+"), so it can run and relaunch instances outside a failed zone.")
	add("asg-zones", "True", "AUTOSCALING-2", "MEDIUM", "Auto Scaling group asg-zones: desired 2 over 2 Availability Zones needs 4 instances to keep 2 running with one zone lost; its max size is only 3 (it lists no subnets, so free IPv4 addresses are not counted).")
	var zs []string
	for z := range zonesInstances {
		zs = append(zs, z)
	}
	sort.Strings(zs)
	switch len(zs) {
	case 1:
		add("asg-zones", "True", "AUTOSCALING-3", "MEDIUM", "Auto Scaling group asg-zones spans 2 Availability Zones but runs all its 2 instances in "+zs[0]+", so an outage of that zone stops them all until the group launches replacements in its other zones.")
	case 2:
		add("asg-zones", "False", "AUTOSCALING-3", "MEDIUM", fmt.Sprintf("Auto Scaling group asg-zones runs 2 instances across 2 Availability Zones (%s: %d, %s: %d), so an outage of one zone leaves instances running in another.",
			zs[0], zonesInstances[zs[0]], zs[1], zonesInstances[zs[1]]))
	default:
		t.Fatalf("asg-zones instances in %v", zonesInstances)
	}
	return rows
}

func TestMotoAutoScaling(t *testing.T) {
	checkAnalyser(t, analysers.AutoScaling, seedAutoScaling, "110000000101", "eu-west-2")
}
