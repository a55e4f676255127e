package analysers

import (
	"reflect"

	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// lambdaAPI holds exactly the calls the lambda analyser makes.
type lambdaAPI interface {
	lambda.ListFunctionsAPIClient
}

var (
	lambdaSingleAZ = Check{ID: "LAMBDA-1", Severity: SeverityHigh,
		Description: "VPC function whose subnets are all in one Availability Zone",
		Remediation: "Add subnets in at least two Availability Zones to the function's VPC configuration."}
	lambdaNoVPC = Check{ID: "LAMBDA-2", Severity: SeverityInfo,
		Description: "Function not attached to a VPC: Lambda runs it across the region's Availability Zones",
		Remediation: "None needed for Availability Zone resilience."}
)

var Lambda = Analyser{
	Name:       "lambda",
	Actions:    []string{"lambda:ListFunctions", "ec2:DescribeSubnets"},
	Checks:     []Check{lambdaSingleAZ, lambdaNoVPC},
	ClientAPIs: []reflect.Type{apiOf[lambdaAPI](), apiOf[ec2.DescribeSubnetsAPIClient]()},
	Run: func(ctx context.Context, cfg aws.Config, t Target, emit Emit) error {
		return analyseLambda(ctx, lambda.NewFromConfig(cfg), ec2.NewFromConfig(cfg), emit)
	},
}

func analyseLambda(ctx context.Context, api lambdaAPI, subnets ec2.DescribeSubnetsAPIClient, emit Emit) error {
	resolver := newSubnetAZs(subnets)
	p := lambda.NewListFunctionsPaginator(api, &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		var ids []string
		for _, fn := range page.Functions {
			if fn.VpcConfig != nil {
				ids = append(ids, fn.VpcConfig.SubnetIds...)
			}
		}
		if err := resolver.resolve(ctx, ids); err != nil {
			return err
		}
		for _, fn := range page.Functions {
			emit(judgeLambda(fn, resolver))
		}
	}
	return nil
}

// judgeLambda counts the distinct AZs of a VPC function's subnets: two
// subnets in one AZ are still one AZ.
func judgeLambda(fn lambdatypes.FunctionConfiguration, subnets *subnetAZs) Finding {
	name := aws.ToString(fn.FunctionName)
	var f Finding
	if fn.VpcConfig == nil || len(fn.VpcConfig.SubnetIds) == 0 {
		f = finding(lambdaNoVPC, false,
			fmt.Sprintf("Lambda function %s is not attached to a VPC; Lambda runs it in several Availability Zones of the region.", name))
	} else {
		azs, unknown := subnets.azs(fn.VpcConfig.SubnetIds)
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
	}
	f.ResourceARN = aws.ToString(fn.FunctionArn)
	f.ResourceName = name
	return f
}
