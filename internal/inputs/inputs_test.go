package inputs

import (
	"strings"
	"testing"
)

func TestAccountID(t *testing.T) {
	if err := AccountID("123456789012"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "12345678901", "1234567890123", "12345678901a", " 123456789012"} {
		if err := AccountID(bad); err == nil || err.Error() != `malformed account ID "`+bad+`": expected 12 digits` {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestBucketName(t *testing.T) {
	for _, ok := range []string{"abc", "my.bucket-1", "a23456789012345678901234567890123456789012345678901234567890123"} {
		if err := BucketName(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	cases := map[string]string{
		"ab":          `invalid bucket name "ab": must be 3 to 63 characters long, got 2`,
		"Upper":       `invalid bucket name "Upper": use only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit`,
		"-abc":        `invalid bucket name "-abc": use only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit`,
		"a..b":        `invalid bucket name "a..b": must not contain two adjacent periods`,
		"192.168.1.1": `invalid bucket name "192.168.1.1": must not be formatted as an IP address`,
		"xn--abc":     `invalid bucket name "xn--abc": must not start with xn--, sthree- or amzn-s3-demo-`,
		"abc-s3alias": `invalid bucket name "abc-s3alias": must not end with -s3alias, --ol-s3, .mrap or --x-s3`,
		"a234567890123456789012345678901234567890123456789012345678901234": `invalid bucket name "a234567890123456789012345678901234567890123456789012345678901234": must be 3 to 63 characters long, got 64`,
	}
	for in, want := range cases {
		if err := BucketName(in); err == nil || err.Error() != want {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestEventBusARN(t *testing.T) {
	for _, ok := range []string{
		"arn:aws:events:us-east-1:123456789012:event-bus/default",
		"arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/ops",
		"arn:aws-cn:events:cn-north-1:123456789012:event-bus/x.y_z-1",
	} {
		if _, err := EventBusARN(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	cases := map[string]string{
		"not-an-arn": `malformed event bus ARN "not-an-arn": arn: invalid prefix`,
		"arn:aws-gov:events:us-gov-west-1:123456789012:event-bus/b": `invalid event bus ARN "arn:aws-gov:events:us-gov-west-1:123456789012:event-bus/b": partition must be one of aws, aws-cn, aws-us-gov`,
		"arn:aws:sqs:us-east-1:123456789012:event-bus/b":            `invalid event bus ARN "arn:aws:sqs:us-east-1:123456789012:event-bus/b": service must be events`,
		"arn:aws:events:us-east-1:123456789012:rule/b":              `invalid event bus ARN "arn:aws:events:us-east-1:123456789012:rule/b": resource must be event-bus/NAME`,
		"arn:aws:events::123456789012:event-bus/b":                  `invalid event bus ARN "arn:aws:events::123456789012:event-bus/b": region is missing or malformed`,
		"arn:aws:events:us-east-1:1234:event-bus/b":                 `invalid event bus ARN "arn:aws:events:us-east-1:1234:event-bus/b": account must be 12 digits`,
		"arn:aws:events:cn-north-1:123456789012:event-bus/b":        `invalid event bus ARN "arn:aws:events:cn-north-1:123456789012:event-bus/b": region cn-north-1 is not in partition aws`,
		"arn:aws:events:us-east-1:123456789012:event-bus/a b":       `invalid event bus ARN "arn:aws:events:us-east-1:123456789012:event-bus/a b": bus name must be 1 to 256 of A-Z a-z 0-9 . _ - /`,
	}
	for in, want := range cases {
		if _, err := EventBusARN(in); err == nil || err.Error() != want {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestRoleName(t *testing.T) {
	for _, ok := range []string{"FaultlineReadOnly", "/ops/team/Reader", "a+=,.@_-"} {
		if err := RoleName(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "bad*role", "has space", "ops/Reader"} {
		if RoleName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzEventBusARN(f *testing.F) {
	f.Add("arn:aws:events:us-east-1:123456789012:event-bus/default")
	f.Add("arn:aws-cn:events:cn-north-1:123456789012:event-bus/x")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := EventBusARN(s)
		if err == nil && (a.Service != "events" || AccountID(a.AccountID) != nil || !RegionName(a.Region)) {
			t.Errorf("accepted %q", s)
		}
	})
}

func FuzzBucketName(f *testing.F) {
	f.Add("my-bucket")
	f.Fuzz(func(t *testing.T, s string) {
		if BucketName(s) == nil && (len(s) < 3 || len(s) > 63) {
			t.Errorf("accepted %q", s)
		}
	})
}

func TestRegionName(t *testing.T) {
	for _, ok := range []string{"us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-5", "us-isob-east-1"} {
		if !RegionName(ok) {
			t.Errorf("%s rejected", ok)
		}
	}
	for _, bad := range []string{"", "us-east", "US-EAST-1", "us_east_1", "useast1", "us-east-1a", "global", "ALL"} {
		if RegionName(bad) {
			t.Errorf("%s accepted", bad)
		}
	}
}

// AccountID accepts exactly twelve ASCII digits.
func FuzzAccountID(f *testing.F) {
	f.Add("123456789012")
	f.Add("12345678901\n")
	f.Add("１２３４５６７８９０１２")
	f.Fuzz(func(t *testing.T, s string) {
		twelveDigits := len(s) == 12 && strings.Trim(s, "0123456789") == ""
		if err := AccountID(s); (err == nil) != twelveDigits {
			t.Errorf("AccountID(%q) = %v", s, err)
		}
	})
}

// RegionName accepts only lower-case letters, digits and hyphens, ending in
// a number.
func FuzzRegionName(f *testing.F) {
	for _, s := range []string{"us-east-1", "us-gov-west-1", "us-isob-east-1", "us-east-1a", "US-EAST-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !RegionName(s) {
			return
		}
		last := s[len(s)-1]
		if strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || last < '0' || last > '9' || strings.Count(s, "-") < 2 {
			t.Errorf("accepted %q", s)
		}
	})
}

// RoleName accepts 1-64 name characters after an optional /path/, and its
// error is one line.
func FuzzRoleName(f *testing.F) {
	for _, s := range []string{"FaultlineReadOnly", "/ops/team/Reader", "bad*role", "ops/Reader", "/x\n/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := RoleName(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		name := s[strings.LastIndex(s, "/")+1:]
		if len(name) < 1 || len(name) > 64 || strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-") != "" {
			t.Errorf("accepted %q", s)
		}
	})
}

// ExternalID accepts 2 to 1224 of the allowed characters only.
func FuzzExternalID(f *testing.F) {
	for _, s := range []string{"ab", "a", "tenant:42/prod@x.y", "has space", strings.Repeat("x", 1225)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ExternalID(s) != nil {
			return
		}
		if len(s) < 2 || len(s) > 1224 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+=,.@:/-") != "" {
			t.Errorf("accepted %q", s)
		}
	})
}
