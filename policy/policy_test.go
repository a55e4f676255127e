package policy

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/faultline/faultline/analysers"
)

func build(t *testing.T, opts Options) Document {
	t.Helper()
	doc, err := Build(opts)
	if err != nil {
		t.Fatalf("Build(%+v): %v", opts, err)
	}
	return doc
}

func statement(doc Document, sid string) (Statement, bool) {
	i := slices.IndexFunc(doc.Statement, func(s Statement) bool { return s.Sid == sid })
	if i < 0 {
		return Statement{}, false
	}
	return doc.Statement[i], true
}

// everything turns every option on.
var everything = Options{
	Partition: "aws", Bucket: "findings-bucket", OutputPrefix: "faultline/", Accounts: []string{"222222222222", "111111111111"},
	EventBusARN: "arn:aws:events:eu-west-1:111111111111:event-bus/resilience", AssumeRole: "FaultlineScan",
	ExternalID: "ext-123", ReachActions: []string{"ec2:DescribeRouteTables", "ec2:DescribeNatGateways", "ec2:DescribeRouteTables"},
}

// Each service's statement is exactly its analyser's declared actions, on
// every resource, so that deleting a statement removes exactly one service.
func TestServiceStatementsAreTheDeclaredActions(t *testing.T) {
	doc := build(t, Options{})
	if len(doc.Statement) != 2+len(analysers.All) {
		t.Fatalf("%d statements, want Core, Placement + %d services", len(doc.Statement), len(analysers.All))
	}
	placement, _ := statement(doc, SidPlacement)
	if !slices.Equal(placement.Action, []string{"ec2:DescribeAvailabilityZones", "ec2:DescribeSubnets"}) || !slices.Equal(placement.Resource, []string{"*"}) {
		t.Errorf("placement: %+v", placement)
	}
	for _, a := range analysers.All {
		st, ok := statement(doc, Sid(a.Name))
		if !ok {
			t.Errorf("%s: no statement %s", a.Name, Sid(a.Name))
			continue
		}
		want := slices.Clone(a.Actions())
		slices.Sort(want)
		if !slices.Equal(st.Action, want) || !slices.Equal(st.Resource, []string{"*"}) || st.Effect != "Allow" || st.Condition != nil {
			t.Errorf("%s: %+v, want Allow %v on *", a.Name, st, want)
		}
	}
	core, _ := statement(doc, SidCore)
	if !slices.Equal(core.Action, []string{"ec2:DescribeRegions", "organizations:DescribeOrganization", "organizations:ListAccounts", "sts:GetCallerIdentity"}) {
		t.Errorf("core: %v", core.Action)
	}
	member, _ := statement(build(t, MemberRole(everything)), SidCore)
	if !slices.Equal(member.Action, []string{"ec2:DescribeRegions", "sts:GetCallerIdentity"}) {
		t.Errorf("member-account core: %v", member.Action)
	}
}

func TestSidsAreStableAndValid(t *testing.T) {
	for name, want := range map[string]string{"rds": "Rds", "globalaccelerator": "Globalaccelerator", "vpce": "Vpce", "": ""} {
		if got := Sid(name); got != want {
			t.Errorf("Sid(%q) = %q, want %q", name, got, want)
		}
	}
	valid := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	seen := map[string]bool{}
	for _, st := range build(t, everything).Statement {
		if !valid.MatchString(st.Sid) || seen[st.Sid] {
			t.Errorf("Sid %q is not unique and alphanumeric", st.Sid)
		}
		seen[st.Sid] = true
	}
}

// The statements come in a fixed order and every list is sorted and
// distinct, so one invocation always prints the same bytes.
func TestOrderIsDeterministic(t *testing.T) {
	doc := build(t, everything)
	var sids []string
	for _, st := range doc.Statement {
		sids = append(sids, st.Sid)
		for _, list := range [][]string{st.Action, st.Resource} {
			if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
				t.Errorf("%s: %v is not sorted and distinct", st.Sid, list)
			}
		}
	}
	services := sids[2 : len(sids)-4]
	if sids[0] != SidCore || sids[1] != SidPlacement || !slices.IsSorted(services) || len(services) != len(analysers.All) ||
		!slices.Equal(sids[len(sids)-4:], []string{SidReach, SidAssumeRole, SidDeliveryS3, SidDeliveryEventBridge}) {
		t.Errorf("statement order %v", sids)
	}
	shuffled := everything
	shuffled.Services = []string{"rds", "dax", "rds"}
	again := everything
	again.Services = []string{"dax", "rds"}
	if !bytes.Equal(build(t, shuffled).JSON(), build(t, again).JSON()) {
		t.Error("service order or repetition changes the output")
	}
	if reach, _ := statement(doc, SidReach); !slices.Equal(reach.Action, []string{"ec2:DescribeNatGateways", "ec2:DescribeRouteTables"}) {
		t.Errorf("reach: %v", reach.Action)
	}
}

func TestResourcesOfTheOptionalStatements(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want map[string]Statement // Sid -> expected statement; absent Sids must not appear
	}{
		{"no delivery, no role", Options{Services: []string{"dax"}}, map[string]Statement{}},
		{"own account role", Options{Services: []string{"dax"}, AssumeRole: "Scan"}, map[string]Statement{
			SidAssumeRole: {Action: []string{"sts:AssumeRole"}, Resource: []string{"arn:aws:iam::*:role/Scan"}},
		}},
		{"listed accounts, role with path, external ID", Options{Services: []string{"dax"}, Accounts: []string{"222222222222", "111111111111"},
			AssumeRole: "/team/Scan", ExternalID: "x-1"}, map[string]Statement{
			SidAssumeRole: {Action: []string{"sts:AssumeRole"},
				Resource:  []string{"arn:aws:iam::111111111111:role/team/Scan", "arn:aws:iam::222222222222:role/team/Scan"},
				Condition: map[string]map[string]string{"StringEquals": {"sts:ExternalId": "x-1"}}},
		}},
		{"organization, China", Options{Services: []string{"dax"}, Partition: "aws-cn", Accounts: []string{"ALL"}, AssumeRole: "Scan",
			Bucket: "b-cn", OutputPrefix: "out/"}, map[string]Statement{
			SidAssumeRole: {Action: []string{"sts:AssumeRole"}, Resource: []string{"arn:aws-cn:iam::*:role/Scan"}},
			SidDeliveryS3: {Action: []string{"s3:PutObject"}, Resource: []string{"arn:aws-cn:s3:::b-cn/out/*"}},
		}},
		{"prefix as delivery builds keys", Options{Services: []string{"dax"}, Bucket: "b-1", OutputPrefix: "./reports/../reports/daily"}, map[string]Statement{
			SidDeliveryS3: {Action: []string{"s3:PutObject"}, Resource: []string{"arn:aws:s3:::b-1/reports/daily/*"}},
		}},
		{"absolute output folder", Options{Services: []string{"dax"}, Bucket: "b-1", OutputPrefix: "/var/faultline"}, map[string]Statement{
			SidDeliveryS3: {Action: []string{"s3:PutObject"}, Resource: []string{"arn:aws:s3:::b-1/var/faultline/*"}},
		}},
		{"partition from the event bus", Options{Services: []string{"dax"}, Bucket: "b-gov", OutputPrefix: "",
			EventBusARN: "arn:aws-us-gov:events:us-gov-west-1:111111111111:event-bus/default"}, map[string]Statement{
			SidDeliveryS3:          {Action: []string{"s3:PutObject"}, Resource: []string{"arn:aws-us-gov:s3:::b-gov/*"}},
			SidDeliveryEventBridge: {Action: []string{"events:PutEvents"}, Resource: []string{"arn:aws-us-gov:events:us-gov-west-1:111111111111:event-bus/default"}},
		}},
	}
	for _, c := range cases {
		doc := build(t, c.opts)
		for _, sid := range []string{SidAssumeRole, SidDeliveryS3, SidDeliveryEventBridge, SidReach} {
			got, ok := statement(doc, sid)
			want, wanted := c.want[sid]
			if ok != wanted {
				t.Errorf("%s: statement %s present=%v, want %v", c.name, sid, ok, wanted)
				continue
			}
			want.Sid, want.Effect = sid, "Allow"
			if ok && (!slices.Equal(got.Action, want.Action) || !slices.Equal(got.Resource, want.Resource) ||
				len(got.Condition) != len(want.Condition) || (want.Condition != nil && got.Condition["StringEquals"]["sts:ExternalId"] != want.Condition["StringEquals"]["sts:ExternalId"])) {
				t.Errorf("%s: %s = %+v\nwant %+v", c.name, sid, got, want)
			}
		}
	}
}

func TestBadOptions(t *testing.T) {
	cases := []struct {
		opts Options
		want string
	}{
		{Options{Partition: "aws-iso"}, `unknown partition "aws-iso"; valid: aws, aws-cn, aws-us-gov`},
		{Options{Services: []string{}}, `no service selected`},
		{Options{Services: []string{"s3"}}, `unknown service "s3"`},
		{Options{Accounts: []string{}}, `no account given`},
		{Options{Accounts: []string{"ALL", "111111111111"}}, `ALL cannot be combined with account IDs`},
		{Options{Accounts: []string{"1111"}}, `malformed account ID "1111": expected 12 digits`},
		{Options{ExternalID: "x"}, `an external ID needs a role to assume`},
		{Options{AssumeRole: "bad role"}, `"bad role" is not a valid IAM role name (1-64 of A-Z a-z 0-9 +=,.@_-; a path is allowed before it)`},
		{Options{AssumeRole: "/te*m/Scan"}, `role name "te*m/Scan" must not contain *, ? or ${ (IAM would read them as wildcards or variables)`},
		{Options{OutputPrefix: "out/"}, `an output prefix needs a bucket`},
		{Options{Bucket: "Bad_Bucket"}, `invalid bucket name "Bad_Bucket": use only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit`},
		{Options{Bucket: "good-bucket", OutputPrefix: "a*/"}, `output prefix "a*/" must not contain *, ? or ${ (IAM would read them as wildcards or variables)`},
		{Options{Bucket: "good-bucket", OutputPrefix: "${aws:username}/"}, `output prefix "${aws:username}/" must not contain *, ? or ${ (IAM would read them as wildcards or variables)`},
		{Options{EventBusARN: "arn:aws:sqs:eu-west-1:111111111111:q"}, `invalid event bus ARN "arn:aws:sqs:eu-west-1:111111111111:q": service must be events`},
		{Options{Partition: "aws", EventBusARN: "arn:aws-cn:events:cn-north-1:111111111111:event-bus/default"},
			`event bus arn:aws-cn:events:cn-north-1:111111111111:event-bus/default is in partition aws-cn, not aws`},
	}
	for _, c := range cases {
		_, err := Build(c.opts)
		if err == nil || err.Error() != c.want {
			t.Errorf("Build(%+v):\n got  %v\n want %s", c.opts, err, c.want)
		}
	}
}

// A customer managed policy holds at most 6,144 characters, whitespace not
// counted: the largest policy faultline prints must fit.
func TestLargestPolicyFitsAManagedPolicy(t *testing.T) {
	b := build(t, everything).JSON()
	n := len(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, string(b)))
	if n > 6144 {
		t.Errorf("%d characters without whitespace, more than a managed policy's 6144", n)
	}
}

func TestWithout(t *testing.T) {
	doc := build(t, Options{Services: []string{"dax", "vpce", "fsx"}})
	less := doc.Without("ec2:DescribeSubnets")
	if slices.Contains(less.Actions(), "ec2:DescribeSubnets") || len(less.Actions()) != len(doc.Actions())-1 {
		t.Errorf("Without left %v", less.Actions())
	}
	if _, ok := statement(doc.Without("dax:DescribeClusters"), "Dax"); ok {
		t.Error("a statement left with no action must be dropped")
	}
	if !slices.Contains(doc.Actions(), "ec2:DescribeSubnets") {
		t.Error("Without changed the original document")
	}
}

func TestJSONIsAPolicyDocument(t *testing.T) {
	var generic map[string]any
	if err := json.Unmarshal(build(t, everything).JSON(), &generic); err != nil {
		t.Fatal(err)
	}
	if generic["Version"] != "2012-10-17" || len(generic) != 2 {
		t.Errorf("top level %v", generic)
	}
	for _, s := range generic["Statement"].([]any) {
		st := s.(map[string]any)
		for k := range st {
			if !slices.Contains([]string{"Sid", "Effect", "Action", "Resource", "Condition"}, k) {
				t.Errorf("statement element %q", k)
			}
		}
	}
}

func TestCloudFormation(t *testing.T) {
	opts := Options{Services: []string{"rds"}, ReachActions: []string{"ec2:DescribeRouteTables"}}
	b, err := CloudFormation(opts, Role{Name: "/sec/Scanner", ExternalID: "ext-9"})
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Parameters map[string]map[string]any
		Resources  map[string]struct {
			Type       string
			Properties struct {
				RoleName                 map[string]string
				Path                     string
				AssumeRolePolicyDocument struct {
					Statement []struct {
						Principal map[string]map[string]string
						Action    string
						Condition map[string][]any
					}
				}
				Policies []struct {
					PolicyName     string
					PolicyDocument Document
				}
			}
		}
	}
	if err := json.Unmarshal(b, &tpl); err != nil {
		t.Fatal(err)
	}
	if tpl.Parameters["RoleName"]["Default"] != "Scanner" || tpl.Parameters["ExternalId"]["Default"] != "ext-9" ||
		tpl.Parameters["ScanningAccountId"]["AllowedPattern"] != "^[0-9]{12}$" {
		t.Errorf("parameters %v", tpl.Parameters)
	}
	role := tpl.Resources["ScanRole"]
	p := role.Properties
	if role.Type != "AWS::IAM::Role" || p.Path != "/sec/" || p.RoleName["Ref"] != "RoleName" {
		t.Errorf("role %+v", role)
	}
	trust := p.AssumeRolePolicyDocument.Statement
	if len(trust) != 1 || trust[0].Action != "sts:AssumeRole" ||
		trust[0].Principal["AWS"]["Fn::Sub"] != "arn:${AWS::Partition}:iam::${ScanningAccountId}:root" ||
		trust[0].Condition["Fn::If"][0] != "HasExternalId" {
		t.Errorf("trust %+v", trust)
	}
	want := build(t, Options{Services: []string{"rds"}, ReachActions: []string{"ec2:DescribeRouteTables"}, MemberAccount: true})
	if len(p.Policies) != 1 || !bytes.Equal(p.Policies[0].PolicyDocument.JSON(), want.JSON()) {
		t.Errorf("inline policy %+v\nwant %s", p.Policies, want.JSON())
	}

	// Member accounts are only read: no delivery, no AssumeRole, no listing.
	b, err = CloudFormation(everything, Role{})
	if err != nil {
		t.Fatal(err)
	}
	inline := tpl
	if err := json.Unmarshal(b, &inline); err != nil {
		t.Fatal(err)
	}
	for _, st := range inline.Resources["ScanRole"].Properties.Policies[0].PolicyDocument.Statement {
		if slices.Contains([]string{SidAssumeRole, SidDeliveryS3, SidDeliveryEventBridge}, st.Sid) || slices.ContainsFunc(st.Action, func(a string) bool { return strings.HasPrefix(a, "organizations:") }) {
			t.Errorf("member role allows %s %v", st.Sid, st.Action)
		}
	}
	if !bytes.Contains(b, []byte(`"Default": "`+DefaultRoleName+`"`)) {
		t.Errorf("default role name missing")
	}
	if _, err := CloudFormation(Options{}, Role{Name: "bad name"}); err == nil {
		t.Error("a bad role name must be refused")
	}
	if _, err := CloudFormation(Options{Services: []string{"nope"}}, Role{}); err == nil {
		t.Error("an unknown service must be refused")
	}
}

// An SSE-KMS upload needs kms:GenerateDataKey on its key: the key ARN as the
// resource, a key ID in any region of the partition, or an alias as a
// kms:RequestAlias condition.
func TestKMSStatement(t *testing.T) {
	cases := []struct {
		key, resource, alias string
	}{
		{"arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws-us-gov:kms:*:*:key/1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"alias/findings", "*", "alias/findings"},
		{"arn:aws-us-gov:kms:us-gov-west-1:111111111111:alias/findings", "*", "alias/findings"},
	}
	for _, c := range cases {
		doc, err := Build(Options{Partition: "aws-us-gov", Services: []string{"rds"}, Bucket: "bkt", KMSKeyID: c.key})
		if err != nil {
			t.Fatal(err)
		}
		st := doc.Statement[len(doc.Statement)-1]
		if st.Sid != SidDeliveryKMS || len(st.Action) != 1 || st.Action[0] != "kms:GenerateDataKey" || len(st.Resource) != 1 || st.Resource[0] != c.resource {
			t.Errorf("%s: %+v", c.key, st)
		}
		if got := st.Condition["StringEquals"]["kms:RequestAlias"]; got != c.alias {
			t.Errorf("%s: alias condition %q", c.key, got)
		}
	}
	if _, err := Build(Options{KMSKeyID: "alias/x"}); err == nil || err.Error() != "a KMS key needs a bucket" {
		t.Errorf("key without bucket: %v", err)
	}
	if _, err := Build(Options{Bucket: "bkt", KMSKeyID: "alias/*"}); err == nil {
		t.Error("a wildcard key was accepted")
	}
}
