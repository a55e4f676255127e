package reliability

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/internal/faultproxy"
)

// snapshot is a file's bytes and modification time.
type snapshot struct {
	data  []byte
	mtime time.Time
}

func snap(t *testing.T, path string) snapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{b, fi.ModTime()}
}

func (s snapshot) unchanged(t *testing.T, path string) {
	t.Helper()
	now := snap(t, path)
	if !bytes.Equal(now.data, s.data) || !now.mtime.Equal(s.mtime) {
		t.Errorf("%s changed: %d bytes -> %d bytes", path, len(s.data), len(now.data))
	}
}

// Issue point 5a: an output folder that cannot be written gets a clear
// error before any API call, and the same-name file in it stays as it was.
// As root (which ignores permissions) the binary runs as nobody.
func TestOutputFolderNotWritable(t *testing.T) {
	keys := seededAccount(t)
	p := newProxy(t, faultproxy.Faults{})
	base, err := os.MkdirTemp("", "faultline-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "out"), 0o755); os.RemoveAll(base) })
	dir := filepath.Join(base, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "Resiliency_Findings_"+time.Now().UTC().Format("2006_01_02")+".csv")
	if err := os.WriteFile(existing, []byte(findingsHeader+"\nan,earlier,run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snap(t, existing)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(faultlineBinary(t), "scan", "--log-format", "json", "-o", dir, "-r", regionA, "-s", "rds")
	cmd.Env = env(p, keys)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	res := startBinary(t, cmd).wait(t)
	want := regexp.MustCompile(`^faultline: cannot write in output folder ` + regexp.QuoteMeta(dir) +
		`: open ` + regexp.QuoteMeta(dir) + `/\.faultline-write-check-[0-9]+: permission denied\n$`)
	if res.code != 2 || !want.MatchString(res.stderr) {
		t.Errorf("got exit %d %q, want 2 and %s", res.code, res.stderr, want)
	}
	if n := p.Stats().Requests; n != 0 {
		t.Errorf("%d API calls before the folder was checked", n)
	}
	before.unchanged(t, existing)
}

// Issue point 5b: a disk error while writing (the file-size limit, EFBIG,
// stands in for a full disk: it needs no mount) gives a clear error, exit 1,
// and the same-name files of an earlier run are left exactly as they were,
// with no temporary file beside them.
func TestDiskErrorWhileWriting(t *testing.T) {
	keys := seededAccount(t)
	p := newProxy(t, faultproxy.Faults{})
	dir := t.TempDir()
	args := []string{"-o", dir, "-r", regionA, regionB, "-s"}
	args = append(args, scanServices...)
	first := scan(t, p, keys, nil, args...)
	if first.code != 0 {
		t.Fatalf("first run: exit %d\n%s", first.code, first.stderr)
	}
	findingsBefore, reportBefore := snap(t, first.findingsPath), snap(t, first.reportPath)
	// The limit must fall inside the findings file: its copy into the
	// temporary file (this run appends) then fails at commit. sh's
	// "ulimit -f" counts 512- or 1024-byte blocks; 4 blocks is at most 4 KiB.
	const limit = 4096
	if len(findingsBefore.data) <= limit || len(findingsBefore.data) > 60<<10 {
		t.Fatalf("findings file is %d bytes; the test needs more than %d and less than the writer's 64 KiB buffer", len(findingsBefore.data), limit)
	}

	cmd := exec.Command("/bin/sh", append([]string{"-c", `ulimit -f 4 && exec "$0" "$@"`, faultlineBinary(t),
		"scan", "--log-format", "json", "--log-level", "error"}, args...)...)
	cmd.Env = env(p, keys)
	res := startBinary(t, cmd).wait(t)
	// The error names the findings file the user knows (never the
	// temporary file) and the system's reason.
	want := regexp.MustCompile(`^faultline: writing the output failed, existing files were left as they were: write ` +
		regexp.QuoteMeta(dir) + `/` + regexp.QuoteMeta(filepath.Base(first.findingsPath)) + `: file too large\n$`)
	if res.code != 1 || !want.MatchString(res.stderr) {
		t.Errorf("got exit %d %q\nwant 1 and %s", res.code, res.stderr, want)
	}
	findingsBefore.unchanged(t, first.findingsPath)
	reportBefore.unchanged(t, first.reportPath)
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Errorf("left behind: %v", tmp)
	}
}
