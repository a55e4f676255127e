package analysers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/faultline/faultline/inventory"
)

func mqTestBroker(name string, engine mqtypes.EngineType, mode mqtypes.DeploymentMode, subnets ...string) mqBroker {
	return mqBroker{ID: "b-" + name, ARN: "arn:aws:mq:us-east-1:111111111111:broker:" + name + ":b-" + name, Name: name,
		State: mqtypes.BrokerStateRunning, DeploymentMode: mode, EngineType: engine, EngineVersion: "5.18", SubnetIDs: subnets}
}

// moto 5.2.1 lists every broker as RUNNING with the deployment mode and
// subnets it was given, so brokers in other states, unknown deployment
// modes and subnets not found are covered by these fakes only.
func TestJudgeMQBroker(t *testing.T) {
	const (
		active = mqtypes.EngineTypeActivemq
		rabbit = mqtypes.EngineTypeRabbitmq
		single = mqtypes.DeploymentModeSingleInstance
	)
	a, b, ab := []string{"us-east-1a"}, []string{"us-east-1b"}, []string{"us-east-1a", "us-east-1b"}
	aID, bID, abID := []string{"use1-az1"}, []string{"use1-az2"}, []string{"use1-az1", "use1-az2"}
	singleMsg := func(label, where, fix string) string {
		return "Amazon MQ broker " + label + " is a single-instance broker (SINGLE_INSTANCE) " + where +
			": an outage of that zone stops it and its clients' messaging; a " + fix + " broker keeps serving from another zone."
	}
	cases := []struct {
		name, engine string
		broker       mqBroker
		risk         bool
		message      string
		azs, azIDs   []string
	}{
		{"single ActiveMQ", "ActiveMQ", mqTestBroker("amq", active, single, "subnet-a1"), true,
			singleMsg("amq (ActiveMQ)", "in us-east-1a", "ACTIVE_STANDBY_MULTI_AZ"), a, aID},
		{"single RabbitMQ", "RabbitMQ", mqTestBroker("rmq", rabbit, single, "subnet-b1"), true,
			singleMsg("rmq (RabbitMQ)", "in us-east-1b", "CLUSTER_MULTI_AZ"), b, bID},
		{"single, engine in mixed case", "ActiveMQ", mqTestBroker("mixed", "ActiveMQ", single, "subnet-a1"), true,
			singleMsg("mixed (ActiveMQ)", "in us-east-1a", "ACTIVE_STANDBY_MULTI_AZ"), a, aID},
		{"single, engine not reported", "", mqTestBroker("noengine", "", single, "subnet-a1"), true,
			singleMsg("noengine", "in us-east-1a", "ACTIVE_STANDBY_MULTI_AZ (ActiveMQ) or CLUSTER_MULTI_AZ (RabbitMQ)"), a, aID},
		{"single, subnet not found", "ActiveMQ", mqTestBroker("gone", active, single, "subnet-gone"), true,
			singleMsg("gone (ActiveMQ)", "in an Availability Zone that is not known (1 subnet not found: subnet-gone)", "ACTIVE_STANDBY_MULTI_AZ"), []string{}, []string{}},
		{"single, no subnets", "ActiveMQ", mqTestBroker("bare", active, single), true,
			singleMsg("bare (ActiveMQ)", "in an Availability Zone that is not known (it lists no subnets)", "ACTIVE_STANDBY_MULTI_AZ"), []string{}, []string{}},
		{"active/standby", "ActiveMQ", mqTestBroker("standby", active, mqtypes.DeploymentModeActiveStandbyMultiAz, "subnet-b1", "subnet-a1"), false,
			"Amazon MQ broker standby (ActiveMQ) is an active/standby broker (ACTIVE_STANDBY_MULTI_AZ) across 2 Availability Zones (us-east-1a, us-east-1b): the standby takes over if the active broker's zone fails.", ab, abID},
		{"active/standby, a subnet not found", "ActiveMQ", mqTestBroker("standby-gone", active, mqtypes.DeploymentModeActiveStandbyMultiAz, "subnet-a1", "subnet-gone"), false,
			"Amazon MQ broker standby-gone (ActiveMQ) is an active/standby broker (ACTIVE_STANDBY_MULTI_AZ) in us-east-1a (1 subnet not found: subnet-gone): the standby takes over if the active broker's zone fails.", a, aID},
		{"cluster", "RabbitMQ", mqTestBroker("cluster", rabbit, mqtypes.DeploymentModeClusterMultiAz, "subnet-a1", "subnet-b1", "subnet-a2"), false,
			"Amazon MQ broker cluster (RabbitMQ) is a cluster broker (CLUSTER_MULTI_AZ) across 2 Availability Zones (us-east-1a, us-east-1b), so it keeps serving if one zone fails.", ab, abID},
		{"unknown mode in two AZs", "RabbitMQ", mqTestBroker("future", rabbit, "FUTURE_MODE", "subnet-a1", "subnet-b1"), false,
			"Amazon MQ broker future (RabbitMQ) has deployment mode FUTURE_MODE and runs across 2 Availability Zones (us-east-1a, us-east-1b), so it is taken as multi-AZ.", ab, abID},
		{"mode not reported, one AZ", "ActiveMQ", mqTestBroker("nomode", active, "", "subnet-a1", "subnet-a2"), true,
			"Amazon MQ broker nomode (ActiveMQ) has deployment mode not reported and runs in us-east-1a, so it is not shown to survive the loss of a zone.", a, aID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := judgeMQBroker(c.broker, testSubnetIndex())
			if f.CheckID != "MQ-1" || f.Severity != SeverityHigh || f.Risk != c.risk || f.Message != c.message {
				t.Errorf("got %s %s %v %q\nwant MQ-1 HIGH %v %q", f.CheckID, f.Severity, f.Risk, f.Message, c.risk, c.message)
			}
			if f.ResourceARN != c.broker.ARN || f.ResourceName != c.broker.Name || f.ResourceID != c.broker.ID ||
				f.ResourceType != "AWS::AmazonMQ::Broker" || f.Engine != c.engine {
				t.Errorf("resource columns: %+v", f)
			}
			if !slices.Equal(f.AZs, c.azs) || !slices.Equal(f.AZIDs, c.azIDs) {
				t.Errorf("placed in %v %v, want %v %v", f.AZs, f.AZIDs, c.azs, c.azIDs)
			}
		})
	}
}

// fakeMQ serves ListBrokers page by page (the NextToken is the page index)
// and DescribeBroker from the brokers it holds; err fails every call, and
// describeErr fails DescribeBroker of one broker.
type fakeMQ struct {
	pages                [][]mqBroker
	err                  error
	describeErr          map[string]error
	listCalls, described int
	describedIDs         []string
}

func (f *fakeMQ) ListBrokers(_ context.Context, in *mq.ListBrokersInput, _ ...func(*mq.Options)) (*mq.ListBrokersOutput, error) {
	f.listCalls++
	if f.err != nil {
		return nil, f.err
	}
	i := 0
	if in.NextToken != nil {
		i, _ = strconv.Atoi(*in.NextToken)
	}
	out := &mq.ListBrokersOutput{}
	for _, b := range f.pages[i] {
		// The summary has no subnets.
		out.BrokerSummaries = append(out.BrokerSummaries, mqtypes.BrokerSummary{BrokerId: aws.String(b.ID), BrokerArn: aws.String(b.ARN),
			BrokerName: aws.String(b.Name), BrokerState: b.State, DeploymentMode: b.DeploymentMode, EngineType: b.EngineType})
	}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(strconv.Itoa(i + 1))
	}
	return out, nil
}

func (f *fakeMQ) DescribeBroker(_ context.Context, in *mq.DescribeBrokerInput, _ ...func(*mq.Options)) (*mq.DescribeBrokerOutput, error) {
	f.described++
	id := aws.ToString(in.BrokerId)
	f.describedIDs = append(f.describedIDs, id)
	if f.err != nil {
		return nil, f.err
	}
	if err := f.describeErr[id]; err != nil {
		return nil, err
	}
	for _, b := range slices.Concat(f.pages...) {
		if b.ID == id {
			return &mq.DescribeBrokerOutput{BrokerId: aws.String(b.ID), BrokerArn: aws.String(b.ARN), BrokerName: aws.String(b.Name),
				BrokerState: b.State, DeploymentMode: b.DeploymentMode, EngineType: b.EngineType, EngineVersion: aws.String(b.EngineVersion),
				SubnetIds: b.SubnetIDs}, nil
		}
	}
	return nil, &mqtypes.NotFoundException{Message: aws.String("broker " + id + " not found")}
}

// mqTestPages are two pages of brokers, with one being deleted and one
// whose creation failed, which are not described (the kind keeps them
// without subnets) nor judged.
func mqTestPages() [][]mqBroker {
	deleting := mqTestBroker("deleting", mqtypes.EngineTypeActivemq, mqtypes.DeploymentModeSingleInstance, "subnet-a1")
	deleting.State = mqtypes.BrokerStateDeletionInProgress
	failed := mqTestBroker("failed", mqtypes.EngineTypeRabbitmq, mqtypes.DeploymentModeSingleInstance, "subnet-a1")
	failed.State = mqtypes.BrokerStateCreationFailed
	return [][]mqBroker{
		{mqTestBroker("p1-single", mqtypes.EngineTypeActivemq, mqtypes.DeploymentModeSingleInstance, "subnet-a1"), deleting},
		{failed, mqTestBroker("p2-standby", mqtypes.EngineTypeActivemq, mqtypes.DeploymentModeActiveStandbyMultiAz, "subnet-a1", "subnet-b1")},
	}
}

// mqTestItems are the kind's items for mqTestPages: gone brokers without
// subnets (they are not described).
func mqTestItems() []mqBroker {
	items := slices.Concat(mqTestPages()...)
	for i := range items {
		if mqGone(items[i].State) {
			items[i].SubnetIDs, items[i].EngineVersion = nil, ""
		}
	}
	return items
}

func TestLoadMQBrokersReadsEveryPage(t *testing.T) {
	api := &fakeMQ{pages: mqTestPages()}
	var got []mqBroker
	if err := loadMQBrokers(context.Background(), api, func(b mqBroker) { got = append(got, b) }); err != nil {
		t.Fatal(err)
	}
	if want := mqTestItems(); !slices.EqualFunc(got, want, func(x, y mqBroker) bool {
		return x.ID == y.ID && x.ARN == y.ARN && x.Name == y.Name && x.State == y.State && x.DeploymentMode == y.DeploymentMode &&
			x.EngineType == y.EngineType && x.EngineVersion == y.EngineVersion && slices.Equal(x.SubnetIDs, y.SubnetIDs)
	}) {
		t.Errorf("read %+v\nwant %+v", got, want)
	}
	if api.listCalls != 2 || !slices.Equal(api.describedIDs, []string{"b-p1-single", "b-p2-standby"}) {
		t.Errorf("%d list calls, described %v; want 2 and the two live brokers", api.listCalls, api.describedIDs)
	}
	err := loadMQBrokers(context.Background(), &fakeMQ{err: accessDenied("ForbiddenException")}, func(mqBroker) {
		t.Error("a broker from a denied listing")
	})
	requireCode(t, err, "ForbiddenException")
}

// A broker deleted between ListBrokers and DescribeBroker is left out; a
// describe that fails otherwise fails the read, with the brokers read
// before it.
func TestLoadMQBrokersDescribeFailures(t *testing.T) {
	api := &fakeMQ{pages: mqTestPages(), describeErr: map[string]error{"b-p1-single": &mqtypes.NotFoundException{Message: aws.String("gone")}}}
	var got []string
	if err := loadMQBrokers(context.Background(), api, func(b mqBroker) { got = append(got, b.Name) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"deleting", "failed", "p2-standby"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	api = &fakeMQ{pages: mqTestPages(), describeErr: map[string]error{"b-p2-standby": accessDenied("ForbiddenException")}}
	got = nil
	requireCode(t, loadMQBrokers(context.Background(), api, func(b mqBroker) { got = append(got, b.Name) }), "ForbiddenException")
	if want := []string{"p1-single", "deleting", "failed"}; !slices.Equal(got, want) {
		t.Errorf("read %v before the failure, want %v", got, want)
	}
}

type mqWant struct {
	name string
	risk bool
}

func mqCheckFindings(t *testing.T, got []Finding, want []mqWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].CheckID != "MQ-1" || got[i].ResourceName != w.name || got[i].Risk != w.risk {
			t.Errorf("finding %d: got %s %s %v, want MQ-1 %s %v", i, got[i].CheckID, got[i].ResourceName, got[i].Risk, w.name, w.risk)
		}
	}
}

func TestAnalyseMQ(t *testing.T) {
	s := testScope()
	inventory.Put(s, mqBrokers, mqTestItems(), nil)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseMQ(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	mqCheckFindings(t, got, []mqWant{{"p1-single", true}, {"p2-standby", false}})
	if !slices.Equal(got[0].AZs, []string{"us-east-1a"}) || !slices.Equal(got[1].AZIDs, []string{"use1-az1", "use1-az2"}) {
		t.Errorf("placement: %+v", got)
	}
}

// Brokers without subnets, or only gone ones, need no subnet read (the
// subnets are not in the scope, so reading them would fail).
func TestAnalyseMQReadsSubnetsOnlyWhenNeeded(t *testing.T) {
	s := testScope()
	gone := mqTestPages()[0][1]
	inventory.Put(s, mqBrokers, []mqBroker{gone, mqTestBroker("bare", mqtypes.EngineTypeActivemq, mqtypes.DeploymentModeSingleInstance)}, nil)
	var got []Finding
	if err := analyseMQ(context.Background(), s, collect(&got)); err != nil {
		t.Fatal(err)
	}
	mqCheckFindings(t, got, []mqWant{{"bare", true}})
}

func TestAnalyseMQAccessDenied(t *testing.T) {
	s := testScope()
	inventory.Put(s, mqBrokers, nil, accessDenied("ForbiddenException"))
	var got []Finding
	requireCode(t, analyseMQ(context.Background(), s, collect(&got)), "ForbiddenException")
	if len(got) != 0 {
		t.Fatalf("findings after a denied list: %+v", got)
	}
	// A denied subnet read fails the task and judges nothing half-placed.
	s = testScope()
	inventory.Put(s, mqBrokers, mqTestItems(), nil)
	inventory.Put(s, inventory.Subnets, nil, accessDenied("UnauthorizedOperation"))
	requireCode(t, analyseMQ(context.Background(), s, collect(&got)), "UnauthorizedOperation")
	if len(got) != 0 {
		t.Fatalf("findings after a denied subnet read: %+v", got)
	}
}

func TestAnalyseMQKeepsWhatWasReadBeforeAFailure(t *testing.T) {
	s := testScope()
	throttled := errors.New("throttled on page 2")
	inventory.Put(s, mqBrokers, mqTestItems()[:2], throttled)
	inventory.Put(s, inventory.Subnets, testSubnets, nil)
	var got []Finding
	if err := analyseMQ(context.Background(), s, collect(&got)); !errors.Is(err, throttled) {
		t.Fatalf("err %v, want the listing's", err)
	}
	mqCheckFindings(t, got, []mqWant{{"p1-single", true}})
}

// Brokers are written to snapshots and read back.
func TestMQBrokersRoundTripJSON(t *testing.T) {
	in := mqTestItems()
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back []mqBroker
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(in) {
		t.Fatalf("%d brokers back, want %d", len(back), len(in))
	}
	for i := range in {
		if in[i].State != back[i].State || !slices.Equal(in[i].SubnetIDs, back[i].SubnetIDs) ||
			judgeMQBroker(in[i], testSubnetIndex()).Message != judgeMQBroker(back[i], testSubnetIndex()).Message {
			t.Errorf("broker %d changed in a round trip:\n%+v\n%+v", i, in[i], back[i])
		}
	}
}
