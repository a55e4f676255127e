package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// atomicFile is a file that is either completely written or untouched: bytes
// go to a temporary file (mode 0600) in the destination's folder, and commit
// renames it into place. In append mode the existing file's bytes are copied
// into the temporary file first.
type atomicFile struct {
	path string
	tmp  *os.File
	buf  *bufio.Writer
	// kept is how many bytes of an existing file were copied: the new rows
	// start there.
	kept int64
	// keptRecords is how many CSV records (the header included) those
	// bytes hold; only CSV files read it.
	keptRecords int64
}

// createAtomic starts writing path. existing is the open destination when
// appending to it (nil otherwise); check, when set, reads its first line and
// may refuse it.
func createAtomic(path string, appendExisting bool, check func(first string) error) (*atomicFile, error) {
	var existing *os.File
	if appendExisting {
		f, err := os.Open(path)
		switch {
		case err == nil:
			existing = f
			defer f.Close()
		case errors.Is(err, os.ErrNotExist):
		default:
			return nil, err
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	a := &atomicFile{path: path, tmp: tmp, buf: bufio.NewWriterSize(tmp, 64<<10)}
	if existing != nil {
		if err := a.copyExisting(existing, check); err != nil {
			a.abort()
			return nil, err
		}
	}
	return a, nil
}

func (a *atomicFile) copyExisting(existing *os.File, check func(first string) error) error {
	r := bufio.NewReader(existing)
	first, err := r.ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	if first == "" {
		return nil
	}
	if check != nil {
		if err := check(first); err != nil {
			return err
		}
	}
	last := &lastByte{w: a.buf}
	if _, err := io.WriteString(last, first); err != nil {
		return err
	}
	n, err := io.Copy(last, r)
	if err != nil {
		return err
	}
	a.kept = int64(len(first)) + n
	a.keptRecords = last.records
	// A file cut short by a crash of another program must not glue our
	// first row to its last one.
	if last.b != '\n' {
		if err := a.buf.WriteByte('\n'); err != nil {
			return err
		}
		a.kept++
		a.keptRecords++
	}
	return nil
}

// lastByte remembers the last byte written through it, and counts the CSV
// records that end in what it saw: line ends outside double quotes (a
// message may hold a quoted line break; a quote inside a quoted cell is
// doubled, so it toggles twice).
type lastByte struct {
	w       io.Writer
	b       byte
	quoted  bool
	records int64
}

func (l *lastByte) Write(p []byte) (int, error) {
	if len(p) > 0 {
		l.b = p[len(p)-1]
	}
	for _, c := range p {
		switch {
		case c == '"':
			l.quoted = !l.quoted
		case c == '\n' && !l.quoted:
			l.records++
		}
	}
	return l.w.Write(p)
}

// commit makes the file durable and renames it into place.
func (a *atomicFile) commit() error {
	err := a.buf.Flush()
	if err == nil {
		err = a.tmp.Sync()
	}
	if cerr := a.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.tmp.Name(), a.path)
	}
	if err != nil {
		_ = os.Remove(a.tmp.Name())
		return fmt.Errorf("write %s: %w", a.path, withoutTempPath(err))
	}
	return nil
}

// withoutTempPath drops the temporary file's name from a file error, so that
// messages name only the destination the user knows.
func withoutTempPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// abort discards the temporary file; the destination stays as it was.
func (a *atomicFile) abort() {
	_ = a.tmp.Close()
	_ = os.Remove(a.tmp.Name())
}
