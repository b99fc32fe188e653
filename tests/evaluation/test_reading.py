"""The reader's view of a result: anchor, thresholds, one sentence per bid, constraints in words.

Real solves on tiny hand-checkable instances (no database), then one through the services."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from evaluation.reading import Names, gap_percent, read_item, status_sentence
from optimizer import Anchor, Bid, Item, MaxWinners, Region, Rules, solve_item
from optimizer.clearing import canonical_snapshot
from optimizer.encode import item_result_to_json

AT = datetime(2099, 1, 1, tzinfo=UTC)
NAMES = Names({"S1": "齐鲁制药", "S2": "华海药业", "S3": "石药集团", "S4": "扬子江药业"},
              {"370100": "济南市", "370200": "青岛市"})


def _read(rules: Rules, bids: list[tuple[str, str]], regions=(("370100", 1000), ("370200", 3000))):
    item = Item("YP001", Decimal("2.0000"), tuple(Region(c, d) for c, d in regions),
                tuple(Bid(s, Decimal(p), 100_000, AT) for s, p in bids))
    result = solve_item(item, rules)
    doc = item_result_to_json(result)
    return doc, read_item(doc, canonical_snapshot(rules, item), "片", NAMES)


def test_every_bid_gets_its_reason_with_the_anchor_and_the_thresholds():
    rules = Rules(max_winners=MaxWinners(minus=0), min_regions_per_winner=1)
    doc, reading = _read(rules, [("S1", "0.6000"), ("S2", "0.9000"), ("S3", "1.2000"), ("S4", "2.5000")])
    assert reading.anchor == Decimal("0.6000") and reading.max_valid_price == Decimal("2.0000")
    assert "齐鲁制药" in reading.anchor_sentence and "¥0.6000" in reading.anchor_sentence
    lines = {t.label: t.value for t in reading.thresholds}
    assert lines["1.8 × anchor price"] == Decimal("1.0800") and lines["50% of the maximum valid price"] == Decimal("1.0000")
    by = {b.supplier: b for b in reading.bids}
    assert by["S1"].name == "齐鲁制药" and by["S1"].won and by["S2"].won
    won_regions = {by["S1"].regions, by["S2"].regions}
    assert won_regions == {("济南市",), ("青岛市",)}  # one region each: two winners, two regions
    assert by["S1"].sentence.startswith("Bid ¥0.6000 per 片, not above 1.8 × the anchor price ¥0.6000 (¥1.0800): won, supplying ")
    assert by["S3"].sentence == ("Bid ¥1.2000 per 片, above 1.8 × the anchor price ¥0.6000 (¥1.0800) and above 50% of "
                                 "the maximum valid price (¥1.0000) and above the absolute price floor ¥0.1000: not a winner.")
    assert by["S4"].sentence == "Bid ¥2.5000 per 片, above the maximum valid price ¥2.0000: invalid, not a winner."
    assert not by["S3"].won and by["S3"].reason == "price_spread" and by["S4"].reason == "above_max_price"
    # both winners hold exactly the minimum one region: the optimizer's min_regions_S1/S2, in words
    assert {b["name"] for b in doc["binding"]} >= {"min_regions_S1", "min_regions_S2"}
    assert "齐鲁制药 is assigned the minimum of 1 region(s) per winner." in reading.binding
    assert not any("min_regions_" in s or "S1" in s for s in reading.binding)


def test_a_bid_beyond_the_winner_limit_says_how_many_may_win():
    doc, reading = _read(Rules(), [("S1", "0.6000"), ("S2", "0.7000")])  # 2 valid → max(2 − 2, 1) = 1 winner
    lost = next(b for b in reading.bids if b.supplier == "S2")
    assert lost.sentence == ("Bid ¥0.7000 per 片 passes the price test but ranks 2 of 2 valid bids; with 2 valid bids "
                             "at most 1 may win: not a winner.")
    assert reading.winner_limit == 1 and reading.valid_count == 2


def test_a_safe_harbour_win_names_the_harbour():
    # S2 at ¥1.9 fails 1.8 × ¥1.0 but is within 50% of a ¥4 maximum valid price
    rules = Rules(max_winners=MaxWinners(minus=0))
    item = Item("YP001", Decimal("4.0000"), (Region("370100", 10), Region("370200", 10)),
                (Bid("S1", Decimal("1.0000"), 100, AT), Bid("S2", Decimal("1.9000"), 100, AT)))
    doc = item_result_to_json(solve_item(item, rules))
    reading = read_item(json.loads(json.dumps(doc)), canonical_snapshot(rules, item), "支", NAMES)
    s2 = next(b for b in reading.bids if b.supplier == "S2")
    assert s2.won and "but not above 50% of the maximum valid price (¥2.0000): won" in s2.sentence


def test_half_mean_anchor_explains_its_derivation():
    rules = Rules(anchor=Anchor.HALF_MEAN, max_winners=MaxWinners(minus=0))
    _doc, reading = _read(rules, [("S1", "0.2000"), ("S2", "1.0000")])
    # max(0.2, 0.5 × 0.6) = 0.3
    assert reading.anchor == Decimal("0.3000")
    assert "0.5 × the mean of the 2 valid bids ¥0.6000" in reading.anchor_sentence


def test_solver_status_and_gap_in_words():
    assert gap_percent(3.2224176440782143e-07) == "0.000032%"
    assert gap_percent(0.0123) == "1.2%"
    assert status_sentence("optimal", 0.0, str) == "Optimal solution (proven optimal)."
    assert "0.000032%" in status_sentence("optimal", 3.2224176440782143e-07, str)
    assert "e-" not in status_sentence("optimal", 3.2224176440782143e-07, str)


def test_run_page_and_workbooks_speak_names_and_reasons(app, client, db, session, world, ring):
    import io

    from openpyxl import load_workbook

    from accounts.roles import Role
    from evaluation import services
    from tests.conftest import login
    from tests.evaluation.fixtures import OPENING, opened_batch

    code = opened_batch(session, world, ring)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    run = services.request_evaluation(session, officer, code, OPENING).value
    session.close()
    services.claim_and_run(db, run.id, officer)
    login(client, world.username("A", Role.PRICE_OFFICER))
    page = client.get(f"/batches/{code}/evaluations/1").get_data(as_text=True)
    # B bids ¥0.13, A ¥0.14; 2 valid bids → 1 winner, B, supplying both cities of province A
    assert "锚点价 ¥0.1300：最低有效单位可比价，由B supplier报出。" in page
    assert "锚点价的 1.8 倍" in page and "¥0.2340" in page  # 1.8 × ¥0.13
    assert "报价 ¥0.1300/片，不高于锚点价 ¥0.1300 的 1.8 倍（¥0.2340），中选，分配" in page
    assert "A-city-1" in page and "A-city-2" in page and "370100" not in page
    assert "最多 1 家中选，不中选。" in page
    assert "gap" not in page and "min_regions_" not in page and "e-0" not in page
    for path in (f"/batches/{code}/evaluations/1/evaluation.xlsx", f"/batches/{code}/review.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        wb = load_workbook(io.BytesIO(response.data))
        bids = list(wb["报价与结果"].iter_rows(min_row=2, values_only=True))
        won = next(r for r in bids if r[3] == "B supplier")
        assert won[5] == 0.13 and isinstance(won[10], int) and won[12] == 260  # numbers, not text
        assert wb["报价与结果"].cell(row=2, column=6).number_format == '"¥"#,##0.0000'
        assert "中选，分配" in won[7] and "A-city-1" in won[8]
        items = {r[0]: r for r in wb["品种"].iter_rows(min_row=2, values_only=True)}
        assert items["YP101"][5] == 0.13 and items["YP101"][6] == 0.234
    login(client, world.username("A", Role.SUPPLIER_REP))
    assert client.get(f"/batches/{code}/evaluations/1/evaluation.xlsx").status_code == 403
