package main

import (
	"fmt"
	"slices"
	"strings"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// listFlags take several values. urfave/cli reads "--services rds,lambda"
// and "--services rds --services lambda" itself; normaliseArgs adds the
// seed's space-separated form "--services rds lambda" by folding the bare
// words that follow a list flag into its value.
var listFlags = map[string]bool{
	"-s": true, "--services": true,
	"-r": true, "--regions": true,
	"--accounts": true, "--exclude-accounts": true,
	"--checks": true, "--excluded-checks": true, "--severity": true, "--excluded-services": true,
}

// normaliseArgs rewrites the words after the subcommand: bare words (not
// starting with "-") that follow a list flag's value join that value with
// commas. "--" ends the rewriting.
func normaliseArgs(args []string) []string {
	const (
		normal = iota
		wantValue
		collecting
	)
	out := make([]string, 0, len(args))
	state := normal
	for i, a := range args {
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case state == wantValue:
			out = append(out, a)
			state = collecting
			continue
		case state == collecting && !strings.HasPrefix(a, "-"):
			out[len(out)-1] += "," + a
			continue
		}
		state = normal
		out = append(out, a)
		if name, _, hasValue := strings.Cut(a, "="); listFlags[name] {
			state = wantValue
			if hasValue {
				state = collecting
			}
		}
	}
	return out
}

// splitList turns the values of a list flag (each possibly comma-separated)
// into distinct, non-empty items in first-seen order.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item != "" && !slices.Contains(out, item) {
				out = append(out, item)
			}
		}
	}
	return out
}
