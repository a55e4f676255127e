package output

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"

	"github.com/gocarina/gocsv"
)

// CSVFile is an atomically written CSV file of rows of type T.
type CSVFile[T any] struct {
	file *atomicFile
	csv  gocsv.CSVWriter
	// NewRowsOffset is the byte offset where this run's rows start (after
	// the header, or after the rows of an earlier run when appending).
	NewRowsOffset int64
	// Appended says an existing file was kept and this run's rows follow
	// it; KeptRows is how many data rows (not the header) it held.
	Appended bool
	KeptRows int64
}

// Header is the CSV header line of T, without the line end.
func Header[T any]() string {
	s, err := gocsv.MarshalString([]T{})
	if err != nil {
		panic(err) // T is one of this package's row types: a programming error
	}
	return strings.TrimRight(s, "\r\n")
}

// ErrColumnsDiffer is returned when appending to a file whose header is not
// T's, which would leave an unreadable CSV.
var ErrColumnsDiffer = errors.New("has different columns")

// CreateCSV starts writing path. With appendExisting, an existing non-empty
// file is kept and the new rows follow it (no second header); otherwise the
// file is replaced on Commit.
func CreateCSV[T any](path string, appendExisting bool) (*CSVFile[T], error) {
	header := Header[T]()
	f, err := createAtomic(path, appendExisting, func(first string) error {
		if strings.TrimRight(first, "\r\n") != header {
			return fmt.Errorf("cannot append to %s: it %w from this version's (use --truncate-output or another --output folder)", path, ErrColumnsDiffer)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Cells are escaped so that a spreadsheet shows them instead of running
	// them (see EscapeCell); the header is written as it is.
	c := &CSVFile[T]{file: f, csv: escapingWriter{gocsv.NewSafeCSVWriter(csv.NewWriter(f.buf))}, NewRowsOffset: f.kept}
	if f.kept > 0 {
		c.Appended, c.KeptRows = true, f.keptRecords-1
	}
	if f.kept == 0 {
		if _, err := f.buf.WriteString(header + "\n"); err != nil {
			f.abort()
			return nil, err
		}
		c.NewRowsOffset = int64(len(header) + 1)
	}
	return c, nil
}

// Write appends one row.
func (c *CSVFile[T]) Write(row T) error {
	if err := gocsv.MarshalCSVWithoutHeaders([]T{row}, c.csv); err != nil {
		// Name the destination, not the temporary file the user never sees.
		return fmt.Errorf("write %s: %w", c.file.path, withoutTempPath(err))
	}
	return nil
}

// Path is the destination.
func (c *CSVFile[T]) Path() string { return c.file.path }

// Commit makes the file durable and renames it into place.
func (c *CSVFile[T]) Commit() error {
	c.csv.Flush()
	if err := c.csv.Error(); err != nil {
		c.file.abort()
		return fmt.Errorf("write %s: %w", c.file.path, withoutTempPath(err))
	}
	return c.file.commit()
}

// Abort discards this run's file; the destination stays as it was.
func (c *CSVFile[T]) Abort() { c.file.abort() }
