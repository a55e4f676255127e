package reach

import (
	"slices"

	"github.com/faultline/faultline/inventory"
)

// Actions are the IAM actions `faultline reach` calls, sorted: the caller's
// identity, the network inventory and the resource look-ups.
var Actions = func() []string {
	all := append([]string{"sts:GetCallerIdentity"}, inventory.ActionsOf(inventory.NetworkKinds...)...)
	all = append(all, ResolveActions...)
	slices.Sort(all)
	return slices.Compact(all)
}()
