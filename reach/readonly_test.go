package reach

import (
	"reflect"
	"testing"

	"github.com/faultline/faultline/internal/readonly"
	"github.com/faultline/faultline/inventory"
)

// reach only reads: every client interface of the inventory and the
// resolver holds Describe/List/Get calls alone.
func TestClientsAreReadOnly(t *testing.T) {
	var apis []reflect.Type
	for _, k := range inventory.NetworkKinds {
		apis = append(apis, k.ClientAPIs()...)
	}
	for _, api := range append(apis,
		reflect.TypeOf((*InstancesAPI)(nil)).Elem(),
		reflect.TypeOf((*LambdaAPI)(nil)).Elem(),
		reflect.TypeOf((*RDSAPI)(nil)).Elem(),
		reflect.TypeOf((*ElastiCacheAPI)(nil)).Elem(),
		reflect.TypeOf((*EFSAPI)(nil)).Elem(),
		reflect.TypeOf((*ELBv2API)(nil)).Elem(),
		reflect.TypeOf((*ECSAPI)(nil)).Elem(),
	) {
		for _, v := range readonly.Violations(api) {
			t.Errorf("%s is not a read call", v)
		}
	}
}
