package analysers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/faultline/faultline/inventory"
)

// rdsproxyProxiesAPI and rdsproxyEndpointsAPI hold exactly the calls of the
// rdsproxy analyser's kinds.
type rdsproxyProxiesAPI interface {
	rds.DescribeDBProxiesAPIClient
}

type rdsproxyEndpointsAPI interface {
	rds.DescribeDBProxyEndpointsAPIClient
}

var (
	rdsproxyProxyCheck = Check{ID: "RDSPROXY-1", Severity: SeverityHigh,
		Description: "RDS Proxy whose subnets are all in one Availability Zone",
		Remediation: "Modify the proxy's VPC subnets to include subnets in at least two Availability Zones (recreate the proxy if its subnets cannot be changed)."}
	rdsproxyEndpointCheck = Check{ID: "RDSPROXY-2", Severity: SeverityHigh,
		Description: "RDS Proxy endpoint (other than the proxy's default endpoint) whose subnets are all in one Availability Zone",
		Remediation: "Recreate the proxy endpoint with subnets in at least two Availability Zones."}
)

// rdsproxyProxies are the region's RDS proxies.
var rdsproxyProxies = &inventory.Kind[rdstypes.DBProxy]{
	Name:    "rds/db-proxies",
	Actions: []string{"rds:DescribeDBProxies"},
	APIs:    []reflect.Type{apiOf[rdsproxyProxiesAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(rdstypes.DBProxy)) error {
		return loadRDSProxies(ctx, rds.NewFromConfig(s.Config()), add)
	},
}

// rdsproxyEndpoints are the endpoints of every proxy of the region, the
// default ones included (DescribeDBProxyEndpoints without a proxy name).
var rdsproxyEndpoints = &inventory.Kind[rdstypes.DBProxyEndpoint]{
	Name:    "rds/db-proxy-endpoints",
	Actions: []string{"rds:DescribeDBProxyEndpoints"},
	APIs:    []reflect.Type{apiOf[rdsproxyEndpointsAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(rdstypes.DBProxyEndpoint)) error {
		return loadRDSProxyEndpoints(ctx, rds.NewFromConfig(s.Config()), add)
	},
}

func loadRDSProxies(ctx context.Context, api rdsproxyProxiesAPI, add func(rdstypes.DBProxy)) error {
	p := rds.NewDescribeDBProxiesPaginator(api, &rds.DescribeDBProxiesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, px := range page.DBProxies {
			add(px)
		}
	}
	return nil
}

func loadRDSProxyEndpoints(ctx context.Context, api rdsproxyEndpointsAPI, add func(rdstypes.DBProxyEndpoint)) error {
	p := rds.NewDescribeDBProxyEndpointsPaginator(api, &rds.DescribeDBProxyEndpointsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ep := range page.DBProxyEndpoints {
			add(ep)
		}
	}
	return nil
}

var RDSProxy = Analyser{
	Name:   "rdsproxy",
	Checks: []Check{rdsproxyProxyCheck, rdsproxyEndpointCheck},
	Kinds:  []inventory.Loader{rdsproxyProxies, rdsproxyEndpoints, inventory.Subnets},
	Run:    analyseRDSProxy,
}

// analyseRDSProxy judges every proxy read, then every proxy endpoint that
// is not a proxy's default one. The endpoints and the subnets are read only
// when there is a proxy to judge (an endpoint belongs to a proxy). A failed
// subnet read fails the task before anything is judged: a proxy placed with
// missing subnets would be reported on subnets "not found". When the proxy
// listing fails part-way, the proxies read are judged and the endpoints are
// not read, as a failing first read stops the others.
func analyseRDSProxy(ctx context.Context, s *inventory.Scope, emit Emit) error {
	proxies, listErr := rdsproxyProxies.Items(ctx, s)
	var live []rdstypes.DBProxy
	for _, px := range proxies {
		// A proxy being deleted will not serve again.
		if px.Status != rdstypes.DBProxyStatusDeleting {
			live = append(live, px)
		}
	}
	if len(live) == 0 {
		return listErr
	}
	subnets, err := inventory.SubnetsByID(ctx, s)
	if err != nil {
		return err
	}
	for _, px := range live {
		emit(judgeRDSProxy(px, subnets))
	}
	if listErr != nil {
		return listErr
	}
	eps, err := rdsproxyEndpoints.Items(ctx, s)
	for _, ep := range eps {
		// The default endpoint is the proxy's own, in the proxy's subnets:
		// the proxy's row judges it.
		if aws.ToBool(ep.IsDefault) || ep.Status == rdstypes.DBProxyEndpointStatusDeleting {
			continue
		}
		emit(judgeRDSProxyEndpoint(ep, subnets))
	}
	return err
}

// judgeRDSProxy judges a proxy by the distinct AZs of its subnets: two
// subnets in one AZ are still one AZ.
func judgeRDSProxy(px rdstypes.DBProxy, subnets map[string]inventory.Subnet) Finding {
	name := aws.ToString(px.DBProxyName)
	sp := rdsproxySpan(px.VpcSubnetIds, subnets)
	risk, where, place := sp.risk, sp.where, sp.place
	var msg string
	switch {
	case !sp.outcome:
		msg = fmt.Sprintf("RDS Proxy %s %s.", name, where)
	case risk:
		msg = fmt.Sprintf("RDS Proxy %s %s, so an outage of that zone cuts its clients off from their databases.", name, where)
	default:
		msg = fmt.Sprintf("RDS Proxy %s %s, so it keeps accepting connections if one zone fails.", name, where)
	}
	f := finding(rdsproxyProxyCheck, risk, msg)
	f.AZs, f.AZIDs = place.AZs, place.AZIDs
	f.ResourceType = "AWS::RDS::DBProxy"
	f.ResourceARN = aws.ToString(px.DBProxyArn)
	f.ResourceName = name
	f.ResourceID = rdsproxyIDOf(f.ResourceARN)
	f.Engine = aws.ToString(px.EngineFamily)
	return f
}

// judgeRDSProxyEndpoint judges an additional endpoint of a proxy by its own
// subnets, which may be in another VPC than the proxy's.
func judgeRDSProxyEndpoint(ep rdstypes.DBProxyEndpoint, subnets map[string]inventory.Subnet) Finding {
	name := aws.ToString(ep.DBProxyEndpointName)
	label := "RDS Proxy endpoint " + name
	if role := string(ep.TargetRole); role != "" {
		label += " (" + role + ")"
	}
	if proxy := aws.ToString(ep.DBProxyName); proxy != "" {
		label += " of proxy " + proxy
	}
	sp := rdsproxySpan(ep.VpcSubnetIds, subnets)
	risk, where, place := sp.risk, sp.where, sp.place
	var msg string
	switch {
	case !sp.outcome:
		msg = fmt.Sprintf("%s %s.", label, where)
	case risk:
		msg = fmt.Sprintf("%s %s, so an outage of that zone cuts off the clients that connect through it.", label, where)
	default:
		msg = fmt.Sprintf("%s %s, so it stays reachable if one zone fails.", label, where)
	}
	f := finding(rdsproxyEndpointCheck, risk, msg)
	f.AZs, f.AZIDs = place.AZs, place.AZIDs
	f.ResourceType = "AWS::RDS::DBProxyEndpoint"
	f.ResourceARN = aws.ToString(ep.DBProxyEndpointArn)
	f.ResourceName = name
	f.ResourceID = rdsproxyIDOf(f.ResourceARN)
	return f
}

// rdsproxySpread is how a set of subnets places a proxy or an endpoint.
type rdsproxySpread struct {
	// risk unless the subnets are in at least two AZs.
	risk bool
	// outcome: the message may go on to say what an outage does (not when
	// there is no subnet, or when one AZ was placed and some subnets were
	// not found).
	outcome bool
	// where it is, as the end of a sentence starting with its name.
	where string
	place Placement
}

// rdsproxySpan counts the distinct AZs of subnets: two subnets in one AZ
// are still one AZ.
func rdsproxySpan(ids []string, subnets map[string]inventory.Subnet) rdsproxySpread {
	place := placeSubnets(ids, subnets)
	azs, unknown := place.AZs, place.Unknown
	n := len(distinct(ids...))
	sp := rdsproxySpread{risk: true, outcome: true, place: place}
	switch {
	case n == 0:
		sp.outcome, sp.where = false, "lists no subnets, so it has no network interface in any Availability Zone"
	case len(azs) >= 2:
		sp.risk, sp.where = false, fmt.Sprintf("has %s across %d Availability Zones (%s)", plural(n, "subnet"), len(azs), list(azs))
	case len(unknown) > 0:
		sp.outcome, sp.where = false, fmt.Sprintf("has %s; only %s could be placed (%s) and %s could not be found (%s)",
			plural(n, "subnet"), plural(len(azs), "Availability Zone"), list(azs), plural(len(unknown), "subnet"), list(unknown))
	default:
		sp.where = fmt.Sprintf("has %s, all in one Availability Zone (%s)", plural(n, "subnet"), list(azs))
	}
	return sp
}

// rdsproxyIDOf is the resource ID an RDS ARN ends with
// (arn:aws:rds:us-east-1:111111111111:db-proxy:prx-0123 is prx-0123).
func rdsproxyIDOf(arn string) string {
	if arn == "" {
		return ""
	}
	return arn[strings.LastIndexByte(arn, ':')+1:]
}
