"""The demo: Shandong province with its cities, ~200 hospitals, ~30 suppliers, one account per
role, a catalog of real generic drugs from past national batches, and a batch in demand
collection. Production code never refers to any of this."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from accounts import services as accounts
from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.roles import OrgKind, Role
from bidding.keys import KeyRing
from core.clock import utcnow
from core.db import Database
from core.money import parse_price_e4
from demo import lifecycle, national, pipeline, prices, supply
from demo.listed import list_demo_products
from procurement import services as procurement
from procurement.models import Region
from procurement.regions import ensure_default_regions

DEMO_PASSWORD = "jicai-demo-2026"
PROVINCE = ("370000", "山东省")
CITIES = (
    ("370100", "济南市"), ("370200", "青岛市"), ("370300", "淄博市"), ("370400", "枣庄市"),
    ("370500", "东营市"), ("370600", "烟台市"), ("370700", "潍坊市"), ("370800", "济宁市"),
    ("370900", "泰安市"), ("371000", "威海市"), ("371100", "日照市"), ("371300", "临沂市"),
    ("371400", "德州市"), ("371500", "聊城市"), ("371600", "滨州市"), ("371700", "菏泽市"),
)
LEVELS = ("三级甲等", "三级乙等", "二级甲等", "二级乙等", "一级")
HOSPITAL_NAMES = ("人民医院", "中心医院", "中医医院", "第二人民医院", "妇幼保健院", "第三人民医院",
                  "骨科医院", "肿瘤医院", "传染病医院", "精神卫生中心", "口腔医院", "儿童医院", "眼科医院")

#: (code, generic name, dosage form, strength, unit, minimal unit, pack, max valid ¥/unit, previous ¥/unit)
DRUGS = (
    ("YP001", "阿托伐他汀钙片", "片剂", "20", "mg", "片", 7, "0.5000", "3.5000"),
    ("YP002", "瑞舒伐他汀钙片", "片剂", "10", "mg", "片", 7, "0.4000", "2.7000"),
    ("YP003", "苯磺酸氨氯地平片", "片剂", "5", "mg", "片", 7, "0.3000", "2.1000"),
    ("YP004", "二甲双胍缓释片", "缓释片", "0.5", "g", "片", 30, "0.2000", "0.8000"),
    ("YP005", "厄贝沙坦片", "片剂", "150", "mg", "片", 7, "0.4000", "2.2000"),
    ("YP006", "硫酸氢氯吡格雷片", "片剂", "75", "mg", "片", 7, "1.5000", "7.2000"),
    ("YP007", "恩替卡韦分散片", "分散片", "0.5", "mg", "片", 7, "1.0000", "12.0000"),
    ("YP008", "蒙脱石散", "散剂", "3", "g", "袋", 10, "0.6000", "1.2000"),
    ("YP009", "阿莫西林胶囊", "胶囊剂", "0.25", "g", "粒", 24, "0.1000", "0.3500"),
    ("YP010", "头孢呋辛酯片", "片剂", "0.25", "g", "片", 12, "0.6000", "1.8000"),
    ("YP011", "奥美拉唑肠溶胶囊", "肠溶胶囊", "20", "mg", "粒", 14, "0.5000", "2.5000"),
    ("YP012", "左氧氟沙星片", "片剂", "0.5", "g", "片", 4, "1.0000", "4.0000"),
    ("YP013", "缬沙坦胶囊", "胶囊剂", "80", "mg", "粒", 7, "0.5000", "2.6000"),
    ("YP014", "格列美脲片", "片剂", "2", "mg", "片", 30, "0.3000", "1.9000"),
    ("YP015", "阿卡波糖片", "片剂", "50", "mg", "片", 30, "0.4000", "1.6000"),
    ("YP016", "坎地沙坦酯片", "片剂", "8", "mg", "片", 14, "0.6000", "3.1000"),
    ("YP017", "吉非替尼片", "片剂", "250", "mg", "片", 10, "120.0000", "228.0000"),
    ("YP018", "孟鲁司特钠片", "片剂", "10", "mg", "片", 5, "2.0000", "5.8000"),
    ("YP019", "注射用头孢曲松钠", "注射剂", "1", "g", "支", 1, "2.5000", "8.0000"),
    ("YP020", "布洛芬缓释胶囊", "缓释胶囊", "0.3", "g", "粒", 20, "0.2000", "0.5000"),
)
SUPPLIER_STEMS = ("齐鲁", "华海", "石药", "扬子江", "正大天晴", "京新", "信立泰", "恒瑞", "科伦",
                  "海正", "乐普", "豪森", "普利", "华东", "人福", "先声", "天士力", "步长", "康恩贝",
                  "新华", "鲁南", "瑞阳", "辰欣", "罗欣", "绿叶", "丽珠", "健康元", "白云山", "复星", "华润")


@dataclass
class SeedResult:
    """What the seed did and the logins it prints."""

    created: bool
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    stages: list[lifecycle.Stage] = field(default_factory=list)


def _cnaps(rng: random.Random) -> str:
    """A plausible 12-digit CNAPS bank code."""
    return "".join(str(rng.randint(0, 9)) for _ in range(12))


def seed_demo(session: Session, *, hospitals: int = 200, suppliers: int = 30,
              keyring: KeyRing | None = None, db: Database | None = None) -> SeedResult:
    """Load the demo once; a second call changes nothing. With a keyring, a second batch is
    taken through demand and bidding to the opening, ready for evaluation, and a third is in
    bidding; with the database too (evaluations run in their own transactions), batches under
    review, under publicity and in execution with settled months follow (``demo.lifecycle``)."""
    ensure_default_regions(session)
    if session.exec(select(User).where(User.username == "admin")).first():
        return SeedResult(False, _logins(session))
    rng = random.Random(2026)
    for code, name in CITIES:
        session.add(Region(code=code, name=name, parent_code=PROVINCE[0], level="city"))
    session.flush()

    org = lambda **kw: accounts.create_organisation(session, None, commit=False, **kw)  # noqa: E731
    bureau = org(code="MB370000", name="山东省医疗保障局", kind=OrgKind.BUREAU, region_code=PROVINCE[0])
    fund = org(code="JB370000", name="山东省医疗保险事业中心", kind=OrgKind.FUND, region_code=PROVINCE[0],
               bank_name="中国工商银行济南分行", bank_cnaps="102451000010", bank_account="1602000119200012345")
    hosp = []
    for i in range(hospitals):
        city_code, city = CITIES[i % len(CITIES)]
        n = i // len(CITIES)
        name = f"{city}{HOSPITAL_NAMES[n % len(HOSPITAL_NAMES)]}" + (f"（{n // len(HOSPITAL_NAMES) + 1}院区）" if n >= len(HOSPITAL_NAMES) else "")
        hosp.append(org(code=f"H{city_code}{i:04d}", name=name, kind=OrgKind.HOSPITAL, region_code=city_code,
                        level=LEVELS[min(n, len(LEVELS) - 1)] if n < 3 else rng.choice(LEVELS)))
    supp = []
    for i in range(suppliers):
        stem = SUPPLIER_STEMS[i % len(SUPPLIER_STEMS)]
        supp.append(org(code=f"S{i + 1:04d}", name=f"{stem}制药股份有限公司", kind=OrgKind.SUPPLIER,
                        region_code=rng.choice(CITIES)[0], bank_name="中国银行", bank_cnaps=_cnaps(rng),
                        bank_account=f"{rng.randint(10**17, 10**18 - 1)}"))
    people = [
        ("admin", "系统管理员", Role.ADMIN, bureau), ("admin2", "孙管理", Role.ADMIN, bureau),
        ("officer", "王价格", Role.PRICE_OFFICER, bureau),
        ("officer2", "李审核", Role.PRICE_OFFICER, bureau), ("settle", "赵结算", Role.SETTLEMENT_OFFICER, fund),
        ("settle2", "钱复核", Role.SETTLEMENT_OFFICER, fund), ("hospital", "张采购", Role.HOSPITAL_BUYER, hosp[0]),
        ("supplier", "陈申报", Role.SUPPLIER_REP, supp[0]),
        ("distributor", "周配送", Role.DISTRIBUTOR_REP, org(code="D0001", name="山东示例医药物流有限公司",
                                                         kind=OrgKind.DISTRIBUTOR, region_code=CITIES[0][0])),
    ]
    for username, display, role, o in people:
        accounts.create_user(session, None, username=username, display_name=display, password=DEMO_PASSWORD,
                             role=role, org_id=o.id, commit=False)
    for row in DRUGS:
        code, name, form, strength, unit, minimal, pack, _mx, _prev = row
        procurement.create_item(session, None, commit=False, code=code, kind="drug", generic_name=name,
                                dosage_form=form, rep_strength=Decimal(strength), strength_unit=unit,
                                minimal_unit=minimal, rep_units_per_pack=pack, consistency_evaluated=True)
    for code, name, form, strength, unit, minimal, pack in national.ITEMS:
        procurement.create_item(session, None, commit=False, code=code, kind="drug", generic_name=name,
                                dosage_form=form, rep_strength=Decimal(strength), strength_unit=unit,
                                minimal_unit=minimal, rep_units_per_pack=pack, consistency_evaluated=True)
    procurement.create_item(session, None, commit=False, code="HC001", kind="consumable",
                            generic_name="药物洗脱冠脉支架", minimal_unit="个", category="冠脉支架")
    session.commit()
    code, now = _demo_batch(session, bureau)
    pipeline.report_demand(session, code, DRUGS, 0.6, now, seed=3)  # 60% of hospitals have reported
    list_demo_products(session, code, now, (CITIES[0][0], CITIES[1][0]))
    stages = [lifecycle.Stage(code, "报量中：60% 的医院已报送承诺采购量", "hospital · officer")]
    if keyring is not None:
        opened = pipeline.opened_batch(session, keyring, DRUGS, CITIES, now)
        stages.append(lifecycle.Stage(opened, "已开标：报价已解密，待价格处运行评审", "officer"))
        all_cities = [c for c, _n in CITIES]
        stages.append(lifecycle.bidding_batch(session, keyring, DRUGS[6:9], all_cities, now, now.year))
        if db is not None:
            two, four = all_cities[:2], all_cities[:4]  # 济南 (the demo hospital's city), 青岛, …
            stages.append(lifecycle.review_batch(db, session, keyring, DRUGS[9:11], four, now, now.year))
            stages.append(lifecycle.publicity_batch(db, session, keyring, DRUGS[11:14], four, now, now.year))
            stages.append(lifecycle.execution_batch(db, session, keyring, DRUGS[15:17], two, now))
            stages.append(national.national_batch(session, four, now))
            stages.append(prices.price_demo(session, stages[-1].code, now))
            stages.append(supply.supply_batch(db, session, keyring, DRUGS[17:18], four, now))
    return SeedResult(True, _logins(session), stages)


def _demo_batch(session: Session, bureau: Organisation) -> tuple[str, datetime]:
    """A batch of the 20 drugs over the 16 cities, opened for demand collection."""
    officer = session.exec(select(User).where(User.username == "officer")).one()
    actor = Actor(officer.id, officer.username, Role.PRICE_OFFICER, bureau.id, bureau.kind, bureau.region_code)
    now = utcnow().replace(second=0, microsecond=0)
    year = now.year + 1
    timeline = procurement.Timeline(now + timedelta(days=14), now + timedelta(days=28),
                                    now + timedelta(days=28, hours=1), date(year, 1, 1), date(year, 12, 31))
    code = f"SD-{now.year}-01"
    procurement.create_batch(session, actor, code=code, name=f"山东省{now.year}年第一批药品集中带量采购（演示）",
                             timeline=timeline)
    for row in DRUGS:
        procurement.add_batch_item(session, actor, code, row[0], parse_price_e4(row[7]), parse_price_e4(row[8]))
    procurement.set_batch_regions(session, actor, code, [c for c, _n in CITIES])
    procurement.transition_batch(session, actor, code, "open_demand", now=now)
    return code, now


def _logins(session: Session) -> list[tuple[str, str, str]]:
    """(username, role, organisation) of every demo account."""
    names = ("admin", "admin2", "officer", "officer2", "settle", "settle2", "hospital", "supplier", "distributor")
    rows = []
    for username in names:
        user = session.exec(select(User).where(User.username == username)).first()
        if user:
            rows.append((username, user.role, session.get(Organisation, user.org_id).name))
    return rows
