package main

import (
	"encoding/json"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/faultline/faultline/analysers"
)

func servicesCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:         "services",
		Usage:        "list every service key with its checks",
		OnUsageError: onUsageError,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json (an array of {service, global, actions, checks})"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usagef("unexpected argument %q; services takes only flags (see faultline services --help)", c.Args().First())
			}
			switch f := c.String("format"); f {
			case "text":
				return printServices(c.App.Writer)
			case "json":
				return printServicesJSON(c.App.Writer)
			default:
				return usagef("--format must be text or json; got %q", f)
			}
		},
	}
}

// serviceJSON is one service of `faultline services --format json`.
type serviceJSON struct {
	Service string      `json:"service"`
	Global  bool        `json:"global"`
	Actions []string    `json:"actions"`
	Checks  []checkJSON `json:"checks"`
}

type checkJSON struct {
	ID          string `json:"id"`
	Severity    string `json:"severity"`
	Description string `json:"description"`
	Remediation string `json:"remediation"`
}

func printServicesJSON(w io.Writer) error {
	out := []serviceJSON{}
	for _, a := range analysers.All {
		s := serviceJSON{Service: a.Name, Global: a.Global, Actions: a.Actions(), Checks: []checkJSON{}}
		if s.Actions == nil {
			s.Actions = []string{}
		}
		for _, c := range a.Checks {
			s.Checks = append(s.Checks, checkJSON{ID: c.ID, Severity: string(c.Severity), Description: c.Description, Remediation: c.Remediation})
		}
		out = append(out, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
