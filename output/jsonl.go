package output

import (
	"encoding/json"
)

// JSONLFile is an atomically written file of one JSON object per line, for
// pipelines that prefer it to CSV. Its keys are the CSV's column names.
type JSONLFile struct {
	file *atomicFile
	enc  *json.Encoder
}

// CreateJSONL starts writing path, appending to an existing file unless
// told otherwise, as CreateCSV does.
func CreateJSONL(path string, appendExisting bool) (*JSONLFile, error) {
	f, err := createAtomic(path, appendExisting, nil)
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f.buf)
	enc.SetEscapeHTML(false)
	return &JSONLFile{file: f, enc: enc}, nil
}

// Write appends one object and its line end.
func (j *JSONLFile) Write(v any) error { return j.enc.Encode(v) }

func (j *JSONLFile) Path() string  { return j.file.path }
func (j *JSONLFile) Commit() error { return j.file.commit() }
func (j *JSONLFile) Abort()        { j.file.abort() }
