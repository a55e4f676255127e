package inventory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

// counted is a kind whose loader counts its runs and can be held or made to fail.
type counted struct {
	runs    atomic.Int32
	release chan struct{}
	fail    error
}

func (c *counted) kind(name string) *Kind[string] {
	return &Kind[string]{Name: name, Load: func(ctx context.Context, s *Scope, add func(string)) error {
		c.runs.Add(1)
		add(s.Region + "-one")
		if c.release != nil {
			select {
			case <-c.release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		add(s.Region + "-two")
		return c.fail
	}}
}

func TestKindIsReadOncePerScopeWhateverTheCallers(t *testing.T) {
	c := &counted{release: make(chan struct{})}
	k := c.kind("test/things")
	set := NewLive()
	acct := Account{ID: "111111111111", Partition: "aws"}
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = k.Items(context.Background(), set.Scope(acct, "eu-west-1"))
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(c.release)
	wg.Wait()
	if n := c.runs.Load(); n != 1 {
		t.Fatalf("loaded %d times for 8 callers of one scope", n)
	}
	for _, r := range results {
		if !slices.Equal(r, []string{"eu-west-1-one", "eu-west-1-two"}) {
			t.Fatalf("items %v", r)
		}
	}
	// Another region is another scope.
	if items, _ := k.Items(context.Background(), set.Scope(acct, "us-east-1")); items[0] != "us-east-1-one" || c.runs.Load() != 2 {
		t.Fatalf("us-east-1: %v after %d runs", items, c.runs.Load())
	}
}

func TestInterruptedReadIsNotKept(t *testing.T) {
	c := &counted{release: make(chan struct{})}
	k := c.kind("test/things")
	s := NewLive().Scope(Account{ID: "111111111111"}, "eu-west-1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.Items(ctx, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("want the caller's cancellation, got %v", err)
	}
	close(c.release)
	items, err := k.Items(context.Background(), s)
	if err != nil || len(items) != 2 || c.runs.Load() != 2 {
		t.Fatalf("the next caller must read again: %v %v after %d runs", items, err, c.runs.Load())
	}
}

func TestFailedReadKeepsItsItemsAndError(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}
	c := &counted{fail: denied}
	k := c.kind("test/things")
	s := NewLive().Scope(Account{ID: "111111111111"}, "eu-west-1")
	for range 2 {
		items, err := k.Items(context.Background(), s)
		if !errors.Is(err, denied) || len(items) != 2 {
			t.Fatalf("%v %v", items, err)
		}
	}
	if c.runs.Load() != 1 {
		t.Fatalf("a refused read is a fact of the estate and is kept; read %d times", c.runs.Load())
	}
}

func TestSnapshotReplaysItemsAndErrorsWithoutReading(t *testing.T) {
	dir := t.TempDir()
	ok, bad := &counted{}, &counted{fail: &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}}
	okKind, badKind := ok.kind("test/fine"), bad.kind("test/throttled")
	live := NewLive().Scope(Account{ID: "111111111111", Partition: "aws-cn"}, "cn-north-1")
	okKind.Items(context.Background(), live)
	badKind.Items(context.Background(), live)
	codeOf := func(err error) string {
		var api smithy.APIError
		errors.As(err, &api)
		return api.ErrorCode()
	}
	if err := WriteScope(dir, live, codeOf); err != nil {
		t.Fatal(err)
	}
	if err := WriteManifest(dir, Manifest{Services: []string{"test"}, CallerAccount: "111111111111"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ManifestName, ScopeFileName("111111111111", "cn-north-1")} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", name, st.Mode(), err)
		}
	}
	snap, err := OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := NewFromSnapshot(snap).Scope(Account{ID: "111111111111"}, "cn-north-1")
	if s.Live() || s.Partition != "aws-cn" {
		t.Fatalf("live %v partition %q", s.Live(), s.Partition)
	}
	items, err := okKind.Items(context.Background(), s)
	if err != nil || !slices.Equal(items, []string{"cn-north-1-one", "cn-north-1-two"}) {
		t.Fatalf("%v %v", items, err)
	}
	items, err = badKind.Items(context.Background(), s)
	var rec *RecordedError
	if !errors.As(err, &rec) || codeOf(err) != "Throttling" || err.Error() != bad.fail.Error() || len(items) != 2 {
		t.Fatalf("replayed %v %v", items, err)
	}
	if ok.runs.Load() != 1 || bad.runs.Load() != 1 {
		t.Fatalf("a snapshot scope read AWS: %d %d", ok.runs.Load(), bad.runs.Load())
	}
	var missing *NotCollectedError
	if _, err := (&counted{}).kind("test/other").Items(context.Background(), s); !errors.As(err, &missing) {
		t.Fatalf("a kind not collected: %v", err)
	}
	if _, err := okKind.Items(context.Background(), NewFromSnapshot(snap).Scope(Account{ID: "222222222222"}, "cn-north-1")); !errors.As(err, &missing) ||
		err.Error() != "the snapshot holds no test/fine for account 222222222222 in cn-north-1: collect it with the same --services and --regions" {
		t.Fatalf("an account not collected: %v", err)
	}
}

func TestSnapshotOfAnotherSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ManifestName), []byte(`{"schema": 0, "services": ["rds"]}`), 0o600)
	_, err := OpenSnapshot(dir)
	var schema *SchemaError
	if !errors.As(err, &schema) || err.Error() != dir+" is a snapshot of schema version 0; this faultline reads version 1: run faultline collect again" {
		t.Fatalf("%v", err)
	}
	if _, err := OpenSnapshot(t.TempDir()); err == nil {
		t.Fatal("a folder without a manifest opened")
	}
}

func TestZoneIDs(t *testing.T) {
	s := NewFixture().Scope(Account{ID: "111111111111", Partition: "aws"}, "us-east-1")
	Put(s, Subnets, []Subnet{{ID: "subnet-1", AZ: "us-east-1a", AZID: "use1-az6"}}, nil)
	Put(s, Zones, []Zone{{Name: "us-east-1a", ID: "use1-az6"}, {Name: "us-east-1b", ID: "use1-az1"}}, nil)
	eu := s.In("eu-west-1")
	Put(eu, Subnets, []Subnet{{ID: "subnet-2", AZ: "eu-west-1c", AZID: "euw1-az3"}}, nil)
	ids, err := ZoneIDs(context.Background(), s, []string{"us-east-1a", "us-east-1b", "eu-west-1c", "us-east-1z", "nowhere"})
	if want := []string{"use1-az6", "use1-az1", "euw1-az3", "", ""}; !slices.Equal(ids, want) {
		t.Fatalf("%v, want %v", ids, want)
	}
	// eu-west-1's zone list was not put: the unknown name there says why.
	if err != nil {
		t.Fatalf("err %v", err)
	}
	if _, err := ZoneIDs(context.Background(), s, []string{"eu-west-1a"}); err == nil {
		t.Fatal("an unreadable zone list must be said")
	}
}
