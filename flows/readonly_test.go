package flows

import (
	"reflect"
	"testing"

	"github.com/faultline/faultline/internal/readonly"
)

// flows only reads: every client it is given holds read calls alone.
func TestClientsAreReadOnly(t *testing.T) {
	apis := []reflect.Type{reflect.TypeOf((*S3API)(nil)).Elem(), reflect.TypeOf((*LogsAPI)(nil)).Elem(), reflect.TypeOf((*BucketLocationAPI)(nil)).Elem()}
	facts := reflect.TypeOf(FactsAPIs{})
	for i := 0; i < facts.NumField(); i++ {
		apis = append(apis, facts.Field(i).Type)
	}
	for _, api := range apis {
		for _, v := range readonly.Violations(api) {
			t.Errorf("%s is not a read call", v)
		}
	}
}
