package account

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/rs/zerolog"

	"github.com/faultline/faultline/output"
)

// fakeAccounts stands in for STS and EC2 during setup: the assumed config
// carries its role ARN in AppID, and identify answers from it. moto never
// denies AssumeRole, so this path is tested here.
func fakeSetupHooks(denied string, regions map[string][]string) setupHooks {
	return setupHooks{
		assume: func(base aws.Config, roleARN string) aws.Config {
			cfg := base.Copy()
			cfg.AppID = roleARN
			return cfg
		},
		identify: func(_ context.Context, cfg aws.Config) (Identity, error) {
			account := cfg.AppID[len("arn:aws:iam::") : len("arn:aws:iam::")+12]
			if account == denied {
				return Identity{}, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole"}
			}
			return Identity{Account: account, Partition: "aws"}, nil
		},
		regions: func(_ context.Context, cfg aws.Config) ([]string, error) {
			return regions[cfg.AppID[len("arn:aws:iam::"):len("arn:aws:iam::")+12]], nil
		},
	}
}

// An account whose role cannot be assumed gets one account-setup Failure
// row with the AWS code; the others are set up with their own regions.
func TestSetUpAccountsIsolatesDeniedAccount(t *testing.T) {
	ids := []string{"111111111111", "222222222222", "333333333333"}
	opts := SetupOptions{
		Partition: "aws", RoleName: "Scanner", Concurrency: 2, Log: zerolog.Nop(),
		Regions: []string{"eu-west-1", "ap-east-1"},
		Org:     OrgDirectory{PayerID: "111111111111", Names: map[string]string{"111111111111": "mgmt", "333333333333": "data"}},
		hooks: fakeSetupHooks("222222222222", map[string][]string{
			"111111111111": {"eu-west-1", "us-east-1"},
			"333333333333": {"ap-east-1", "eu-west-1"},
		}),
	}
	res := SetUpAccounts(context.Background(), aws.Config{}, ids, opts)
	if len(res) != 3 {
		t.Fatalf("%d results", len(res))
	}
	if a := res[0].Account; a == nil || a.Name != "mgmt" || a.PayerName != "mgmt" || len(a.Regions) != 1 || a.Regions[0] != "eu-west-1" ||
		len(res[0].NotEnabled) != 1 || res[0].NotEnabled[0] != "ap-east-1" {
		t.Errorf("account 1: %+v %+v", res[0].Account, res[0])
	}
	f := res[1].Failure
	if f == nil || f.Service != SetupService || f.Result != output.ResultFailure || f.ErrorCode != "AccessDenied" || f.AccountID != "222222222222" {
		t.Errorf("account 2: %+v", f)
	}
	if a := res[2].Account; a == nil || a.Name != "data" || a.PayerID != "111111111111" || len(a.Regions) != 2 {
		t.Errorf("account 3: %+v", res[2].Account)
	}
	if a := res[0].Account; a.Config.AppID != "arn:aws:iam::111111111111:role/Scanner" {
		t.Errorf("role %q", a.Config.AppID)
	}
}

// Credentials that would not be assumed: the identity check refuses an
// account whose credentials turn out to be another account's.
func TestSetUpAccountsChecksIdentity(t *testing.T) {
	hooks := fakeSetupHooks("", nil)
	hooks.identify = func(context.Context, aws.Config) (Identity, error) { return Identity{Account: "999999999999"}, nil }
	res := SetUpAccounts(context.Background(), aws.Config{}, []string{"111111111111"}, SetupOptions{Partition: "aws", RoleName: "R", Log: zerolog.Nop(), hooks: hooks})
	if f := res[0].Failure; f == nil || f.ErrorMessage != "credentials are for account 999999999999, not 111111111111" {
		t.Errorf("%+v", res[0])
	}
}

// fakeSTS hands out credentials that expire after ttl.
type fakeSTS struct {
	ttl   time.Duration
	calls atomic.Int64
}

func (f *fakeSTS) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	n := f.calls.Add(1)
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{
		AccessKeyId: aws.String("AKID" + string(rune('0'+n))), SecretAccessKey: aws.String("s"), SessionToken: aws.String("t"),
		Expiration: aws.Time(time.Now().Add(f.ttl)),
	}}, nil
}

// One credentials cache per account: valid credentials are reused by every
// call, and credentials about to expire (a scan longer than the session)
// are assumed again before they are used.
func TestAssumedCredentialsRefreshBeforeExpiry(t *testing.T) {
	ctx := context.Background()
	long := &fakeSTS{ttl: time.Hour}
	cfg := assumeRoleWith(long, aws.Config{}, "arn:aws:iam::111111111111:role/R", "faultline", "", 0)
	for i := 0; i < 5; i++ {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if long.calls.Load() != 1 {
		t.Errorf("valid credentials assumed %d times", long.calls.Load())
	}
	// Expiring inside the refresh window (at most 5 minutes): every use
	// assumes the role again, and gets the new keys.
	short := &fakeSTS{ttl: time.Minute}
	cfg = assumeRoleWith(short, aws.Config{}, "arn:aws:iam::111111111111:role/R", "faultline", "", 0)
	first, _ := cfg.Credentials.Retrieve(ctx)
	second, _ := cfg.Credentials.Retrieve(ctx)
	if short.calls.Load() != 2 || first.AccessKeyID == second.AccessKeyID {
		t.Errorf("expiring credentials: %d calls, keys %s then %s", short.calls.Load(), first.AccessKeyID, second.AccessKeyID)
	}
}
