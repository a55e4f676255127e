package readonly

import (
	"context"
	"reflect"
	"testing"
)

type reader interface {
	DescribeThings(context.Context) error
	ListThings(context.Context) error
	GetThing(context.Context) error
}

type writer interface {
	GetThing(context.Context) error
	PutThing(context.Context) error
	DeleteThing(context.Context) error
}

func TestViolations(t *testing.T) {
	if v := Violations(reflect.TypeOf((*reader)(nil)).Elem()); len(v) != 0 {
		t.Errorf("reader: %v", v)
	}
	v := Violations(reflect.TypeOf((*writer)(nil)).Elem())
	if len(v) != 2 || v[0] != "readonly.writer.DeleteThing" || v[1] != "readonly.writer.PutThing" {
		t.Errorf("writer: %v", v)
	}
	if v := Violations(reflect.TypeOf(0)); len(v) != 1 {
		t.Errorf("int: %v", v)
	}
}
