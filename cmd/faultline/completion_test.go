package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Each shell gets a non-empty script that names every command; another
// shell, or none, is a usage error.
func TestCompletionScripts(t *testing.T) {
	commands := commandNames(newApp(nil, nil))
	for _, want := range []string{"scan", "collect", "policy", "reach", "flows", "diff", "services", "completion", "version"} {
		if !strings.Contains(strings.Join(commands, " "), want) {
			t.Fatalf("commands %v lack %s", commands, want)
		}
	}
	firstLine := map[string]string{
		"bash": "# bash completion for faultline. Load it with",
		"zsh":  "#compdef faultline",
		"fish": "# fish completion for faultline. Load it with",
	}
	for shell, first := range firstLine {
		code, out, stderr := run(t, "completion", shell)
		if code != exitOK || stderr != "" || !strings.HasPrefix(out, first+"\n") {
			t.Errorf("%s: exit %d, stderr %q, starts %q", shell, code, stderr, out[:min(len(out), 60)])
		}
		for _, c := range commands {
			if !strings.Contains(out, c) {
				t.Errorf("%s script does not name %s", shell, c)
			}
		}
	}
	for args, want := range map[string]string{
		"completion tcsh":     `unknown shell "tcsh"; completion supports bash, zsh, fish` + "\n",
		"completion":          "completion needs one shell: bash, zsh, fish\n",
		"completion bash zsh": "completion needs one shell: bash, zsh, fish\n",
	} {
		code, out, stderr := run(t, strings.Fields(args)...)
		if code != exitUsage || out != "" || stderr != "faultline: "+want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}

// The bash script is valid bash and completes commands, flags and the
// values of --services and --format, as bash would call it.
func TestBashCompletionCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine")
	}
	_, script, _ := run(t, "completion", "bash")
	path := filepath.Join(t.TempDir(), "faultline.bash")
	os.WriteFile(path, []byte(script), 0o600)
	if out, err := exec.Command(bash, "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	cases := []struct{ words, want string }{
		{"faultline s", "scan services"},
		{"faultline di", "diff"},
		{"faultline scan -s red", "redshift"},
		{"faultline scan --services rds --services me", "memorydb"},
		{"faultline diff --for", "--format"},
		{"faultline diff --format j", "json"},
		{"faultline scan --format j", "jsonl"},
		{"faultline completion ", "bash zsh fish"},
		{"faultline scan --truncate", "--truncate-output"},
		{"faultline reach --format ", "text json"},
	}
	for _, c := range cases {
		words := strings.Split(c.words, " ")
		cmd := exec.Command(bash, "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _faultline; echo "${COMPREPLY[*]}"`, "_", path)
		cmd.Args = append(cmd.Args, words...)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != c.want {
			t.Errorf("%q: got %q %v, want %q", c.words, out, err, c.want)
		}
	}
}

// No flag's help line says "default" twice: urfave/cli adds "(default: X)"
// to a flag with a value or DefaultText, so a usage that also says it is
// printed twice.
func TestHelpHasNoDoubledDefaults(t *testing.T) {
	checked := 0
	for _, c := range append([]string{""}, commandNames(newApp(nil, nil))...) {
		args := []string{"--help"}
		if c != "" {
			args = []string{c, "--help"}
		}
		code, out, _ := run(t, args...)
		if code != exitOK || out == "" {
			t.Errorf("%s --help: exit %d", c, code)
		}
		for _, line := range strings.Split(out, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "-") {
				continue
			}
			checked++
			if n := strings.Count(strings.ToLower(line), "default"); n > 1 {
				t.Errorf("faultline %s --help: %q says default %d times", c, strings.TrimSpace(line), n)
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d flag lines checked", checked)
	}
}

// services --format json is an array of every service, each with its
// scope, IAM actions and checks; the CloudHSM entry exactly.
func TestServicesJSON(t *testing.T) {
	code, out, _ := run(t, "services", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	keys := serviceKeys()
	if len(list) != len(keys) {
		t.Fatalf("%d services, want %d", len(list), len(keys))
	}
	for i, s := range list {
		if string(s["service"]) != `"`+keys[i]+`"` || len(s) != 4 || s["checks"][0] != '[' || s["actions"][0] != '[' {
			t.Errorf("entry %d: %v", i, s)
		}
	}
	want := `  {
    "service": "cloudhsm",
    "global": false,
    "actions": [
      "cloudhsm:DescribeClusters"
    ],
    "checks": [
      {
        "id": "CLOUDHSM-1",
        "severity": "HIGH",
        "description": "CloudHSM cluster with no HSM, one HSM, or all its HSMs in one Availability Zone",
        "remediation": "Run at least two HSMs in the cluster, in different Availability Zones."
      }
    ]
  }`
	if !strings.Contains(out, want) || !strings.HasPrefix(out, "[\n  {\n    \"service\": \"vpce\",") || !strings.HasSuffix(out, "  }\n]\n") {
		t.Errorf("services --format json:\n%s", out)
	}
	code, _, stderr := run(t, "services", "--format", "yaml")
	if code != exitUsage || stderr != "faultline: --format must be text or json; got \"yaml\"\n" {
		t.Errorf("bad format: %d %q", code, stderr)
	}
}
