"""Winner determination and allocation optimizer (pure library: PuLP + standard library).

Frozen dataclasses in (``optimizer.model``), a result dataclass out. Entry points:

* ``solve_item(item, rules, record=False) -> ItemResult``
* ``solve_instance(instance, workers=1, record=False) -> InstanceResult``
* ``optimizer.jsonio.run_json_file(path, stdout, stderr) -> int`` (the JSON contract)
"""

from optimizer.evaluate import solve_instance, solve_item
from optimizer.model import (
    Anchor,
    Bid,
    Instance,
    InstanceResult,
    Item,
    ItemResult,
    MaxWinners,
    Outcome,
    Reason,
    Region,
    Rules,
    Status,
    Tier,
    WinnerAward,
)

__all__ = [
    "Anchor",
    "Bid",
    "Instance",
    "InstanceResult",
    "Item",
    "ItemResult",
    "MaxWinners",
    "Outcome",
    "Reason",
    "Region",
    "Rules",
    "Status",
    "Tier",
    "WinnerAward",
    "solve_instance",
    "solve_item",
]
