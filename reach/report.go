package reach

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the answer for people: one line per check, then the
// verdict, the hints and the notes.
func WriteText(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "checking %s -> %s on %s\n", r.Source.Label, r.Target.Label, r.Query)
	for _, p := range r.Paths {
		fmt.Fprintf(&b, "from %s\n  to %s\n", p.Source, p.Target)
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, h := range p.Hops {
			fmt.Fprintf(tw, "  * %s\t%s\t%s\n", h.Decision, h.Component, hopText(h))
		}
		tw.Flush()
		fmt.Fprintf(&b, "  = %s\n", p.Verdict)
	}
	for _, h := range r.Hints {
		fmt.Fprintf(&b, "hint: %s\n", h)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	fmt.Fprintf(&b, "verdict: %s\n", r.Verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

func hopText(h Hop) string {
	if h.Detail != "" {
		return h.Detail
	}
	return strings.TrimSpace(h.ID + " " + h.Rule)
}

type jsonEnd struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Label string `json:"label"`
}

type jsonResult struct {
	Verdict  Verdict  `json:"verdict"`
	Source   jsonEnd  `json:"source"`
	Target   jsonEnd  `json:"target"`
	Protocol string   `json:"protocol"`
	Port     *int     `json:"port,omitempty"`
	ICMPType *int     `json:"icmp_type,omitempty"`
	ICMPCode *int     `json:"icmp_code,omitempty"`
	Paths    []Path   `json:"paths"`
	Hints    []string `json:"hints"`
	Notes    []string `json:"notes"`
}

// WriteJSON writes the answer as one JSON document.
func WriteJSON(w io.Writer, r Result) error {
	out := jsonResult{
		Verdict:  r.Verdict,
		Source:   jsonEnd{r.Source.Type, r.Source.ID, r.Source.Label},
		Target:   jsonEnd{r.Target.Type, r.Target.ID, r.Target.Label},
		Protocol: protocolName(r.Query.Protocol),
		Paths:    r.Paths,
		Hints:    r.Hints,
		Notes:    r.Notes,
	}
	switch {
	case hasPorts(r.Query.Protocol):
		out.Port = &r.Query.Port
	case r.Query.Protocol == ProtoICMP || r.Query.Protocol == ProtoICMPv6:
		out.ICMPType, out.ICMPCode = &r.Query.ICMPType, &r.Query.ICMPCode
	}
	if out.Paths == nil {
		out.Paths = []Path{}
	}
	if out.Hints == nil {
		out.Hints = []string{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
