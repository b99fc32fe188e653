"""Purchase orders, shipments with lots, acceptance (采购订单, 配送, 验收; issue 17 layer 3)."""
