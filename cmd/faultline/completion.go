package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionShells are the shells `faultline completion` writes for.
var completionShells = []string{"bash", "zsh", "fish"}

func completionCommand(onUsageError cli.OnUsageErrorFunc) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		UsageText: "source <(faultline completion bash)   # or zsh; fish: faultline completion fish | source",
		Description: "Completes the commands, each command's flags, the values of flags that take a fixed set\n" +
			"(--services, --format, --log-level, ...) and file names.",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Len() != 1 {
				return usagef("completion needs one shell: %s", strings.Join(completionShells, ", "))
			}
			shell := c.Args().First()
			tree := completionTree(c.App)
			switch shell {
			case "bash":
				return writeBashCompletion(c.App.Writer, tree)
			case "zsh":
				return writeZshCompletion(c.App.Writer, tree)
			case "fish":
				return writeFishCompletion(c.App.Writer, tree)
			}
			return usagef("unknown shell %q; completion supports %s", shell, strings.Join(completionShells, ", "))
		},
	}
}

// completionCmd is what a script completes for one command.
type completionCmd struct {
	name, usage string
	flags       []completionFlag
}

type completionFlag struct {
	names      []string // "-s", "--services"
	usage      string
	takesValue bool     // not a switch
	values     []string // the fixed values it takes, if any
}

// completionTree reads the app's visible commands and flags (so a new
// command or flag is completed without touching this file) and adds the
// fixed values of flags that have them.
func completionTree(app *cli.App) []completionCmd {
	var tree []completionCmd
	for _, c := range app.VisibleCommands() {
		if c.Name == "help" {
			continue
		}
		cmd := completionCmd{name: c.Name, usage: c.Usage}
		for _, f := range c.VisibleFlags() {
			cf := completionFlag{values: flagValues(c.Name, f.Names()[0])}
			for _, n := range f.Names() {
				if len(n) == 1 {
					cf.names = append(cf.names, "-"+n)
				} else {
					cf.names = append(cf.names, "--"+n)
				}
			}
			if d, ok := f.(cli.DocGenerationFlag); ok {
				cf.usage, cf.takesValue = d.GetUsage(), d.TakesValue()
			}
			cmd.flags = append(cmd.flags, cf)
		}
		tree = append(tree, cmd)
	}
	return tree
}

// flagValues are the fixed values of command's flag, or nil.
func flagValues(command, flag string) []string {
	switch flag {
	case "services":
		return append([]string{"ALL"}, serviceKeys()...)
	case "log-level":
		if command != "flows" {
			return []string{"debug", "info", "warn", "error"}
		}
	case "log-format":
		if command != "flows" { // flows' --log-format is the flow-log format
			return []string{"console", "json"}
		}
	case "retry-mode":
		return []string{"standard", "adaptive"}
	case "policy-format":
		return []string{formatJSON, formatCloudFormation}
	case "summary":
		return []string{"cross-az", "talkers", "services"}
	case "format":
		return map[string][]string{
			"scan": scanFormats, "policy": {formatJSON, formatCloudFormation}, "reach": {"text", "json"},
			"flows": {"jsonl", "csv"}, "diff": {"text", "json", "csv"}, "services": {"text", "json"},
		}[command]
	}
	return nil
}

func writeBashCompletion(w io.Writer, tree []completionCmd) error {
	var b strings.Builder
	b.WriteString(`# bash completion for faultline. Load it with
#   source <(faultline completion bash)
# or save it as /etc/bash_completion.d/faultline.
_faultline() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" words=""
    COMPREPLY=()
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "` + strings.Join(commandList(tree), " ") + ` --help --version" -- "$cur"))
        return
    fi
    case "${COMP_WORDS[1]} $prev" in
`)
	for _, c := range tree {
		for _, f := range c.flags {
			if f.values != nil {
				fmt.Fprintf(&b, "        %s) words=%q ;;\n", bashPatterns(c.name, f.names), strings.Join(f.values, " "))
			}
		}
	}
	b.WriteString(`    esac
    if [[ -n "$words" ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
        return
    fi
    case "${COMP_WORDS[1]}" in
`)
	for _, c := range tree {
		if c.name == "completion" {
			fmt.Fprintf(&b, "        completion) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", strings.Join(completionShells, " "))
			continue
		}
		var names []string
		for _, f := range c.flags {
			names = append(names, f.names...)
		}
		fmt.Fprintf(&b, "        %s) words=%q ;;\n", c.name, strings.Join(names, " "))
	}
	b.WriteString(`    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _faultline faultline
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// bashPatterns is the case pattern "cmd -s"|"cmd --services".
func bashPatterns(command string, names []string) string {
	var p []string
	for _, n := range names {
		p = append(p, fmt.Sprintf("%q", command+" "+n))
	}
	return strings.Join(p, "|")
}

func commandList(tree []completionCmd) []string {
	var names []string
	for _, c := range tree {
		names = append(names, c.name)
	}
	return names
}

// zshQuote single-quotes s for zsh.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeZshCompletion(w io.Writer, tree []completionCmd) error {
	var b strings.Builder
	b.WriteString(`#compdef faultline
# zsh completion for faultline. Load it with
#   source <(faultline completion zsh)
# or save it as _faultline in a folder of $fpath.
_faultline() {
    local -a commands flags
    commands=(
`)
	for _, c := range tree {
		fmt.Fprintf(&b, "        %s\n", zshQuote(c.name+":"+c.usage))
	}
	b.WriteString(`    )
    if (( CURRENT == 2 )); then
        _describe -t commands 'faultline command' commands
        return
    fi
    case "${words[2]} ${words[CURRENT-1]}" in
`)
	for _, c := range tree {
		for _, f := range c.flags {
			if f.values != nil {
				fmt.Fprintf(&b, "        %s) compadd -- %s; return ;;\n", bashPatterns(c.name, f.names), strings.Join(f.values, " "))
			}
		}
	}
	b.WriteString(`    esac
    case "${words[2]}" in
`)
	for _, c := range tree {
		if c.name == "completion" {
			fmt.Fprintf(&b, "        completion) compadd -- %s; return ;;\n", strings.Join(completionShells, " "))
			continue
		}
		fmt.Fprintf(&b, "        %s) flags=(", c.name)
		for _, f := range c.flags {
			for _, n := range f.names {
				fmt.Fprintf(&b, "\n            %s", zshQuote(n+":"+f.usage))
			}
		}
		b.WriteString("\n        ) ;;\n")
	}
	b.WriteString(`    esac
    if [[ "$PREFIX" == -* ]]; then
        _describe -t flags 'flag' flags
    else
        _files
    fi
}
if [[ "${funcstack[1]}" == "_faultline" ]]; then
    _faultline "$@"
else
    compdef _faultline faultline
fi
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// fishQuote single-quotes s for fish (which escapes \ and ' inside).
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFishCompletion(w io.Writer, tree []completionCmd) error {
	var b strings.Builder
	b.WriteString(`# fish completion for faultline. Load it with
#   faultline completion fish | source
# or save it as ~/.config/fish/completions/faultline.fish.
complete -c faultline -f
`)
	commands := strings.Join(commandList(tree), " ")
	for _, c := range tree {
		fmt.Fprintf(&b, "complete -c faultline -n %s -a %s -d %s\n",
			fishQuote("not __fish_seen_subcommand_from "+commands), c.name, fishQuote(c.usage))
	}
	for _, c := range tree {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		if c.name == "completion" {
			fmt.Fprintf(&b, "complete -c faultline -n %s -a %s\n", cond, fishQuote(strings.Join(completionShells, " ")))
			continue
		}
		if c.name == "diff" || c.name == "flows" { // FILE arguments
			fmt.Fprintf(&b, "complete -c faultline -n %s -F\n", cond)
		}
		for _, f := range c.flags {
			line := "complete -c faultline -n " + cond
			for _, n := range f.names {
				if strings.HasPrefix(n, "--") {
					line += " -l " + n[2:]
				} else {
					line += " -s " + n[1:]
				}
			}
			if f.values != nil {
				line += " -x -a " + fishQuote(strings.Join(f.values, " "))
			} else if f.takesValue {
				line += " -r -F"
			}
			if f.usage != "" {
				line += " -d " + fishQuote(f.usage)
			}
			b.WriteString(line + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
