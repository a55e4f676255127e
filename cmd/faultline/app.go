package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/analysers"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// runApp parses args and runs the command; it returns the exit code.
func runApp(args []string, stdout, stderr io.Writer) exitCode {
	if len(args) > 1 {
		args = append(args[:2:2], normaliseArgs(args[2:])...)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	if err != nil {
		fmt.Fprintln(stderr, "faultline: "+oneLine(err.Error()))
	}
	return exitCodeOf(err)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func newApp(stdout, stderr io.Writer) *cli.App {
	usageErr := func(_ *cli.Context, err error, _ bool) error { return &usageError{msg: err.Error()} }
	return &cli.App{
		Name:           "faultline",
		Usage:          "find where one Availability Zone failure will hurt your AWS estate",
		Version:        version,
		Writer:         stdout,
		ErrWriter:      stderr,
		OnUsageError:   usageErr,
		ExitErrHandler: func(*cli.Context, error) {}, // runApp maps errors to exit codes
		Commands: []*cli.Command{
			scanCommand(usageErr),
			collectCommand(usageErr),
			policyCommand(usageErr),
			reachCommand(usageErr),
			flowsCommand(usageErr),
			diffCommand(usageErr),
			servicesCommand(usageErr),
			completionCommand(usageErr),
			{
				Name:  "version",
				Usage: "print the version",
				Action: func(c *cli.Context) error {
					_, err := fmt.Fprintln(c.App.Writer, "faultline", version)
					return err
				},
			},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("unknown command %q; commands: %s", c.Args().First(), strings.Join(commandNames(c.App), ", "))
			}
			return cli.ShowAppHelp(c)
		},
	}
}

func printServices(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range analysers.All {
		scope := "regional"
		if a.Global {
			scope = "global"
		}
		fmt.Fprintf(tw, "%s\t%s\tIAM: %s\n", a.Name, scope, strings.Join(a.Actions(), ", "))
		for _, c := range a.Checks {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.ID, c.Severity, c.Description)
		}
	}
	return tw.Flush()
}

// commandNames are the app's commands, in help order, without help.
func commandNames(app *cli.App) []string {
	var names []string
	for _, c := range app.VisibleCommands() {
		if c.Name != "help" {
			names = append(names, c.Name)
		}
	}
	return names
}

var errInterrupted = errors.New("interrupted")
