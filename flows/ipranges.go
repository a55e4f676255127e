package flows

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
)

// shippedRanges is AWS's ip-ranges.json of 2026-02-23 (syncToken
// 1771829884): every IPv4 and IPv6 entry, one per line. The build machines
// cannot reach https://ip-ranges.amazonaws.com/ip-ranges.json, so it came
// from a public mirror of that file. AWS changes the file often:
// --ip-ranges takes a current copy, and the command says how old this one is.
//
//go:embed ipranges/ip-ranges.json
var shippedRanges []byte

// IPRanges maps public addresses to AWS services and regions.
type IPRanges struct {
	SyncToken, CreateDate string
	// byLen[bits][masked prefix] for IPv4 (0-32) and IPv6 (0-128).
	v4, v6 [129]map[netip.Addr]rangeEntry
}

type rangeEntry struct {
	Service, Region string
}

// Published is the file's createDate as a day (2006-01-02), or its
// createDate as written when that is not AWS's yyyy-mm-dd-hh-mm-ss.
func (ir *IPRanges) Published() string {
	if len(ir.CreateDate) == len("2006-01-02-15-04-05") {
		return ir.CreateDate[:len("2006-01-02")]
	}
	return ir.CreateDate
}

// ShippedIPRanges parses the copy built in.
func ShippedIPRanges() (*IPRanges, error) {
	return ParseIPRanges(bytes.NewReader(shippedRanges))
}

// ParseIPRanges reads a file in ip-ranges.json's format.
func ParseIPRanges(r io.Reader) (*IPRanges, error) {
	var doc struct {
		SyncToken  string `json:"syncToken"`
		CreateDate string `json:"createDate"`
		Prefixes   []struct {
			Prefix  string `json:"ip_prefix"`
			Region  string `json:"region"`
			Service string `json:"service"`
		} `json:"prefixes"`
		IPv6Prefixes []struct {
			Prefix  string `json:"ipv6_prefix"`
			Region  string `json:"region"`
			Service string `json:"service"`
		} `json:"ipv6_prefixes"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("not an ip-ranges.json file: %w", err)
	}
	if len(doc.Prefixes)+len(doc.IPv6Prefixes) == 0 {
		return nil, fmt.Errorf("not an ip-ranges.json file: no prefixes")
	}
	ir := &IPRanges{SyncToken: doc.SyncToken, CreateDate: doc.CreateDate}
	add := func(s, region, service string) error {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("ip-ranges.json: %w", err)
		}
		p = p.Masked()
		table := &ir.v4
		if p.Addr().Is6() {
			table = &ir.v6
		}
		m := table[p.Bits()]
		if m == nil {
			m = map[netip.Addr]rangeEntry{}
			table[p.Bits()] = m
		}
		// Every subset is also in AMAZON: the specific service wins
		// whichever comes first in the file.
		if old, ok := m[p.Addr()]; !ok || old.Service == "AMAZON" {
			m[p.Addr()] = rangeEntry{Service: service, Region: region}
		}
		return nil
	}
	for _, p := range doc.Prefixes {
		if err := add(p.Prefix, p.Region, p.Service); err != nil {
			return nil, err
		}
	}
	for _, p := range doc.IPv6Prefixes {
		if err := add(p.Prefix, p.Region, p.Service); err != nil {
			return nil, err
		}
	}
	return ir, nil
}

// Lookup returns the service and region of a. The most specific non-AMAZON
// prefix wins; AMAZON only when no specific subset holds the address
// (AWS may publish a service's range inside a larger AMAZON one, and the
// other way round).
func (ir *IPRanges) Lookup(a netip.Addr) (service, region string, ok bool) {
	if ir == nil {
		return "", "", false
	}
	a = a.Unmap()
	table, bits := &ir.v4, 32
	if a.Is6() {
		table, bits = &ir.v6, 128
	}
	var amazon rangeEntry
	found := false
	for b := bits; b >= 0; b-- {
		m := table[b]
		if m == nil {
			continue
		}
		p, _ := a.Prefix(b)
		e, hit := m[p.Addr()]
		if !hit {
			continue
		}
		if e.Service != "AMAZON" {
			return e.Service, e.Region, true
		}
		if !found {
			amazon, found = e, true
		}
	}
	return amazon.Service, amazon.Region, found
}
