package flows

import (
	"encoding/binary"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Flow is one connection seen by one interface in one aggregation window,
// both directions merged: Uploaded is client to server, Downloaded server
// to client. LoggedBy is the interface whose flow log holds it: one of
// the two sides, or neither when it forwarded the packets (a NAT gateway,
// a transit gateway attachment; see Record.Via). PeerLogged says an end
// that is not LoggedBy has a flow log too, so the same bytes appear again
// in that interface's Flow.
type Flow struct {
	Protocol   string `json:"Protocol"`
	Uploaded   int64  `json:"Uploaded"`
	Downloaded int64  `json:"Downloaded"`
	Packets    int64  `json:"Packets"`
	Start      string `json:"Start"`
	End        string `json:"End"`
	Action     string `json:"Action"`
	LoggedBy   string `json:"LoggedBy"`
	PeerLogged bool   `json:"PeerLogged"`
	Client     Side   `json:"Client"`
	Server     Side   `json:"Server"`

	// json is Client's and Server's JSON without the port, when the
	// aggregator knows it; the JSONL writer fills it on first use.
	json [2]*sideJSON
}

// Counted reports whether the flow's bytes count in a summary: when both
// ends log the connection, only the client's record counts, so every byte
// is counted once.
func (f *Flow) Counted() bool {
	return !f.PeerLogged || f.LoggedBy == f.Client.InterfaceId
}

// Bytes is the traffic of both directions.
func (f *Flow) Bytes() int64 { return f.Uploaded + f.Downloaded }

// protocolNames names every protocol number: the IANA keyword of those
// flow logs commonly carry, else the number.
var protocolNames = func() (names [256]string) {
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	for n, name := range map[int]string{1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah", 58: "icmpv6", 132: "sctp"} {
		names[n] = name
	}
	return names
}()

// ProtocolName is the IANA keyword of the protocols flow logs commonly
// carry, else the number.
func ProtocolName(p int) string {
	if p >= 0 && p < len(protocolNames) {
		return protocolNames[p]
	}
	if p < 0 {
		return "-"
	}
	return strconv.Itoa(p)
}

// serverIsDst orients a record: the server is the end with the lower port
// (services listen on low, well-known ports; clients use ephemeral ones).
// Equal ports, and protocols without ports, are ordered by address so that
// both directions of one connection orient the same way.
func serverIsDst(r *Record) bool {
	if r.SrcPort >= 0 && r.DstPort >= 0 && r.SrcPort != r.DstPort {
		return r.DstPort < r.SrcPort
	}
	if r.SrcPort < 0 || r.DstPort < 0 {
		return true // ICMP and the like: the sender of the first record is the client
	}
	return r.DstAddr.Compare(r.SrcAddr) <= 0
}

type flowKey struct {
	iface                  string
	proto                  int
	client, server         netip.Addr
	clientPort, serverPort int
	action                 string
	window                 int64
}

// openFlow is a connection being merged: its key, counters and the sides of
// its first record, shared with the Estate's cache (never modified). The
// Flow is made from it when it is handed on, so that open connections stay
// small: memory and garbage collection scale with them.
type openFlow struct {
	key                           flowKey
	sides                         *sidePair // source and destination of the first record
	toServer                      bool      // the first record went client to server
	peerLogged, done              bool
	uploaded, downloaded, packets int64
	start, end                    int64
}

// Aggregator merges records into Flows per interface, connection and
// window, and hands finished Flows on. It keeps only the windows still
// open: Horizon seconds behind the latest start seen, so memory is bounded
// by the flows of that span, not by the input. A record that arrives later
// than that starts a new Flow (sums stay right; the merge is lost). The
// Flow handed to Out is reused: Out must not keep it.
type Aggregator struct {
	Window  int64 // seconds; records whose starts fall in one window merge
	Horizon int64 // seconds a window stays open after later records arrive
	Estate  *Estate
	Out     func(*Flow) error

	open   map[flowKey]*openFlow
	starts startHeap // every open flow by start, with stale entries
	done   []*openFlow
	out    Flow
	latest int64
}

// startEntry is an open flow at the start it had when pushed; the entry is
// stale when the flow has since been handed on or started earlier.
type startEntry struct {
	start int64
	flow  *openFlow
}

// startHeap is a min-heap of entries by start: the flows to hand on are at
// its top, so a flush costs what it hands on, not what is open. Written
// out rather than with container/heap, whose Push boxes every entry in an
// interface: an allocation per connection.
type startHeap []startEntry

func (h startHeap) less(i, j int) bool { return h[i].start < h[j].start }

func (h *startHeap) push(e startEntry) {
	*h = append(*h, e)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *startHeap) pop() startEntry {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = startEntry{}
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s.less(l, m) {
			m = l
		}
		if r < len(s) && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// Add merges one record. r is not kept.
func (a *Aggregator) Add(r *Record) error {
	if a.open == nil {
		a.open = map[flowKey]*openFlow{}
	}
	win := int64(0)
	if r.Start >= 0 && a.Window > 0 {
		win = r.Start / a.Window
	}
	toServer := serverIsDst(r)
	k := flowKey{iface: r.InterfaceID, proto: r.Protocol, action: r.Action, window: win}
	if toServer {
		k.client, k.server, k.clientPort, k.serverPort = r.SrcAddr, r.DstAddr, r.SrcPort, r.DstPort
	} else {
		k.client, k.server, k.clientPort, k.serverPort = r.DstAddr, r.SrcAddr, r.DstPort, r.SrcPort
	}
	o, ok := a.open[k]
	if !ok {
		k.iface = strings.Clone(k.iface) // not the read buffer's text
		o = &openFlow{key: k, sides: a.Estate.sides(r), toServer: toServer, start: r.Start, end: r.End}
		o.peerLogged = peerLogged(&o.sides.side[0], &o.sides.side[1], r.InterfaceID)
		a.open[k] = o
		a.starts.push(startEntry{o.start, o})
	}
	switch {
	case r.Bytes <= 0:
	case toServer:
		o.uploaded += r.Bytes
	default:
		o.downloaded += r.Bytes
	}
	if r.Packets > 0 {
		o.packets += r.Packets
	}
	if r.Start >= 0 && (o.start < 0 || r.Start < o.start) {
		o.start = r.Start
		a.starts.push(startEntry{o.start, o})
	}
	if r.End > o.end {
		o.end = r.End
	}
	if r.Start > a.latest {
		a.latest = r.Start
		return a.flush(false)
	}
	return nil
}

// peerLogged says whether an end of a connection that did not log it has
// a flow log of its own, so that the same bytes appear in its log too.
func peerLogged(src, dst *Side, logger string) bool {
	logs := func(s *Side) bool { return s.flowLogged && s.InterfaceId != "" && s.InterfaceId != logger }
	switch logger {
	case dst.InterfaceId:
		return logs(src)
	case src.InterfaceId:
		return logs(dst)
	}
	return logs(src) || logs(dst) // forwarded (Via): either end's own log holds it too
}

// describe fills a Flow with the sides of one record, for a summary to judge.
func describe(f *Flow, e *Estate, r *Record, toServer bool) {
	src, dst := e.Sides(r)
	*f = Flow{Protocol: ProtocolName(r.Protocol), Action: actionName(r.Action), LoggedBy: r.InterfaceID}
	f.PeerLogged = peerLogged(&src, &dst, r.InterfaceID)
	if toServer {
		f.Client, f.Server = src, dst
	} else {
		f.Client, f.Server = dst, src
	}
}

// Feed is how records reach out: counted in sum when there is one (a
// summary only adds bytes per pair of sides, which merging the records of
// a connection first would not change, only slow down), else merged into
// connections by an Aggregator (window and horizon in seconds) and handed
// to out. Either way a record's packet addresses take the place of the
// logged ones first (Estate.usePacketAddrs). Call done after the last
// record.
func Feed(e *Estate, sum Summary, window, horizon int64, out func(*Flow) error) (Emit, func() error) {
	next, done := (&summarizer{estate: e, sum: sum}).add, func() error { return nil }
	if sum == nil {
		a := &Aggregator{Window: window, Horizon: horizon, Estate: e, Out: out}
		next, done = a.Add, a.Close
	}
	return func(r *Record) error { e.usePacketAddrs(r); return next(r) }, done
}

// summarizer counts records in a Summary. A record's sides, and so the
// summary's row for it, follow from its logging interface, address pair
// and orientation alone: each of those is described and judged once, and
// every record after that costs two map lookups and an addition.
type summarizer struct {
	estate  *Estate
	sum     Summary
	rows    map[string]*ifaceRows // by the inventory's interface ID, never the record's text
	nRows   int                   // rows held, bounded by maxCachedSides
	scratch Flow
}

// ifaceRows are the judged rows of one logging interface's records. An
// IPv4 pair (nearly every record) is one integer, which a map finds several
// times faster than a key of addresses.
type ifaceRows struct {
	v4    [2]map[uint64]*int64 // by orientation (1: the server is dst), then v4Pair
	other map[addrPair]*int64
}

type addrPair struct {
	src, dst netip.Addr
	toServer bool
}

// v4Pair packs two IPv4 addresses into one integer.
func v4Pair(src, dst netip.Addr) (uint64, bool) {
	if !src.Is4() || !dst.Is4() {
		return 0, false
	}
	s, d := src.As4(), dst.As4()
	return uint64(binary.BigEndian.Uint32(s[:]))<<32 | uint64(binary.BigEndian.Uint32(d[:])), true
}

func orientation(toServer bool) int {
	if toServer {
		return 1
	}
	return 0
}

func (ir *ifaceRows) get(r *Record, toServer bool) *int64 {
	if ir == nil {
		return nil
	}
	if k, ok := v4Pair(r.SrcAddr, r.DstAddr); ok {
		return ir.v4[orientation(toServer)][k]
	}
	return ir.other[addrPair{r.SrcAddr, r.DstAddr, toServer}]
}

func (ir *ifaceRows) put(r *Record, toServer bool, row *int64) {
	if k, ok := v4Pair(r.SrcAddr, r.DstAddr); ok {
		m := &ir.v4[orientation(toServer)]
		if *m == nil {
			*m = map[uint64]*int64{}
		}
		(*m)[k] = row
		return
	}
	if ir.other == nil {
		ir.other = map[addrPair]*int64{}
	}
	ir.other[addrPair{r.SrcAddr, r.DstAddr, toServer}] = row
}

func (p *summarizer) add(r *Record) error {
	toServer := serverIsDst(r)
	// The lookup may use the record's text; what is stored may not.
	ir := p.rows[r.InterfaceID]
	row := ir.get(r, toServer)
	if row == nil {
		f := &p.scratch
		describe(f, p.estate, r, toServer)
		row = p.sum.Row(f)
		// Only a record whose interface is in the inventory is judged
		// for good: of another, the record's own fields say who it is.
		if id, ok := p.estate.cacheableLogger(r); ok {
			if p.rows == nil || p.nRows >= maxCachedSides {
				p.rows, p.nRows, ir = map[string]*ifaceRows{}, 0, nil // bounded: start afresh
			}
			if ir == nil {
				ir = new(ifaceRows)
				p.rows[id] = ir
			}
			ir.put(r, toServer, row)
			p.nRows++
		}
	}
	if r.Bytes > 0 {
		*row += r.Bytes
	}
	return nil
}

// Close hands on every open Flow.
func (a *Aggregator) Close() error { return a.flush(true) }

// flush hands on the flows that started before the horizon (all of them
// at the end), in a stable order (start, then the key), so that the output
// does not depend on map order.
func (a *Aggregator) flush(all bool) error {
	done := a.done[:0]
	for len(a.starts) > 0 && (all || a.starts[0].start < a.latest-a.Horizon-a.Window) {
		e := a.starts.pop()
		if o := e.flow; !o.done && o.start == e.start {
			o.done = true
			delete(a.open, o.key)
			done = append(done, o)
		} // else stale: handed on already, or started earlier
	}
	if len(done) == 0 {
		return nil
	}
	sort.Slice(done, func(i, j int) bool { return openLess(done[i], done[j]) })
	for i, o := range done {
		done[i] = nil
		a.fill(&a.out, o)
		if err := a.Out(&a.out); err != nil {
			return err
		}
	}
	a.done = done[:0]
	return nil
}

// fill makes the Flow of an open flow.
func (a *Aggregator) fill(f *Flow, o *openFlow) {
	k := &o.key
	*f = Flow{Protocol: ProtocolName(k.proto), Action: actionName(k.action), LoggedBy: k.iface, PeerLogged: o.peerLogged,
		Uploaded: o.uploaded, Downloaded: o.downloaded, Packets: o.packets, Start: unix(o.start), End: unix(o.end)}
	if o.toServer {
		f.Client, f.Server = o.sides.side[0], o.sides.side[1]
		f.json = [2]*sideJSON{&o.sides.json[0], &o.sides.json[1]}
	} else {
		f.Client, f.Server = o.sides.side[1], o.sides.side[0]
		f.json = [2]*sideJSON{&o.sides.json[1], &o.sides.json[0]}
	}
	f.Client.Port, f.Server.Port = k.clientPort, k.serverPort
}

// actionName is a record's action as output shows it: "-" when the record
// had none.
func actionName(a string) string {
	if a == "" {
		return "-"
	}
	return a
}

func unix(t int64) string {
	if t < 0 {
		return "-"
	}
	return strconv.FormatInt(t, 10)
}

func openLess(fx, fy *openFlow) bool {
	x, y := &fx.key, &fy.key
	switch {
	case fx.start != fy.start:
		return fx.start < fy.start
	case x.iface != y.iface:
		return x.iface < y.iface
	case x.client != y.client:
		return x.client.Less(y.client)
	case x.server != y.server:
		return x.server.Less(y.server)
	case x.clientPort != y.clientPort:
		return x.clientPort < y.clientPort
	case x.serverPort != y.serverPort:
		return x.serverPort < y.serverPort
	case x.proto != y.proto:
		return x.proto < y.proto
	}
	return x.action < y.action
}
