"""The meeting scheduler's engine: pure Python, no Django import (architecture rule 6).

``parse_instance`` reads the contract's input JSON into an ``Instance``; ``schedule`` places
the accepted meetings in slots and at tables and returns a ``Result``; ``validate`` checks a
result independently of the scheduler; ``result_to_json`` writes the contract's output.
"""

from citycoop.matchmaking.engine.instance import (
    Instance,
    InstanceError,
    Meeting,
    Participant,
    Placement,
    Result,
    Stats,
    Unplaced,
    parse_instance,
    result_to_json,
)
from citycoop.matchmaking.engine.scheduling import schedule
from citycoop.matchmaking.engine.validate import validate

__all__ = [
    "Instance",
    "InstanceError",
    "Meeting",
    "Participant",
    "Placement",
    "Result",
    "Stats",
    "Unplaced",
    "parse_instance",
    "result_to_json",
    "schedule",
    "validate",
]
