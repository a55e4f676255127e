package output

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/gocarina/gocsv"
)

// formulaStart are the first characters that make a spreadsheet (Excel,
// LibreOffice, Google Sheets) run a cell as a formula: OWASP's CSV injection
// list. A tag value, a resource name or an error message can begin with one.
const formulaStart = "=+-@\t\r"

// EscapeCell returns s as a CSV cell a spreadsheet will not run: a value
// beginning with = + - @, a tab or a carriage return gets a single quote in
// front (OWASP's advice; spreadsheets show the value without running it).
// A value that already begins with quotes before one of those characters
// gets one more, so that UnescapeCell gives back exactly s.
func EscapeCell(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// UnescapeCell undoes EscapeCell: it gives the value a cell was written for.
func UnescapeCell(s string) string {
	if strings.HasPrefix(s, "'") && needsQuote(s[1:]) {
		return s[1:]
	}
	return s
}

// needsQuote reports whether s, after any leading single quotes, begins
// with a formula character.
func needsQuote(s string) bool {
	rest := strings.TrimLeft(s, "'")
	return rest != "" && strings.ContainsRune(formulaStart, rune(rest[0]))
}

// escapingWriter escapes every cell of the rows it writes.
type escapingWriter struct{ gocsv.CSVWriter }

func (w escapingWriter) Write(row []string) error {
	out := make([]string, len(row))
	for i, cell := range row {
		out[i] = EscapeCell(cell)
	}
	return w.CSVWriter.Write(out)
}

// unescapingReader reads the cells of a file this package wrote as the
// values they were written for.
type unescapingReader struct{ *csv.Reader }

// NewCSVReader reads a findings CSV or run report written by this package:
// each cell comes back as the value it was written for (EscapeCell undone).
// It suits gocsv.NewSimpleDecoderFromCSVReader.
func NewCSVReader(r io.Reader) gocsv.CSVReader { return unescapingReader{csv.NewReader(r)} }

func (u unescapingReader) Read() ([]string, error) {
	row, err := u.Reader.Read()
	for i, cell := range row {
		row[i] = UnescapeCell(cell)
	}
	return row, err
}

func (u unescapingReader) ReadAll() ([][]string, error) {
	var rows [][]string
	for {
		row, err := u.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}
