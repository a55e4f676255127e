package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/report/diff"
)

// exitNewRisks: diff found risks in NEW that OLD did not have (a CI gate).
const exitNewRisks exitCode = 3

// diffOptions is what `faultline diff` was asked, validated.
type diffOptions struct {
	Old, New string
	Format   string
}

func diffCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "compare two scans' findings: new risks, resolved risks, changed ones",
		UsageText: "faultline diff [--format text|json|csv] OLD NEW\n   OLD, NEW: a findings CSV or .jsonl file, or a folder (its Resiliency_Findings_*.csv files)",
		Description: "Rows are matched by account, region, service, check and resource (ARN, else ID, else name); in a file\n" +
			"that several runs appended to, the row with the latest timestamp counts. Exit codes: 0 no new risk,\n" +
			"3 new risks (a CI gate), 2 bad input.",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: diff.FormatText, Usage: strings.Join(diff.Formats, ", ")},
		},
		Action: func(c *cli.Context) error {
			opts, err := parseDiffOptions(c)
			if err != nil {
				return err
			}
			return runDiff(opts, c)
		},
	}
}

func parseDiffOptions(c *cli.Context) (diffOptions, error) {
	opts := diffOptions{Format: c.String("format")}
	if !slices.Contains(diff.Formats, opts.Format) {
		return opts, usagef("--format must be one of %s; got %q", strings.Join(diff.Formats, ", "), opts.Format)
	}
	if n := c.Args().Len(); n != 2 {
		return opts, usagef("diff takes OLD and NEW (findings files or folders, flags before them), got %d arguments", n)
	}
	opts.Old, opts.New = c.Args().Get(0), c.Args().Get(1)
	return opts, nil
}

func runDiff(opts diffOptions, c *cli.Context) error {
	before, err := diff.Load(opts.Old)
	if err != nil {
		return usagef("OLD: %s", err)
	}
	after, err := diff.Load(opts.New)
	if err != nil {
		return usagef("NEW: %s", err)
	}
	res := diff.Compare(before, after)
	if err := res.Write(c.App.Writer, opts.Format); err != nil {
		return &codedError{exitError, err}
	}
	if n := len(res.New); n > 0 {
		what := fmt.Sprintf("%d new risks", n)
		if n == 1 {
			what = "1 new risk"
		}
		return &codedError{exitNewRisks, fmt.Errorf("%s in %s that %s did not have", what, opts.New, opts.Old)}
	}
	return nil
}
