"""Rule settings as people meet them: every rule has a labelled setting; values read with
units (percent for ratios); the form reads back what it shows; refusals name the field."""

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from procurement import rule_fields
from procurement.rule_settings import BY_NAME, SETTINGS
from procurement.rules import BatchRules, RuleError, merged_rules


def tr(text, **params):
    return text % params if params else text


def _form(rules: BatchRules) -> MultiDict:
    """The form as the page renders it for these rules, submitted unchanged."""
    data = MultiDict()
    for name, v in rule_fields.control_values(rules).items():
        kind = BY_NAME[name].kind
        if kind == "bool":
            data.add(f"rule.{name}.shown", "1")
            if v["checked"]:
                data.add(f"rule.{name}", "y")
        elif "rows" in v:
            for i, (k, val) in enumerate(v["rows"]):
                data.add(f"rule.{name}.k.{i}", k)
                data.add(f"rule.{name}.v.{i}", val)
            if kind == "max_winners":
                data.add("rule.max_winners.mode", v["mode"])
                data.add("rule.max_winners.minus", v["minus"])
                data.add("rule.max_winners.cap", v["cap"])
        else:
            data.add(f"rule.{name}", v["value"])
    return data


def test_every_rule_has_exactly_one_setting_with_label_and_help():
    assert [s.name for s in SETTINGS] == list(BatchRules.model_fields)
    assert all(s.label and s.help and s.kind for s in SETTINGS)


def test_values_read_with_their_units():
    rules = BatchRules()
    shown = {row.setting.name: row.value for _g, rows in rule_fields.display_groups(rules, tr) for row in rows}
    assert shown["half_mean_k"] == "50 %" and shown["fuse_multiple"] == "1.8×"
    assert shown["publicity_days"] == "3 days" and shown["backup"] == "No"
    assert shown["anchor"] == "Lowest valid bid"
    assert shown["agreed_ratio"] == "1 winners: 50 %; 2 winners: 60 %; 3 winners: 70 %; ≥ 4 winners: 80 %"
    assert shown["max_winners"].startswith("N − 2") and "at most 10" in shown["max_winners"]
    assert shown["max_share"] == "Not applied" and shown["gap"] == "0.01 %"
    assert shown["retention_tiers"].startswith("above 80 points: 50 %")


def test_the_unchanged_form_changes_nothing():
    rules = merged_rules(BatchRules(), {"max_winners": {"table": {"6": 3, "7": 4, "16": 10}, "cap": 10},
                                        "gradient": {"2": ["0.6"], "3": ["0.6", "0.24"]}, "max_share": "0.7"})
    values, errors = rule_fields.read_form(_form(rules))
    assert errors == {} and rule_fields.changes(rules, values) == {}


def test_percent_entered_is_stored_as_a_ratio_and_tables_read_back():
    form = _form(BatchRules())
    form["rule.half_mean_k"] = "60"
    form["rule.agreed_ratio.v.0"] = "55 %"
    form["rule.max_winners.mode"] = "table"
    form["rule.max_winners.k.0"], form["rule.max_winners.v.0"] = "6", "3"
    values, errors = rule_fields.read_form(form)
    changes = rule_fields.changes(BatchRules(), values)
    assert errors == {}
    new = merged_rules(BatchRules(), changes)
    assert new.half_mean_k == Decimal("0.6") and new.agreed_ratio[1] == Decimal("0.55")
    assert new.max_winners.table == {6: 3} and new.max_winners.minus is None
    assert set(changes) == {"half_mean_k", "agreed_ratio", "max_winners"}


def test_unreadable_cells_are_named_per_setting():
    form = _form(BatchRules())
    form["rule.fuse_multiple"] = "abc"
    form["rule.publicity_days"] = "2.5"
    form["rule.contract_years.k.1"] = ""
    form["rule.max_winners.mode"] = "table"
    _values, errors = rule_fields.read_form(form)
    assert errors == {"fuse_multiple": "Enter a number.", "publicity_days": "Enter a whole number.",
                      "contract_years": "Fill in both cells of every row, or leave the row empty.",
                      "max_winners": "Give at least one row."}


@pytest.mark.parametrize(("change", "field", "text"), [
    ({"publicity_days": 0}, "publicity_days", "Must be at least 1 days."),
    ({"half_mean_k": "1.5"}, "half_mean_k", "Must be at most 100 %."),
    ({"apply_by_day": 9}, "apply_by_day", "The days must come in order"),
    ({"agreed_ratio": {"2": "0.5"}}, "agreed_ratio", "Give a ratio for 1 winner"),
])
def test_refusals_are_worded_on_their_setting(change, field, text):
    with pytest.raises(RuleError) as refused:
        rule_fields.changes(BatchRules(), change)
    name, message = rule_fields.refusal(refused.value, tr)
    assert name == field and message.startswith(text)
