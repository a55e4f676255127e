package flows

import (
	"bytes"
	"io"
	"net/netip"
	"sort"
	"testing"

	"github.com/faultline/faultline/internal/flowgen"
)

// generatedLog is n records of flow-log text over the fixture's
// interfaces, S3 and DynamoDB addresses and one internet address.
func generatedLog(tb testing.TB, n int) []byte {
	inv, _ := fixture()
	t := flowgen.Traffic{Account: acct}
	var ids []string
	for id := range inv.ENIs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Hosts = append(t.Hosts, flowgen.Host{ENI: id, Addr: inv.ENIs[id].Addresses[0]})
	}
	for _, s := range []string{"52.216.10.20", "3.5.1.9", "52.94.0.12"} {
		t.Services = append(t.Services, netip.MustParseAddr(s))
	}
	t.Internet = []netip.Addr{netip.MustParseAddr("198.51.100.7")}
	var buf bytes.Buffer
	if _, err := flowgen.Generate(&buf, n, t, 1); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const benchRecords = 200_000

var benchText []byte

// feed reads text in the default format through Feed into sum, or when
// sum is nil merged into out, with the command's window and horizon.
func feed(tb testing.TB, e *Estate, sum Summary, text []byte, out func(*Flow) error) {
	tb.Helper()
	add, done := Feed(e, sum, 600, 900, out)
	if err := ReadStream(bytes.NewReader(text), "generated", DefaultFormat, &Stats{}, add); err != nil {
		tb.Fatal(err)
	}
	if err := done(); err != nil {
		tb.Fatal(err)
	}
}

// benchPipeline runs the reader and the aggregator (or, for a summary, its
// counting) into the sink that newSink makes, as the command does, and
// reports records per second.
func benchPipeline(b *testing.B, newSink func(e *Estate) (sum Summary, out func(*Flow) error, finish func() error)) {
	if benchText == nil {
		benchText = generatedLog(b, benchRecords)
	}
	text, n := benchText, benchRecords
	inv, facts := fixture()
	ranges, err := ShippedIPRanges()
	if err != nil {
		b.Fatal(err)
	}
	e := NewEstate([]*Scope{{Inv: inv, Facts: facts}}, ranges)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum, out, finish := newSink(e)
		feed(b, e, sum, text, out)
		if err := finish(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkFlowsJSONL(b *testing.B) {
	benchPipeline(b, func(*Estate) (Summary, func(*Flow) error, func() error) {
		w := NewJSONLWriter(io.Discard)
		return nil, w.Write, w.Flush
	})
}

func BenchmarkFlowsCrossAZ(b *testing.B) {
	benchPipeline(b, func(e *Estate) (Summary, func(*Flow) error, func() error) {
		c := &CrossAZ{Estate: e, PricePerGB: 0.01}
		return c, nil, func() error { return c.Write(io.Discard, false) }
	})
}
