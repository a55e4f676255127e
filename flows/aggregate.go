package flows

import (
	"net/netip"
	"sort"
	"strconv"
)

// Flow is one connection seen by one interface in one aggregation window,
// both directions merged: Uploaded is client to server, Downloaded server
// to client. LoggedBy is the interface whose flow log holds it; PeerLogged
// says the other end's interface has a flow log too, so the same bytes
// appear again in that interface's Flow.
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

	start, end int64
}

// Counted reports whether the flow's bytes count in a summary: when both
// ends log the connection, only the client's record counts, so every byte
// is counted once.
func (f *Flow) Counted() bool {
	return !f.PeerLogged || f.LoggedBy == f.Client.InterfaceId
}

// Bytes is the traffic of both directions.
func (f *Flow) Bytes() int64 { return f.Uploaded + f.Downloaded }

var protocolNames = map[int]string{1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah", 58: "icmpv6", 132: "sctp"}

// ProtocolName is the IANA keyword of the protocols flow logs commonly
// carry, else the number.
func ProtocolName(p int) string {
	if n, ok := protocolNames[p]; ok {
		return n
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

// Aggregator merges records into Flows per interface, connection and
// window, and hands finished Flows on. It keeps only the windows still
// open: Horizon seconds behind the latest start seen, so memory is bounded
// by the flows of that span, not by the input. A record that arrives later
// than that starts a new Flow (sums stay right; the merge is lost).
type Aggregator struct {
	Window  int64 // seconds; records whose starts fall in one window merge
	Horizon int64 // seconds a window stays open after later records arrive
	Estate  *Estate
	Out     func(*Flow) error

	open   map[flowKey]*Flow
	latest int64
}

// Add merges one record. r is not kept.
func (a *Aggregator) Add(r *Record) error {
	if a.open == nil {
		a.open = map[flowKey]*Flow{}
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
	f, ok := a.open[k]
	if !ok {
		src, dst := a.Estate.Sides(r)
		f = &Flow{Protocol: ProtocolName(r.Protocol), Action: r.Action, LoggedBy: r.InterfaceID, start: r.Start, end: r.End}
		if f.Action == "" {
			f.Action = "-"
		}
		if toServer {
			f.Client, f.Server = src, dst
		} else {
			f.Client, f.Server = dst, src
		}
		peer := f.Server
		if f.Server.InterfaceId == r.InterfaceID {
			peer = f.Client
		}
		f.PeerLogged = peer.flowLogged && peer.InterfaceId != "" && peer.InterfaceId != r.InterfaceID
		a.open[k] = f
	}
	if r.Bytes > 0 {
		if toServer {
			f.Uploaded += r.Bytes
		} else {
			f.Downloaded += r.Bytes
		}
	}
	if r.Packets > 0 {
		f.Packets += r.Packets
	}
	if r.Start >= 0 && (f.start < 0 || r.Start < f.start) {
		f.start = r.Start
	}
	if r.End > f.end {
		f.end = r.End
	}
	if r.Start > a.latest {
		a.latest = r.Start
		return a.flush(false)
	}
	return nil
}

// Close hands on every open Flow.
func (a *Aggregator) Close() error { return a.flush(true) }

// flush hands on the windows that closed, in a stable order (start, then
// the key), so that the output does not depend on map order.
func (a *Aggregator) flush(all bool) error {
	var done []flowKey
	for k, f := range a.open {
		if all || f.start < a.latest-a.Horizon-a.Window {
			done = append(done, k)
		}
	}
	if len(done) == 0 {
		return nil
	}
	sort.Slice(done, func(i, j int) bool { return keyLess(done[i], done[j], a.open) })
	for _, k := range done {
		f := a.open[k]
		delete(a.open, k)
		f.Start, f.End = unix(f.start), unix(f.end)
		if err := a.Out(f); err != nil {
			return err
		}
	}
	return nil
}

func unix(t int64) string {
	if t < 0 {
		return "-"
	}
	return strconv.FormatInt(t, 10)
}

func keyLess(x, y flowKey, open map[flowKey]*Flow) bool {
	fx, fy := open[x], open[y]
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
