#!/usr/bin/env python3
"""Start moto_server with the few response fixes aws-sdk-go-v2 needs.

moto 5.2.1 serialises some timestamps as ISO strings where the AWS JSON
protocol sends epoch seconds, and Direct Connect's hasLogicalRedundancy as a
bool where the model has an enum string. boto3 tolerates both; the Go SDK
fails with "deserialization failed". We patch the models' to_dict methods:

  dms        ReplicationInstance / ReplicationTask timestamps
  dx         Connection / LAG hasLogicalRedundancy, loaIssueTime
  cloudhsmv2 Cluster / Backup timestamps
  ecs        a task's containers' cpu and memory, numbers where the model
             has strings (RunTask, DescribeTasks)

Usage is moto_server's:  python3 moto_server_go.py -H 127.0.0.1 -p 5000
"""
import datetime
import functools

from moto.cloudhsmv2 import models as cloudhsmv2_models
from moto.directconnect import models as directconnect_models
from moto.dms import models as dms_models
from moto.ecs import models as ecs_models
from moto.server import main


def to_epoch(value):
    """ISO or 'YYYY-MM-DD HH:MM:SS' string (or datetime) -> epoch seconds."""
    if value is None or isinstance(value, (int, float)):
        return value
    if not isinstance(value, datetime.datetime):
        text = str(value).replace("Z", "+00:00")
        try:
            value = datetime.datetime.fromisoformat(text)
        except ValueError:
            value = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()


def redundancy_as_enum(out):
    flag = out.get("hasLogicalRedundancy")
    if isinstance(flag, bool):
        out["hasLogicalRedundancy"] = "yes" if flag else "no"


def fix_to_dict(cls, timestamp_fields, also=None):
    original = cls.to_dict

    @functools.wraps(original)
    def to_dict(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        for field in timestamp_fields:
            if field in out:
                out[field] = to_epoch(out[field])
        if also is not None:
            also(out)
        return out

    cls.to_dict = to_dict


fix_to_dict(dms_models.FakeReplicationInstance, ["InstanceCreateTime", "FreeUntil"])
fix_to_dict(dms_models.FakeReplicationTask,
            ["ReplicationTaskCreationDate", "ReplicationTaskStartDate", "StopDate"])
fix_to_dict(directconnect_models.Connection, ["loaIssueTime"], redundancy_as_enum)
fix_to_dict(directconnect_models.LAG, [], redundancy_as_enum)
fix_to_dict(cloudhsmv2_models.Cluster, ["CreateTimestamp"])
fix_to_dict(cloudhsmv2_models.Backup, ["CreateTimestamp", "CopyTimestamp", "DeleteTimestamp"])


def fix_ecs_container():
    original = ecs_models.Container.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        for field in ("cpu", "memory"):
            value = getattr(self, field, None)
            if isinstance(value, int):
                setattr(self, field, str(value))

    ecs_models.Container.__init__ = __init__


fix_ecs_container()

if __name__ == "__main__":
    main()
