// Package testbin builds the faultline binary for the end-to-end tests of
// every package (once per test process) and gives them a clean environment
// to run it against the emulator.
package testbin

import (
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
