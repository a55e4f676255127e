package flows

import (
	"reflect"
	"testing"

	"github.com/faultline/faultline/internal/readonly"
)

// flows only reads: every client it is given, and every client of the
// kinds it reads, holds read calls alone.
func TestClientsAreReadOnly(t *testing.T) {
	apis := []reflect.Type{reflect.TypeOf((*S3API)(nil)).Elem(), reflect.TypeOf((*LogsAPI)(nil)).Elem(), reflect.TypeOf((*BucketLocationAPI)(nil)).Elem()}
	for _, k := range Kinds {
		if len(k.ClientAPIs()) == 0 {
			t.Errorf("%s declares no client", k.KindName())
		}
		apis = append(apis, k.ClientAPIs()...)
	}
	for _, api := range apis {
		for _, v := range readonly.Violations(api) {
			t.Errorf("%s is not a read call", v)
		}
	}
}
