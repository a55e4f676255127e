package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/gocarina/gocsv"

	"github.com/faultline/faultline/output"
)

// putEventsAPI is the one EventBridge call delivery makes.
type putEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Event fields: consumers write rules on them.
const (
	EventSource     = "faultline"
	EventDetailType = "Resiliency Finding"
)

// PutEvents limits: at most 10 entries and 256 KB per call.
const (
	maxBatchEntries = 10
	maxBatchBytes   = 256 * 1024
	// retryAttempts for entries EventBridge refuses (FailedEntryCount),
	// which the SDK's retryer does not see because the call itself succeeds.
	retryAttempts = 5
)

// Publisher sends findings to one event bus.
type Publisher struct {
	API    putEventsAPI
	BusARN string
	// Backoff before retrying refused entries; attempt starts at 1.
	Backoff func(attempt int) time.Duration

	Published, Failed int64
	// FirstError is the first call error or refused-entry code, for the
	// summary; publishing goes on after it.
	FirstError error

	batch      []ebtypes.PutEventsRequestEntry
	batchBytes int
}

// DefaultBackoff doubles from 200 ms.
func DefaultBackoff(attempt int) time.Duration { return (100 * time.Millisecond) << attempt }

// PublishCSV publishes every finding of the findings CSV at path from byte
// offset on (the rows this run wrote), in file order.
func (p *Publisher) PublishCSV(ctx context.Context, path string, offset int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return err
	}
	rows := io.MultiReader(strings.NewReader(output.Header[output.FindingRow]()+"\n"), f)
	// The callback never fails: a refused batch is counted, and the reader
	// must be drained for gocsv's reading goroutine to finish. The events
	// carry the raw values, not the CSV's spreadsheet-safe cells.
	err = gocsv.UnmarshalDecoderToCallback(gocsv.NewSimpleDecoderFromCSVReader(output.NewCSVReader(rows)),
		func(r output.FindingRow) { p.Add(ctx, r) })
	p.Flush(ctx)
	return err
}

// Add queues one finding, sending a batch when it is full.
func (p *Publisher) Add(ctx context.Context, r output.FindingRow) {
	detail, err := json.Marshal(r)
	if err != nil {
		p.fail(1, err)
		return
	}
	entry := ebtypes.PutEventsRequestEntry{
		EventBusName: aws.String(p.BusARN),
		Source:       aws.String(EventSource),
		DetailType:   aws.String(EventDetailType),
		Detail:       aws.String(string(detail)),
	}
	if strings.HasPrefix(r.ResourceARN, "arn:") {
		entry.Resources = []string{r.ResourceARN}
	}
	size := entrySize(entry)
	if size > maxBatchBytes {
		p.fail(1, fmt.Errorf("finding for %s is larger than EventBridge's 256 KB limit", r.ResourceARN))
		return
	}
	if len(p.batch) == maxBatchEntries || p.batchBytes+size > maxBatchBytes {
		p.Flush(ctx)
	}
	p.batch = append(p.batch, entry)
	p.batchBytes += size
}

// entrySize is EventBridge's size of an entry: its strings plus 14 bytes for
// the time field.
func entrySize(e ebtypes.PutEventsRequestEntry) int {
	n := 14 + len(aws.ToString(e.Source)) + len(aws.ToString(e.DetailType)) + len(aws.ToString(e.Detail))
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// Flush sends the queued entries, retrying the ones EventBridge refuses.
func (p *Publisher) Flush(ctx context.Context) {
	pending := p.batch
	p.batch, p.batchBytes = nil, 0
	for attempt := 1; len(pending) > 0; attempt++ {
		if ctx.Err() != nil {
			p.fail(len(pending), ctx.Err())
			return
		}
		out, err := p.API.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: pending})
		if err != nil {
			// The SDK has already retried the call itself.
			p.fail(len(pending), err)
			return
		}
		var refused []ebtypes.PutEventsRequestEntry
		var code string
		for i, res := range out.Entries {
			if res.ErrorCode != nil && i < len(pending) {
				refused = append(refused, pending[i])
				code = aws.ToString(res.ErrorCode) + ": " + aws.ToString(res.ErrorMessage)
			}
		}
		p.Published += int64(len(pending) - len(refused))
		pending = refused
		if len(pending) == 0 {
			return
		}
		if attempt == retryAttempts {
			p.fail(len(pending), fmt.Errorf("EventBridge refused %d entries after %d attempts: %s", len(pending), attempt, code))
			return
		}
		select {
		case <-time.After(p.Backoff(attempt)):
		case <-ctx.Done():
		}
	}
}

func (p *Publisher) fail(n int, err error) {
	p.Failed += int64(n)
	if p.FirstError == nil {
		p.FirstError = err
	}
}
