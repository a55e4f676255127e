package reach

import (
	"slices"

	"github.com/faultline/faultline/inventory"
)

// Actions are the IAM actions `faultline reach` calls, sorted: the caller's
// identity and the kinds it reads (the network and the resource look-ups).
var Actions = func() []string {
	all := append([]string{"sts:GetCallerIdentity"}, inventory.ActionsOf(Kinds...)...)
	slices.Sort(all)
	return slices.Compact(all)
}()
