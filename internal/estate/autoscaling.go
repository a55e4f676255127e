package estate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// The seeders of the autoscaling and ec2 services join Seeders here, in
// their own file, so that services added side by side do not edit one line.
func init() {
	Seeders["autoscaling"] = AutoScaling
	Seeders["ec2"] = EC2
}

// launchConfiguration creates the launch configuration name that the
// estate's groups launch from.
func launchConfiguration(ctx context.Context, api *autoscaling.Client, name string) error {
	_, err := api.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String(name), ImageId: aws.String("ami-12c6146b"), InstanceType: aws.String("t3.micro"),
	})
	return err
}

// AutoScaling creates n groups of one instance, alternately in one subnet
// and over two AZs with room to double.
func AutoScaling(ctx context.Context, cfg aws.Config, n int) error {
	_, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api := autoscaling.NewFromConfig(cfg)
	if err := launchConfiguration(ctx, api, "estate-asg"); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		vpcZones := subnets[0]
		if i%2 == 1 {
			vpcZones = subnets[0] + "," + subnets[1]
		}
		_, err := api.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
			AutoScalingGroupName: aws.String(fmt.Sprintf("asg-%04d", i)), LaunchConfigurationName: aws.String("estate-asg"),
			MinSize: aws.Int32(1), MaxSize: aws.Int32(2), DesiredCapacity: aws.Int32(1), VPCZoneIdentifier: aws.String(vpcZones),
		})
		if err != nil {
			return fmt.Errorf("autoscaling %d: %w", i, err)
		}
	}
	return nil
}

// EC2 creates n instances, alternately standalone (a finding) and the one
// instance of an Auto Scaling group (no ec2 row).
func EC2(ctx context.Context, cfg aws.Config, n int) error {
	_, subnets, err := Subnets(ctx, cfg)
	if err != nil {
		return err
	}
	api, groups := ec2.NewFromConfig(cfg), autoscaling.NewFromConfig(cfg)
	if n > 1 {
		if err := launchConfiguration(ctx, groups, "estate-ec2"); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		if i%2 == 1 {
			_, err := groups.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
				AutoScalingGroupName: aws.String(fmt.Sprintf("ec2-asg-%04d", i)), LaunchConfigurationName: aws.String("estate-ec2"),
				MinSize: aws.Int32(1), MaxSize: aws.Int32(1), DesiredCapacity: aws.Int32(1), VPCZoneIdentifier: aws.String(subnets[1]),
			})
			if err != nil {
				return fmt.Errorf("ec2 group %d: %w", i, err)
			}
			continue
		}
		_, err := api.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnets[0]),
		})
		if err != nil {
			return fmt.Errorf("ec2 %d: %w", i, err)
		}
	}
	return nil
}
