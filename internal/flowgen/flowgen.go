// Package flowgen writes synthetic VPC flow logs for the flows benchmarks:
// the records the flow logs of an estate's interfaces would hold.
package flowgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"strconv"
)

// Host is one interface of the estate: the generator writes the records
// its flow log would hold.
type Host struct {
	ENI  string
	Addr netip.Addr
}

// Traffic is what the generated records connect: interfaces of the estate,
// addresses of AWS services (from ip-ranges.json) and of the internet.
type Traffic struct {
	Account  string
	Hosts    []Host
	Services []netip.Addr
	Internet []netip.Addr
	// PerSecond is the records per second of log time (default 100):
	// a larger n makes a longer log, not a denser one, as in life.
	PerSecond int
}

// serverPorts are the ports servers in the estate listen on.
var serverPorts = []int{443, 5432, 6379, 3306, 2049, 8080}

// Generate writes n records in the v2 default format, as one flow log of
// every interface would: a connection between two interfaces of the estate
// appears four times (each interface logs both directions), one to the
// outside twice. Start times advance at a steady rate, so aggregation
// windows open and close as in a real log; about 1% of the lines are
// NODATA, and 2% of the connections are rejected. The output depends only
// on seed. It returns the records written: n.
func Generate(w io.Writer, n int, t Traffic, seed uint64) (int, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	bw := bufio.NewWriterSize(w, 1<<20)
	perSecond := int64(t.PerSecond)
	if perSecond <= 0 {
		perSecond = 100
	}
	const base = int64(1735689600) // 2025-01-01T00:00:00Z
	var line []byte
	written := 0
	emit := func(eni string, src, dst netip.Addr, sport, dport int, packets, bytes, start int64, action string) {
		if written == n {
			return // the last connection is cut short to give exactly n records
		}
		line = append(line[:0], "2 "...)
		line = append(line, t.Account...)
		line = append(line, ' ')
		line = append(line, eni...)
		line = append(line, ' ')
		line = src.AppendTo(line)
		line = append(line, ' ')
		line = dst.AppendTo(line)
		line = append(line, ' ')
		line = strconv.AppendInt(line, int64(sport), 10)
		line = append(line, ' ')
		line = strconv.AppendInt(line, int64(dport), 10)
		line = append(line, " 6 "...)
		line = strconv.AppendInt(line, packets, 10)
		line = append(line, ' ')
		line = strconv.AppendInt(line, bytes, 10)
		line = append(line, ' ')
		line = strconv.AppendInt(line, start, 10)
		line = append(line, ' ')
		line = strconv.AppendInt(line, start+60, 10)
		line = append(line, ' ')
		line = append(line, action...)
		line = append(line, " OK\n"...)
		bw.Write(line)
		written++
	}
	for written < n {
		start := base + int64(written)/perSecond
		if rng.IntN(100) == 0 {
			h := t.Hosts[rng.IntN(len(t.Hosts))]
			fmt.Fprintf(bw, "2 %s %s - - - - - - - %d %d - NODATA\n", t.Account, h.ENI, start, start+60)
			written++
			continue
		}
		client := t.Hosts[rng.IntN(len(t.Hosts))]
		sport := 32768 + rng.IntN(28000)
		dport := serverPorts[rng.IntN(len(serverPorts))]
		action := "ACCEPT"
		if rng.IntN(50) == 0 {
			action = "REJECT"
		}
		up, down := int64(200+rng.IntN(20000)), int64(500+rng.IntN(200000))
		pu, pd := 1+up/1000, 1+down/1000
		switch k := rng.IntN(100); {
		case k < 60: // to another interface of the estate: both log it
			server := t.Hosts[rng.IntN(len(t.Hosts))]
			if server.ENI == client.ENI {
				continue
			}
			emit(client.ENI, client.Addr, server.Addr, sport, dport, pu, up, start, action)
			emit(client.ENI, server.Addr, client.Addr, dport, sport, pd, down, start, action)
			emit(server.ENI, client.Addr, server.Addr, sport, dport, pu, up, start, action)
			emit(server.ENI, server.Addr, client.Addr, dport, sport, pd, down, start, action)
		default: // to an AWS service or the internet
			peers := t.Services
			if k >= 85 {
				peers = t.Internet
			}
			peer := peers[rng.IntN(len(peers))]
			emit(client.ENI, client.Addr, peer, sport, 443, pu, up, start, action)
			emit(client.ENI, peer, client.Addr, 443, sport, pd, down, start, action)
		}
	}
	return written, bw.Flush()
}
