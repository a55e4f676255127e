package flows

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
)

// JSONLWriter writes one Flow per line, exactly as encoding/json would
// (without HTML escaping), by hand: reflection was a quarter of the time
// of a run.
type JSONLWriter struct {
	w   *bufio.Writer
	buf []byte
	// odd encodes the rare string that needs escaping, so that escaping
	// is encoding/json's own.
	odd    bytes.Buffer
	oddEnc *json.Encoder
}

// NewJSONLWriter writes to w; call Flush at the end.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	j := &JSONLWriter{w: bufio.NewWriterSize(w, 64<<10)}
	j.oddEnc = json.NewEncoder(&j.odd)
	j.oddEnc.SetEscapeHTML(false) // ARNs and tags stay readable
	return j
}

// Write writes f.
func (j *JSONLWriter) Write(f *Flow) error {
	b := j.buf[:0]
	b = append(b, `{"Protocol":`...)
	b = j.str(b, f.Protocol)
	b = append(b, `,"Uploaded":`...)
	b = strconv.AppendInt(b, f.Uploaded, 10)
	b = append(b, `,"Downloaded":`...)
	b = strconv.AppendInt(b, f.Downloaded, 10)
	b = append(b, `,"Packets":`...)
	b = strconv.AppendInt(b, f.Packets, 10)
	b = append(b, `,"Start":`...)
	b = j.str(b, f.Start)
	b = append(b, `,"End":`...)
	b = j.str(b, f.End)
	b = append(b, `,"Action":`...)
	b = j.str(b, f.Action)
	b = append(b, `,"LoggedBy":`...)
	b = j.str(b, f.LoggedBy)
	b = append(b, `,"PeerLogged":`...)
	b = strconv.AppendBool(b, f.PeerLogged)
	b = append(b, `,"Client":`...)
	b = j.memoSide(b, &f.Client, f.json[0])
	b = append(b, `,"Server":`...)
	b = j.memoSide(b, &f.Server, f.json[1])
	b = append(b, "}\n"...)
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

// memoSide appends s, from memo when it holds s's encoding: every side
// but its port is the same in every flow of a connection, and of the
// connections between the same two addresses.
func (j *JSONLWriter) memoSide(b []byte, s *Side, memo *sideJSON) []byte {
	if memo == nil {
		return j.sideTail(strconv.AppendInt(j.sideHead(b, s), int64(s.Port), 10), s)
	}
	if memo.head == nil {
		memo.head = j.sideHead(nil, s)
		memo.tail = j.sideTail(nil, s)
	}
	b = append(b, memo.head...)
	b = strconv.AppendInt(b, int64(s.Port), 10)
	return append(b, memo.tail...)
}

// sideHead and sideTail append s as encoding/json does with Side's tags,
// before and after the port's value.
func (j *JSONLWriter) sideHead(b []byte, s *Side) []byte {
	b = append(b, `{"Addr":`...)
	b = j.str(b, s.Addr)
	return append(b, `,"Port":`...)
}

func (j *JSONLWriter) sideTail(b []byte, s *Side) []byte {
	b = append(b, `,"Arns":`...)
	b = j.list(b, s.Arns)
	b = j.optional(b, `,"InterfaceId":`, s.InterfaceId)
	b = j.optional(b, `,"SubnetId":`, s.SubnetId)
	b = j.optional(b, `,"VpcId":`, s.VpcId)
	b = j.optional(b, `,"AccountId":`, s.AccountId)
	if len(s.SecurityGroupIds) > 0 {
		b = append(b, `,"SecurityGroupIds":`...)
		b = j.list(b, s.SecurityGroupIds)
	}
	b = j.optional(b, `,"AvailabilityZone":`, s.AvailabilityZone)
	b = j.optional(b, `,"AvailabilityZoneId":`, s.AvailabilityZoneId)
	b = j.optional(b, `,"Region":`, s.Region)
	b = append(b, `,"Type":`...)
	b = j.str(b, s.Type)
	b = j.optional(b, `,"AwsService":`, s.AwsService)
	b = append(b, `,"Rfc1918":`...)
	b = strconv.AppendBool(b, s.Rfc1918)
	if len(s.Tags) > 0 {
		keys := make([]string, 0, len(s.Tags))
		for k := range s.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys) // encoding/json sorts map keys
		b = append(b, `,"Tags":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = j.str(b, k)
			b = append(b, ':')
			b = j.str(b, s.Tags[k])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// optional appends name and v unless v is empty (omitempty).
func (j *JSONLWriter) optional(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return j.str(append(b, name...), v)
}

// list appends a string slice; nil is null, as encoding/json writes it.
func (j *JSONLWriter) list(b []byte, l []string) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = j.str(b, v)
	}
	return append(b, ']')
}

// str appends s as a JSON string: directly when it is printable ASCII
// without quotes or backslashes (IDs, ARNs, addresses: nearly always),
// else through encoding/json.
func (j *JSONLWriter) str(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			j.odd.Reset()
			_ = j.oddEnc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(j.odd.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Flush flushes the buffer.
func (j *JSONLWriter) Flush() error { return j.w.Flush() }

var sideColumns = []string{"addr", "port", "type", "arns", "aws_service", "interface_id", "subnet_id", "vpc_id", "account_id",
	"security_group_ids", "availability_zone", "availability_zone_id", "region", "rfc1918", "tags"}

// CSVHeader is the flat CSV layout: the flow, then client_* and server_*.
// Lists are joined with ";" and tags written as k=v;k=v, sorted.
func CSVHeader() []string {
	h := []string{"protocol", "uploaded", "downloaded", "packets", "start", "end", "action", "logged_by", "peer_logged"}
	for _, p := range []string{"client_", "server_"} {
		for _, c := range sideColumns {
			h = append(h, p+c)
		}
	}
	return h
}

// CSVWriter writes Flows as flat CSV rows.
type CSVWriter struct {
	w   *csv.Writer
	row []string
}

// NewCSVWriter writes the header to w.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	c := &CSVWriter{w: csv.NewWriter(w)}
	return c, c.w.Write(CSVHeader())
}

// Write writes f.
func (c *CSVWriter) Write(f *Flow) error {
	c.row = append(c.row[:0], f.Protocol, i64(f.Uploaded), i64(f.Downloaded), i64(f.Packets), f.Start, f.End, f.Action,
		f.LoggedBy, strconv.FormatBool(f.PeerLogged))
	for _, s := range []*Side{&f.Client, &f.Server} {
		port := ""
		if s.Port >= 0 {
			port = strconv.Itoa(s.Port)
		}
		c.row = append(c.row, s.Addr, port, s.Type, strings.Join(s.Arns, ";"), s.AwsService, s.InterfaceId, s.SubnetId, s.VpcId,
			s.AccountId, strings.Join(s.SecurityGroupIds, ";"), s.AvailabilityZone, s.AvailabilityZoneId, s.Region,
			strconv.FormatBool(s.Rfc1918), strings.Join(sortedTags(s.Tags), ";"))
	}
	return c.w.Write(c.row)
}

// Flush flushes the writer.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// AthenaDDL is a table over enriched JSONL in S3 at location
// (s3://bucket/prefix/), with the OpenX JSON SerDe that Athena documents.
func AthenaDDL(table, location string) string {
	side := `struct<
    addr: string, port: int, arns: array<string>, interfaceid: string, subnetid: string, vpcid: string,
    accountid: string, securitygroupids: array<string>, availabilityzone: string, availabilityzoneid: string,
    region: string, type: string, awsservice: string, rfc1918: boolean, tags: map<string,string>>`
	return "CREATE EXTERNAL TABLE IF NOT EXISTS " + table + " (\n" +
		"  protocol string,\n  uploaded bigint,\n  downloaded bigint,\n  packets bigint,\n" +
		"  `start` string,\n  `end` string,\n  action string,\n  loggedby string,\n  peerlogged boolean,\n" +
		"  client " + side + ",\n" +
		"  server " + side + "\n" +
		")\nROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\n" +
		"WITH SERDEPROPERTIES ('case.insensitive' = 'true')\n" +
		"LOCATION '" + location + "';\n"
}
