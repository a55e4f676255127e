package analysers

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/storagegateway"
	sgwtypes "github.com/aws/aws-sdk-go-v2/service/storagegateway/types"

	"github.com/faultline/faultline/inventory"
)

// sgwAPI holds exactly the calls the Storage Gateway analyser makes.
// ListGateways already carries Ec2InstanceId, Ec2InstanceRegion and
// HostEnvironment, so DescribeGatewayInformation is never needed.
type sgwAPI interface {
	storagegateway.ListGatewaysAPIClient
}

var (
	sgwOnEC2 = Check{ID: "SGW-1", Severity: SeverityHigh,
		Description: "Gateway hosted on a single Amazon EC2 instance, in one Availability Zone",
		Remediation: "Do not rely on an EC2-hosted gateway for highly available storage: move the workload to a multi-AZ service such as Amazon EFS or Amazon FSx, or keep a tested procedure to recreate the gateway in another Availability Zone."}
	sgwOffEC2 = Check{ID: "SGW-2", Severity: SeverityInfo,
		Description: "Gateway hosted outside Amazon EC2 (on-premises hypervisor, Snowball or hardware appliance): no AWS Availability Zone dependency",
		Remediation: "None needed for Availability Zone resilience; the availability of the on-premises host is yours to manage."}
)

// sgwGateways are the region's gateways.
var sgwGateways = &inventory.Kind[sgwtypes.GatewayInfo]{
	Name:    "storagegateway/gateways",
	Actions: []string{"storagegateway:ListGateways"},
	APIs:    []reflect.Type{apiOf[sgwAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(sgwtypes.GatewayInfo)) error {
		return loadSGWGateways(ctx, storagegateway.NewFromConfig(s.Config()), add)
	},
}

func loadSGWGateways(ctx context.Context, api sgwAPI, add func(sgwtypes.GatewayInfo)) error {
	p := storagegateway.NewListGatewaysPaginator(api, &storagegateway.ListGatewaysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, gw := range page.Gateways {
			add(gw)
		}
	}
	return nil
}

var StorageGateway = Analyser{
	Name:   "sgw",
	Checks: []Check{sgwOnEC2, sgwOffEC2},
	Kinds:  []inventory.Loader{sgwGateways},
	Run:    analyseSGW,
}

// analyseSGW judges every gateway of the region, even when the listing
// failed part-way (the error is the task's): each gateway is judged on its
// own. ListGateways has no deleting or deleted state to skip: a deleted
// gateway is simply no longer listed, and DISABLED gateways still exist, so
// every listed gateway is judged.
func analyseSGW(ctx context.Context, s *inventory.Scope, emit Emit) error {
	gws, err := sgwGateways.Items(ctx, s)
	for _, gw := range gws {
		emit(judgeSGW(gw))
	}
	return err
}

// sgwHostNames describes where a gateway that is not on EC2 runs.
var sgwHostNames = map[sgwtypes.HostEnvironment]string{
	sgwtypes.HostEnvironmentVmware:   "a VMware ESXi hypervisor",
	sgwtypes.HostEnvironmentHyperV:   "a Microsoft Hyper-V hypervisor",
	sgwtypes.HostEnvironmentKvm:      "a Linux KVM hypervisor",
	sgwtypes.HostEnvironmentSnowball: "an AWS Snowball device",
	sgwtypes.HostEnvironmentOther:    "a host that Storage Gateway reports as OTHER (such as the hardware appliance)",
}

// judgeSGW flags a gateway hosted on EC2: one instance, so one Availability
// Zone. Which zone is not known: ListGateways does not say, and reading the
// instance would cost a call per gateway, so the finding has no AZs. A
// gateway counts as EC2-hosted when its host environment says so or
// when it reports an EC2 instance ID or region (older gateways may report
// only those).
func judgeSGW(gw sgwtypes.GatewayInfo) Finding {
	name := aws.ToString(gw.GatewayName)
	label := "Storage Gateway"
	if name != "" {
		label += " " + name
	} else if id := aws.ToString(gw.GatewayId); id != "" {
		label += " " + id
	}
	if typ := aws.ToString(gw.GatewayType); typ != "" {
		label += " (" + typ + ")"
	}
	instance := aws.ToString(gw.Ec2InstanceId)
	region := aws.ToString(gw.Ec2InstanceRegion)
	var f Finding
	if gw.HostEnvironment == sgwtypes.HostEnvironmentEc2 || instance != "" || region != "" {
		host := "a single EC2 instance"
		switch {
		case instance != "" && region != "":
			host = "the single EC2 instance " + instance + " in " + region
		case instance != "":
			host = "the single EC2 instance " + instance
		case region != "":
			host = "a single EC2 instance in " + region
		}
		f = finding(sgwOnEC2, true, fmt.Sprintf(
			"%s runs on %s, which sits in one Availability Zone: if that zone fails, the gateway and the storage it serves are unavailable.",
			label, host))
	} else {
		where, ok := sgwHostNames[gw.HostEnvironment]
		if !ok {
			where = "a host of type " + string(gw.HostEnvironment)
		}
		msg := fmt.Sprintf("%s runs on %s, not on Amazon EC2, so it does not depend on an AWS Availability Zone.", label, where)
		if gw.HostEnvironment == "" {
			msg = label + " reports neither a host environment nor an EC2 instance, so it is not hosted in an AWS Availability Zone."
		}
		f = finding(sgwOffEC2, false, msg)
	}
	// CloudFormation has no Storage Gateway type: this is the name it would
	// have, as for CloudHSM.
	f.ResourceType = "AWS::StorageGateway::Gateway"
	f.ResourceARN = aws.ToString(gw.GatewayARN)
	f.ResourceName = name
	f.ResourceID = aws.ToString(gw.GatewayId)
	return f
}
