package reach

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Types are the resource types --from and --to take.
var Types = []string{"lambda", "ec2", "eni", "ecs", "rds", "elasticache", "efs", "elbv2", "vpce", "ip"}

// Ref is a parsed TYPE:ID or ARN. Region is the ARN's region ("" for TYPE:ID).
type Ref struct {
	Type, ID, Region string
}

func (r Ref) String() string { return r.Type + ":" + r.ID }

var (
	eniPattern      = regexp.MustCompile(`^eni-[0-9a-f]{1,17}$`)
	vpcePattern     = regexp.MustCompile(`^vpce-[0-9a-f]{1,17}$`)
	efsPattern      = regexp.MustCompile(`^fs-[0-9a-f]{1,17}$`)
	lambdaPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,140}$`)
	dbPattern       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,62}$`)
	cachePattern    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,49}$`)
	elbNamePattern  = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)
	ecsNamePattern  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	instancePattern = regexp.MustCompile(`^i-[0-9a-f]{1,17}$`)
)

// ParseRef parses TYPE:ID or an ARN. It makes no API call; every error is
// one line that says what was expected.
func ParseRef(s string) (Ref, error) {
	if strings.HasPrefix(s, "arn:") {
		return parseARN(s)
	}
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" {
		return Ref{}, fmt.Errorf("%q: expected TYPE:ID or an ARN, TYPE one of %s", s, strings.Join(Types, ", "))
	}
	r := Ref{Type: kind, ID: id}
	bad := func(want string) (Ref, error) { return Ref{}, fmt.Errorf("%q: %s", s, want) }
	switch kind {
	case "lambda":
		if !lambdaPattern.MatchString(id) {
			return bad("expected a Lambda function name or ARN")
		}
	case "ec2":
		if strings.HasPrefix(id, "i-") && !instancePattern.MatchString(id) {
			return bad("expected an instance ID (i-...) or a Name tag")
		}
	case "eni":
		if !eniPattern.MatchString(id) {
			return bad("expected a network interface ID (eni-...)")
		}
	case "vpce":
		if !vpcePattern.MatchString(id) {
			return bad("expected a VPC endpoint ID (vpce-...)")
		}
	case "efs":
		if !efsPattern.MatchString(id) {
			return bad("expected a file system ID (fs-...)")
		}
	case "rds":
		if !dbPattern.MatchString(id) {
			return bad("expected a DB instance or cluster identifier")
		}
	case "elasticache":
		if !cachePattern.MatchString(id) {
			return bad("expected a cache cluster or replication group ID")
		}
	case "elbv2":
		if !elbNamePattern.MatchString(id) {
			return bad("expected a load balancer name or ARN")
		}
	case "ecs":
		cluster, service, two := strings.Cut(id, "/")
		if !two {
			service, cluster = cluster, ""
		}
		if (two && !ecsNamePattern.MatchString(cluster)) || !ecsNamePattern.MatchString(service) {
			return bad("expected CLUSTER/SERVICE or SERVICE (default cluster)")
		}
	case "ip":
		if _, err := ParseAddress(id); err != nil {
			return bad("expected an IPv4 or IPv6 address or CIDR")
		}
	default:
		return Ref{}, fmt.Errorf("%q: unknown type %q; types: %s", s, kind, strings.Join(Types, ", "))
	}
	return r, nil
}

// ParseAddress reads an address (as a /32 or /128) or a CIDR.
func ParseAddress(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func parseARN(s string) (Ref, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return Ref{}, fmt.Errorf("malformed ARN %q: %v", s, err)
	}
	r := Ref{Region: a.Region}
	unsupported := func() (Ref, error) {
		return Ref{}, fmt.Errorf("ARN %q: reach takes Lambda functions, EC2 instances, network interfaces, VPC endpoints, ECS services, RDS instances and clusters, ElastiCache clusters and replication groups, EFS file systems and ELBv2 load balancers", s)
	}
	res := a.Resource
	switch a.Service {
	case "lambda":
		if !strings.HasPrefix(res, "function:") {
			return unsupported()
		}
		r.Type, r.ID = "lambda", s
	case "rds":
		kind, id, _ := strings.Cut(res, ":")
		if kind != "db" && kind != "cluster" {
			return unsupported()
		}
		r.Type, r.ID = "rds", id
	case "ec2":
		kind, id, _ := strings.Cut(res, "/")
		switch kind {
		case "instance":
			r.Type = "ec2"
		case "network-interface":
			r.Type = "eni"
		case "vpc-endpoint":
			r.Type = "vpce"
		default:
			return unsupported()
		}
		r.ID = id
	case "elasticache":
		kind, id, _ := strings.Cut(res, ":")
		if kind != "cluster" && kind != "replicationgroup" {
			return unsupported()
		}
		r.Type, r.ID = "elasticache", id
	case "elasticfilesystem":
		kind, id, _ := strings.Cut(res, "/")
		if kind != "file-system" {
			return unsupported()
		}
		r.Type, r.ID = "efs", id
	case "elasticloadbalancing":
		if !strings.HasPrefix(res, "loadbalancer/") {
			return unsupported()
		}
		r.Type, r.ID = "elbv2", s
	case "ecs":
		rest, ok := strings.CutPrefix(res, "service/")
		if !ok || !strings.Contains(rest, "/") {
			return unsupported()
		}
		r.Type, r.ID = "ecs", rest
	default:
		return unsupported()
	}
	if r.ID == "" {
		return unsupported()
	}
	return r, nil
}
