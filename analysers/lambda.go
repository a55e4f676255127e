package analysers

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/faultline/faultline/inventory"
)

var (
	lambdaSingleAZ = Check{ID: "LAMBDA-1", Severity: SeverityHigh,
		Description: "VPC function whose subnets are all in one Availability Zone",
		Remediation: "Add subnets in at least two Availability Zones to the function's VPC configuration."}
	lambdaNoVPC = Check{ID: "LAMBDA-2", Severity: SeverityInfo,
		Description: "Function not attached to a VPC: Lambda runs it across the region's Availability Zones",
		Remediation: "None needed for Availability Zone resilience."}
)

// lambdaFunctions are the region's functions: the inventory's kind, which
// reach and flows read too (its loader is tested there).
var lambdaFunctions = inventory.LambdaFunctions

var Lambda = Analyser{
	Name:   "lambda",
	Checks: []Check{lambdaSingleAZ, lambdaNoVPC},
	Kinds:  []inventory.Loader{lambdaFunctions, inventory.Subnets},
	Run:    analyseLambda,
}

// analyseLambda judges every function read, even when the listing failed
// part-way (the error is the task's). The subnets are read only when a
// function is in a VPC.
func analyseLambda(ctx context.Context, s *inventory.Scope, emit Emit) error {
	fns, listErr := lambdaFunctions.Items(ctx, s)
	subnets, err := subnetsFor(ctx, s, fns, func(fn lambdatypes.FunctionConfiguration) bool {
		return fn.VpcConfig != nil && len(fn.VpcConfig.SubnetIds) > 0
	})
	if err != nil {
		return err
	}
	for _, fn := range fns {
		emit(judgeLambda(fn, subnets))
	}
	return listErr
}

// judgeLambda counts the distinct AZs of a VPC function's subnets: two
// subnets in one AZ are still one AZ.
func judgeLambda(fn lambdatypes.FunctionConfiguration, subnets map[string]inventory.Subnet) Finding {
	name := aws.ToString(fn.FunctionName)
	var f Finding
	if fn.VpcConfig == nil || len(fn.VpcConfig.SubnetIds) == 0 {
		f = finding(lambdaNoVPC, false,
			fmt.Sprintf("Lambda function %s is not attached to a VPC; Lambda runs it in several Availability Zones of the region.", name))
	} else {
		place := placeSubnets(fn.VpcConfig.SubnetIds, subnets)
		azs, unknown := place.AZs, place.Unknown
		chk := lambdaSingleAZ
		n := len(distinct(fn.VpcConfig.SubnetIds...))
		switch {
		case len(azs) >= 2:
			f = finding(chk, false, fmt.Sprintf("Lambda function %s runs in %s across %d Availability Zones (%s).",
				name, plural(n, "subnet"), len(azs), list(azs)))
		case len(unknown) > 0:
			f = finding(chk, true, fmt.Sprintf("Lambda function %s runs in %s; only %s could be placed (%s) and %s could not be found (%s).",
				name, plural(n, "subnet"), plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown)))
		default:
			f = finding(chk, true, fmt.Sprintf("Lambda function %s runs in %s, all in one Availability Zone (%s).",
				name, plural(n, "subnet"), list(azs)))
		}
		f.AZs, f.AZIDs = place.AZs, place.AZIDs
	}
	f.ResourceType = "AWS::Lambda::Function"
	f.ResourceARN = aws.ToString(fn.FunctionArn)
	f.ResourceName = name
	return f
}
