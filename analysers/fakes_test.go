package analysers

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// Shared test helpers for the analysers' fakes.

// accessDenied is the error a client returns when IAM refuses the call.
func accessDenied(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "User is not authorized to perform this action"}
}

// requireCode fails unless err is an API error with that code.
func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("want API error %s, got %v", code, err)
	}
}

// collect returns an Emit that appends to *out.
func collect(out *[]Finding) Emit { return func(f Finding) { *out = append(*out, f) } }

// fakeSubnets answers DescribeSubnets from a map of subnet ID to AZ, honouring
// the subnet-id filter, in pages of one subnet so that callers must paginate.
type fakeSubnets struct {
	az    map[string]string
	calls int
	err   error
}

func (f *fakeSubnets) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	var ids []string
	for _, flt := range in.Filters {
		if aws.ToString(flt.Name) == "subnet-id" {
			ids = flt.Values
		}
	}
	var matched []ec2types.Subnet
	for _, id := range ids {
		if az, ok := f.az[id]; ok {
			matched = append(matched, ec2types.Subnet{SubnetId: aws.String(id), AvailabilityZone: aws.String(az)})
		}
	}
	start := 0
	if in.NextToken != nil {
		// An unknown token ends the listing rather than restart it, so a
		// caller that loops on tokens cannot loop forever.
		start = len(matched)
		for i, s := range matched {
			if aws.ToString(s.SubnetId) == *in.NextToken {
				start = i
			}
		}
	}
	out := &ec2.DescribeSubnetsOutput{}
	if start < len(matched) {
		out.Subnets = matched[start : start+1]
		if start+1 < len(matched) {
			out.NextToken = matched[start+1].SubnetId
		}
	}
	return out, nil
}
