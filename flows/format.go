// Package flows reads VPC flow logs (files, S3, CloudWatch Logs), resolves
// each address to the resource behind it with the network inventory that
// `faultline reach` builds, and writes enriched records or summaries.
package flows

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// Field is one flow-log field, numbered in the order of the AWS table.
type Field int

// The flow-log fields of versions 2 to 8 (network-semantics.md §5.2).
const (
	FVersion Field = iota
	FAccountID
	FInterfaceID
	FSrcAddr
	FDstAddr
	FSrcPort
	FDstPort
	FProtocol
	FPackets
	FBytes
	FStart
	FEnd
	FAction
	FLogStatus
	FVpcID
	FSubnetID
	FInstanceID
	FTCPFlags
	FType
	FPktSrcAddr
	FPktDstAddr
	FRegion
	FAZID
	FSublocationType
	FSublocationID
	FPktSrcAWSService
	FPktDstAWSService
	FFlowDirection
	FTrafficPath
	FECSClusterARN
	FECSClusterName
	FECSContainerInstanceARN
	FECSContainerInstanceID
	FECSContainerID
	FECSSecondContainerID
	FECSServiceName
	FECSTaskDefinitionARN
	FECSTaskARN
	FECSTaskID
	FRejectReason
	numFields
)

// fieldNames are the names AWS uses in formats and header lines.
var fieldNames = [numFields]string{
	"version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes",
	"start", "end", "action", "log-status", "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr",
	"pkt-dstaddr", "region", "az-id", "sublocation-type", "sublocation-id", "pkt-src-aws-service", "pkt-dst-aws-service",
	"flow-direction", "traffic-path", "ecs-cluster-arn", "ecs-cluster-name", "ecs-container-instance-arn",
	"ecs-container-instance-id", "ecs-container-id", "ecs-second-container-id", "ecs-service-name",
	"ecs-task-definition-arn", "ecs-task-arn", "ecs-task-id", "reject-reason",
}

// fieldVersions are the versions that introduced each field.
var fieldVersions = [numFields]int{
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	3, 3, 3, 3, 3, 3, 3,
	4, 4, 4, 4,
	5, 5, 5, 5,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	8,
}

func (f Field) String() string {
	if f < 0 || f >= numFields {
		return fmt.Sprintf("field(%d)", int(f))
	}
	return fieldNames[f]
}

var fieldByName = func() map[string]Field {
	m := make(map[string]Field, numFields)
	for i, n := range fieldNames {
		m[n] = Field(i)
		// flowlogs-reader and Athena spell the names with underscores.
		m[strings.ReplaceAll(n, "-", "_")] = Field(i)
	}
	return m
}()

// Format is the field order of a flow log.
type Format struct {
	Fields []Field
	pos    [numFields]int // index in Fields+1; 0: absent
}

// DefaultFormat is the v2 default format, which cannot be changed.
var DefaultFormat = mustFormat(fieldNames[:FVpcID])

func mustFormat(names []string) Format {
	f, err := formatOf(names)
	if err != nil {
		panic(err)
	}
	return f
}

func formatOf(names []string) (Format, error) {
	var f Format
	if len(names) == 0 {
		return f, fmt.Errorf("a format needs at least one field")
	}
	for _, n := range names {
		id, ok := fieldByName[n]
		if !ok {
			return f, fmt.Errorf("unknown flow-log field %q", n)
		}
		if f.pos[id] != 0 {
			return f, fmt.Errorf("field %q appears twice", n)
		}
		f.Fields = append(f.Fields, id)
		f.pos[id] = len(f.Fields)
	}
	return f, nil
}

// ParseFormat reads a LogFormat as AWS writes it ("${version} ${srcaddr} ...")
// or a plain list of names ("version srcaddr ..."), as given to --log-format.
func ParseFormat(s string) (Format, error) {
	words := strings.Fields(s)
	names := make([]string, len(words))
	for i, w := range words {
		if strings.HasPrefix(w, "${") {
			if !strings.HasSuffix(w, "}") {
				return Format{}, fmt.Errorf("malformed field %q: want ${name}", w)
			}
			w = w[2 : len(w)-1]
		}
		names[i] = w
	}
	return formatOf(names)
}

// HeaderFormat returns the format a header line names, and false when line
// is not a header (a header holds only field names; a record never does,
// since every record has numbers or addresses).
func HeaderFormat(line string) (Format, bool) {
	if !mayBeHeader(line) {
		return Format{}, false
	}
	first := trimLeftSpace(line)
	if end := strings.IndexAny(first, " \t\r"); end >= 0 {
		first = first[:end]
	}
	if _, ok := fieldByName[first]; !ok {
		return Format{}, false // the common case, checked without splitting the line
	}
	f, err := formatOf(strings.Fields(line))
	return f, err == nil
}

// mayBeHeader is HeaderFormat's first test, cheap enough for every line:
// every field name starts with a lowercase letter, and no record's first
// field does unless its format starts with a text field.
func mayBeHeader(line string) bool {
	first := trimLeftSpace(line)
	return first != "" && first[0] >= 'a' && first[0] <= 'z'
}

// Has reports whether the format carries field x.
func (f Format) Has(x Field) bool { return f.pos[x] != 0 }

// Version is the highest version among the fields, as AWS computes it.
func (f Format) Version() int {
	v := 2
	for _, x := range f.Fields {
		v = max(v, fieldVersions[x])
	}
	return v
}

// String is the format in AWS's ${...} notation.
func (f Format) String() string {
	var b strings.Builder
	for i, x := range f.Fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("${" + x.String() + "}")
	}
	return b.String()
}

// Log statuses.
const (
	StatusOK       = "OK"
	StatusNoData   = "NODATA"
	StatusSkipData = "SKIPDATA"
)

// Record is one parsed flow-log record. Numbers that were "-" (or absent
// from the format) are -1; addresses that were "-" are the zero Addr;
// strings keep "-" as "".
type Record struct {
	Version                                   int
	AccountID, InterfaceID                    string
	SrcAddr, DstAddr                          netip.Addr
	SrcPort, DstPort, Protocol                int
	Packets, Bytes                            int64
	Start, End                                int64
	Action, LogStatus                         string
	VpcID, SubnetID, InstanceID               string
	TCPFlags                                  int
	Type                                      string
	PktSrcAddr, PktDstAddr                    netip.Addr
	Region, AZID                              string
	SublocationType, SublocationID            string
	PktSrcAWSService, PktDstAWSService        string
	FlowDirection                             string
	TrafficPath                               int
	ECSClusterARN, ECSClusterName             string
	ECSContainerInstanceARN, ECSContainerInst string
	ECSContainerID, ECSSecondContainerID      string
	ECSServiceName, ECSTaskDefinitionARN      string
	ECSTaskARN, ECSTaskID                     string
	RejectReason                              string

	// Via is not a field of the log: Feed sets it when the record's
	// packet addresses (pkt-srcaddr, pkt-dstaddr) stand in for the logged
	// ones and neither is the logging interface's, which only forwarded
	// the packet (a NAT gateway, a transit gateway attachment).
	Via bool
}

// Status is the log status; a format without log-status has only OK records.
func (r *Record) Status() string {
	if r.LogStatus == "" {
		return StatusOK
	}
	return r.LogStatus
}

// ParseError says why a line is not a record.
type ParseError struct {
	Field Field
	Value string
	Msg   string
}

func (e *ParseError) Error() string {
	if e.Field < 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Msg)
}

// Parse reads one record in format f into r (which it resets). It never
// panics on any input; a wrong number of fields, a bad number or a bad
// address is an error. Fields are separated by spaces; tabs and \r, which
// CloudWatch exports and Windows editors leave behind, count as spaces.
func (f *Format) Parse(line string, r *Record) error {
	r.reset()
	if err := f.parsePlain(line, r); err != errNotPlain {
		return err
	}
	r.reset()
	return f.parseAny(line, r)
}

// errNotPlain is parsePlain's answer to a line that is not printable ASCII.
var errNotPlain = errors.New("not printable ASCII")

// reset makes r a record of no fields: numbers -1, the rest empty.
func (r *Record) reset() {
	*r = Record{Version: -1, SrcPort: -1, DstPort: -1, Protocol: -1, Packets: -1, Bytes: -1, Start: -1, End: -1, TCPFlags: -1, TrafficPath: -1}
}

// parseAny is Parse for any line.
func (f *Format) parseAny(line string, r *Record) error {
	i, n := 0, len(line)
	for p := 0; ; {
		for p < n && isSeparator(line[p]) {
			p++
		}
		if p == n {
			break
		}
		q, plain := p, true
		for q < n && !isSeparator(line[q]) {
			if c := line[q]; c < 0x20 || c >= 0x7f {
				plain = false
			}
			q++
		}
		word := line[p:q]
		p = q
		if !plain && strings.IndexFunc(word, unicode.IsControl) >= 0 {
			// No flow-log field holds a control character: the line is
			// damaged, not a field to keep.
			return &ParseError{Field: -1, Msg: fmt.Sprintf("control character in field %d", i+1)}
		}
		if i >= len(f.Fields) {
			return &ParseError{Field: -1, Msg: fmt.Sprintf("more than the %d fields of the format", len(f.Fields))}
		}
		if err := setField(r, f.Fields[i], word); err != nil {
			return err
		}
		i++
	}
	if i != len(f.Fields) {
		return &ParseError{Field: -1, Msg: fmt.Sprintf("%d fields, the format has %d", i, len(f.Fields))}
	}
	return nil
}

// parsePlain is Parse for a line of printable ASCII only (nearly every
// line): spaces are the only separators and no field can hold a control
// character, so splitting is all there is to do. It looks at 64 bytes at
// a time (scanBlock), then steps from field to field by counting bits,
// instead of looking at every byte. It returns errNotPlain, before
// setting any field of the block, on a block that is not printable ASCII:
// the fields before it split as parseAny splits them, so parseAny, which
// Parse then calls, meets any error among them first too.
func (f *Format) parsePlain(line string, r *Record) error {
	i := 0 // fields read
	field := func(start, end int) error {
		if i >= len(f.Fields) {
			return &ParseError{Field: -1, Msg: fmt.Sprintf("more than the %d fields of the format", len(f.Fields))}
		}
		x := f.Fields[i]
		i++
		if limit := numLimit[x]; limit != 0 {
			if n, ok := digitsEndingAt(line, start, end); ok && n <= limit {
				setNum(r, x, n)
				return nil
			}
		}
		return setField(r, x, line[start:end])
	}
	start, inField := 0, false
	for block := 0; block < len(line); block += 64 {
		spaces, plain := scanBlock(line[block:min(block+64, len(line))])
		if !plain {
			return errNotPlain
		}
		for k := 0; k < 64; {
			if inField {
				z := bits.TrailingZeros64(spaces >> k) // to the next space
				if k+z >= 64 {
					break // the field goes on in the next block
				}
				k += z
				if err := field(start, block+k); err != nil {
					return err
				}
				inField = false
			} else {
				z := bits.TrailingZeros64(^spaces >> k) // to the next field
				if k+z >= 64 {
					break
				}
				k += z
				start, inField = block+k, true
			}
		}
	}
	if inField { // a field that ends at the end of the last full block
		if err := field(start, len(line)); err != nil {
			return err
		}
	}
	if i != len(f.Fields) {
		return &ParseError{Field: -1, Msg: fmt.Sprintf("%d fields, the format has %d", i, len(f.Fields))}
	}
	return nil
}

// digitsEndingAt is the value of line[start:end] when it is 1-16 ASCII
// digits, read eight at a time. It reads the 8 or 16 bytes of line that
// end at end, so it gives up (false) on a number so near the line's
// start, as on anything but digits: setField then judges the field.
func digitsEndingAt(line string, start, end int) (int64, bool) {
	const zeros = 0x3030303030303030
	n := end - start
	if n < 1 || n > 16 || end < 8 || (n > 8 && end < 16) {
		return 0, false
	}
	// The last min(n, 8) digits, the bytes before them turned to '0'.
	pad := uint(8 * (8 - min(n, 8)))
	lo, ok := digits8(load8(line[end-8:end])&^(1<<pad-1) | zeros&(1<<pad-1))
	if !ok || n <= 8 {
		return int64(lo), ok
	}
	pad = uint(8 * (16 - n))
	hi, ok := digits8(load8(line[end-16:end-8])&^(1<<pad-1) | zeros&(1<<pad-1))
	return int64(hi*100_000_000 + lo), ok
}

// load8 is the first eight bytes of s, the first in the lowest byte.
func load8(s string) uint64 {
	b := s[:8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// digits8 is the number that eight ASCII digits (the first in the lowest
// byte) write, and whether all eight are digits: three multiplications
// instead of eight steps, each of which waits for the one before.
func digits8(x uint64) (uint64, bool) {
	const zeros, highs = 0x3030303030303030, 0xf0f0f0f0f0f0f0f0
	// A digit is 0x30-0x39: its high half 3, and still 3 after adding 6.
	if x&highs != zeros || (x+0x0606060606060606)&highs != zeros {
		return 0, false
	}
	d := x - zeros
	d = d*10 + d>>8 // pairs of digits, in every other byte
	d = ((d&0x000000ff000000ff)*(100+1000000<<32) + (d>>16&0x000000ff000000ff)*(1+10000<<32)) >> 32
	return d, true
}

// scanBlock looks at up to 64 bytes of s, eight at a time. Bit k of
// spaces is set where s[k] is a space, and every bit past the end of s: a
// field ends there. plain says every byte is printable ASCII (0x20-0x7e).
func scanBlock(s string) (spaces uint64, plain bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var bad uint64 // high bit set in each byte outside 0x20-0x7e
	word := func(x uint64, j int) {
		below := (x - 0x20*ones) &^ x // a byte under 0x20 sets its high bit
		above := (x + ones) | x       // a byte over 0x7e sets its high bit
		bad |= below | above
		spaces |= spaceByteBits(x) << j
	}
	n, j := len(s), 0
	for ; j+8 <= n; j += 8 {
		word(load8(s[j:]), j)
	}
	if tail := n - j; tail > 0 { // 1-7 bytes left: padded with spaces
		var x uint64
		if n >= 8 {
			x = load8(s[n-8:]) >> (8 * (8 - tail))
		} else {
			for t := n - 1; t >= j; t-- {
				x = x<<8 | uint64(s[t])
			}
		}
		read := uint64(1)<<(8*tail) - 1
		word(x|0x2020202020202020&^read, j)
		j += 8
	}
	if j < 64 {
		spaces |= ^uint64(0) << j
	}
	return spaces, bad&highs == 0
}

// spaceByteBits has bit k set where byte k of x is a space.
func spaceByteBits(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	y := x ^ 0x2020202020202020
	// The high bit of each byte that is zero in y, without the false
	// hits of the shorter (y-0x01...)&^y form.
	zero := ^((y&low7 + low7) | y | low7)
	// Gather the eight high bits into one byte: byte k's bit lands on bit 56+k.
	return zero >> 7 * 0x0102040810204080 >> 56
}

func isSeparator(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// trimLeftSpace drops leading spaces.
func trimLeftSpace(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
}

// parseCount reads a whole number 0..limit. Plain digits (every number in
// a flow log) are read directly; anything else takes strconv's way, which
// also accepts a sign, as earlier versions did.
func parseCount(w string, limit int64) (int64, bool) {
	if len(w) > 0 && len(w) <= 18 {
		var n int64
		for i := 0; i < len(w); i++ {
			c := w[i] - '0'
			if c > 9 {
				goto slow
			}
			n = n*10 + int64(c)
		}
		return n, n <= limit
	}
slow:
	n, err := strconv.ParseInt(w, 10, 64)
	return n, err == nil && n >= 0 && n <= limit
}

// parseIPv4 reads an IPv4 address in its canonical form (four numbers
// 0-255 without leading zeros, as flow logs write them) several times
// faster than netip.ParseAddr, and gives up on anything else, which
// ParseAddr then judges: so it accepts no address ParseAddr refuses.
func parseIPv4(w string) (netip.Addr, bool) {
	var b [4]byte
	i := 0
	for k := range b {
		start, n := i, 0
		for i < len(w) && i-start < 3 {
			c := w[i] - '0'
			if c > 9 {
				break
			}
			n = n*10 + int(c)
			i++
		}
		digits := i - start
		if digits == 0 || n > 255 || (digits > 1 && w[start] == '0') {
			return netip.Addr{}, false
		}
		b[k] = byte(n)
		if k < 3 {
			if i == len(w) || w[i] != '.' {
				return netip.Addr{}, false
			}
			i++
		}
	}
	if i != len(w) {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}

// numLimit is the largest value of each numeric field; 0 for the others.
var numLimit = [numFields]int64{FVersion: 255, FSrcPort: 65535, FDstPort: 65535, FProtocol: 255,
	FPackets: math.MaxInt64, FBytes: math.MaxInt64, FStart: math.MaxInt64, FEnd: math.MaxInt64,
	FTCPFlags: 255, FTrafficPath: 255}

// setNum stores n in r's numeric field f.
func setNum(r *Record, f Field, n int64) {
	switch f {
	case FVersion:
		r.Version = int(n)
	case FSrcPort:
		r.SrcPort = int(n)
	case FDstPort:
		r.DstPort = int(n)
	case FProtocol:
		r.Protocol = int(n)
	case FPackets:
		r.Packets = n
	case FBytes:
		r.Bytes = n
	case FStart:
		r.Start = n
	case FEnd:
		r.End = n
	case FTCPFlags:
		r.TCPFlags = int(n)
	case FTrafficPath:
		r.TrafficPath = int(n)
	}
}

func setField(r *Record, f Field, w string) error {
	dash := w == "-"
	if limit := numLimit[f]; limit != 0 {
		if dash {
			return nil
		}
		n, ok := parseCount(w, limit)
		if !ok {
			if limit == math.MaxInt64 {
				return &ParseError{Field: f, Value: w, Msg: "want a whole number"}
			}
			return &ParseError{Field: f, Value: w, Msg: fmt.Sprintf("want a whole number 0-%d", limit)}
		}
		setNum(r, f, n)
		return nil
	}
	str := func(p *string) error {
		if !dash {
			*p = w
		}
		return nil
	}
	ip := func(p *netip.Addr) error {
		if dash {
			return nil
		}
		if a, ok := parseIPv4(w); ok {
			*p = a
			return nil
		}
		a, err := netip.ParseAddr(w)
		if err != nil || a.Zone() != "" {
			return &ParseError{Field: f, Value: w, Msg: "want an IPv4 or IPv6 address"}
		}
		*p = a.Unmap()
		return nil
	}
	switch f {
	case FAccountID:
		return str(&r.AccountID)
	case FInterfaceID:
		return str(&r.InterfaceID)
	case FSrcAddr:
		return ip(&r.SrcAddr)
	case FDstAddr:
		return ip(&r.DstAddr)
	case FAction:
		switch w {
		case "ACCEPT":
			r.Action = "ACCEPT" // the constant, not the text read
		case "REJECT":
			r.Action = "REJECT"
		case "-":
		default:
			return &ParseError{Field: f, Value: w, Msg: "want ACCEPT, REJECT or -"}
		}
		return nil
	case FLogStatus:
		switch w {
		case StatusOK:
			r.LogStatus = StatusOK
		case StatusNoData:
			r.LogStatus = StatusNoData
		case StatusSkipData:
			r.LogStatus = StatusSkipData
		default:
			return &ParseError{Field: f, Value: w, Msg: "want OK, NODATA or SKIPDATA"}
		}
		return nil
	case FVpcID:
		return str(&r.VpcID)
	case FSubnetID:
		return str(&r.SubnetID)
	case FInstanceID:
		return str(&r.InstanceID)
	case FType:
		return str(&r.Type)
	case FPktSrcAddr:
		return ip(&r.PktSrcAddr)
	case FPktDstAddr:
		return ip(&r.PktDstAddr)
	case FRegion:
		return str(&r.Region)
	case FAZID:
		return str(&r.AZID)
	case FSublocationType:
		return str(&r.SublocationType)
	case FSublocationID:
		return str(&r.SublocationID)
	case FPktSrcAWSService:
		return str(&r.PktSrcAWSService)
	case FPktDstAWSService:
		return str(&r.PktDstAWSService)
	case FFlowDirection:
		switch w {
		case "ingress":
			r.FlowDirection = "ingress"
		case "egress":
			r.FlowDirection = "egress"
		case "-":
		default:
			return &ParseError{Field: f, Value: w, Msg: "want ingress, egress or -"}
		}
		return nil
	case FECSClusterARN:
		return str(&r.ECSClusterARN)
	case FECSClusterName:
		return str(&r.ECSClusterName)
	case FECSContainerInstanceARN:
		return str(&r.ECSContainerInstanceARN)
	case FECSContainerInstanceID:
		return str(&r.ECSContainerInst)
	case FECSContainerID:
		return str(&r.ECSContainerID)
	case FECSSecondContainerID:
		return str(&r.ECSSecondContainerID)
	case FECSServiceName:
		return str(&r.ECSServiceName)
	case FECSTaskDefinitionARN:
		return str(&r.ECSTaskDefinitionARN)
	case FECSTaskARN:
		return str(&r.ECSTaskARN)
	case FECSTaskID:
		return str(&r.ECSTaskID)
	case FRejectReason:
		return str(&r.RejectReason)
	}
	return &ParseError{Field: f, Value: w, Msg: "unknown field"}
}
