// Package reach answers "can A open a connection to B, and if not, which
// rule stops it" from an account's own network configuration. The rule
// engine (this file, eval.go, rules.go) is pure functions over the plain
// structs of inventory.Network; resolve.go turns resources into interfaces.
package reach

import (
	"fmt"
	"net/netip"
)

// Decision is the outcome of one check.
type Decision string

const (
	Allow   Decision = "allow"
	Deny    Decision = "deny"
	Unknown Decision = "unknown"
	Skip    Decision = "skip" // the check does not apply (same subnet, outside AWS)
)

// Verdict is the answer for a pair of interfaces or for the whole question.
type Verdict string

const (
	Reachable      Verdict = "reachable"
	Blocked        Verdict = "blocked"
	Partial        Verdict = "partial"
	VerdictUnknown Verdict = "unknown"
)

// IANA protocol numbers reach treats specially.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// Query is what is asked: a protocol and, for TCP and UDP, a destination
// port; for ICMP a type and code.
type Query struct {
	Protocol           int
	Port               int
	ICMPType, ICMPCode int
}

func (q Query) String() string {
	switch q.Protocol {
	case ProtoTCP:
		return fmt.Sprintf("tcp %d", q.Port)
	case ProtoUDP:
		return fmt.Sprintf("udp %d", q.Port)
	case ProtoICMP, ProtoICMPv6:
		return fmt.Sprintf("%s type %d code %d", protocolName(q.Protocol), q.ICMPType, q.ICMPCode)
	}
	return fmt.Sprintf("protocol %d", q.Protocol)
}

func protocolName(p int) string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	case ProtoICMPv6:
		return "icmpv6"
	}
	return fmt.Sprint(p)
}

// hasPorts reports whether the protocol has ports (TCP, UDP).
func hasPorts(p int) bool { return p == ProtoTCP || p == ProtoUDP }

// PortRange is an inclusive range of ports.
type PortRange struct{ From, To int32 }

func (r PortRange) String() string {
	if r.From == r.To {
		return fmt.Sprint(r.From)
	}
	return fmt.Sprintf("%d-%d", r.From, r.To)
}

// Ephemeral port ranges of clients (network-semantics N8). Lambda, NAT
// gateways and load balancers document 1024-65535. For other clients the
// operating system decides; the generic range is the union of the Linux
// (32768-60999) and Windows Server 2008+ (49152-65535) defaults, so a NACL
// that opens less than that breaks the return path of a common client.
var (
	EphemeralAWS     = PortRange{1024, 65535}
	EphemeralGeneric = PortRange{32768, 65535}
)

// Iface is one network interface (or the stand-in for one) at either end.
type Iface struct {
	Label           string
	ENIID           string // "" when the interface is a subnet stand-in or outside AWS
	SubnetID, VPCID string
	// Addrs are the interface's addresses: /32 or /128 when known, the
	// subnet's CIDR when the interface's address cannot be known (Hyperplane
	// ENIs, services moto or the API do not expose), the given CIDR for ip.
	Addrs []netip.Prefix
	// Groups are the security groups; empty means the VPC's default group.
	Groups []string
	// GroupsUnknown says why the groups cannot be known ("" when they can).
	GroupsUnknown string
	// Unfiltered: no security group applies at all (a network load
	// balancer created without security groups).
	Unfiltered bool
	External   bool // outside every VPC of the region
	PublicIP   netip.Addr
	NoPublicIP bool // known to have no public IPv4 (else unknown unless PublicIP is set)
	Ephemeral  PortRange
}

// Resource is a resolved --from or --to: its interfaces and default port.
type Resource struct {
	Type, ID, Label string
	Port            int // the resource's own port, 0 if it has none
	Ifaces          []Iface
	Notes           []string
}

// Hop is one check on a path.
type Hop struct {
	Component string   `json:"component"`
	ID        string   `json:"id"`
	Decision  Decision `json:"decision"`
	Rule      string   `json:"rule"`
	Detail    string   `json:"detail,omitempty"`
}

// Path is the answer for one source and one target interface.
type Path struct {
	Source  string   `json:"source"`
	Target  string   `json:"target"`
	Verdict Verdict  `json:"verdict"`
	Hops    []Hop    `json:"hops"`
	Hints   []string `json:"hints,omitempty"`
}

// Result is the whole answer.
type Result struct {
	Verdict Verdict
	Source  Resource
	Target  Resource
	Query   Query
	Paths   []Path
	Hints   []string
	Notes   []string
}
