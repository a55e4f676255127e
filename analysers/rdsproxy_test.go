package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/faultline/faultline/inventory"
)

func rdsproxyTestProxy(name string, subnets ...string) rdstypes.DBProxy {
	return rdstypes.DBProxy{DBProxyName: aws.String(name), DBProxyArn: aws.String("arn:aws:rds:us-east-1:111111111111:db-proxy:prx-" + name),
		EngineFamily: aws.String("POSTGRESQL"), Status: rdstypes.DBProxyStatusAvailable, VpcSubnetIds: subnets}
}

func rdsproxyTestEndpoint(name, proxy string, role rdstypes.DBProxyEndpointTargetRole, subnets ...string) rdstypes.DBProxyEndpoint {
	return rdstypes.DBProxyEndpoint{DBProxyEndpointName: aws.String(name), DBProxyName: aws.String(proxy), TargetRole: role,
		DBProxyEndpointArn: aws.String("arn:aws:rds:us-east-1:111111111111:db-proxy-endpoint:prx-endpoint-" + name),
		Status:             rdstypes.DBProxyEndpointStatusAvailable, IsDefault: aws.Bool(false), VpcSubnetIds: subnets}
}

// moto 5.2.1 does not implement DescribeDBProxyEndpoints, so the endpoint
// rule (RDSPROXY-2) is covered by these fakes only; the integration seed
// proves the proxies' rows.
func TestJudgeRDSProxy(t *testing.T) {
	a, ab := []string{"us-east-1a"}, []string{"us-east-1a", "us-east-1b"}
	aID, abID := []string{"use1-az1"}, []string{"use1-az1", "use1-az2"}
	const cutOff = ", so an outage of that zone cuts its clients off from their databases."
	cases := []struct {
		name      string
		proxy     rdstypes.DBProxy
		risk      bool
		message   string
		azs, azID []string
	}{
		{"one subnet", rdsproxyTestProxy("one", "subnet-a1"), true,
			"RDS Proxy one has 1 subnet, all in one Availability Zone (us-east-1a)" + cutOff, a, aID},
		{"two subnets in one AZ", rdsproxyTestProxy("same", "subnet-a1", "subnet-a2"), true,
			"RDS Proxy same has 2 subnets, all in one Availability Zone (us-east-1a)" + cutOff, a, aID},
		{"same subnet twice", rdsproxyTestProxy("twice", "subnet-a1", "subnet-a1"), true,
			"RDS Proxy twice has 1 subnet, all in one Availability Zone (us-east-1a)" + cutOff, a, aID},
		{"two AZs", rdsproxyTestProxy("multi", "subnet-b1", "subnet-a1", "subnet-a2"), false,
			"RDS Proxy multi has 3 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it keeps accepting connections if one zone fails.", ab, abID},
		{"two AZs and a subnet not found", rdsproxyTestProxy("multi-gone", "subnet-b1", "subnet-a1", "subnet-gone"), false,
			"RDS Proxy multi-gone has 3 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it keeps accepting connections if one zone fails.", ab, abID},
		{"one AZ and a subnet not found", rdsproxyTestProxy("gone", "subnet-a1", "subnet-gone"), true,
			"RDS Proxy gone has 2 subnets; only 1 Availability Zone could be placed (us-east-1a) and 1 subnet could not be found (subnet-gone).", a, aID},
		{"no subnet found", rdsproxyTestProxy("lost", "subnet-x", "subnet-y"), true,
			"RDS Proxy lost has 2 subnets; only 0 Availability Zones could be placed (none) and 2 subnets could not be found (subnet-x, subnet-y).", []string{}, []string{}},
		{"no subnets", rdsproxyTestProxy("bare"), true,
			"RDS Proxy bare lists no subnets, so it has no network interface in any Availability Zone.", []string{}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRDSProxy(c.proxy, testSubnetIndex())
			if f.CheckID != "RDSPROXY-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant RDSPROXY-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			name := aws.ToString(c.proxy.DBProxyName)
			if f.ResourceARN != aws.ToString(c.proxy.DBProxyArn) || f.ResourceName != name || f.ResourceID != "prx-"+name ||
				f.ResourceType != "AWS::RDS::DBProxy" || f.Engine != "POSTGRESQL" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azID) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azID)
			}
		})
	}
}

func TestJudgeRDSProxyEndpoint(t *testing.T) {
	bare := rdstypes.DBProxyEndpoint{DBProxyEndpointName: aws.String("bare"), VpcSubnetIds: []string{"subnet-b1"}}
	cases := []struct {
		name     string
		ep       rdstypes.DBProxyEndpoint
		risk     bool
		message  string
		azs, ids []string
	}{
		{"reader in one AZ", rdsproxyTestEndpoint("reader", "orders", rdstypes.DBProxyEndpointTargetRoleReadOnly, "subnet-a1", "subnet-a2"), true,
			"RDS Proxy endpoint reader (READ_ONLY) of proxy orders has 2 subnets, all in one Availability Zone (us-east-1a), so an outage of that zone cuts off the clients that connect through it.",
			[]string{"us-east-1a"}, []string{"use1-az1"}},
		{"writer in two AZs", rdsproxyTestEndpoint("writer", "orders", rdstypes.DBProxyEndpointTargetRoleReadWrite, "subnet-a1", "subnet-b1"), false,
			"RDS Proxy endpoint writer (READ_WRITE) of proxy orders has 2 subnets across 2 Availability Zones (us-east-1a, us-east-1b), so it stays reachable if one zone fails.",
			[]string{"us-east-1a", "us-east-1b"}, []string{"use1-az1", "use1-az2"}},
		{"subnet not found", rdsproxyTestEndpoint("gone", "orders", rdstypes.DBProxyEndpointTargetRoleReadOnly, "subnet-gone"), true,
			"RDS Proxy endpoint gone (READ_ONLY) of proxy orders has 1 subnet; only 0 Availability Zones could be placed (none) and 1 subnet could not be found (subnet-gone).",
			[]string{}, []string{}},
		{"no subnets", rdsproxyTestEndpoint("empty", "orders", rdstypes.DBProxyEndpointTargetRoleReadOnly), true,
			"RDS Proxy endpoint empty (READ_ONLY) of proxy orders lists no subnets, so it has no network interface in any Availability Zone.",
			[]string{}, []string{}},
		{"no role, proxy or ARN reported", bare, true,
			"RDS Proxy endpoint bare has 1 subnet, all in one Availability Zone (us-east-1b), so an outage of that zone cuts off the clients that connect through it.",
			[]string{"us-east-1b"}, []string{"use1-az2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeRDSProxyEndpoint(c.ep, testSubnetIndex())
			if f.CheckID != "RDSPROXY-2" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant RDSPROXY-2 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			arn := aws.ToString(c.ep.DBProxyEndpointArn)
			wantID := ""
			if arn != "" {
				wantID = "prx-endpoint-" + aws.ToString(c.ep.DBProxyEndpointName)
			}
			if f.ResourceARN != arn || f.ResourceName != aws.ToString(c.ep.DBProxyEndpointName) || f.ResourceID != wantID ||
				f.ResourceType != "AWS::RDS::DBProxyEndpoint" {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.ids) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.ids)
			}
		})
	}
}

// fakeRDSProxies serves DescribeDBProxies and DescribeDBProxyEndpoints page
// by page (the Marker is the page index), or an error.
type fakeRDSProxies struct {
	proxies             [][]rdstypes.DBProxy
	endpoints           [][]rdstypes.DBProxyEndpoint
	err                 error
	proxyCalls, epCalls int
}

func (f *fakeRDSProxies) DescribeDBProxies(_ context.Context, in *rds.DescribeDBProxiesInput, _ ...func(*rds.Options)) (*rds.DescribeDBProxiesOutput, error) {
	f.proxyCalls++
	if f.err != nil {
		return nil, f.err
	}
	i := rdsFakePage(in.Marker)
	return &rds.DescribeDBProxiesOutput{DBProxies: f.proxies[i], Marker: rdsFakeNext(i, len(f.proxies))}, nil
}

func (f *fakeRDSProxies) DescribeDBProxyEndpoints(_ context.Context, in *rds.DescribeDBProxyEndpointsInput, _ ...func(*rds.Options)) (*rds.DescribeDBProxyEndpointsOutput, error) {
	f.epCalls++
	if f.err != nil {
		return nil, f.err
	}
	if in.DBProxyName != nil {
		return nil, errors.New("the listing must not be limited to one proxy")
	}
	i := rdsFakePage(in.Marker)
	return &rds.DescribeDBProxyEndpointsOutput{DBProxyEndpoints: f.endpoints[i], Marker: rdsFakeNext(i, len(f.endpoints))}, nil
}

// rdsproxyTestPages are two pages of proxies, one of them being deleted,
// and two pages of their endpoints: the default ones, one being deleted and
// two additional ones.
func rdsproxyTestPages() *fakeRDSProxies {
	deleting := rdsproxyTestProxy("deleting", "subnet-a1")
	deleting.Status = rdstypes.DBProxyStatusDeleting
	def := rdsproxyTestEndpoint("default", "p1-single", rdstypes.DBProxyEndpointTargetRoleReadWrite, "subnet-a1")
	def.IsDefault = aws.Bool(true)
	epDeleting := rdsproxyTestEndpoint("ep-deleting", "p2-multi", rdstypes.DBProxyEndpointTargetRoleReadOnly, "subnet-a1")
	epDeleting.Status = rdstypes.DBProxyEndpointStatusDeleting
	return &fakeRDSProxies{
		proxies: [][]rdstypes.DBProxy{
			{rdsproxyTestProxy("p1-single", "subnet-a1"), deleting},
			{rdsproxyTestProxy("p2-multi", "subnet-a1", "subnet-b1")},
		},
		endpoints: [][]rdstypes.DBProxyEndpoint{
			{def, rdsproxyTestEndpoint("ep-reader", "p2-multi", rdstypes.DBProxyEndpointTargetRoleReadOnly, "subnet-a2")},
			{epDeleting, rdsproxyTestEndpoint("ep-writer", "p2-multi", rdstypes.DBProxyEndpointTargetRoleReadWrite, "subnet-a1", "subnet-b1")},
		},
	}
}

func TestLoadRDSProxiesReadsEveryPage(t *testing.T) {
	api := rdsproxyTestPages()
	var got []string
	if err := loadRDSProxies(context.Background(), api, func(p rdstypes.DBProxy) { got = append(got, aws.ToString(p.DBProxyName)) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1-single", "deleting", "p2-multi"}; !slices.Equal(got, want) || api.proxyCalls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.proxyCalls, want)
	}
	got = nil
	if err := loadRDSProxyEndpoints(context.Background(), api, func(ep rdstypes.DBProxyEndpoint) {
		got = append(got, aws.ToString(ep.DBProxyEndpointName))
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"default", "ep-reader", "ep-deleting", "ep-writer"}; !slices.Equal(got, want) || api.epCalls != 2 {
		t.Errorf("read %v in %d calls, want %v in 2", got, api.epCalls, want)
	}
	denied := &fakeRDSProxies{err: accessDenied("AccessDenied")}
	requireCode(t, loadRDSProxies(context.Background(), denied, func(rdstypes.DBProxy) { t.Error("a proxy from a denied listing") }), "AccessDenied")
	requireCode(t, loadRDSProxyEndpoints(context.Background(), denied, func(rdstypes.DBProxyEndpoint) { t.Error("an endpoint from a denied listing") }), "AccessDenied")
}

// rdsproxyScope is a scope holding the fake's proxies and endpoints and
// the test subnets.
func rdsproxyScope(api *fakeRDSProxies) *inventory.Scope {
	s := testScope()
	inventory.Put(s, rdsproxyProxies, slices.Concat(api.proxies...), nil)
	inventory.Put(s, rdsproxyEndpoints, slices.Concat(api.endpoints...), nil)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	return s
}

type rdsproxyWant struct {
	check, name string
	risk        bool
}

func rdsproxyCheckFindings(t *testing.T, got []Finding, want []rdsproxyWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].CheckID != w.check || got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want %s %s %v", i, got[i].CheckID, got[i].ResourceName, got[i].Risk, w.check, w.name, w.risk)
		}
	}
}

func TestAnalyseRDSProxy(t *testing.T) {
	var got []Finding
	if err := analyseRDSProxy(context.Background(), rdsproxyScope(rdsproxyTestPages()), collect(&got)); err != nil {
		t.Fatal(err)
	}
	rdsproxyCheckFindings(t, got, []rdsproxyWant{
		{"RDSPROXY-1", "p1-single", true}, {"RDSPROXY-1", "p2-multi", false},
		{"RDSPROXY-2", "ep-reader", true}, {"RDSPROXY-2", "ep-writer", false},
	})
}

// Without a proxy to judge nothing else is read: the endpoints and subnets
// are not in the scope, so reading them would fail.
func TestAnalyseRDSProxyReadsNothingElseWithoutProxies(t *testing.T) {
	deleting := rdsproxyTestProxy("deleting", "subnet-a1")
	deleting.Status = rdstypes.DBProxyStatusDeleting
	for _, proxies := range [][]rdstypes.DBProxy{nil, {deleting}} {
		s := testScope()
		inventory.Put(s, rdsproxyProxies, proxies, nil)
		var got []Finding
		if err := analyseRDSProxy(context.Background(), s, collect(&got)); err != nil || len(got) != 0 {
			t.Errorf("proxies %v: err %v, findings %+v", proxies, err, got)
		}
	}
}

func TestAnalyseRDSProxyAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, rdsproxyProxies, nil, accessDenied("AccessDenied"))
	var got []Finding
	requireCode(t, analyseRDSProxy(context.Background(), s, collect(&got)), "AccessDenied")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = rdsproxyScope(rdsproxyTestPages())
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseRDSProxy(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
	// A denied endpoint read keeps the proxies' rows.
	s = rdsproxyScope(rdsproxyTestPages())
	inventory.Put(s, rdsproxyEndpoints, nil, accessDenied("AccessDenied"))
	requireCode(t, analyseRDSProxy(context.Background(), s, collect(&got)), "AccessDenied")
	rdsproxyCheckFindings(t, got, []rdsproxyWant{{"RDSPROXY-1", "p1-single", true}, {"RDSPROXY-1", "p2-multi", false}})
}

func TestAnalyseRDSProxyKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	api := rdsproxyTestPages()
	throttled := errors.New("throttled on page 2")
	// The proxy listing fails part-way: the proxies read are judged, and
	// the endpoints are not read (they are not in the scope).
	s := testScope()
	inventory.Put(s, rdsproxyProxies, api.proxies[0], throttled)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseRDSProxy(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	rdsproxyCheckFindings(t, got, []rdsproxyWant{{"RDSPROXY-1", "p1-single", true}})
	// The endpoint listing fails part-way: the endpoints read are judged.
	got = nil
	s = rdsproxyScope(api)
	inventory.Put(s, rdsproxyEndpoints, api.endpoints[0], throttled)
	if err := analyseRDSProxy(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the endpoint listing's", err)
	}
	rdsproxyCheckFindings(t, got, []rdsproxyWant{{"RDSPROXY-1", "p1-single", true}, {"RDSPROXY-1", "p2-multi", false}, {"RDSPROXY-2", "ep-reader", true}})
}

// Proxies and endpoints are written to snapshots and read back.
func TestRDSProxyItemsRoundTripJSON(t *testing.T) {
	api := rdsproxyTestPages()
	proxies, endpoints := slices.Concat(api.proxies...), slices.Concat(api.endpoints...)
	var backProxies []rdstypes.DBProxy
	var backEndpoints []rdstypes.DBProxyEndpoint
	for _, rt := range []struct{ in, out any }{{proxies, &backProxies}, {endpoints, &backEndpoints}} {
		raw, err := json.Marshal(rt.in)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, rt.out); err != nil {
			t.Fatal(err)
		}
	}
	s := testScope()
	inventory.Put(s, rdsproxyProxies, backProxies, nil)
	inventory.Put(s, rdsproxyEndpoints, backEndpoints, nil)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var before, after []Finding
	if err := analyseRDSProxy(context.Background(), rdsproxyScope(api), collect(&before)); err != nil {
		t.Fatal(err)
	}
	if err := analyseRDSProxy(context.Background(), s, collect(&after)); err != nil {
		t.Fatal(err)
	}
	if len(before) != len(after) {
		t.Fatalf("%d findings before a round trip, %d after", len(before), len(after))
	}
	for i := range before {
		if before[i].Message != after[i].Message || before[i].ResourceARN != after[i].ResourceARN {
			t.Errorf("finding %d changed in a round trip:\n%+v\n%+v", i, before[i], after[i])
		}
	}
}
