"""The JSON contract: good input, infeasible items, malformed input with field paths."""

import copy
import io
import json

import pytest

from optimizer.jsonio import InputError, main, parse_instance, run_json_file

GOOD = {
    "rules": {
        "fuse_multiple": "1.8", "anchor": "lowest", "reduction_safe_harbour": "0.5",
        "absolute_safe_harbour": None, "max_winners": {"minus": 2, "cap": 10},
        "agreed_ratio": {"1": "0.5", "2": "0.6", "3": "0.7", "4": "0.8"},
        "min_regions_per_winner": 1, "max_share": None, "backup": True,
    },
    "items": [{
        "code": "X01", "max_valid_price": "0.5000",
        "regions": [{"code": "110000", "demand": 1200000}, {"code": "120000", "demand": 800000}],
        "bids": [
            {"supplier": "S01", "ucp": "0.1234", "capacity": 5000000, "submitted_at": "2026-11-02T09:00:00+08:00",
             "tiers": [{"min_volume": 1000000, "ucp": "0.1100"}]},
            {"supplier": "S02", "ucp": "0.1300", "capacity": 5000000, "submitted_at": "2026-11-02T09:05:00+08:00"},
            {"supplier": "S03", "ucp": "0.1400", "capacity": 5000000, "submitted_at": "2026-11-02T09:05:00+08:00"},
            {"supplier": "S07", "ucp": "0.4900", "capacity": 5000000, "submitted_at": "2026-11-02T09:05:00+08:00"},
        ],
    }],
}


def run(doc, tmp_path, raw=None):
    """Write the document, run the entry, return (code, stdout, stderr)."""
    path = tmp_path / "instance.json"
    path.write_text(raw if raw is not None else json.dumps(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run_json_file(str(path), out, err)
    return code, out.getvalue(), err.getvalue()


def test_good_input_prints_the_result(tmp_path):
    code, out, err = run(GOOD, tmp_path)
    assert (code, err) == (0, "")
    res = json.loads(out)["items"][0]
    assert res["status"] == "optimal" and res["gap"] == 0.0
    # N = 4 valid → 2 winners → 60 %: 720000 + 480000; S01 stays below its 1,000,000 tier
    assert res["agreed_volume"] == 1200000
    assert {w["supplier"]: w["volume"] for w in res["winners"]} == {"S01": 720000, "S02": 480000}
    assert res["objective"] == "151248.00"  # 720000 × 0.1234 + 480000 × 0.13
    s01 = res["winners"][0]
    assert s01["ucp"] == "0.1234" and s01["tier_min_volume"] is None and s01["backup_regions"] == ["120000"]
    outcomes = {o["supplier"]: o["reason"] for o in res["outcomes"]}
    assert outcomes == {"S01": "won", "S02": "won", "S03": "winner_limit", "S07": "price_spread"}
    assert isinstance(res["baseline_objective"], str) and isinstance(res["saving"], str)


def test_infeasible_item_still_exits_zero(tmp_path):
    doc = copy.deepcopy(GOOD)
    for b in doc["items"][0]["bids"]:
        b["capacity"] = 1
    code, out, _ = run(doc, tmp_path)
    res = json.loads(out)["items"][0]
    assert code == 0 and res["status"] == "infeasible" and res["reason"].startswith("capacity")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["items"][0]["bids"][1].__setitem__("ucp", 0.13), "items[0].bids[1].ucp: expected a decimal string"),
        (lambda d: d["items"][0]["bids"][1].__setitem__("ucp", "0.12345"), "items[0].bids[1].ucp: at most 4 decimal places"),
        (lambda d: d["items"][0]["bids"][1].__setitem__("ucp", "abc"), "items[0].bids[1].ucp: not a decimal number"),
        (lambda d: d["items"][0]["bids"][2].pop("capacity"), "items[0].bids[2].capacity: missing field"),
        (lambda d: d["items"][0]["bids"][0].__setitem__("submitted_at", "2026-11-02T09:00:00"), "needs a UTC offset"),
        (lambda d: d["items"][0]["regions"][1].__setitem__("demand", 1.5), "items[0].regions[1].demand: expected a whole number"),
        (lambda d: d["items"][0]["regions"][1].__setitem__("demand", -3), "must be ≥ 0"),
        (lambda d: d["items"][0]["regions"][1].__setitem__("code", "110000"), "items[0].regions[1]: duplicate region"),
        (lambda d: d["items"][0]["bids"][1].__setitem__("supplier", "S01"), "items[0].bids[1]: duplicate supplier"),
        (lambda d: d["items"][0]["bids"][0]["tiers"].append({"min_volume": 2000000, "ucp": "0.1200"}), "more volume must never raise"),
        (lambda d: d["rules"].__setitem__("anchor", "mean"), "rules.anchor"),
        (lambda d: d["rules"].__setitem__("fuse_multipel", "1.8"), "rules.fuse_multipel: unknown field"),
        (lambda d: d["rules"].__setitem__("max_winners", {"minus": 2, "table": {"6": 3}, "cap": 10}), "exactly one of"),
        (lambda d: d["rules"]["agreed_ratio"].__setitem__("x", "0.5"), "rules.agreed_ratio.x"),
        (lambda d: d["rules"].__setitem__("max_share", "1.5"), "rules.max_share: must be ≤ 1"),
        (lambda d: d.pop("items"), "items: missing field"),
        (lambda d: d.__setitem__("items", {}), "items: expected an array"),
    ],
)
def test_malformed_input_names_the_field_and_exits_two(tmp_path, mutate, message):
    doc = copy.deepcopy(GOOD)
    mutate(doc)
    code, out, err = run(doc, tmp_path)
    assert code == 2 and out == ""
    assert message in err


def test_not_json_and_missing_file(tmp_path):
    code, _, err = run(None, tmp_path, raw="{not json")
    assert code == 2 and "not valid JSON" in err
    out, err2 = io.StringIO(), io.StringIO()
    assert run_json_file(str(tmp_path / "missing.json"), out, err2) == 2
    assert "cannot read" in err2.getvalue()


def test_eleventh_batch_table_and_gradient_parse():
    doc = copy.deepcopy(GOOD)
    doc["rules"]["max_winners"] = {"table": {"6": 3, "7": 4}, "cap": 10}
    doc["rules"]["gradient"] = {"2": ["0.6"], "3": ["0.6", "0.24"]}
    doc["rules"]["anchor"] = "half_mean"
    inst = parse_instance(doc)
    assert inst.rules.max_winners.table == ((6, 3), (7, 4))
    assert inst.rules.gradient[1][0] == 3
    with pytest.raises(InputError) as exc:
        parse_instance({"rules": {}, "items": [{"code": "X"}]})
    assert exc.value.path == "items[0].bids"


def test_main_usage_and_clearing_flag(tmp_path, capsys):
    assert main([]) == 2
    path = tmp_path / "i.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    assert main([str(path), "--clearing"]) == 0
    res = json.loads(capsys.readouterr().out)["items"][0]
    assert len(res["clearing"]["sha256"]) == 64 and "capacity_S01" in res["clearing"]["lp"]
