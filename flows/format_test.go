package flows

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// The documented v2 example parses into every field.
func TestParseDefaultExample(t *testing.T) {
	var r Record
	err := DefaultFormat.Parse("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK", &r)
	if err != nil {
		t.Fatal(err)
	}
	want := Record{Version: 2, AccountID: "123456789010", InterfaceID: "eni-1235b8ca123456789",
		SrcAddr: netip.MustParseAddr("172.31.16.139"), DstAddr: netip.MustParseAddr("172.31.16.21"), SrcPort: 20641, DstPort: 22,
		Protocol: 6, Packets: 20, Bytes: 4249, Start: 1418530010, End: 1418530070, Action: "ACCEPT", LogStatus: "OK",
		TCPFlags: -1, TrafficPath: -1}
	if r != want {
		t.Fatalf("got  %+v\nwant %+v", r, want)
	}
	if DefaultFormat.Version() != 2 || len(DefaultFormat.Fields) != 14 {
		t.Fatalf("default format: version %d, %d fields", DefaultFormat.Version(), len(DefaultFormat.Fields))
	}
}

// Every field of v2-v8, in a custom order (reversed), lands in its place.
func TestParseEveryFieldCustomOrder(t *testing.T) {
	values := map[Field]string{
		FVersion: "8", FAccountID: "500000000001", FInterfaceID: "eni-0a", FSrcAddr: "10.0.1.5", FDstAddr: "2600:1f18::1",
		FSrcPort: "443", FDstPort: "50000", FProtocol: "6", FPackets: "7", FBytes: "9000", FStart: "100", FEnd: "160",
		FAction: "REJECT", FLogStatus: "OK", FVpcID: "vpc-1", FSubnetID: "subnet-1", FInstanceID: "i-1", FTCPFlags: "19",
		FType: "IPv4", FPktSrcAddr: "10.0.9.9", FPktDstAddr: "52.216.8.8", FRegion: "us-east-1", FAZID: "use1-az1",
		FSublocationType: "outpost", FSublocationID: "op-1", FPktSrcAWSService: "EC2", FPktDstAWSService: "S3",
		FFlowDirection: "egress", FTrafficPath: "8", FECSClusterARN: "arn:c", FECSClusterName: "cl", FECSContainerInstanceARN: "arn:ci",
		FECSContainerInstanceID: "ci", FECSContainerID: "c1", FECSSecondContainerID: "c2", FECSServiceName: "svc",
		FECSTaskDefinitionARN: "arn:td", FECSTaskARN: "arn:t", FECSTaskID: "t1", FRejectReason: "BPA",
	}
	var names, words []string
	for f := numFields - 1; f >= 0; f-- {
		names = append(names, "${"+f.String()+"}")
		words = append(words, values[f])
	}
	format, err := ParseFormat(strings.Join(names, " "))
	if err != nil {
		t.Fatal(err)
	}
	if format.Version() != 8 {
		t.Fatalf("version %d, want 8", format.Version())
	}
	var r Record
	if err := format.Parse(strings.Join(words, " "), &r); err != nil {
		t.Fatal(err)
	}
	want := Record{Version: 8, AccountID: "500000000001", InterfaceID: "eni-0a", SrcAddr: netip.MustParseAddr("10.0.1.5"),
		DstAddr: netip.MustParseAddr("2600:1f18::1"), SrcPort: 443, DstPort: 50000, Protocol: 6, Packets: 7, Bytes: 9000,
		Start: 100, End: 160, Action: "REJECT", LogStatus: "OK", VpcID: "vpc-1", SubnetID: "subnet-1", InstanceID: "i-1",
		TCPFlags: 19, Type: "IPv4", PktSrcAddr: netip.MustParseAddr("10.0.9.9"), PktDstAddr: netip.MustParseAddr("52.216.8.8"),
		Region: "us-east-1", AZID: "use1-az1", SublocationType: "outpost", SublocationID: "op-1", PktSrcAWSService: "EC2",
		PktDstAWSService: "S3", FlowDirection: "egress", TrafficPath: 8, ECSClusterARN: "arn:c", ECSClusterName: "cl",
		ECSContainerInstanceARN: "arn:ci", ECSContainerInst: "ci", ECSContainerID: "c1", ECSSecondContainerID: "c2",
		ECSServiceName: "svc", ECSTaskDefinitionARN: "arn:td", ECSTaskARN: "arn:t", ECSTaskID: "t1", RejectReason: "BPA"}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("got  %+v\nwant %+v", r, want)
	}
	// The format prints back in AWS notation and parses to itself.
	again, err := ParseFormat(format.String())
	if err != nil || !reflect.DeepEqual(again.Fields, format.Fields) {
		t.Fatalf("round trip: %v %v", again.Fields, err)
	}
}

func TestFormatVersions(t *testing.T) {
	for _, c := range []struct {
		format string
		want   int
	}{
		{"${srcaddr} ${dstaddr}", 2},
		{"${vpc-id} ${srcaddr}", 3},
		{"${az-id}", 4},
		{"${flow-direction} ${bytes}", 5},
		{"${ecs-task-id}", 7},
		{"${reject-reason} ${version}", 8},
		{"srcaddr dstaddr traffic_path", 5}, // plain names, Athena's underscores
	} {
		f, err := ParseFormat(c.format)
		if err != nil || f.Version() != c.want {
			t.Errorf("%s: version %d err %v, want %d", c.format, f.Version(), err, c.want)
		}
	}
	for _, bad := range []string{"", "${srcaddr} ${nope}", "${srcaddr", "${bytes} ${bytes}"} {
		if _, err := ParseFormat(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseDashesAndStatuses(t *testing.T) {
	var r Record
	if err := DefaultFormat.Parse("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA", &r); err != nil {
		t.Fatal(err)
	}
	if r.Status() != StatusNoData || r.SrcAddr.IsValid() || r.SrcPort != -1 || r.Bytes != -1 || r.Action != "" || r.Start != 1431280876 {
		t.Fatalf("NODATA record: %+v", r)
	}
	if err := DefaultFormat.Parse("2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - SKIPDATA", &r); err != nil || r.Status() != StatusSkipData {
		t.Fatalf("SKIPDATA: %v %+v", err, r)
	}
	// A format without log-status: every record is OK.
	f, _ := ParseFormat("${srcaddr} ${dstaddr} ${bytes}")
	if err := f.Parse("10.0.0.1\t10.0.0.2 5\r", &r); err != nil || r.Status() != StatusOK || r.Bytes != 5 {
		t.Fatalf("tabs and \\r: %v %+v", err, r)
	}
}

func TestParseMalformed(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT", "13 fields, the format has 14"},
		{"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK extra", "more than the 14 fields"},
		{"2 1 eni-1 10.0.0.1 10.0.0.2 65536 2 6 1 1 1 2 ACCEPT OK", `srcport "65536"`},
		{"2 1 eni-1 10.0.0.1 10.0.0.2 -5 2 6 1 1 1 2 ACCEPT OK", `srcport "-5"`},
		{"2 1 eni-1 10.0.0.256 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK", `srcaddr "10.0.0.256"`},
		{"2 1 eni-1 fe80::1%eth0 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK", `srcaddr "fe80::1%eth0"`},
		{"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ALLOW OK", `action "ALLOW"`},
		{"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT FINE", `log-status "FINE"`},
		{"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 x 1 2 ACCEPT OK", `bytes "x"`},
		{"2 1 eni-1 10.0.0.1 10.0.0.2 1 2 256 1 1 1 2 ACCEPT OK", `protocol "256"`},
	} {
		var r Record
		err := DefaultFormat.Parse(c.line, &r)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.line, err, c.want)
		}
	}
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A gzip stream with a header line switches the format; NODATA, SKIPDATA
// and "-" addresses are counted and not emitted; malformed lines are
// counted with their line numbers, only the first few kept, and never stop
// the read.
func TestReadStreamHeaderGzipCounts(t *testing.T) {
	var in strings.Builder
	in.WriteString("version srcaddr dstaddr bytes log-status\n")
	in.WriteString("3 10.0.0.1 10.0.0.2 100 OK\n")
	in.WriteString("\n")
	in.WriteString("3 - - - NODATA\n")
	in.WriteString("3 - - - SKIPDATA\n")
	in.WriteString("3 - 10.0.0.2 5 OK\n")
	for i := 0; i < 7; i++ {
		in.WriteString("3 nonsense\n")
	}
	in.WriteString("3 10.0.0.3 10.0.0.4 7 OK") // no final newline
	var got []string
	st := &Stats{}
	err := ReadStream(bytes.NewReader(gz(t, in.String())), "x.log.gz", DefaultFormat, st, func(r *Record) error {
		got = append(got, fmt.Sprintf("%s>%s:%d", r.SrcAddr, r.DstAddr, r.Bytes))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"10.0.0.1>10.0.0.2:100", "10.0.0.3>10.0.0.4:7"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("records %v, want %v", got, want)
	}
	if st.Headers != 1 || st.Records != 5 || st.NoData != 1 || st.SkipData != 1 || st.Unaddressed != 1 || st.Malformed != 7 || st.Lines != 13 {
		t.Fatalf("stats %+v", st)
	}
	if len(st.FirstBad) != MaxReported || st.FirstBad[0].Line != 7 || st.FirstBad[4].Line != 11 || st.FirstBad[0].Source != "x.log.gz" {
		t.Fatalf("first bad %+v", st.FirstBad)
	}
}

// A line longer than the limit is one malformed line, and the next line
// still parses.
func TestReadStreamLongLine(t *testing.T) {
	in := strings.Repeat("x", maxLine*3) + "\n2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n"
	st := &Stats{}
	n := 0
	if err := ReadStream(strings.NewReader(in), "long", DefaultFormat, st, func(*Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 || st.Malformed != 1 || st.FirstBad[0].Line != 1 {
		t.Fatalf("n=%d stats %+v", n, st)
	}
}

func TestParseS3URL(t *testing.T) {
	b, p, err := ParseS3URL("s3://flow-bucket/logs/AWSLogs/")
	if err != nil || b != "flow-bucket" || p != "logs/AWSLogs/" {
		t.Fatalf("%q %q %v", b, p, err)
	}
	for _, bad := range []string{"flow-bucket/x", "s3://", "s3:///x"} {
		if _, _, err := ParseS3URL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The parser never panics, and a line it accepts has exactly the format's
// number of fields.
func FuzzParse(f *testing.F) {
	f.Add("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
	f.Add("2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA")
	f.Add("version account-id")
	f.Add("\t\r  2 ::ffff:10.0.0.1")
	f.Fuzz(func(t *testing.T, line string) {
		var r Record
		if err := DefaultFormat.Parse(line, &r); err == nil {
			n := len(strings.Fields(strings.NewReplacer("\t", " ", "\r", " ").Replace(line)))
			if n != len(DefaultFormat.Fields) {
				t.Fatalf("accepted %d fields: %q", n, line)
			}
			if r.SrcPort > 65535 || r.Protocol > 255 || (r.SrcAddr.IsValid() && r.SrcAddr.Is4In6()) {
				t.Fatalf("out of range: %+v", r)
			}
		}
		_, _ = HeaderFormat(line)
	})
}

// ReadStream's chunked reading hands on the same lines as reading the
// text line by line would, wherever the chunk boundaries fall: tiny chunks
// and a tiny line limit put boundaries inside lines, at their ends and in
// over-long lines.
func FuzzReadStream(f *testing.F) {
	f.Add("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n\n2 1 eni-2 10.0.0.3 10.0.0.4 1 2 6 1 1 1 2 REJECT OK", uint8(7), uint8(60))
	f.Add(strings.Repeat("x", 200)+"\n2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\r\n"+strings.Repeat("y", 90), uint8(16), uint8(64))
	f.Add("version srcaddr dstaddr bytes\n3 10.0.0.1 10.0.0.2 5\n\n\n3 10.0.0.1 10.0.0.2", uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, in string, chunk, limit uint8) {
		if strings.HasPrefix(in, "\x1f\x8b") {
			return // gzip's magic: read as a gzip stream, not as text lines
		}
		type seen struct {
			Records []string
			Stats   Stats
		}
		read := func(text string) seen {
			var s seen
			if err := ReadStream(strings.NewReader(text), "fuzz", DefaultFormat, &s.Stats, func(r *Record) error {
				s.Records = append(s.Records, fmt.Sprintf("%s %s>%s %d %s", r.InterfaceID, r.SrcAddr, r.DstAddr, r.Bytes, r.Action))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return s
		}
		// The reference: the text split after each newline, each piece a
		// line, too long when it exceeds the limit with its newline.
		reference := func(text string) seen {
			var s seen
			s.Stats.Sources = 1
			sink := &lineSink{source: "fuzz", format: DefaultFormat, stats: &s.Stats, emit: func(r *Record) error {
				s.Records = append(s.Records, fmt.Sprintf("%s %s>%s %d %s", r.InterfaceID, r.SrcAddr, r.DstAddr, r.Bytes, r.Action))
				return nil
			}}
			for _, piece := range strings.SplitAfter(text, "\n") {
				switch {
				case piece == "":
				case len(piece) > maxLine:
					sink.line++
					s.Stats.Lines++
					s.Stats.bad("fuzz", sink.line, fmt.Sprintf("line longer than %d bytes", maxLine))
				default:
					_ = sink.handle(strings.TrimRight(piece, "\r\n"))
				}
			}
			return s
		}
		oldChunk, oldLimit := readChunk, maxLine
		defer func() { readChunk, maxLine = oldChunk, oldLimit }()
		readChunk, maxLine = 2+int(chunk)%200, 1+int(limit)
		if readChunk <= maxLine {
			readChunk = maxLine + 1 + int(chunk)%7 // a chunk holds any line that is not too long
		}
		got, want := read(in), reference(in)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("chunk %d, limit %d:\ngot  %+v\nwant %+v", readChunk, maxLine, got, want)
		}
	})
}

// referenceJSONL is what encoding/json writes for f, which JSONLWriter
// writes by hand.
func referenceJSONL(t testing.TB, f *Flow) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeJSONL(t testing.TB, f *Flow) string {
	var b bytes.Buffer
	w := NewJSONLWriter(&b)
	if err := w.Write(f); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Every Flow of a generated log over every kind of interface is written
// byte for byte as encoding/json writes it.
func TestJSONLMatchesEncodingJSON(t *testing.T) {
	inv, facts := fixture()
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, mustRanges(t))
	n := 0
	feed(t, e, nil, generatedLog(t, 5_000), func(f *Flow) error {
		n++
		if got, want := writeJSONL(t, f), referenceJSONL(t, f); got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		return nil
	})
	if n < 1000 {
		t.Fatalf("only %d flows", n)
	}
}

// Strings that need escaping, nil and empty lists and maps, written as
// encoding/json writes them.
func FuzzJSONL(f *testing.F) {
	f.Add("eni-1", "a\"b\\c", "\x00\n\t\u2028<&>", "\xff\xfe", true)
	f.Add("", "", "", "", false)
	f.Fuzz(func(t *testing.T, a, b, c, d string, lists bool) {
		fl := &Flow{Protocol: a, Uploaded: 1, Downloaded: -2, Start: b, End: c, Action: d, LoggedBy: a + b, PeerLogged: lists,
			Client: Side{Addr: a, Port: -1, InterfaceId: b, SubnetId: c, VpcId: d, AccountId: a, AvailabilityZone: b,
				AvailabilityZoneId: c, Region: d, Type: a, AwsService: b, Rfc1918: lists},
			Server: Side{Addr: d, Arns: []string{}, Type: c}}
		if lists {
			fl.Client.Arns = []string{a, b}
			fl.Client.SecurityGroupIds = []string{c}
			fl.Client.Tags = map[string]string{a: b, c: d}
			fl.Server.Tags = map[string]string{}
			fl.Server.SecurityGroupIds = []string{}
		}
		if got, want := writeJSONL(t, fl), referenceJSONL(t, fl); got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

// Records' strings share the read buffer, which the next chunk overwrites:
// what the aggregator and the sides keep must be copies. Tiny chunks make
// every kept string outlive its buffer before the flows are handed on.
func TestKeptStringsOutliveTheReadBuffer(t *testing.T) {
	defer func(n int) { readChunk = n }(readChunk)
	readChunk = 200
	format, err := ParseFormat("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id")
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&in, "3 %012d eni-gone-%02d 10.9.%d.1 10.9.%d.2 40000 443 6 1 100 %d %d ACCEPT OK vpc-%02d subnet-%02d\n", i, i, i, i, 60*i, 60*i+60, i, i)
	}
	e := NewEstate(nil, nil)
	var flowsOut []Flow
	agg := &Aggregator{Window: 600, Horizon: 1 << 30, Estate: e, Out: func(f *Flow) error { flowsOut = append(flowsOut, *f); return nil }}
	if err := ReadStream(strings.NewReader(in.String()), "tiny", format, &Stats{}, agg.Add); err != nil {
		t.Fatal(err)
	}
	if err := agg.Close(); err != nil {
		t.Fatal(err)
	}
	if len(flowsOut) != 40 {
		t.Fatalf("%d flows", len(flowsOut))
	}
	for i, f := range flowsOut {
		want := fmt.Sprintf("eni-gone-%02d", i)
		c := f.Client
		if f.LoggedBy != want || c.InterfaceId != want || c.VpcId != fmt.Sprintf("vpc-%02d", i) || c.SubnetId != fmt.Sprintf("subnet-%02d", i) ||
			c.AccountId != fmt.Sprintf("%012d", i) || f.Action != "ACCEPT" {
			t.Fatalf("flow %d: logged by %q, client %+v", i, f.LoggedBy, c)
		}
	}
}

// Parse, which takes the fast path for printable ASCII lines (with its
// 64-byte blocks and eight-digit numbers), parses every line exactly as the
// general path does, and scanBlock agrees with a byte-by-byte look.
func FuzzParsePlainEqualsAny(f *testing.F) {
	f.Add("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")
	f.Add("2 1 eni-1 - - - - - - - 1 2 - NODATA  ")
	f.Add("2 1 eni-1 10.0.0.1 10.0.0.2 +1 2 6 1 1 1 2 ACCEPT OK \x7f")
	f.Add("2 1 eni-1 010.0.0.1 10.0.0.256 00065535 65536 6 1234567890123456 12345678901234567 000000001 99999999 ACCEPT OK")
	f.Add("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT\tOK")
	f.Fuzz(func(t *testing.T, line string) {
		for block := 0; block < len(line); block += 64 {
			b := line[block:min(block+64, len(line))]
			var spaces uint64
			plain := true
			for k := 0; k < 64; k++ {
				if k >= len(b) || b[k] == ' ' {
					spaces |= 1 << k
				}
				if k < len(b) && (b[k] < 0x20 || b[k] > 0x7e) {
					plain = false
				}
			}
			if gotSpaces, gotPlain := scanBlock(b); gotSpaces != spaces || gotPlain != plain {
				t.Fatalf("scanBlock(%q) = %064b, %v; want %064b, %v", b, gotSpaces, gotPlain, spaces, plain)
			}
		}
		var fast, general Record
		general.reset()
		errFast, errAny := DefaultFormat.Parse(line, &fast), DefaultFormat.parseAny(line, &general)
		if fmt.Sprint(errFast) != fmt.Sprint(errAny) || (errAny == nil && !reflect.DeepEqual(fast, general)) {
			t.Fatalf("%q: fast %v %+v, general %v %+v", line, errFast, fast, errAny, general)
		}
	})
}

type fakeLocation struct {
	constraint s3types.BucketLocationConstraint
	err        error
	asked      []string
}

func (f *fakeLocation) GetBucketLocation(_ context.Context, in *s3.GetBucketLocationInput, _ ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	f.asked = append(f.asked, aws.ToString(in.Bucket))
	if f.err != nil {
		return nil, f.err
	}
	return &s3.GetBucketLocationOutput{LocationConstraint: f.constraint}, nil
}

// A bucket's region is its location constraint, with S3's two old
// spellings; a refused call is an error naming the call.
func TestBucketRegion(t *testing.T) {
	for constraint, want := range map[s3types.BucketLocationConstraint]string{"": "us-east-1", "EU": "eu-west-1", "eu-central-1": "eu-central-1", "ap-southeast-2": "ap-southeast-2"} {
		api := &fakeLocation{constraint: constraint}
		got, err := BucketRegion(context.Background(), api, "flow-logs")
		if err != nil || got != want || !reflect.DeepEqual(api.asked, []string{"flow-logs"}) {
			t.Errorf("%q: %q %v (asked %v), want %q", constraint, got, err, api.asked, want)
		}
	}
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
	_, err := BucketRegion(context.Background(), &fakeLocation{err: denied}, "flow-logs")
	if err == nil || !strings.Contains(err.Error(), "s3:GetBucketLocation flow-logs") || !errors.As(err, new(*smithy.GenericAPIError)) {
		t.Errorf("refused: %v", err)
	}
	for region, want := range map[string]string{"eu-west-3": "us-east-1", "us-east-1": "us-east-1", "cn-northwest-1": "cn-north-1", "us-gov-east-1": "us-gov-west-1", "us-iso-east-1": "us-iso-east-1"} {
		if got := LocationRegion(region); got != want {
			t.Errorf("LocationRegion(%s) = %s, want %s", region, got, want)
		}
	}
}

// digitsEndingAt reads every number of 1-16 digits, with leading zeros,
// wherever enough of the line comes before its end, and refuses anything
// else (parseCount then reads it).
func TestDigitsEndingAt(t *testing.T) {
	for n := 1; n <= 18; n++ {
		for _, digits := range []string{strings.Repeat("9", n), strings.Repeat("0", n), ("1234567890123456789")[:n], "0" + ("7000000000000000000")[:n-1]} {
			for prefix := 0; prefix <= 20; prefix++ {
				line := strings.Repeat("x", prefix) + digits + " z"
				start, end := prefix, prefix+n
				want, err := strconv.ParseInt(digits, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				canRead := n <= 16 && end >= 8 && (n <= 8 || end >= 16)
				got, ok := digitsEndingAt(line, start, end)
				if ok != canRead || (ok && got != want) {
					t.Errorf("%q [%d:%d]: %d, %v; want %d, %v", line, start, end, got, ok, want, canRead)
				}
			}
		}
	}
	for _, bad := range []string{"-", "1a", "a1", "12345678/", ":12345678", "1 2", "123456789012345x", "+5"} {
		line := "prefix-padding-of-sixteen " + bad
		if n, ok := digitsEndingAt(line, len(line)-len(bad), len(line)); ok {
			t.Errorf("%q read as %d", bad, n)
		}
	}
}
