package inventory_test

import (
	"testing"

	"github.com/faultline/faultline/analysers"
	"github.com/faultline/faultline/flows"
	"github.com/faultline/faultline/internal/readonly"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/reach"
)

// Every kind any command reads (the analysers' own included) is written to
// snapshots: its items must be plain data that encoding/json reads back,
// and its clients must only read.
func TestEveryCommandsKindsArePlainAndReadOnly(t *testing.T) {
	var kinds []inventory.Loader
	for _, a := range analysers.All {
		kinds = append(kinds, a.Kinds...)
	}
	kinds = append(append(kinds, reach.Kinds...), flows.Kinds...)
	if len(kinds) < 40 {
		t.Fatalf("only %d kinds", len(kinds))
	}
	for _, k := range kinds {
		item := inventory.ItemType(k)
		if path := inventory.InterfaceField(item); path != "" {
			t.Errorf("%s: item %s has an interface at %s, which a snapshot cannot read back", k.KindName(), item, path)
		}
		if len(k.IAMActions()) == 0 || len(k.ClientAPIs()) == 0 {
			t.Errorf("%s: actions %v, APIs %v", k.KindName(), k.IAMActions(), k.ClientAPIs())
		}
		for _, api := range k.ClientAPIs() {
			for _, v := range readonly.Violations(api) {
				t.Errorf("%s: %s is not a read call", k.KindName(), v)
			}
		}
	}
}
