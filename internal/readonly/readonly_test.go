package readonly

import (
	"context"
	"os/exec"
	"reflect"
	"slices"
	"strings"
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

// The scan cannot write to AWS except through the delivery step: none of
// the packages that read AWS, nor the engine and the files, depend on the
// S3 or EventBridge clients or on package delivery.
func TestScanPathCannotReachWrites(t *testing.T) {
	readers := []string{
		"github.com/faultline/faultline/analysers",
		"github.com/faultline/faultline/account",
		"github.com/faultline/faultline/output",
		"github.com/faultline/faultline/inventory",
		"github.com/faultline/faultline/reach",
	}
	forbidden := []string{
		"github.com/aws/aws-sdk-go-v2/service/s3",
		"github.com/aws/aws-sdk-go-v2/service/eventbridge",
		"github.com/faultline/faultline/delivery",
	}
	for _, pkg := range readers {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s listed only %v", pkg, deps)
		}
		for _, f := range forbidden {
			if slices.Contains(deps, f) {
				t.Errorf("%s depends on %s", pkg, f)
			}
		}
	}
}
