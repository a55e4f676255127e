package diff

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/faultline/faultline/output"
)

// columns are the findings columns a diff reads, in Row's order.
var columns = []string{
	"account_id", "region", "service", "check_id", "resource_arn", "resource_id", "resource_name",
	"potential_single_az_risk", "severity", "message", "timestamp",
}

// FilePattern is the findings files a folder is read for (run reports,
// which also match, are left out).
const FilePattern = "Resiliency_Findings_*.csv"

// Load reads path: a findings CSV, a .jsonl file, or a folder whose
// Resiliency_Findings_*.csv files (not the run reports) are read in name
// order. Every error is about the input: a file that cannot be read, or is
// not a findings file.
func Load(path string) (*Set, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if st.IsDir() {
		if files, err = findingsFiles(path); err != nil {
			return nil, err
		}
	}
	s := newSet()
	for _, f := range files {
		if err := s.readFile(f); err != nil {
			return nil, err
		}
		s.Files = append(s.Files, f)
	}
	return s, nil
}

func findingsFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if ok, _ := filepath.Match(FilePattern, name); ok && !e.IsDir() && !strings.HasSuffix(name, "_run_report.csv") {
			files = append(files, filepath.Join(dir, name))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("folder %s holds no %s file", dir, FilePattern)
	}
	slices.Sort(files)
	return files, nil
}

func (s *Set) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.HasSuffix(path, ".jsonl") {
		return s.readJSONL(path, f)
	}
	return s.readCSV(path, f)
}

// readCSV reads a findings CSV: the columns are found by name in the
// header, and cells come back as the values scan found (output.UnescapeCell).
func (s *Set) readCSV(path string, f io.Reader) error {
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s is empty, not a findings file", path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	index := make([]int, len(columns))
	for i, c := range columns {
		index[i] = slices.Index(header, c)
		if index[i] < 0 {
			return notFindings(path, header, c)
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		cell := func(i int) string { return output.UnescapeCell(rec[index[i]]) }
		row := Row{AccountID: cell(0), Region: cell(1), Service: cell(2), CheckID: cell(3),
			ResourceARN: cell(4), ResourceID: cell(5), ResourceName: cell(6),
			Severity: cell(8), Message: cell(9), Timestamp: cell(10)}
		switch risk := cell(7); risk {
		case "True":
			row.Risk = true
		case "False":
		default:
			line, _ := r.FieldPos(index[7])
			return fmt.Errorf("%s:%d: potential_single_az_risk is %q, not True or False", path, line, risk)
		}
		s.add(row)
	}
}

// notFindings says why a CSV whose header lacks column is not a findings file.
func notFindings(path string, header []string, column string) error {
	if slices.Contains(header, "runtime_in_seconds") {
		return fmt.Errorf("%s is a run report, not a findings file: give the Resiliency_Findings_*.csv beside it", path)
	}
	return fmt.Errorf("%s is not a findings file: its header has no %s column (give a findings CSV or .jsonl of faultline scan)", path, column)
}

// jsonRow is a JSONL line: the CSV's column names as keys, the risk a bool.
type jsonRow struct {
	AccountID    string `json:"account_id"`
	Region       string `json:"region"`
	Service      string `json:"service"`
	CheckID      string `json:"check_id"`
	ResourceARN  string `json:"resource_arn"`
	ResourceID   string `json:"resource_id"`
	ResourceName string `json:"resource_name"`
	Risk         bool   `json:"potential_single_az_risk"`
	Severity     string `json:"severity"`
	Message      string `json:"message"`
	Timestamp    string `json:"timestamp"`
}

func (s *Set) readJSONL(path string, f io.Reader) error {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(line, &keys); err != nil {
			return fmt.Errorf("%s:%d: not a JSON object: %v", path, n, err)
		}
		for _, c := range columns {
			if _, ok := keys[c]; !ok {
				return fmt.Errorf("%s:%d: not a finding: no %q key (give a findings CSV or .jsonl of faultline scan)", path, n, c)
			}
		}
		var j jsonRow
		if err := json.Unmarshal(line, &j); err != nil {
			return fmt.Errorf("%s:%d: %v", path, n, err)
		}
		s.add(Row(j))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
