package analysers

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/faultline/faultline/inventory"
)

// mqAPI holds exactly the calls of the mq analyser's kind.
type mqAPI interface {
	mq.ListBrokersAPIClient
	DescribeBroker(context.Context, *mq.DescribeBrokerInput, ...func(*mq.Options)) (*mq.DescribeBrokerOutput, error)
}

var mqSingleInstance = Check{ID: "MQ-1", Severity: SeverityHigh,
	Description: "Amazon MQ broker deployed as a single instance (SINGLE_INSTANCE): one broker in one Availability Zone",
	Remediation: "Recreate the broker as ACTIVE_STANDBY_MULTI_AZ (ActiveMQ) or CLUSTER_MULTI_AZ (RabbitMQ) and move its clients to it."}

// mqBroker is what the mq rule needs of a broker: its summary from
// ListBrokers and its subnets from DescribeBroker (whose output is not
// written to snapshots as it is: it carries the call's metadata).
type mqBroker struct {
	ID, ARN, Name  string
	State          mqtypes.BrokerState
	DeploymentMode mqtypes.DeploymentMode
	EngineType     mqtypes.EngineType
	EngineVersion  string   `json:",omitempty"`
	SubnetIDs      []string `json:",omitempty"`
}

// mqBrokers are the region's brokers. Each broker that is not being deleted
// is described for its subnets; one deleted between the two calls is left
// out.
var mqBrokers = &inventory.Kind[mqBroker]{
	Name:    "mq/brokers",
	Actions: []string{"mq:DescribeBroker", "mq:ListBrokers"},
	APIs:    []reflect.Type{apiOf[mqAPI]()},
	Load: func(ctx context.Context, s *inventory.Scope, add func(mqBroker)) error {
		return loadMQBrokers(ctx, mq.NewFromConfig(s.Config()), add)
	},
}

func loadMQBrokers(ctx context.Context, api mqAPI, add func(mqBroker)) error {
	p := mq.NewListBrokersPaginator(api, &mq.ListBrokersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, sum := range page.BrokerSummaries {
			b := mqBroker{ID: aws.ToString(sum.BrokerId), ARN: aws.ToString(sum.BrokerArn), Name: aws.ToString(sum.BrokerName),
				State: sum.BrokerState, DeploymentMode: sum.DeploymentMode, EngineType: sum.EngineType}
			if mqGone(b.State) {
				add(b)
				continue
			}
			out, err := api.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: sum.BrokerId})
			var notFound *mqtypes.NotFoundException
			if errors.As(err, &notFound) {
				continue
			}
			if err != nil {
				return err
			}
			b.EngineVersion, b.SubnetIDs = aws.ToString(out.EngineVersion), out.SubnetIds
			if out.DeploymentMode != "" {
				b.DeploymentMode = out.DeploymentMode
			}
			if out.BrokerState != "" {
				b.State = out.BrokerState
			}
			if out.EngineType != "" {
				b.EngineType = out.EngineType
			}
			add(b)
		}
	}
	return nil
}

// mqGone reports brokers that are not judged: being deleted, or whose
// creation failed.
func mqGone(state mqtypes.BrokerState) bool {
	return state == mqtypes.BrokerStateDeletionInProgress || state == mqtypes.BrokerStateCreationFailed
}

var MQ = Analyser{
	Name:   "mq",
	Checks: []Check{mqSingleInstance},
	Kinds:  []inventory.Loader{mqBrokers, inventory.Subnets},
	Run:    analyseMQ,
}

// analyseMQ judges every broker read, even when the listing failed part-way
// (the error is the task's). The subnets are read only when a broker to
// judge has some; a failed subnet read fails the task before anything is
// judged, since a broker placed with missing subnets would be reported on
// subnets "not found".
func analyseMQ(ctx context.Context, s *inventory.Scope, emit Emit) error {
	brokers, listErr := mqBrokers.Items(ctx, s)
	subnets, err := subnetsFor(ctx, s, brokers, func(b mqBroker) bool { return !mqGone(b.State) && len(b.SubnetIDs) > 0 })
	if err != nil {
		return err
	}
	for _, b := range brokers {
		if mqGone(b.State) {
			continue
		}
		emit(judgeMQBroker(b, subnets))
	}
	return listErr
}

// mqEngineName is the engine as a message says it.
func mqEngineName(e mqtypes.EngineType) string {
	switch mqtypes.EngineType(strings.ToUpper(string(e))) {
	case mqtypes.EngineTypeActivemq:
		return "ActiveMQ"
	case mqtypes.EngineTypeRabbitmq:
		return "RabbitMQ"
	}
	return string(e)
}

// judgeMQBroker judges a broker by its deployment mode: SINGLE_INSTANCE is
// one broker in one AZ; ACTIVE_STANDBY_MULTI_AZ (ActiveMQ) and
// CLUSTER_MULTI_AZ (RabbitMQ) keep serving through the loss of a zone. A
// mode this rule does not know is judged by its subnets' AZs.
func judgeMQBroker(b mqBroker, subnets map[string]inventory.Subnet) Finding {
	label := "Amazon MQ broker " + b.Name
	if e := mqEngineName(b.EngineType); e != "" {
		label += " (" + e + ")"
	}
	place := placeSubnets(b.SubnetIDs, subnets)
	where := mqWhere(b.SubnetIDs, place)
	var f Finding
	switch b.DeploymentMode {
	case mqtypes.DeploymentModeSingleInstance:
		fix := "ACTIVE_STANDBY_MULTI_AZ (ActiveMQ) or CLUSTER_MULTI_AZ (RabbitMQ)"
		switch mqtypes.EngineType(strings.ToUpper(string(b.EngineType))) {
		case mqtypes.EngineTypeActivemq:
			fix = "ACTIVE_STANDBY_MULTI_AZ"
		case mqtypes.EngineTypeRabbitmq:
			fix = "CLUSTER_MULTI_AZ"
		}
		f = finding(mqSingleInstance, true, fmt.Sprintf(
			"%s is a single-instance broker (SINGLE_INSTANCE) %s: an outage of that zone stops it and its clients' messaging; a %s broker keeps serving from another zone.",
			label, where, fix))
	case mqtypes.DeploymentModeActiveStandbyMultiAz:
		f = finding(mqSingleInstance, false, fmt.Sprintf(
			"%s is an active/standby broker (ACTIVE_STANDBY_MULTI_AZ) %s: the standby takes over if the active broker's zone fails.", label, where))
	case mqtypes.DeploymentModeClusterMultiAz:
		f = finding(mqSingleInstance, false, fmt.Sprintf(
			"%s is a cluster broker (CLUSTER_MULTI_AZ) %s, so it keeps serving if one zone fails.", label, where))
	default:
		mode := string(b.DeploymentMode)
		if mode == "" {
			mode = "not reported"
		}
		risk := len(place.AZs) < 2
		verdict := "so it is taken as multi-AZ"
		if risk {
			verdict = "so it is not shown to survive the loss of a zone"
		}
		f = finding(mqSingleInstance, risk, fmt.Sprintf("%s has deployment mode %s and runs %s, %s.", label, mode, where, verdict))
	}
	f.AZs, f.AZIDs = place.AZs, place.AZIDs
	f.ResourceType = "AWS::AmazonMQ::Broker"
	f.ResourceARN = b.ARN
	f.ResourceName = b.Name
	f.ResourceID = b.ID
	f.Engine = mqEngineName(b.EngineType)
	return f
}

// mqWhere says where a broker's subnets are: "in us-east-1a", "across 2
// Availability Zones (us-east-1a, us-east-1b)", with the subnets that could
// not be found.
func mqWhere(ids []string, place Placement) string {
	var where string
	switch len(place.AZs) {
	case 0:
		where = "in an Availability Zone that is not known"
		if len(distinct(ids...)) == 0 {
			return where + " (it lists no subnets)"
		}
	case 1:
		where = "in " + place.AZs[0]
	default:
		where = fmt.Sprintf("across %d Availability Zones (%s)", len(place.AZs), list(place.AZs))
	}
	if len(place.Unknown) > 0 {
		where += fmt.Sprintf(" (%s not found: %s)", plural(len(place.Unknown), "subnet"), list(place.Unknown))
	}
	return where
}
