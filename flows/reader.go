package flows

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MaxReported is how many malformed lines are reported by position.
const MaxReported = 5

// maxLine bounds one line; a longer one is malformed, and skipping it keeps
// memory flat whatever the input holds.
var maxLine = 64 << 10

// Stats count what the readers saw.
type Stats struct {
	Sources     int
	Lines       int64 // non-empty lines, headers included
	Headers     int64
	Records     int64 // parsed records of any status
	NoData      int64
	SkipData    int64
	Unaddressed int64 // OK records without both addresses ("-"): counted, not enriched
	Malformed   int64
	FirstBad    []BadLine // the first MaxReported malformed lines
	Skipped     []string  // objects not read (not .log.gz text)
}

// BadLine is a malformed line and why.
type BadLine struct {
	Source string
	Line   int64
	Err    string
}

func (b BadLine) String() string { return fmt.Sprintf("%s:%d: %s", b.Source, b.Line, b.Err) }

func (s *Stats) bad(source string, line int64, err string) {
	s.Malformed++
	if len(s.FirstBad) < MaxReported {
		s.FirstBad = append(s.FirstBad, BadLine{source, line, err})
	}
}

// Emit receives each OK record with both addresses. r is reused for the
// next record, and its strings share memory with the read buffer, which
// the next read overwrites: clone what you keep (strings.Clone).
type Emit func(r *Record) error

// lineSink parses lines of one source. A header line switches the format
// for the rest of the source, as S3 files declare their own field order.
type lineSink struct {
	source string
	format Format
	stats  *Stats
	emit   Emit
	line   int64
	rec    Record

	// Of this source alone, for InputError.
	lines, records, malformed int64
	firstFields               int    // fields of the first malformed line
	firstErr                  string // why the first malformed line is malformed
	countErr                  bool   // the first malformed line has another number of fields than the format
	binary                    bool   // a NUL byte or bad UTF-8 at the start, or a first line of control characters
}

func (s *lineSink) handle(text string) error {
	s.line++
	if strings.TrimSpace(text) == "" {
		return nil
	}
	s.stats.Lines++
	s.lines++
	if mayBeHeader(text) { // HeaderFormat returns a Format: too dear for every line
		if f, ok := HeaderFormat(text); ok {
			s.stats.Headers++
			s.format = f
			return nil
		}
	}
	if err := s.format.Parse(text, &s.rec); err != nil {
		s.malformed++
		if s.firstErr == "" {
			s.firstErr = err.Error()
			s.firstFields = len(strings.Fields(text))
			s.countErr = s.firstFields != len(s.format.Fields)
			if s.records == 0 && s.malformed == 1 && strings.IndexFunc(text, isControl) >= 0 {
				s.binary = true // the source's first record is not text
			}
		}
		s.stats.bad(s.source, s.line, err.Error())
		return nil
	}
	s.stats.Records++
	s.records++
	switch s.rec.Status() {
	case StatusNoData:
		s.stats.NoData++
		return nil
	case StatusSkipData:
		s.stats.SkipData++
		return nil
	}
	if !s.rec.SrcAddr.IsValid() || !s.rec.DstAddr.IsValid() {
		s.stats.Unaddressed++
		return nil
	}
	return s.emit(&s.rec)
}

func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\r' || r == 0x7f || r == utf8.RuneError
}

// InputError is a source that holds no record at all: empty, not text, or
// every line malformed. Reason is which; Hint, when not empty, what to do.
type InputError struct {
	Source string
	Reason string // "no records", "not text", "every line malformed"
	Detail string
	Hint   string
}

func (e *InputError) Error() string {
	msg := e.Source + ": " + e.Reason
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// inputError is the InputError of a source read whole, nil when it held a
// record (of any status) or only headers.
func (s *lineSink) inputError() error {
	switch {
	case s.records > 0:
		return nil
	case s.binary:
		return &InputError{Source: s.source, Reason: "not text", Detail: "flow logs are text lines, plain or gzip"}
	case s.lines == 0, s.malformed == 0:
		return &InputError{Source: s.source, Reason: "no records", Detail: "the input is empty"}
	}
	e := &InputError{Source: s.source, Reason: "every line malformed",
		Detail: fmt.Sprintf("%d %s; the first: %s", s.malformed, plural(s.malformed, "line", "lines"), s.firstErr)}
	if s.countErr && s.firstFields > 0 {
		e.Hint = fieldCountHint(s.firstFields, len(s.format.Fields))
	}
	return e
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// fieldCountHint suggests --log-format for lines of n fields read in a
// format of m: the v2 default when n is 14, else the first n fields of
// AWS's table as a starting point.
func fieldCountHint(n, m int) string {
	if n == len(DefaultFormat.Fields) {
		return fmt.Sprintf("the first line has %d fields, as AWS's default format: give --log-format '%s'", n, DefaultFormat)
	}
	if n > int(numFields) {
		return fmt.Sprintf("the first line has %d fields, more than any flow-log format (%d); is it a flow log?", n, numFields)
	}
	return fmt.Sprintf("the first line has %d fields, the format has %d: give --log-format with the %d fields of your flow log, e.g. --log-format '%s'",
		n, m, n, mustFormat(fieldNames[:n]))
}

// readChunk is how much text ReadStream reads at a time; the lines are
// slices of it, so that reading allocates nothing. A variable so that tests
// can put chunk boundaries everywhere.
var readChunk = 1 << 20

// ReadStream reads flow records from r, plain text or gzip (by its magic
// bytes, not its name), line by line.
func ReadStream(r io.Reader, source string, format Format, stats *Stats, emit Emit) error {
	_, err := readStream(r, source, format, stats, emit)
	return err
}

// readStream is ReadStream that also returns the source's sink, whose
// counts say whether it held any record.
func readStream(r io.Reader, source string, format Format, stats *Stats, emit Emit) (*lineSink, error) {
	stats.Sources++
	br := bufio.NewReaderSize(r, 64<<10)
	var in io.Reader = br
	var head []byte
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		defer zr.Close()
		zb := bufio.NewReaderSize(zr, 64<<10)
		head, _ = zb.Peek(512)
		in = zb
	} else {
		head, _ = br.Peek(512)
	}
	binary := !looksText(head)
	sink := &lineSink{source: source, format: format, stats: stats, emit: emit, binary: binary}
	tooLong := func() {
		sink.line++
		stats.Lines++
		sink.lines++
		sink.malformed++
		if sink.firstErr == "" {
			sink.firstErr = fmt.Sprintf("line longer than %d bytes", maxLine)
		}
		stats.bad(source, sink.line, fmt.Sprintf("line longer than %d bytes", maxLine))
	}
	// line hands on one line, its newline (if any) included.
	line := func(text string) error {
		if len(text) > maxLine {
			tooLong()
			return nil
		}
		for n := len(text); n > 0 && (text[n-1] == '\n' || text[n-1] == '\r'); n-- {
			text = text[:n-1]
		}
		return sink.handle(text)
	}
	buf := make([]byte, max(readChunk, 2))
	have := 0         // bytes of buf not handed on yet: the start of a line
	skipping := false // inside a line longer than buf, already counted
	for eof := false; !eof; {
		n, err := in.Read(buf[have:])
		have += n
		switch {
		case errors.Is(err, io.EOF):
			eof = true
		case err != nil:
			return nil, fmt.Errorf("%s line %d: %w", source, sink.line+1, err)
		}
		data := buf[:have]
		end := bytes.LastIndexByte(data, '\n') + 1 // complete lines
		if eof {
			end = have // the last line may have no newline
		}
		if skipping {
			// Drop the rest of the over-long line.
			nl := bytes.IndexByte(data[:end], '\n')
			if nl < 0 {
				have = 0
				continue
			}
			skipping = false
			data = data[nl+1:]
			end -= nl + 1
			have -= nl + 1
		}
		if end == 0 && have == len(buf) {
			// No newline in a whole buffer: a line far longer than maxLine.
			tooLong()
			skipping, have = true, 0
			continue
		}
		// The chunk's lines are strings over buf itself, not copies: the
		// input is read without allocating. The next read overwrites buf,
		// which is why Emit's receivers clone what they keep.
		text := unsafe.String(unsafe.SliceData(data), end)
		for len(text) > 0 {
			nl := strings.IndexByte(text, '\n') + 1
			if nl == 0 {
				nl = len(text)
			}
			if err := line(text[:nl]); err != nil {
				return nil, err
			}
			text = text[nl:]
		}
		have = copy(buf, data[end:have])
	}
	return sink, nil
}

// looksText reports whether the first bytes of a source may be text: no
// NUL byte and valid UTF-8 (a rune cut at the end of head aside).
func looksText(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 && !(len(head)-i < utf8.UTFMax && !utf8.FullRune(head[i:])) {
			return false
		}
		i += n
	}
	return true
}

// ReadFile reads a local file, or standard input for "-". A file with no
// record at all (empty, not text, every line malformed) is an *InputError:
// the user named it, so it was meant to hold flow logs.
func ReadFile(path string, stdin io.Reader, format Format, stats *Stats, emit Emit) error {
	var r io.Reader = stdin
	source := "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r, source = f, path
	}
	sink, err := readStream(r, source, format, stats, emit)
	if err != nil {
		return err
	}
	return sink.inputError()
}

// S3API holds the read-only S3 calls ReadS3 makes.
type S3API interface {
	s3.ListObjectsV2APIClient
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// BucketLocationAPI holds the read-only call BucketRegion makes.
type BucketLocationAPI interface {
	GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
}

// BucketRegion is the region that holds bucket, from s3:GetBucketLocation:
// no constraint means us-east-1, and EU is eu-west-1's old name. A bucket
// is read through its own region's endpoint; another region's refuses.
func BucketRegion(ctx context.Context, api BucketLocationAPI, bucket string) (string, error) {
	out, err := api.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", fmt.Errorf("s3:GetBucketLocation %s: %w", bucket, err)
	}
	switch loc := string(out.LocationConstraint); loc {
	case "":
		return "us-east-1", nil
	case "EU":
		return "eu-west-1", nil
	default:
		return loc, nil
	}
}

// LocationRegion is the region to ask GetBucketLocation in: the partition's
// first region (us-east-1 answers for every bucket of the aws partition),
// judged from the region the user works in.
func LocationRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "cn-north-1"
	case strings.HasPrefix(region, "us-gov-"):
		return "us-gov-west-1"
	case strings.HasPrefix(region, "us-iso-"), strings.HasPrefix(region, "us-isob-"), strings.HasPrefix(region, "eu-isoe-"), strings.HasPrefix(region, "us-isof-"):
		return region // isolated partitions: their own region
	}
	return "us-east-1"
}

// ParseS3URL splits s3://bucket/prefix.
func ParseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", fmt.Errorf("want s3://BUCKET/PREFIX, got %q", u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("want s3://BUCKET/PREFIX, got %q", u)
	}
	return bucket, prefix, nil
}

// ReadS3 reads every text flow-log object under prefix (the AWSLogs layout
// puts them at prefix/AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/, and
// the Hive layout under similar key=value folders: listing the prefix
// recursively covers both). Parquet and other objects are listed in
// stats.Skipped. Each object is streamed, never held whole.
func ReadS3(ctx context.Context, api S3API, bucket, prefix string, format Format, stats *Stats, emit Emit) error {
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3:ListObjectsV2 s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !strings.HasSuffix(key, ".log.gz") && !strings.HasSuffix(key, ".log") {
				if !strings.HasSuffix(key, "/") {
					stats.Skipped = append(stats.Skipped, "s3://"+bucket+"/"+key)
				}
				continue
			}
			if err := readObject(ctx, api, bucket, key, format, stats, emit); err != nil {
				return err
			}
		}
	}
	return nil
}

func readObject(ctx context.Context, api S3API, bucket, key string, format Format, stats *Stats, emit Emit) error {
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("s3:GetObject s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	return ReadStream(out.Body, "s3://"+bucket+"/"+key, format, stats, emit)
}

// LogsAPI holds the read-only CloudWatch Logs call ReadLogGroup makes.
type LogsAPI interface {
	cloudwatchlogs.FilterLogEventsAPIClient
}

// ReadLogGroup reads the events of group between start and end (zero:
// open) with FilterLogEvents, which interleaves the one-stream-per-ENI
// layout in time order. Each event is one record; there is no header, so
// format comes from DescribeFlowLogs or --log-format.
func ReadLogGroup(ctx context.Context, api LogsAPI, group string, start, end time.Time, format Format, stats *Stats, emit Emit) error {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)}
	if !start.IsZero() {
		in.StartTime = aws.Int64(start.UnixMilli())
	}
	if !end.IsZero() {
		in.EndTime = aws.Int64(end.UnixMilli())
	}
	stats.Sources++
	sink := &lineSink{source: "log group " + group, format: format, stats: stats, emit: emit}
	p := cloudwatchlogs.NewFilterLogEventsPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("logs:FilterLogEvents %s: %w", group, err)
		}
		for _, e := range page.Events {
			if err := sink.handle(aws.ToString(e.Message)); err != nil {
				return err
			}
		}
	}
	return nil
}

// LogGroupFormat finds the format of the flow logs that deliver to group
// (ec2:DescribeFlowLogs, filter log-group-name). Flow logs with different
// formats in one group cannot be told apart record by record, so that is an
// error; found is false when no flow log names the group.
func LogGroupFormat(ctx context.Context, api ec2.DescribeFlowLogsAPIClient, group string) (f Format, found bool, err error) {
	p := ec2.NewDescribeFlowLogsPaginator(api, &ec2.DescribeFlowLogsInput{
		Filter: []ec2types.Filter{{Name: aws.String("log-group-name"), Values: []string{group}}},
	})
	var formats []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return f, false, fmt.Errorf("ec2:DescribeFlowLogs: %w", err)
		}
		for _, fl := range page.FlowLogs {
			if aws.ToString(fl.LogGroupName) != group {
				continue
			}
			lf := aws.ToString(fl.LogFormat)
			if lf == "" {
				lf = DefaultFormat.String()
			}
			pf, err := ParseFormat(lf)
			if err != nil {
				return f, false, fmt.Errorf("flow log %s: %w", aws.ToString(fl.FlowLogId), err)
			}
			if !found {
				f, found = pf, true
			}
			if s := pf.String(); !contains(formats, s) {
				formats = append(formats, s)
			}
		}
	}
	if len(formats) > 1 {
		return f, false, fmt.Errorf("log group %s receives flow logs with %d different formats; give --log-format for the records you want", group, len(formats))
	}
	return f, found, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
