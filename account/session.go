package account

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// Retry settings. faultline makes many calls at once across many clients,
// so it retries more than the SDK's default (3 attempts) and turns off the
// client-side retry quota, whose empty bucket fails calls with "retry quota
// exceeded" long before the attempts are used up.
const (
	DefaultMaxAttempts = 8
	DefaultMaxBackoff  = 20 * time.Second
)

// RetrySettings choose the retryer. Zero values mean: AWS_MAX_ATTEMPTS and
// AWS_RETRY_MODE when set, else faultline's defaults.
type RetrySettings struct {
	MaxAttempts int
	Mode        string // "standard" or "adaptive"
}

// RetryFromEnv reads AWS_MAX_ATTEMPTS and AWS_RETRY_MODE, so that a user's
// usual SDK settings apply; it rejects values the SDK would reject.
func RetryFromEnv(mode string) (RetrySettings, error) {
	s := RetrySettings{MaxAttempts: DefaultMaxAttempts, Mode: "standard"}
	if v := os.Getenv("AWS_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return s, fmt.Errorf("AWS_MAX_ATTEMPTS must be a whole number >= 1, got %q", v)
		}
		s.MaxAttempts = n
	}
	if v := os.Getenv("AWS_RETRY_MODE"); v != "" {
		s.Mode = v
	}
	if mode != "" {
		s.Mode = mode
	}
	if s.Mode != "standard" && s.Mode != "adaptive" {
		return s, fmt.Errorf("retry mode must be standard or adaptive, got %q", s.Mode)
	}
	return s, nil
}

// NewRetryer returns a new retryer (each client needs its own instance, or
// they would share one adaptive rate limiter).
func (s RetrySettings) NewRetryer() aws.Retryer {
	standard := func(o *retry.StandardOptions) {
		o.MaxAttempts = s.MaxAttempts
		o.MaxBackoff = DefaultMaxBackoff
		o.RateLimiter = ratelimit.None
	}
	if s.Mode == "adaptive" {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, standard)
		})
	}
	return retry.NewStandard(standard)
}

// DefaultRegion is used for the global calls (STS, DescribeRegions,
// Organizations) when neither the environment nor the profile names one.
const DefaultRegion = "us-east-1"

// LoadConfig loads the caller's configuration (environment, profile,
// instance role, AWS_ENDPOINT_URL ...) with faultline's retryer and call
// counting.
func LoadConfig(ctx context.Context, profile string, retry RetrySettings) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient()),
		config.WithRetryer(retry.NewRetryer),
		config.WithAPIOptions([]func(*middleware.Stack) error{countCalls}),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, err
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return cfg, nil
}

// Identity is who the credentials are.
type Identity struct {
	Account   string
	ARN       string
	Partition string
}

// Identify calls sts:GetCallerIdentity; the partition of every ARN faultline
// builds comes from the caller's ARN.
func Identify(ctx context.Context, cfg aws.Config) (Identity, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, err
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), Partition: "aws"}
	if a, err := arn.Parse(id.ARN); err == nil {
		id.Partition = a.Partition
	}
	return id, nil
}

// AssumeRole returns cfg with credentials of roleARN, behind one credentials
// cache that refreshes them before they expire.
func AssumeRole(cfg aws.Config, roleARN, sessionName, externalID string, duration time.Duration) aws.Config {
	return assumeRoleWith(sts.NewFromConfig(cfg), cfg, roleARN, sessionName, externalID, duration)
}

func assumeRoleWith(client stscreds.AssumeRoleAPIClient, cfg aws.Config, roleARN, sessionName, externalID string, duration time.Duration) aws.Config {
	provider := stscreds.NewAssumeRoleProvider(client, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
		if duration > 0 {
			o.Duration = duration
		}
	})
	out := cfg.Copy()
	out.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = 5 * time.Minute
		o.ExpiryWindowJitterFrac = 0.5
	})
	return out
}

// RoleARN is the ARN of role name in account, in partition.
func RoleARN(partition, account, name string) string {
	return "arn:" + partition + ":iam::" + account + ":role/" + name
}

// EnabledRegions lists the regions the account has enabled
// (ec2:DescribeRegions without AllRegions returns only those), sorted.
func EnabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, r := range out.Regions {
		if s := aws.ToString(r.OptInStatus); s == "not-opted-in" {
			continue
		}
		regions = append(regions, aws.ToString(r.RegionName))
	}
	sort.Strings(regions)
	return regions, nil
}
