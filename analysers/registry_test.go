package analysers

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/internal/readonly"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/reach"
)

// The seed tool's service keys, in its order: users' scripts pass them.
var seedKeys = []string{"vpce", "dms", "docdb", "sgw", "efs", "opensearch", "fsx", "lambda", "elasticache", "dax",
	"globalaccelerator", "rds", "memorydb", "dx", "cloudhsm", "redshift"}

// The zonal-core services (issue 12) follow them.
var zonalKeys = []string{"autoscaling", "ec2", "elbv2", "elb", "natgw", "tgw", "networkfirewall", "ecs", "eks",
	"rdsproxy", "msk", "mq", "vpn", "route53"}

func TestRegistryHasEverySeedServiceInOrder(t *testing.T) {
	var got []string
	for _, a := range All {
		got = append(got, a.Name)
	}
	if want := append(slices.Clone(seedKeys), zonalKeys...); !slices.Equal(got, want) {
		t.Errorf("registry %v\nwant     %v", got, want)
	}
}

var (
	checkIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[0-9]+$`)
	actionPattern  = regexp.MustCompile(`^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$`)
)

func TestAnalyserDeclarations(t *testing.T) {
	seenIDs := map[string]bool{}
	for _, a := range All {
		if a.Run == nil || len(a.Checks) == 0 || len(a.Kinds) == 0 {
			t.Errorf("%s: incomplete declaration", a.Name)
		}
		if a.Global != (a.GlobalRegion != "") {
			t.Errorf("%s: Global and GlobalRegion disagree", a.Name)
		}
		prefix := strings.ToUpper(a.Name) + "-"
		for _, c := range a.Checks {
			if !checkIDPattern.MatchString(c.ID) || !strings.HasPrefix(c.ID, prefix) || seenIDs[c.ID] {
				t.Errorf("%s: check ID %q must be unique and look like %sN", a.Name, c.ID, prefix)
			}
			seenIDs[c.ID] = true
			switch c.Severity {
			case SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo:
			default:
				t.Errorf("%s: check %s has severity %q", a.Name, c.ID, c.Severity)
			}
			if c.Description == "" || c.Remediation == "" {
				t.Errorf("%s: check %s needs a description and a remediation", a.Name, c.ID)
			}
		}
		for _, act := range a.Actions() {
			if !actionPattern.MatchString(act) {
				t.Errorf("%s: %q is not an IAM action", a.Name, act)
			}
		}
	}
}

// Read-only by construction: every method of every client interface an
// analyser talks to is a Describe/List/Get call, and each is declared as an
// IAM action (so the generated policy is exactly what the code calls).
func TestAnalysersAreReadOnlyAndDeclareEveryCall(t *testing.T) {
	for _, a := range All {
		called := map[string]bool{}
		for _, api := range a.ClientAPIs() {
			for _, v := range readonly.Violations(api) {
				t.Errorf("%s: %s is not a read call", a.Name, v)
			}
			for _, m := range readonly.Methods(api) {
				called[m] = true
			}
		}
		for m := range called {
			if !slices.ContainsFunc(a.Actions(), func(act string) bool { return strings.HasSuffix(act, ":"+m) }) {
				t.Errorf("%s: calls %s but declares no IAM action for it (actions %v)", a.Name, m, a.Actions())
			}
		}
		for _, act := range a.Actions() {
			if !called[act[strings.IndexByte(act, ':')+1:]] {
				t.Errorf("%s: declares %s but no client interface calls it", a.Name, act)
			}
		}
	}
}

// A kind's name is its key in snapshot files and scopes: two definitions
// under one name would read one listing twice or decode one as the other.
// Every kind faultline reads (the analysers', the network's and zones',
// and those reach and flows read) maps its name to one definition.
func TestEveryKindNameHasOneDefinition(t *testing.T) {
	type owned struct {
		k     inventory.Loader
		owner string
	}
	byName := map[string]owned{}
	add := func(owner string, kinds []inventory.Loader) {
		for _, k := range kinds {
			if other, ok := byName[k.KindName()]; ok && other.k != k {
				t.Errorf("kind %s is defined by %s and again by %s", k.KindName(), other.owner, owner)
				continue
			}
			byName[k.KindName()] = owned{k, owner}
		}
	}
	for _, a := range All {
		add("analyser "+a.Name, a.Kinds)
	}
	add("inventory.NetworkKinds", inventory.NetworkKinds)
	add("inventory.ZoneKinds", inventory.ZoneKinds)
	add("reach.Kinds", reach.Kinds)
	add("flows.Kinds", flows.Kinds)
}
