package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/inputs"
)

// The argument normaliser only joins bare words onto a list flag's value:
// joined with commas, its output is its input joined with commas; it never
// folds a word starting with "-" into a value; it leaves everything from
// "--" on untouched; and it is idempotent. Words are separated by NUL in
// the fuzz input, so any word (empty, with spaces or commas) can occur.
func FuzzNormaliseArgs(f *testing.F) {
	f.Add("--services\x00rds\x00lambda\x00-r\x00us-east-1\x00eu-west-1\x00--truncate-output")
	f.Add("-s=rds\x00dax\x00--\x00lambda")
	f.Add("--accounts\x00111111111111\x00222222222222\x00--exclude-accounts\x00333333333333\x00-o\x00out/\x00rds")
	f.Add("--services\x00--regions=ALL\x00x\x00-\x00\x00a b,c")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		out := normaliseArgs(slices.Clone(args))
		if strings.Join(out, ",") != strings.Join(args, ",") {
			t.Fatalf("words lost or changed: %q -> %q", args, out)
		}
		dashed := func(words []string) int {
			n := 0
			for _, w := range words {
				if strings.HasPrefix(w, "-") {
					n++
				}
			}
			return n
		}
		if dashed(out) != dashed(args) {
			t.Fatalf("a flag was folded into a value: %q -> %q", args, out)
		}
		if i := slices.Index(args, "--"); i >= 0 {
			j := slices.Index(out, "--")
			if j < 0 || !slices.Equal(out[j:], args[i:]) {
				t.Fatalf("words from -- on changed: %q -> %q", args, out)
			}
		}
		if again := normaliseArgs(slices.Clone(out)); !slices.Equal(again, out) {
			t.Fatalf("not idempotent: %q -> %q -> %q", args, out, again)
		}
	})
}

// splitList returns distinct, non-empty, trimmed items without commas, and
// every item of the input is among them.
func FuzzSplitList(f *testing.F) {
	f.Add("rds, lambda|rds|,dax,|")
	f.Add(" a ,, b|b")
	f.Fuzz(func(t *testing.T, joined string) {
		values := strings.Split(joined, "|")
		got := splitList(values)
		seen := map[string]bool{}
		for _, item := range got {
			if item == "" || strings.Contains(item, ",") || item != strings.TrimSpace(item) || seen[item] {
				t.Fatalf("splitList(%q) = %q: bad item %q", values, got, item)
			}
			seen[item] = true
		}
		for _, v := range values {
			for _, item := range strings.Split(v, ",") {
				if s := strings.TrimSpace(item); s != "" && !seen[s] {
					t.Fatalf("splitList(%q) = %q lost %q", values, got, s)
				}
			}
		}
	})
}

// parseShard accepts exactly K/N with 1 <= K <= N, and refuses everything
// else with the usage error.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"1/1", "3/8", "0/2", "3/2", "two", "1/", "/1", "+1/2", "1/2/3", "-1/-1", " 1/2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := parseShard(s)
		if err != nil {
			if exitCodeOf(err) != exitUsage || err.Error() != fmt.Sprintf("--shard must be K/N with 1 <= K <= N, got %q", s) {
				t.Fatalf("parseShard(%q): %v", s, err)
			}
			return
		}
		if sh.K < 1 || sh.K > sh.N {
			t.Fatalf("parseShard(%q) = %+v", s, sh)
		}
		// Every account lands in exactly one shard.
		ids := []string{"a", "b", "c", "d", "e"}
		n := 0
		for k := 1; k <= min(sh.N, 50); k++ {
			n += len(shard{k, sh.N}.pick(ids))
		}
		if sh.N <= 50 && n != len(ids) {
			t.Fatalf("shards of %d cover %d of %d accounts", sh.N, n, len(ids))
		}
	})
}

// readAccountsFile returns only valid account IDs, or a usage error; it
// never panics on any content.
func FuzzReadAccountsFile(f *testing.F) {
	f.Add([]byte("# prod\n111111111111\n\n  222222222222   # search\n"))
	f.Add([]byte("111111111111\r\n12-34\n"))
	f.Add([]byte("\xff\xfe\x00#"))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(t.TempDir(), "accounts.txt")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		ids, err := readAccountsFile(path)
		if err != nil {
			if exitCodeOf(err) != exitUsage || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q for %q", err, content)
			}
			return
		}
		for _, id := range ids {
			if inputs.AccountID(id) != nil {
				t.Fatalf("accepted %q from %q", id, content)
			}
		}
	})
}
