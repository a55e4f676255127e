// Package inventory is faultline's one model of an estate: per (account,
// region) a Scope whose resource kinds are read lazily, once, and shared by
// every command and analyser that asks for them. A kind is a loader over a
// narrow read-only client interface, with the IAM actions it calls declared
// beside it. The same scope can be filled from AWS (live) or from a snapshot
// folder written by `faultline collect`, in which case no API call is made.
package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// GlobalRegion is the region of a global service's scope.
const GlobalRegion = "global"

// Account is what a scope needs of an account: who it is and, live, its
// credentials (one cache per account, shared by its scopes).
type Account struct {
	ID, Partition string
	Config        aws.Config
	// Regions are the regions the run covers in the account: a global
	// service's rule that also reads regional kinds (Route 53 Resolver)
	// reads them in these.
	Regions []string
}

// Loader is the part of a Kind that registries and tests see, whatever its
// item type.
type Loader interface {
	KindName() string
	IAMActions() []string
	ClientAPIs() []reflect.Type
	// Read reads the kind into s (collect uses it for kinds no rule reads).
	Read(ctx context.Context, s *Scope) error
}

// Kind is one kind of resource of a scope. Name is its stable key in
// snapshots; Load reads every item live, handing each to add in the order
// AWS lists them; it must use paginators and only the calls of APIs.
type Kind[T any] struct {
	Name    string
	Actions []string
	APIs    []reflect.Type
	Load    func(ctx context.Context, s *Scope, add func(T)) error
}

func (k *Kind[T]) KindName() string           { return k.Name }
func (k *Kind[T]) IAMActions() []string       { return k.Actions }
func (k *Kind[T]) ClientAPIs() []reflect.Type { return k.APIs }

func (k *Kind[T]) Read(ctx context.Context, s *Scope) error {
	_, err := k.Items(ctx, s)
	return err
}

// Items returns every item of the kind in s, reading them on first use. When
// the read failed part-way, the items read before the failure come with the
// error, so that a caller can still judge them (as a task failing half-way
// keeps the rows it made).
func (k *Kind[T]) Items(ctx context.Context, s *Scope) ([]T, error) {
	v, err := s.get(ctx, k.Name,
		func(ctx context.Context) (any, error) {
			var items []T
			err := k.Load(ctx, s, func(item T) { items = append(items, item) })
			return items, err
		},
		func(raw json.RawMessage) (any, error) {
			var items []T
			if len(raw) == 0 {
				return items, nil
			}
			err := json.Unmarshal(raw, &items)
			return items, err
		})
	items, _ := v.([]T)
	return items, err
}

// APIOf returns the reflect.Type of the interface I, for Kind.APIs.
func APIOf[I any]() reflect.Type { return reflect.TypeOf((*I)(nil)).Elem() }

// Scope is one account in one region (or GlobalRegion for global services).
type Scope struct {
	AccountID string
	Partition string
	Region    string

	set     *Set
	config  aws.Config // live only
	regions []string
	// recorded is the snapshot's content of this scope, nil when live.
	recorded *scopeFile

	mu      sync.Mutex
	entries map[string]*entry
	derived map[string]derivedValue
}

// derivedValue is an index computed from a scope's kinds, and its error.
type derivedValue struct {
	value any
	err   error
}

// derive memoises compute's result in s under key: an index over kinds that
// every caller would otherwise rebuild (the engine asks for zone IDs once
// per finding). As with reads, a result its caller's cancellation
// interrupted is not kept. Two callers may compute it at once; both get an
// equal value.
func derive[V any](ctx context.Context, s *Scope, key string, compute func() (V, error)) (V, error) {
	s.mu.Lock()
	d, ok := s.derived[key]
	s.mu.Unlock()
	if ok {
		v, _ := d.value.(V)
		return v, d.err
	}
	v, err := compute()
	if err != nil && ctx.Err() != nil {
		return v, err
	}
	s.mu.Lock()
	if s.derived == nil {
		s.derived = map[string]derivedValue{}
	}
	s.derived[key] = derivedValue{v, err}
	s.mu.Unlock()
	return v, err
}

// entry is one kind being read or read: done is closed when items and err
// are final.
type entry struct {
	done  chan struct{}
	items any
	err   error
}

// Live reports whether the scope reads AWS (false: a snapshot).
func (s *Scope) Live() bool { return s.recorded == nil }

// Config is the account's configuration with the scope's region set; kinds
// of a global scope set the region of their service's endpoint.
func (s *Scope) Config() aws.Config {
	cfg := s.config.Copy()
	if s.Region != GlobalRegion {
		cfg.Region = s.Region
	}
	return cfg
}

// In returns the scope of the same account in another region (a global
// service's endpoints live in regions).
func (s *Scope) In(region string) *Scope {
	return s.set.Scope(Account{ID: s.AccountID, Partition: s.Partition, Config: s.config, Regions: s.regions}, region)
}

// AccountRegions are the regions the run covers in the scope's account.
func (s *Scope) AccountRegions() []string { return s.regions }

// ARN builds an ARN of the scope's account and partition.
func (s *Scope) ARN(service, region, resource string) string {
	return "arn:" + s.Partition + ":" + service + ":" + region + ":" + s.AccountID + ":" + resource
}

// get returns kind name's items, loading them once. A load that failed
// because its caller was cancelled or timed out is not kept: the next caller
// reads again, since another task's interruption says nothing of the estate.
func (s *Scope) get(ctx context.Context, name string, load func(context.Context) (any, error), decode func(json.RawMessage) (any, error)) (any, error) {
	for {
		s.mu.Lock()
		e, ok := s.entries[name]
		if !ok {
			e = &entry{done: make(chan struct{})}
			s.entries[name] = e
			s.mu.Unlock()
			e.items, e.err = s.fill(ctx, name, load, decode)
			if e.err != nil && ctx.Err() != nil {
				s.mu.Lock()
				delete(s.entries, name)
				s.mu.Unlock()
			}
			close(e.done)
			return e.items, e.err
		}
		s.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		s.mu.Lock()
		kept := s.entries[name] == e
		s.mu.Unlock()
		if kept {
			return e.items, e.err
		}
	}
}

func (s *Scope) fill(ctx context.Context, name string, load func(context.Context) (any, error), decode func(json.RawMessage) (any, error)) (items any, err error) {
	defer func() {
		// A panicking loader must not leave its waiters blocked.
		if v := recover(); v != nil {
			items, err = nil, fmt.Errorf("reading %s panicked: %v", name, v)
		}
	}()
	if s.recorded == nil {
		return load(ctx)
	}
	if s.recorded.unreadable != nil {
		return nil, s.recorded.unreadable
	}
	rec, ok := s.recorded.Kinds[name]
	if !ok {
		return nil, &NotCollectedError{Kind: name, Account: s.AccountID, Region: s.Region}
	}
	items, err = decode(rec.Items)
	if err != nil {
		return nil, fmt.Errorf("snapshot of account %s, %s: %s: %w", s.AccountID, s.Region, name, err)
	}
	if rec.Error != nil {
		return items, rec.Error
	}
	return items, nil
}

// NotCollectedError says a snapshot lacks a kind a command needs: the
// snapshot was collected for other services.
type NotCollectedError struct{ Kind, Account, Region string }

func (e *NotCollectedError) Error() string {
	return fmt.Sprintf("the snapshot holds no %s for account %s in %s: collect it with the same --services and --regions", e.Kind, e.Account, e.Region)
}

// ErrorCode is the code snapshots and run reports show.
func (e *NotCollectedError) ErrorCode() string { return "NotCollected" }

// RecordedError is a read that failed when the snapshot was collected: the
// same error code and message, replayed. It is a smithy.APIError, so the run
// report shows the same code as the live run did.
type RecordedError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *RecordedError) Error() string                 { return e.Message }
func (e *RecordedError) ErrorCode() string             { return e.Code }
func (e *RecordedError) ErrorMessage() string          { return e.Message }
func (e *RecordedError) ErrorFault() smithy.ErrorFault { return smithy.FaultUnknown }

// loaded returns the kinds read so far and their outcome, sorted by name,
// for a snapshot.
func (s *Scope) loaded() []loadedKind {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []loadedKind
	for name, e := range s.entries {
		select {
		case <-e.done:
			out = append(out, loadedKind{name, e.items, e.err})
		default:
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

type loadedKind struct {
	name  string
	items any
	err   error
}

// Set holds the scopes of one run, keyed by account and region.
type Set struct {
	snapshot *Snapshot // nil: live

	mu     sync.Mutex
	scopes map[[2]string]*Scope
}

// NewLive is a set whose scopes read AWS.
func NewLive() *Set { return &Set{scopes: map[[2]string]*Scope{}} }

// Scope returns the scope of acct in region, creating it on first use.
func (set *Set) Scope(acct Account, region string) *Scope {
	set.mu.Lock()
	defer set.mu.Unlock()
	k := [2]string{acct.ID, region}
	if s, ok := set.scopes[k]; ok {
		return s
	}
	s := &Scope{AccountID: acct.ID, Partition: acct.Partition, Region: region, set: set, config: acct.Config, regions: acct.Regions, entries: map[string]*entry{}}
	if set.snapshot != nil {
		s.recorded = set.snapshot.scope(acct.ID, region)
		if s.Partition == "" {
			s.Partition = s.recorded.Partition
		}
	}
	set.scopes[k] = s
	return s
}

// Release forgets every scope of account and returns them, in region order:
// once an account's tasks are done its resources need not stay in memory.
func (set *Set) Release(accountID string) []*Scope {
	set.mu.Lock()
	defer set.mu.Unlock()
	var out []*Scope
	for k, s := range set.scopes {
		if k[0] == accountID {
			out = append(out, s)
			delete(set.scopes, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}
