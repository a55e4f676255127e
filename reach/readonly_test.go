package reach

import (
	"testing"

	"github.com/faultline/faultline/internal/readonly"
)

// reach only reads: every client interface of the kinds it reads holds
// Describe/List/Get calls alone.
func TestClientsAreReadOnly(t *testing.T) {
	for _, k := range Kinds {
		if len(k.ClientAPIs()) == 0 {
			t.Errorf("%s declares no client", k.KindName())
		}
		for _, api := range k.ClientAPIs() {
			for _, v := range readonly.Violations(api) {
				t.Errorf("%s: %s is not a read call", k.KindName(), v)
			}
		}
	}
}
