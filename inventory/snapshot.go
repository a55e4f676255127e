package inventory

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// SchemaVersion is the version of the snapshot layout this faultline writes
// and reads. Any change to a kind's item type that an older snapshot cannot
// be decoded into, or to the files, raises it.
const SchemaVersion = 1

// ManifestName is the snapshot folder's index file.
const ManifestName = "manifest.json"

// Manifest says what a snapshot holds: which accounts were set up, with
// which regions, for which services, and which accounts could not be.
type Manifest struct {
	Schema      int       `json:"schema"`
	Version     string    `json:"faultline_version"`
	CollectedAt time.Time `json:"collected_at"`
	Services    []string  `json:"services"`
	// The caller who collected: scans of the snapshot name their files
	// after it, as the live scan would.
	CallerAccount   string            `json:"caller_account"`
	CallerPartition string            `json:"caller_partition"`
	Accounts        []ManifestAccount `json:"accounts"`
	// Failures are the rows of accounts that could not be set up, replayed
	// into the run report of a scan of the snapshot.
	Failures []json.RawMessage `json:"account_setup_failures,omitempty"`
}

// ManifestAccount is one account set up for the collection.
type ManifestAccount struct {
	ID        string   `json:"id"`
	Name      string   `json:"name,omitempty"`
	PayerID   string   `json:"payer_id,omitempty"`
	PayerName string   `json:"payer_name,omitempty"`
	Partition string   `json:"partition"`
	Regions   []string `json:"regions"`
}

// scopeFile is one account x region of a snapshot.
type scopeFile struct {
	Schema    int                     `json:"schema"`
	Account   string                  `json:"account"`
	Partition string                  `json:"partition"`
	Region    string                  `json:"region"`
	Kinds     map[string]recordedKind `json:"kinds"`

	unreadable error // the file exists but could not be read
}

type recordedKind struct {
	Items json.RawMessage `json:"items"`
	Error *RecordedError  `json:"error,omitempty"`
}

// ScopeFileName is the snapshot file of one account and region.
func ScopeFileName(accountID, region string) string {
	return accountID + "_" + region + ".json.gz"
}

// SchemaError is a snapshot written by another schema version.
type SchemaError struct {
	Path      string
	Got, Want int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("%s is a snapshot of schema version %d; this faultline reads version %d: run faultline collect again", e.Path, e.Got, e.Want)
}

// Snapshot is a snapshot folder opened for reading. Scope files are read
// when their scope is first used.
type Snapshot struct {
	Dir      string
	Manifest Manifest

	fixture bool // NewFixture's: no folder behind it

	mu    sync.Mutex
	files map[string]*scopeFile
}

// OpenSnapshot reads dir's manifest and checks its schema version.
func OpenSnapshot(dir string) (*Snapshot, error) {
	path := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a faultline snapshot: it has no %s (write one with faultline collect)", dir, ManifestName)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Schema != SchemaVersion {
		return nil, &SchemaError{Path: dir, Got: m.Schema, Want: SchemaVersion}
	}
	return &Snapshot{Dir: dir, Manifest: m, files: map[string]*scopeFile{}}, nil
}

// NewFromSnapshot is a set whose scopes are read from snap: no API call.
func NewFromSnapshot(snap *Snapshot) *Set {
	return &Set{snapshot: snap, scopes: map[[2]string]*Scope{}}
}

// scope reads the file of (account, region). A scope the collection never
// touched has no kinds, so every kind asked of it is NotCollected; a file
// that cannot be read fails every kind with the reason.
func (snap *Snapshot) scope(accountID, region string) *scopeFile {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	name := ScopeFileName(accountID, region)
	if f, ok := snap.files[name]; ok {
		return f
	}
	var f *scopeFile
	var err error = fs.ErrNotExist
	if !snap.fixture {
		f, err = readScopeFile(filepath.Join(snap.Dir, name))
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f = &scopeFile{Account: accountID, Region: region}
	case err != nil:
		f = &scopeFile{Account: accountID, Region: region, unreadable: err}
	}
	snap.files[name] = f
	return f
}

func readScopeFile(path string) (*scopeFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var f scopeFile
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Schema != SchemaVersion {
		return nil, &SchemaError{Path: path, Got: f.Schema, Want: SchemaVersion}
	}
	return &f, nil
}

// WriteScope writes what s has read so far to dir, atomically and with mode
// 0600. codeOf gives the run report's code of a failed read, so that a scan
// of the snapshot reports the same failure.
func WriteScope(dir string, s *Scope, codeOf func(error) string) error {
	f := scopeFile{Schema: SchemaVersion, Account: s.AccountID, Partition: s.Partition, Region: s.Region, Kinds: map[string]recordedKind{}}
	for _, k := range s.loaded() {
		raw, err := json.Marshal(k.items)
		if err != nil {
			return fmt.Errorf("encoding %s of account %s, %s: %w", k.name, s.AccountID, s.Region, err)
		}
		rec := recordedKind{Items: raw}
		if k.err != nil {
			rec.Error = &RecordedError{Code: codeOf(k.err), Message: k.err.Error()}
		}
		f.Kinds[k.name] = rec
	}
	return writeAtomic(filepath.Join(dir, ScopeFileName(s.AccountID, s.Region)), func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		if err := json.NewEncoder(zw).Encode(&f); err != nil {
			return err
		}
		return zw.Close()
	})
}

// WriteManifest writes dir's manifest, atomically and with mode 0600. It is
// written last: a folder with a manifest is a complete snapshot.
func WriteManifest(dir string, m Manifest) error {
	m.Schema = SchemaVersion
	return writeAtomic(filepath.Join(dir, ManifestName), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(&m)
	})
}

func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
