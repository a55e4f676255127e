// Package inputs validates what users type: account IDs, bucket names, event
// bus ARNs, role names. Each check returns a one-line error that says what
// was expected; none makes an API call.
package inputs

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// AccountID checks a 12-digit AWS account ID.
func AccountID(s string) error {
	if !accountIDPattern.MatchString(s) {
		return fmt.Errorf("malformed account ID %q: expected 12 digits", s)
	}
	return nil
}

// Partitions faultline knows.
var Partitions = []string{"aws", "aws-cn", "aws-us-gov"}

var bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// BucketName checks the S3 general-purpose bucket naming rules.
func BucketName(s string) error {
	bad := func(why string) error { return fmt.Errorf("invalid bucket name %q: %s", s, why) }
	switch {
	case len(s) < 3 || len(s) > 63:
		return bad(fmt.Sprintf("must be 3 to 63 characters long, got %d", len(s)))
	case !bucketPattern.MatchString(s):
		return bad("use only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit")
	case strings.Contains(s, ".."):
		return bad("must not contain two adjacent periods")
	case net.ParseIP(s) != nil:
		return bad("must not be formatted as an IP address")
	case strings.HasPrefix(s, "xn--") || strings.HasPrefix(s, "sthree-") || strings.HasPrefix(s, "amzn-s3-demo-"):
		return bad("must not start with xn--, sthree- or amzn-s3-demo-")
	case strings.HasSuffix(s, "-s3alias") || strings.HasSuffix(s, "--ol-s3") || strings.HasSuffix(s, ".mrap") || strings.HasSuffix(s, "--x-s3"):
		return bad("must not end with -s3alias, --ol-s3, .mrap or --x-s3")
	}
	return nil
}

var (
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-(gov|iso[a-z]?))?-[a-z]+-[0-9]{1,2}$`)
	busNamePattern = regexp.MustCompile(`^[A-Za-z0-9._\-/]{1,256}$`)
)

// RegionName reports whether s is shaped like a region name (us-east-1,
// us-gov-west-1, cn-north-1, us-isob-east-1).
func RegionName(s string) bool { return regionPattern.MatchString(s) }

// EventBusARN checks arn:<partition>:events:<region>:<account>:event-bus/<name>
// for the partitions aws, aws-cn and aws-us-gov.
func EventBusARN(s string) (arn.ARN, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return a, fmt.Errorf("malformed event bus ARN %q: %v", s, err)
	}
	bad := func(why string) error { return fmt.Errorf("invalid event bus ARN %q: %s", s, why) }
	switch {
	case !contains(Partitions, a.Partition):
		return a, bad("partition must be one of " + strings.Join(Partitions, ", "))
	case a.Service != "events":
		return a, bad("service must be events")
	case !RegionName(a.Region):
		return a, bad("region is missing or malformed")
	case AccountID(a.AccountID) != nil:
		return a, bad("account must be 12 digits")
	case !strings.HasPrefix(a.Resource, "event-bus/"):
		return a, bad("resource must be event-bus/NAME")
	case !busNamePattern.MatchString(strings.TrimPrefix(a.Resource, "event-bus/")):
		return a, bad("bus name must be 1 to 256 of A-Z a-z 0-9 . _ - /")
	}
	if (a.Partition == "aws-cn") != strings.HasPrefix(a.Region, "cn-") || (a.Partition == "aws-us-gov") != strings.HasPrefix(a.Region, "us-gov-") {
		return a, bad(fmt.Sprintf("region %s is not in partition %s", a.Region, a.Partition))
	}
	return a, nil
}

var roleNamePattern = regexp.MustCompile(`^(/[\x21-\x7e]*/)?[A-Za-z0-9+=,.@_-]{1,64}$`)

// RoleName checks an IAM role name, optionally with a path (/team/role).
func RoleName(s string) error {
	if !roleNamePattern.MatchString(s) {
		return fmt.Errorf("%q is not a valid IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-; a path is allowed before it)", s)
	}
	return nil
}

var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

// ExternalID checks an sts:AssumeRole external ID.
func ExternalID(s string) error {
	if len(s) < 2 || len(s) > 1224 || !externalIDPattern.MatchString(s) {
		return fmt.Errorf("must be 2 to 1224 of A-Z a-z 0-9 +=,.@:/-")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
