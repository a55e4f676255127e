package iamproof

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/internal/motoserver"
	"github.com/faultline/faultline/policy"
)

// The scanning account and region of the proof (the 4000000000xx range is
// this package's).
const (
	proofAccount = "400000000001"
	proofRegion  = "eu-west-1"
)

// accessCodes are the error codes AWS (and moto) answer a call the policy
// does not allow with, per protocol.
var accessCodes = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}

// motoLimit is why a service's task fails under moto even with the full
// policy, and the code the run report then shows. None is an access error.
type motoLimit struct {
	code string
	why  string
	// restProtocol: moto's signature check rejects the service's first call
	// when IAM is enforced, so the emulator cannot prove its actions are
	// needed; they are covered by the request recording (point 3) only.
	restProtocol bool
	// noBackend: moto answers every call with HTTP 500 before checking IAM,
	// so, as for REST services, only the recording covers the service.
	noBackend bool
}

var motoLimits = map[string]motoLimit{
	"dms":               {code: "HTTP500", why: "moto does not implement DescribeReplicationConfigs, the task's last call"},
	"dx":                {code: "HTTP500", why: "moto does not implement DescribeVirtualInterfaces, the task's last call"},
	"elasticache":       {code: "HTTP500", why: "moto does not implement DescribeServerlessCaches, the task's last call"},
	"sgw":               {code: "HTTP500", why: "moto has no Storage Gateway backend", noBackend: true},
	"globalaccelerator": {code: "HTTP500", why: "moto has no Global Accelerator backend", noBackend: true},
	"efs":               {code: "HTTP403", why: "REST protocol: moto answers SignatureDoesNotMatch under IAM enforcement", restProtocol: true},
	"lambda":            {code: "HTTP403", why: "REST protocol: moto answers SignatureDoesNotMatch under IAM enforcement", restProtocol: true},
	"opensearch":        {code: "HTTP403", why: "REST protocol: moto answers SignatureDoesNotMatch under IAM enforcement", restProtocol: true},
	"eks":               {code: "HTTP403", why: "REST protocol: moto answers SignatureDoesNotMatch under IAM enforcement", restProtocol: true},
	"route53":           {code: "UnknownError", why: "REST-XML protocol: moto answers SignatureDoesNotMatch under IAM enforcement, in a body the SDK does not decode", restProtocol: true},
	"rdsproxy":          {code: "HTTP500", why: "moto does not implement DescribeDBProxyEndpoints, the task's last call"},
	"msk":               {code: "HTTP403", why: "REST protocol: moto answers SignatureDoesNotMatch under IAM enforcement", restProtocol: true},
	"mq":                {code: "HTTP403", why: "REST protocol: moto answers SignatureDoesNotMatch under IAM enforcement", restProtocol: true},
}

// neverSent are policy actions the binary cannot send against moto: Global
// Accelerator reads EIPs and network interfaces only for the endpoints of
// accelerators moto cannot hold (its EC2 instance and load balancer reads
// are sent by ec2, elbv2 and elb). route53:ListResourceRecordSets follows
// ListHostedZones, which moto refuses under enforcement (REST-XML
// signature), and route53resolver:ListResolverEndpointIpAddresses is asked
// per Resolver endpoint, of which the proof estate has none; integration's
// TestMotoRoute53 sends both. The registry test proves each is a method of
// the analyser's client interface; they are the only actions neither the
// enforcement nor the recording covers. (The zone list,
// ec2:DescribeAvailabilityZones, is read only for a zone name that no subnet
// of the region names: it is sent in the run without ec2:DescribeSubnets,
// where elbv2 emits its ELBV2-1 rows before its own subnet read fails and
// the engine, unable to read the subnets, looks the zones up in the zone
// list.)
var neverSent = []string{"route53:ListResourceRecordSets", "route53resolver:ListResolverEndpointIpAddresses", "ec2:DescribeAddresses", "ec2:DescribeNetworkInterfaces",
	"globalaccelerator:ListCustomRoutingAccelerators",
	"globalaccelerator:ListCustomRoutingEndpointGroups", "globalaccelerator:ListCustomRoutingListeners",
	"globalaccelerator:ListEndpointGroups", "globalaccelerator:ListListeners"}

// controls are services with no moto limit, one of which runs next to the
// services under test to show that the missing action hurts no one else.
var controls = []string{"redshift", "memorydb"}

// provable reports whether moto can prove a service's actions under IAM
// enforcement.
func provable(service string) bool {
	l, limited := motoLimits[service]
	return !limited || !(l.restProtocol || l.noBackend)
}

// TestPolicyUnderIAMEnforcement is the proof. It seeds one account,
// creates a user whose only policy is `faultline policy` (and one user per
// action with that action removed), records every request the binary sends
// through a reverse proxy, and then, with moto enforcing IAM:
//  1. the full policy: no task fails with an access error;
//  2. each action removed: the tasks of the services that need it fail with
//     the access error code in the run report, a control service succeeds
//     (core actions: the call is refused and the run reacts as documented);
//  3. every request recorded in all runs is allowed by the policy.
func TestPolicyUnderIAMEnforcement(t *testing.T) {
	ctx := context.Background()
	seedCfg, err := moto.Config(ctx, proofAccount, proofRegion)
	if err != nil {
		t.Fatal(err)
	}
	seedEstate(t, ctx, seedCfg)

	var doc policy.Document
	if err := json.Unmarshal(runPolicy(t), &doc); err != nil {
		t.Fatal(err)
	}
	full := userWithPolicy(t, ctx, "scanner", doc)
	minus := map[string]motoserver.Keys{}
	for _, action := range doc.Actions() {
		minus[action] = userWithPolicy(t, ctx, "minus-"+strings.ReplaceAll(action, ":", "-"), doc.Without(action))
	}

	// Before enforcement: one recorded scan of every service, so that the
	// calls REST services make after their first one are recorded too.
	if res := runScan(t, full, "-r", proofRegion); res.code != 4 {
		t.Fatalf("unenforced scan: exit %d\n%s", res.code, res.stderr)
	}

	resp, err := http.Post(moto.URL+"/moto-api/reset-auth", "text/plain", strings.NewReader("0"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset-auth: %s", resp.Status)
	}

	var baselineNames [][]string
	t.Run("1 full policy: no access error", func(t *testing.T) {
		res := runScan(t, full, "-r", proofRegion)
		if res.code != 4 {
			t.Errorf("exit %d, want 4 (moto's limits fail %d tasks)\n%s", res.code, len(motoLimits), res.stderr)
		}
		for _, a := range analysers.All {
			r := res.report[a.Name]
			want := motoLimits[a.Name]
			switch {
			case r == nil:
				t.Errorf("%s: no run-report row", a.Name)
			case want.code == "" && r[3] != "Success":
				t.Errorf("%s: %s %s %s", a.Name, r[3], r[8], r[4])
			case want.code != "" && (r[3] != "Failure" || r[8] != want.code):
				t.Errorf("%s: %s %s, want Failure %s (%s)", a.Name, r[3], r[8], want.code, want.why)
			}
		}
		for _, req := range recorder.of(full.AccessKeyID) {
			if slices.Contains(accessCodes, req.ErrorCode) {
				t.Errorf("%s refused with %s", req.Action, req.ErrorCode)
			}
		}
		baselineNames = res.names
		if len(baselineNames) == 0 || baselineNames[0][0] != "master" {
			t.Fatalf("account and payer names %v, want master from Organizations", baselineNames)
		}
	})

	t.Run("2 one action removed", func(t *testing.T) {
		if baselineNames == nil {
			t.Fatal("needs the full-policy run's account names")
		}
		// moto runs on one core; a few scans at once keep it busy.
		slots := make(chan struct{}, 4)
		var mu sync.Mutex
		var recordingOnly []string
		for _, action := range doc.Actions() {
			keys := minus[action]
			var need, unprovable []string
			for _, a := range analysers.All {
				if slices.Contains(a.Actions(), action) {
					if provable(a.Name) {
						need = append(need, a.Name)
					} else {
						unprovable = append(unprovable, a.Name)
					}
				}
			}
			core := slices.Contains(policy.CoreActions, action) || slices.Contains(policy.OrganizationActions, action)
			if !core && len(need) == 0 {
				mu.Lock()
				recordingOnly = append(recordingOnly, action+" ("+strings.Join(unprovable, ", ")+")")
				mu.Unlock()
				continue
			}
			t.Run(action, func(t *testing.T) {
				t.Parallel()
				slots <- struct{}{}
				defer func() { <-slots }()
				if core {
					checkCoreAction(t, action, keys, baselineNames)
					return
				}
				i := slices.IndexFunc(controls, func(c string) bool { return !slices.Contains(need, c) })
				control := controls[i]
				res := runScan(t, keys, "-r", proofRegion, "-s", strings.Join(append(slices.Clone(need), control), ","))
				if res.code != 4 {
					t.Errorf("exit %d, want 4\n%s", res.code, res.stderr)
				}
				// moto answers a refused call with an XML body that the SDK
				// cannot decode for these protocols, so the run report shows
				// HTTP403 or UnknownError where AWS gives AccessDenied; the
				// refusal itself is read from moto's answer by the recorder.
				op := action[strings.IndexByte(action, ':')+1:]
				for _, s := range need {
					r := res.report[s]
					if r == nil || r[3] != "Failure" || !strings.Contains(r[4], ": "+op+",") || !strings.Contains(r[4], "StatusCode: 403") {
						t.Errorf("%s: run report %v, want Failure of %s with HTTP 403", s, r, op)
					}
				}
				if r := res.report[control]; r == nil || r[3] != "Success" {
					t.Errorf("control %s: run report %v, want Success", control, r)
				}
				if !refused(keys, action) {
					t.Errorf("moto never refused %s", action)
				}
			})
		}
		t.Cleanup(func() {
			slices.Sort(recordingOnly)
			t.Logf("proven by the request recording only (moto cannot enforce these services): %s", strings.Join(recordingOnly, "; "))
		})
	})

	t.Run("3 every request is covered", func(t *testing.T) {
		allowed := map[string]bool{}
		for _, s := range doc.Statement {
			for _, a := range s.Action {
				// The scan's calls are account-wide reads: only a "*"
				// resource can cover them.
				allowed[a] = allowed[a] || slices.Equal(s.Resource, []string{"*"})
			}
		}
		seen := map[string]bool{}
		requests := recorder.all()
		if len(requests) == 0 {
			t.Fatal("the recorder saw no request")
		}
		for _, r := range requests {
			switch {
			case r.Action == "":
				t.Errorf("unrecognised request %s (add its route to restRoutes)", r.Raw)
			case !allowed[r.Action]:
				t.Errorf("%s is sent but the policy does not allow it on *", r.Action)
			}
			seen[r.Action] = true
		}
		// And the other way round: the policy holds nothing the binary does
		// not send, except what moto cannot make it send.
		for _, a := range doc.Actions() {
			if !seen[a] && !slices.Contains(neverSent, a) {
				t.Errorf("%s is in the policy but was never sent", a)
			}
			if seen[a] && slices.Contains(neverSent, a) {
				t.Errorf("%s is listed as never sent but was recorded: remove it from neverSent", a)
			}
		}
	})
}

// checkCoreAction runs a scan without a core action. sts:GetCallerIdentity
// needs no permission (AWS documents that even an explicit deny does not
// block it, and moto agrees); it stays in the policy so that readers see the
// call. Without the others the scan goes on: regions given on the command
// line are scanned unchecked; without ListAccounts the account-name column
// stays empty, and without DescribeOrganization only the payer columns do
// (the two reads are independent).
func checkCoreAction(t *testing.T, action string, keys motoserver.Keys, baselineNames [][]string) {
	res := runScan(t, keys, "-r", proofRegion, "-s", "vpce")
	if action != "sts:GetCallerIdentity" && !refused(keys, action) {
		t.Errorf("moto never refused %s", action)
	}
	if res.code != 0 || res.report["vpce"] == nil || res.report["vpce"][3] != "Success" {
		t.Errorf("exit %d, vpce %v: want the scan to go on\n%s", res.code, res.report["vpce"], res.stderr)
	}
	want := slices.Clone(baselineNames[0])
	switch action {
	case "organizations:ListAccounts":
		want = []string{"", want[1], ""} // the payer's ID still comes from DescribeOrganization
	case "organizations:DescribeOrganization":
		want = []string{want[0], "", ""}
	}
	if len(res.names) == 0 || !slices.Equal(res.names[0], want) {
		t.Errorf("name/payer columns %v, want %q", res.names, want)
	}
}

// refused reports whether moto answered action, called with keys, with an
// access error.
func refused(keys motoserver.Keys, action string) bool {
	return slices.ContainsFunc(recorder.of(keys.AccessKeyID), func(r request) bool {
		return r.Action == action && slices.Contains(accessCodes, r.ErrorCode)
	})
}

// userWithPolicy creates an IAM user in the proof account whose only policy
// is doc (a managed policy, as users attach it), and returns its keys.
func userWithPolicy(t *testing.T, ctx context.Context, name string, doc policy.Document) motoserver.Keys {
	t.Helper()
	keys, err := moto.AccountKeys(ctx, proofAccount, name)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := moto.Config(ctx, proofAccount, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	api := iam.NewFromConfig(cfg)
	// A CreatePolicy retried under load can meet the policy its first
	// attempt made: the name is this user's alone, so that policy is it.
	arn := "arn:aws:iam::" + proofAccount + ":policy/" + name
	var exists *iamtypes.EntityAlreadyExistsException
	if _, err := api.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(string(doc.JSON()))}); err != nil && !errors.As(err, &exists) {
		t.Fatal(err)
	}
	if _, err := api.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	return keys
}
