package flows

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// JSONLWriter writes one Flow per line.
type JSONLWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewJSONLWriter writes to w; call Flush at the end.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // ARNs and tags stay readable
	return &JSONLWriter{w: bw, enc: enc}
}

// Write writes f.
func (j *JSONLWriter) Write(f *Flow) error { return j.enc.Encode(f) }

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
