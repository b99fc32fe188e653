"""Whole instances: items independent, parallel equals sequential."""

from decimal import Decimal

from optimizer import Instance, solve_instance
from optimizer.evaluate import total_objective
from tests.optimizer import bid, item, rules


def test_parallel_and_sequential_agree_item_by_item():
    items = tuple(
        item([bid("A", "0.10", 100 + k), bid("B", "0.20")], [("r1", 60), ("r2", 50), ("r3", 40)], code=f"X{k}")
        for k in range(4)
    )
    inst = Instance(rules(), items)
    one = solve_instance(inst)
    two = solve_instance(inst, workers=2)
    assert [i.code for i in two.items] == ["X0", "X1", "X2", "X3"]
    assert [i.objective for i in one.items] == [i.objective for i in two.items]
    assert total_objective(one) == Decimal("80.00")
