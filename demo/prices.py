"""Demo: payment standards and price monitoring on the national batch, made through the use
cases — the officer derives the standards of the executed national result (the highest selected
price of each generic, effective from its execution start), the second officer approves them; the
demo supplier lists a non-selected ibuprofen injection well above the standard; this month's
monitoring run raises its alerts into the price officers' inbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from demo.lifecycle import Stage
from demo.pipeline import officer
from listing.services import ProductInput, decide_listing, submit_listing
from paystd import services as paystd
from paystd.rules import StandardRules
from pricewatch.monitor import run_monitoring
from pricewatch.rules import month_period

NON_SELECTED = ProductInput("XL02BBA326A001010102181", "布洛芬注射液", "注射剂", "400mg", "1支/盒",
                            "鲁中示例制药有限公司", "32.0000", "non_selected")


def price_demo(session: Session, national_code: str, now: datetime) -> Stage:
    """Standards of ``national_code`` derived and approved; a non-selected product listed; this
    month monitored (alerts raised)."""
    first, second = officer(session), officer(session, "officer2")
    version = paystd.derive_standards(session, first, national_code, StandardRules(),
                                      "国家集采中选结果落地执行，按同通用名最高中选价确定医保支付标准", now)
    paystd.decide_version(session, second, version.id, True, "复核无误", now)
    product = submit_listing(session, officer(session, "supplier"),
                             ProductInput(**{**NON_SELECTED.__dict__, "vbp_batch_code": national_code}), now)
    decide_listing(session, first, product.id, True, "", now)
    month = f"{now:%Y-%m}"
    run_monitoring(session, first, month, *month_period(month), now)
    return Stage(national_code, "医保支付标准：国家第九批中选价生成、双人审核后公布；非中选布洛芬注射液按过渡期支付；"
                                "本月价格监测已产生预警", "officer · hospital")
