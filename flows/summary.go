package flows

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"text/tabwriter"
)

// BytesPerGB is the gigabyte of AWS data-transfer pricing (2^30 bytes).
const BytesPerGB = 1 << 30

// Route targets a path can take off the VPC.
const (
	PathEndpoint   = "vpc-endpoint"     // interface endpoint ENI in the VPC
	PathGatewayEP  = "gateway-endpoint" // route to vpce- (S3, DynamoDB prefix list)
	PathNAT        = "nat-gateway"
	PathIGW        = "internet-gateway"
	PathPeering    = "peering"
	PathTGW        = "transit-gateway"
	PathVGW        = "vpn-gateway"
	PathOther      = "other"
	PathNoRoute    = "no-route"
	PathBlackhole  = "blackhole" // a blackhole route drops the packet
	PathUnknown    = "unknown"
	PathLocal      = "local"
	unknownAZLabel = "(unknown)"
)

// Route returns the target a packet from subnet to a takes, by the subnet's
// route table (inventory.LookupRoute: longest prefix, prefix lists included),
// and that target's ID. A blackhole route drops the packet even where a
// less specific route would carry it.
func (e *Estate) Route(subnetID string, a netip.Addr) (path, target string) {
	sc, ok := e.subnetScope[subnetID]
	if !ok {
		return PathUnknown, ""
	}
	sn := sc.Inv.Subnets[subnetID]
	rt, ok := sc.Inv.RouteTableOf(sn)
	if !ok {
		return PathUnknown, ""
	}
	choice := sc.Inv.LookupRoute(rt.Candidates(), netip.PrefixFrom(a, a.BitLen()))
	target = choice.Target
	switch {
	case choice.Unknown != "":
		return PathUnknown, ""
	case !choice.Found:
		return PathNoRoute, ""
	case choice.Blackhole:
		return PathBlackhole, target
	case target == "local":
		return PathLocal, target
	case strings.HasPrefix(target, "vpce-"):
		return PathGatewayEP, target
	case strings.HasPrefix(target, "nat-"):
		return PathNAT, target
	case strings.HasPrefix(target, "igw-"), strings.HasPrefix(target, "eigw-"):
		return PathIGW, target
	case strings.HasPrefix(target, "pcx-"):
		return PathPeering, target
	case strings.HasPrefix(target, "tgw-"):
		return PathTGW, target
	case strings.HasPrefix(target, "vgw-"):
		return PathVGW, target
	}
	return PathOther, target
}

// natAZ returns the AZ ID of a NAT gateway's subnet.
func (e *Estate) natAZ(natID string) string {
	for _, sc := range e.scopes {
		if n, ok := sc.Inv.NATGateways[natID]; ok {
			if sn, ok := sc.Inv.Subnets[n.SubnetID]; ok {
				return sn.AZID
			}
		}
	}
	return ""
}

// loggerSide is the side of f that belongs to the logging interface.
func loggerSide(f *Flow) *Side {
	if f.Server.InterfaceId == f.LoggedBy && f.Client.InterfaceId != f.LoggedBy {
		return &f.Server
	}
	return &f.Client
}

// natPublicLeg: a NAT gateway logs each internet flow twice, the private
// leg (instance to the internet address) and its own public leg. Summaries
// skip the public leg so bytes count once.
func natPublicLeg(f *Flow) bool {
	return f.Client.Type == TypeNAT && f.Client.InterfaceId == f.LoggedBy && f.Server.InterfaceId == "" && !f.Server.Rfc1918
}

type azKey struct{ account, vpc, a, b string }

// Summary adds up bytes per pair of sides. Row is the counter a Flow's
// bytes go to, judged from its sides alone (never its ports, protocol,
// times or counts), so that one judgement serves every record with the
// same sides (Feed). f's strings may share memory with the text read:
// clone what you keep.
type Summary interface {
	Row(f *Flow) *int64
	Write(w io.Writer, csv bool) error
}

// counters are the byte counts of a summary by key.
type counters[K comparable] struct {
	rows map[K]*int64
}

// row is the counter of key k.
func (c *counters[K]) row(k K) *int64 {
	if c.rows == nil {
		c.rows = map[K]*int64{}
	}
	p := c.rows[k]
	if p == nil {
		p = new(int64)
		c.rows[k] = p
	}
	return p
}

// CrossAZ sums bytes per account, VPC and pair of AZ IDs (the same zone in
// every account, unlike AZ names). Traffic to off-VPC addresses through a
// NAT gateway counts on the hop to the NAT's zone, which is where it
// crosses zones. Cost = GB x price x 2: AWS charges data transfer between
// zones on the way out of one and on the way into the other.
type CrossAZ struct {
	Estate     *Estate
	PricePerGB float64

	counts                counters[azKey]
	UnknownAZ, Duplicates int64 // bytes left out: a zone unknown; logged twice
}

// Add counts f.
func (c *CrossAZ) Add(f *Flow) { *c.Row(f) += f.Bytes() }

// Row is the counter of f's account, VPC and pair of zones.
func (c *CrossAZ) Row(f *Flow) *int64 {
	if !f.Counted() || natPublicLeg(f) {
		return &c.Duplicates
	}
	l := loggerSide(f)
	a, b := f.Client.AvailabilityZoneId, f.Server.AvailabilityZoneId
	if b == "" && f.Server.InterfaceId == "" && f.Client.SubnetId != "" && c.Estate != nil {
		if ip, err := netip.ParseAddr(f.Server.Addr); err == nil {
			if path, nat := c.Estate.Route(f.Client.SubnetId, ip); path == PathNAT {
				b = c.Estate.natAZ(nat)
			}
		}
	}
	if a == "" || b == "" {
		return &c.UnknownAZ
	}
	if b < a {
		a, b = b, a
	}
	return c.counts.row(azKey{l.AccountId, l.VpcId, a, b})
}

// CrossAZRow is one line of the summary.
type CrossAZRow struct {
	AccountId, VpcId, AzIdA, AzIdB string
	Bytes                          int64
	GB, Cost                       float64
}

// Rows lists the pairs, cross-zone first by bytes, then same-zone.
func (c *CrossAZ) Rows() []CrossAZRow {
	out := make([]CrossAZRow, 0, len(c.counts.rows))
	for k, p := range c.counts.rows {
		n := *p
		r := CrossAZRow{AccountId: k.account, VpcId: k.vpc, AzIdA: k.a, AzIdB: k.b, Bytes: n, GB: float64(n) / BytesPerGB}
		if k.a != k.b {
			r.Cost = r.GB * c.PricePerGB * 2
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if (x.AzIdA != x.AzIdB) != (y.AzIdA != y.AzIdB) {
			return x.AzIdA != x.AzIdB
		}
		if x.Bytes != y.Bytes {
			return x.Bytes > y.Bytes
		}
		return fmt.Sprint(x.AccountId, x.VpcId, x.AzIdA, x.AzIdB) < fmt.Sprint(y.AccountId, y.VpcId, y.AzIdA, y.AzIdB)
	})
	return out
}

// Write prints the summary as csv or a text table.
func (c *CrossAZ) Write(w io.Writer, csvOut bool) error {
	head := []string{"account_id", "vpc_id", "az_id_a", "az_id_b", "bytes", "gb", "cost_usd"}
	var rows [][]string
	var total float64
	for _, r := range c.Rows() {
		total += r.Cost
		rows = append(rows, []string{r.AccountId, r.VpcId, r.AzIdA, r.AzIdB, i64(r.Bytes), fmt.Sprintf("%.6f", r.GB), fmt.Sprintf("%.6f", r.Cost)})
	}
	foot := fmt.Sprintf("cross-AZ cost %.6f USD at %v per GB each way; bytes not placed in a zone: %d; counted at the other end: %d",
		total, c.PricePerGB, c.UnknownAZ, c.Duplicates)
	return writeTable(w, csvOut, head, rows, foot)
}

// Talkers sums bytes per pair of labels, client to server.
type Talkers struct {
	By      string // tag:KEY, type or vpc
	Top     int
	counts  counters[[2]string]
	ignored int64 // counted at the other end, or a NAT's public leg
}

func (t *Talkers) label(s *Side) string {
	switch {
	case strings.HasPrefix(t.By, "tag:"):
		if v, ok := s.Tags[strings.TrimPrefix(t.By, "tag:")]; ok {
			return v
		}
		return "(untagged " + s.Type + ")"
	case t.By == "vpc":
		if s.VpcId != "" {
			return s.VpcId
		}
		return "(" + s.Type + ")"
	}
	if s.AwsService != "" {
		return s.Type + ":" + s.AwsService
	}
	return s.Type
}

// Add counts f.
func (t *Talkers) Add(f *Flow) { *t.Row(f) += f.Bytes() }

// Row is the counter of f's pair of labels.
func (t *Talkers) Row(f *Flow) *int64 {
	if !f.Counted() || natPublicLeg(f) {
		return &t.ignored
	}
	return t.counts.row([2]string{t.label(&f.Client), t.label(&f.Server)})
}

// Write prints the top pairs by bytes.
func (t *Talkers) Write(w io.Writer, csvOut bool) error {
	type row struct {
		k [2]string
		n int64
	}
	var all []row
	for k, n := range t.counts.rows {
		all = append(all, row{k, *n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].k[0]+"\x00"+all[i].k[1] < all[j].k[0]+"\x00"+all[j].k[1]
	})
	var rows [][]string
	for i, r := range all {
		if t.Top > 0 && i >= t.Top {
			break
		}
		rows = append(rows, []string{r.k[0], r.k[1], i64(r.n)})
	}
	return writeTable(w, csvOut, []string{"client", "server", "bytes"}, rows, fmt.Sprintf("%d pairs by %s", len(all), t.By))
}

// Services sums traffic to AWS services by service, region and path: an
// interface endpoint, a gateway endpoint, a NAT gateway or the internet
// gateway, from the client subnet's route table.
type Services struct {
	Estate  *Estate
	counts  counters[[4]string]
	ignored int64 // not to a service, counted at the other end, or a NAT's public leg
}

// Add counts f.
func (s *Services) Add(f *Flow) { *s.Row(f) += f.Bytes() }

// Row is the counter of f's service, region, path and client VPC.
func (s *Services) Row(f *Flow) *int64 {
	if !f.Counted() || natPublicLeg(f) || f.Server.AwsService == "" {
		return &s.ignored
	}
	path := PathEndpoint
	if f.Server.Type == TypeAWSService {
		path = PathUnknown
		if ip, err := netip.ParseAddr(f.Server.Addr); err == nil && f.Client.SubnetId != "" && s.Estate != nil {
			path, _ = s.Estate.Route(f.Client.SubnetId, ip)
		}
	}
	client := f.Client.VpcId
	if client == "" {
		client = "(" + f.Client.Type + ")"
	}
	return s.counts.row([4]string{f.Server.AwsService, f.Server.Region, path, client})
}

// Write prints the services by bytes.
func (s *Services) Write(w io.Writer, csvOut bool) error {
	keys := make([][4]string, 0, len(s.counts.rows))
	for k := range s.counts.rows {
		keys = append(keys, k)
	}
	bytesOf := func(k [4]string) int64 { return *s.counts.rows[k] }
	sort.Slice(keys, func(i, j int) bool {
		if bytesOf(keys[i]) != bytesOf(keys[j]) {
			return bytesOf(keys[i]) > bytesOf(keys[j])
		}
		return strings.Join(keys[i][:], "\x00") < strings.Join(keys[j][:], "\x00")
	})
	var rows [][]string
	for _, k := range keys {
		rows = append(rows, []string{k[0], k[1], k[2], k[3], i64(bytesOf(k))})
	}
	return writeTable(w, csvOut, []string{"service", "region", "path", "client_vpc", "bytes"}, rows, "")
}

// writeTable writes CSV (header and rows) or an aligned table with a
// footer line.
func writeTable(w io.Writer, csvOut bool, head []string, rows [][]string, foot string) error {
	if csvOut {
		cw := csv.NewWriter(w)
		_ = cw.Write(head)
		_ = cw.WriteAll(rows) // WriteAll flushes; its error covers every row
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(head, "\t")))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if foot != "" {
		_, err := fmt.Fprintln(w, foot)
		return err
	}
	return nil
}
