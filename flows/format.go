// Package flows reads VPC flow logs (files, S3, CloudWatch Logs), resolves
// each address to the resource behind it with the network inventory that
// `faultline reach` builds, and writes enriched records or summaries.
package flows

import (
	"fmt"
	"math"
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
	first := trimLeftSpace(line)
	if first == "" || first[0] < 'a' || first[0] > 'z' {
		return Format{}, false // every field name starts with a lowercase letter
	}
	if end := strings.IndexAny(first, " \t\r"); end >= 0 {
		first = first[:end]
	}
	if _, ok := fieldByName[first]; !ok {
		return Format{}, false // the common case, checked without splitting the line
	}
	f, err := formatOf(strings.Fields(line))
	return f, err == nil
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
func (f Format) Parse(line string, r *Record) error {
	r.reset()
	if plainASCII(line) {
		return f.parsePlain(line, r)
	}
	return f.parseAny(line, r)
}

// reset makes r a record of no fields: numbers -1, the rest empty.
func (r *Record) reset() {
	*r = Record{Version: -1, SrcPort: -1, DstPort: -1, Protocol: -1, Packets: -1, Bytes: -1, Start: -1, End: -1, TCPFlags: -1, TrafficPath: -1}
}

// parseAny is Parse for any line.
func (f Format) parseAny(line string, r *Record) error {
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
// character, so splitting is all there is to do.
func (f Format) parsePlain(line string, r *Record) error {
	i := 0
	for {
		for len(line) > 0 && line[0] == ' ' {
			line = line[1:]
		}
		if line == "" {
			break
		}
		end := 0
		for end < len(line) && line[end] != ' ' {
			end++
		}
		if i >= len(f.Fields) {
			return &ParseError{Field: -1, Msg: fmt.Sprintf("more than the %d fields of the format", len(f.Fields))}
		}
		if err := setField(r, f.Fields[i], line[:end]); err != nil {
			return err
		}
		line = line[end:]
		i++
	}
	if i != len(f.Fields) {
		return &ParseError{Field: -1, Msg: fmt.Sprintf("%d fields, the format has %d", i, len(f.Fields))}
	}
	return nil
}

// plainASCII reports whether s holds only bytes 0x20-0x7e, eight at a time.
func plainASCII(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		below := (x - 0x20*ones) &^ x // a byte under 0x20 sets its high bit
		above := (x + 1*ones) | x     // a byte over 0x7e sets its high bit
		if (below|above)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
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

func setField(r *Record, f Field, w string) error {
	dash := w == "-"
	str := func(p *string) error {
		if !dash {
			*p = w
		}
		return nil
	}
	num := func(p *int, limit int64) error {
		if dash {
			return nil
		}
		n, ok := parseCount(w, limit)
		if !ok {
			return &ParseError{Field: f, Value: w, Msg: fmt.Sprintf("want a whole number 0-%d", limit)}
		}
		*p = int(n)
		return nil
	}
	num64 := func(p *int64) error {
		if dash {
			return nil
		}
		n, ok := parseCount(w, math.MaxInt64)
		if !ok {
			return &ParseError{Field: f, Value: w, Msg: "want a whole number"}
		}
		*p = n
		return nil
	}
	ip := func(p *netip.Addr) error {
		if dash {
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
	case FVersion:
		return num(&r.Version, 255)
	case FAccountID:
		return str(&r.AccountID)
	case FInterfaceID:
		return str(&r.InterfaceID)
	case FSrcAddr:
		return ip(&r.SrcAddr)
	case FDstAddr:
		return ip(&r.DstAddr)
	case FSrcPort:
		return num(&r.SrcPort, 65535)
	case FDstPort:
		return num(&r.DstPort, 65535)
	case FProtocol:
		return num(&r.Protocol, 255)
	case FPackets:
		return num64(&r.Packets)
	case FBytes:
		return num64(&r.Bytes)
	case FStart:
		return num64(&r.Start)
	case FEnd:
		return num64(&r.End)
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
	case FTCPFlags:
		return num(&r.TCPFlags, 255)
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
	case FTrafficPath:
		return num(&r.TrafficPath, 255)
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
