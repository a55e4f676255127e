package analysers

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

var testSubnetAZs = map[string]string{
	"subnet-a1": "us-east-1a", "subnet-a2": "us-east-1a", "subnet-b1": "us-east-1b",
}

func vpcFunction(name string, subnets ...string) lambdatypes.FunctionConfiguration {
	return lambdatypes.FunctionConfiguration{
		FunctionName: aws.String(name),
		FunctionArn:  aws.String("arn:aws:lambda:us-east-1:111111111111:function:" + name),
		VpcConfig:    &lambdatypes.VpcConfigResponse{SubnetIds: subnets, VpcId: aws.String("vpc-1")},
	}
}

func TestJudgeLambda(t *testing.T) {
	resolver := newSubnetAZs(&fakeSubnets{az: testSubnetAZs})
	if err := resolver.resolve(context.Background(), []string{"subnet-a1", "subnet-a2", "subnet-b1", "subnet-gone"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		fn      lambdatypes.FunctionConfiguration
		check   string
		risk    bool
		message string
	}{
		{"no VPC", lambdatypes.FunctionConfiguration{FunctionName: aws.String("plain"), FunctionArn: aws.String("arn:aws:lambda:us-east-1:111111111111:function:plain")},
			"LAMBDA-2", false, "Lambda function plain is not attached to a VPC; Lambda runs it in several Availability Zones of the region."},
		{"VPC config without subnets", lambdatypes.FunctionConfiguration{FunctionName: aws.String("empty"), VpcConfig: &lambdatypes.VpcConfigResponse{}},
			"LAMBDA-2", false, "Lambda function empty is not attached to a VPC; Lambda runs it in several Availability Zones of the region."},
		{"one subnet", vpcFunction("one", "subnet-a1"),
			"LAMBDA-1", true, "Lambda function one runs in 1 subnet, all in one Availability Zone (us-east-1a)."},
		{"two subnets in one AZ", vpcFunction("same", "subnet-a1", "subnet-a2"),
			"LAMBDA-1", true, "Lambda function same runs in 2 subnets, all in one Availability Zone (us-east-1a)."},
		{"two AZs", vpcFunction("multi", "subnet-a1", "subnet-b1"),
			"LAMBDA-1", false, "Lambda function multi runs in 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b)."},
		{"deleted subnet", vpcFunction("gone", "subnet-a1", "subnet-gone"),
			"LAMBDA-1", true, "Lambda function gone runs in 2 subnets; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-gone)."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeLambda(c.fn, resolver)
			if f.CheckID != c.check || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %v %q\nwant %s %v %q", f.CheckID, f.Risk, f.Message, c.check, c.risk, c.message)
			}
			if f.ResourceName != aws.ToString(c.fn.FunctionName) || f.ResourceARN != aws.ToString(c.fn.FunctionArn) {
				t.Errorf("resource columns: %+v", f)
			}
		})
	}
}

// fakeLambda serves ListFunctions in two pages, or an error.
type fakeLambda struct {
	pages [][]lambdatypes.FunctionConfiguration
	err   error
}

func (f *fakeLambda) ListFunctions(_ context.Context, in *lambda.ListFunctionsInput, _ ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.Marker != nil {
		i = int((*in.Marker)[0] - '0')
	}
	out := &lambda.ListFunctionsOutput{Functions: f.pages[i]}
	if i+1 < len(f.pages) {
		out.NextMarker = aws.String(string(rune('0' + i + 1)))
	}
	return out, nil
}

func TestAnalyseLambdaReadsEveryPage(t *testing.T) {
	api := &fakeLambda{pages: [][]lambdatypes.FunctionConfiguration{
		{vpcFunction("p1-risky", "subnet-a1")},
		{vpcFunction("p2-ok", "subnet-a1", "subnet-b1"), {FunctionName: aws.String("p2-novpc")}},
	}}
	var got []Finding
	if err := analyseLambda(context.Background(), api, &fakeSubnets{az: testSubnetAZs}, collect(&got)); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		risk bool
	}{{"p1-risky", true}, {"p2-ok", false}, {"p2-novpc", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %v, want %s %v", i, got[i].ResourceName, got[i].Risk, w.name, w.risk)
		}
	}
}

func TestAnalyseLambdaAccessDenied(t *testing.T) {
	var got []Finding
	err := analyseLambda(context.Background(), &fakeLambda{err: accessDenied("AccessDeniedException")}, &fakeSubnets{}, collect(&got))
	requireCode(t, err, "AccessDeniedException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet lookup fails the task but keeps nothing half-judged.
	api := &fakeLambda{pages: [][]lambdatypes.FunctionConfiguration{{vpcFunction("f", "subnet-a1")}}}
	err = analyseLambda(context.Background(), api, &fakeSubnets{err: accessDenied("UnauthorizedOperation")}, collect(&got))
	requireCode(t, err, "UnauthorizedOperation")
}
