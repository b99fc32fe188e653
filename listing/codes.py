"""The national medical-insurance codes (医保编码) of drugs and consumables, checked by structure.

Pure: a code in, its kind out, or a :class:`CodeError` naming the part at fault.

Drugs — 医保药品分类与代码, 23 characters in six parts (an NHSA code such as
``XL02BBA326A001010102180`` reads X · L02BB · A326 · A001 · 0101 · 02180):

====  =====  ========================================================================
from  chars  part
====  =====  ========================================================================
1     1      drug-kind mark: ``X`` western (chemical/biological) medicine, ``Z`` Chinese patent medicine
2     5      classification code: a letter, two digits, two letters (the ATC level-4 group for ``X``)
7     4      generic-name code: a letter and three digits
11    4      dosage-form code: a letter and three digits
15    4      specification (2 digits) and pack (2 digits) code
19    5      enterprise code: five digits
====  =====  ========================================================================

Consumables — 医保医用耗材分类与代码, 27 characters: the 20-character product code (``C`` ·
classification 6 digits, three levels of two · generic-name code 3 digits · product-feature code
(material, features) 5 digits · manufacturer code 5 digits) followed by the 7-digit
specification-and-model code.

Only the structure is checked: whether a code is assigned is the NHSA's database, which the
platform does not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from core.i18n import N_, Msg


class ProductKind(StrEnum):
    """What a national code designates."""

    DRUG = "drug"
    CONSUMABLE = "consumable"


DRUG_LENGTH, CONSUMABLE_LENGTH = 23, 27


@dataclass(frozen=True)
class Part:
    """One part of a code: where it starts (0-based), its pattern and its name."""

    start: int
    pattern: re.Pattern[str]
    name: Msg


DRUG_PARTS = (
    Part(0, re.compile(r"[XZ]"), N_("drug-kind mark (X or Z)")),
    Part(1, re.compile(r"[A-Z]\d\d[A-Z]{2}"), N_("classification code (letter, 2 digits, 2 letters)")),
    Part(6, re.compile(r"[A-Z]\d{3}"), N_("generic-name code (letter and 3 digits)")),
    Part(10, re.compile(r"[A-Z]\d{3}"), N_("dosage-form code (letter and 3 digits)")),
    Part(14, re.compile(r"\d{4}"), N_("specification and pack code (4 digits)")),
    Part(18, re.compile(r"\d{5}"), N_("enterprise code (5 digits)")),
)
CONSUMABLE_PARTS = (
    Part(0, re.compile(r"C"), N_("consumable mark (C)")),
    Part(1, re.compile(r"\d{6}"), N_("classification code (6 digits)")),
    Part(7, re.compile(r"\d{3}"), N_("generic-name code (3 digits)")),
    Part(10, re.compile(r"\d{5}"), N_("product-feature code (5 digits)")),
    Part(15, re.compile(r"\d{5}"), N_("manufacturer code (5 digits)")),
    Part(20, re.compile(r"\d{7}"), N_("specification and model code (7 digits)")),
)


class CodeError(ValueError):
    """A national code that does not have the published structure; ``msg`` says why."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(msg.english())
        self.msg = msg


def _check(code: str, parts: tuple[Part, ...], length: int) -> None:
    """Raise on the first part that does not match its pattern."""
    if len(code) != length:
        raise CodeError(N_("the code has %(n)s characters, %(length)s expected", n=len(code), length=length))
    ends = [p.start for p in parts[1:]] + [length]
    for part, end in zip(parts, ends, strict=True):
        piece = code[part.start:end]
        if not part.pattern.fullmatch(piece):
            raise CodeError(N_("characters %(start)s–%(end)s (%(piece)s) are not a %(part)s",
                               start=part.start + 1, end=end, piece=piece, part=part.name))


def normalise(raw: str) -> str:
    """The code as stored: trimmed, upper case."""
    return (raw or "").strip().upper()


def check_code(raw: str) -> tuple[str, ProductKind]:
    """The normalised code and its kind; :class:`CodeError` when the structure is wrong."""
    code = normalise(raw)
    if not code:
        raise CodeError(N_("the national code is empty"))
    if code[0] in "XZ":
        _check(code, DRUG_PARTS, DRUG_LENGTH)
        return code, ProductKind.DRUG
    if code[0] == "C":
        _check(code, CONSUMABLE_PARTS, CONSUMABLE_LENGTH)
        return code, ProductKind.CONSUMABLE
    raise CodeError(N_("a national code starts with X or Z (drugs) or C (consumables), not %(first)s",
                       first=code[0]))
