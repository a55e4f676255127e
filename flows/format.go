// Package flows reads VPC flow logs (files, S3, CloudWatch Logs), resolves
// each address to the resource behind it with the network inventory that
// `faultline reach` builds, and writes enriched records or summaries.
package flows

import (
	"fmt"
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
// address is an error.
func (f Format) Parse(line string, r *Record) error {
	*r = Record{Version: -1, SrcPort: -1, DstPort: -1, Protocol: -1, Packets: -1, Bytes: -1, Start: -1, End: -1, TCPFlags: -1, TrafficPath: -1}
	if strings.ContainsAny(line, "\t\r") {
		// CloudWatch exports and Windows editors leave tabs and \r behind;
		// they separate fields like spaces (this copy is the rare path).
		line = strings.NewReplacer("\t", " ", "\r", " ").Replace(line)
	}
	i := 0
	rest := line
	for {
		rest = trimLeftSpace(rest)
		if rest == "" {
			break
		}
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		word := rest[:end]
		rest = rest[end:]
		if strings.IndexFunc(word, unicode.IsControl) >= 0 {
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

// trimLeftSpace drops leading spaces.
func trimLeftSpace(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
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
		n, err := strconv.ParseInt(w, 10, 64)
		if err != nil || n < 0 || n > limit {
			return &ParseError{Field: f, Value: w, Msg: fmt.Sprintf("want a whole number 0-%d", limit)}
		}
		*p = int(n)
		return nil
	}
	num64 := func(p *int64) error {
		if dash {
			return nil
		}
		n, err := strconv.ParseInt(w, 10, 64)
		if err != nil || n < 0 {
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
		if !dash && w != "ACCEPT" && w != "REJECT" {
			return &ParseError{Field: f, Value: w, Msg: "want ACCEPT, REJECT or -"}
		}
		return str(&r.Action)
	case FLogStatus:
		if w != StatusOK && w != StatusNoData && w != StatusSkipData {
			return &ParseError{Field: f, Value: w, Msg: "want OK, NODATA or SKIPDATA"}
		}
		r.LogStatus = w
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
		if !dash && w != "ingress" && w != "egress" {
			return &ParseError{Field: f, Value: w, Msg: "want ingress, egress or -"}
		}
		return str(&r.FlowDirection)
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
