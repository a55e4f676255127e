package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Files are one run's findings CSV and run report. They implement the
// engine's Sink; only its writer goroutine calls them.
type Files struct {
	Findings *CSVFile[FindingRow]
	JSONL    *JSONLFile // nil unless asked for
	OCSF     *OCSFFile  // nil unless asked for (OpenOCSF)
	HTML     *HTMLFile  // nil unless asked for (OpenHTML)
	Report   *CSVFile[ReportRow]
}

// OpenHTML adds the page <stem>.html, written when the findings are
// committed.
func (f *Files) OpenHTML(dir, stem string, product OCSFProduct, now func() time.Time) {
	f.HTML = NewHTML(filepath.Join(dir, stem+".html"), product, now)
}

// OpenOCSF adds <stem>.ocsf.jsonl to files just opened by OpenFiles; on
// error every file is aborted.
func (f *Files) OpenOCSF(dir, stem string, truncate bool, product OCSFProduct, checks func(string) CheckText) error {
	var err error
	if f.OCSF, err = CreateOCSF(filepath.Join(dir, stem+".ocsf.jsonl"), !truncate, product, checks); err != nil {
		f.Abort()
	}
	return err
}

// OpenFiles starts the files for stem in dir: the findings CSV, the run
// report and, with jsonl, <stem>.jsonl. Without truncate, existing same-day
// files are appended to, as the seed did.
func OpenFiles(dir, stem string, truncate, jsonl bool) (*Files, error) {
	f := &Files{}
	var err error
	if f.Findings, err = CreateCSV[FindingRow](filepath.Join(dir, stem+".csv"), !truncate); err != nil {
		return nil, err
	}
	if jsonl {
		if f.JSONL, err = CreateJSONL(filepath.Join(dir, stem+".jsonl"), !truncate); err != nil {
			f.Abort()
			return nil, err
		}
	}
	if f.Report, err = CreateCSV[ReportRow](filepath.Join(dir, stem+"_run_report.csv"), !truncate); err != nil {
		f.Abort()
		return nil, err
	}
	return f, nil
}

func (f *Files) WriteFinding(r FindingRow) error {
	if err := f.Findings.Write(r); err != nil {
		return err
	}
	if f.JSONL != nil {
		if err := f.JSONL.Write(r); err != nil {
			return err
		}
	}
	if f.HTML != nil {
		f.HTML.Write(r)
	}
	if f.OCSF != nil {
		return f.OCSF.Write(r)
	}
	return nil
}

func (f *Files) WriteTask(r ReportRow) error {
	if f.HTML != nil {
		f.HTML.WriteTask(r)
	}
	return f.Report.Write(r)
}

// Paths are the files' destinations, findings first and the report last.
func (f *Files) Paths() []string {
	paths := []string{f.Findings.Path()}
	if f.JSONL != nil {
		paths = append(paths, f.JSONL.Path())
	}
	if f.OCSF != nil {
		paths = append(paths, f.OCSF.Path())
	}
	if f.HTML != nil {
		paths = append(paths, f.HTML.Path())
	}
	return append(paths, f.Report.Path())
}

// CommitFindings puts the findings files in place; the report stays open
// for its last row.
func (f *Files) CommitFindings() error {
	if err := f.Findings.Commit(); err != nil {
		f.abortFrom(1)
		return err
	}
	if f.JSONL != nil {
		if err := f.JSONL.Commit(); err != nil {
			f.abortFrom(2)
			return err
		}
	}
	if f.OCSF != nil {
		if err := f.OCSF.Commit(); err != nil {
			f.abortFrom(3)
			return err
		}
	}
	if f.HTML != nil {
		if err := f.HTML.Commit(); err != nil {
			f.abortFrom(3)
			return err
		}
	}
	return nil
}

// Commit puts the files in place. The report goes last: a reader that sees
// the report can trust the findings beside it.
func (f *Files) Commit() error {
	if err := f.CommitFindings(); err != nil {
		return err
	}
	return f.Report.Commit()
}

// Abort leaves any existing files as they were.
func (f *Files) Abort() { f.abortFrom(0) }

// abortFrom aborts the files not yet committed: 0 all, 1 after the findings
// CSV, 2 after the JSONL, 3 only the report.
func (f *Files) abortFrom(stage int) {
	if stage < 1 && f.Findings != nil {
		f.Findings.Abort()
	}
	if stage < 2 && f.JSONL != nil {
		f.JSONL.Abort()
	}
	if stage < 3 && f.OCSF != nil {
		f.OCSF.Abort()
	}
	if f.Report != nil {
		f.Report.Abort()
	}
}

// PrepareDir creates the output folder if missing and checks that files can
// be created in it, before any API call is made.
func PrepareDir(dir string) error {
	_, err := PrepareNewDir(dir)
	return err
}

// PrepareNewDir is PrepareDir that can be undone: undo removes the folders
// this call created (innermost first), as long as they are still empty, so
// that a run that stops before writing anything leaves no folder behind.
// It never removes a folder that existed before, nor one that holds a file.
func PrepareNewDir(dir string) (undo func(), err error) {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		created = append(created, d)
		if parent := filepath.Dir(d); parent == d {
			break
		}
	}
	undo = func() {
		for _, d := range created {
			if os.Remove(d) != nil {
				return
			}
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		undo()
		return func() {}, fmt.Errorf("cannot create output folder %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".faultline-write-check-*")
	if err != nil {
		undo()
		return func() {}, fmt.Errorf("cannot write in output folder %s: %w", dir, err)
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		undo()
		return func() {}, err
	}
	return undo, nil
}
