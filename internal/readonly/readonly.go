// Package readonly checks that a client interface can only read: every
// method is a Describe, List or Get call, or one of the few reads AWS names
// otherwise (Search, Filter). Analysers and the reach resolver
// hold only such interfaces, so the scan cannot change anything by
// construction; their tests call Violations on each interface.
package readonly

import (
	"reflect"
	"strings"
)

// ReadPrefixes are the only kinds of call allowed. Search and Filter are
// reads by AWS's own definition: ec2:SearchTransitGatewayRoutes returns a
// route table's routes (reach needs them), logs:FilterLogEvents returns log
// events (flows reads flow logs with it). Neither changes anything.
var ReadPrefixes = []string{"Describe", "List", "Get", "Search", "Filter"}

// Violations returns the methods of api that are not read calls, or that
// api is not an interface at all.
func Violations(api reflect.Type) []string {
	if api.Kind() != reflect.Interface {
		return []string{api.String() + " is not an interface"}
	}
	var bad []string
	for i := 0; i < api.NumMethod(); i++ {
		if m := api.Method(i).Name; !IsRead(m) {
			bad = append(bad, api.String()+"."+m)
		}
	}
	return bad
}

// IsRead reports whether an operation name is a read call.
func IsRead(operation string) bool {
	for _, p := range ReadPrefixes {
		if strings.HasPrefix(operation, p) {
			return true
		}
	}
	return false
}

// Methods are the method names of the interface api.
func Methods(api reflect.Type) []string {
	var names []string
	for i := 0; i < api.NumMethod(); i++ {
		names = append(names, api.Method(i).Name)
	}
	return names
}
