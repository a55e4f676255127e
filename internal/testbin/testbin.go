// Package testbin builds the faultline binary for the end-to-end tests of
// every package (once per test process) and gives them a clean environment
// to run it against the emulator.
package testbin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/faultline/faultline/internal/motoserver"
)

// Build compiles cmd/faultline into a new folder that every user may read
// (a test may run the binary as another user) and returns the binary's path.
func Build() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir, err := os.MkdirTemp("", "faultline-bin-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "faultline")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/faultline")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/faultline: %v\n%s", err, out)
	}
	return bin, nil
}

var (
	once    sync.Once
	binPath string
	errBin  error
)

// Faultline builds the binary once per test process and returns its path.
func Faultline(t testing.TB) string {
	t.Helper()
	once.Do(func() { binPath, errBin = Build() })
	if errBin != nil {
		t.Fatal(errBin)
	}
	return binPath
}

// CleanEnv is the test process's environment without AWS settings (but
// with AWS_CA_BUNDLE, which this machine's TLS needs), for the binary.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			env = append(env, kv)
		}
	}
	return env
}

// Remove deletes the folder Faultline built into; TestMain calls it after
// the tests.
func Remove() {
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
}

// Main is an end-to-end package's TestMain: it starts the package's one
// moto (moto runs on one core; tests share it and keep apart by account),
// hands it to use, runs the tests, then stops moto and removes the binary
// Faultline built.
func Main(m *testing.M, name string, use func(*motoserver.Server)) {
	s, err := motoserver.Start(os.Getenv("MOTO_LOG"))
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
	use(s)
	code := m.Run()
	s.Stop()
	Remove()
	os.Exit(code)
}

// Result is one finished run of the binary.
type Result struct {
	Code           int
	Stdout, Stderr string
	// FindingsPath and ReportPath are the files scan's summary names ("" when
	// it names none).
	FindingsPath, ReportPath string
}

// Run runs cmd to the end, collecting its output.
func Run(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return Outcome(t, cmd.Run(), stdout.String(), stderr.String())
}

// Outcome reads a finished run: its exit code (a failure to run at all
// fails the test) and the files its summary names.
func Outcome(t testing.TB, err error, stdout, stderr string) Result {
	t.Helper()
	res := Result{Stdout: stdout, Stderr: stderr}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.Code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	for _, line := range strings.Split(stderr, "\n") {
		if p, ok := strings.CutPrefix(line, "faultline: findings   "); ok {
			res.FindingsPath = p
		}
		if p, ok := strings.CutPrefix(line, "faultline: run report "); ok {
			res.ReportPath = p
		}
	}
	return res
}

// ReadCSV reads a whole CSV file the binary wrote, failing the test unless it
// is valid CSV ending with a complete line.
func ReadCSV(t testing.TB, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("%s does not end with a complete line", path)
	}
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s is not valid CSV: %v", path, err)
	}
	return records
}
