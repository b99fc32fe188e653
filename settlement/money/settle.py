"""A monthly direct-settlement run: payable lines in, payment instructions and statements out.

The money model, in plain words
-------------------------------
The fund advanced each hospital part of its annual agreed amount (预付). That advance is the
hospital's money for paying its VBP suppliers. In a run, each hospital's payable for the
lines settled (its **gross**) is split in two:

* the **offset** — the part the advance covers this run (by the offset rule). The hospital
  pays it to the supplier out of the advance it already holds; the fund pays none of it and
  the hospital's outstanding advance goes down by the same amount;
* the **net** = gross − offset — what the fund pays the supplier on the hospital's behalf
  (payment instructions), and deducts from what it owes the hospital (deduction statement).

So, to the fen, for every run: Σ payment instructions = Σ gross − Σ offsets, and
Σ offsets = the fall in the outstanding advances.

Shares
------
The run works on **shares**: one hospital's lines for one supplier account (payee, payer),
summed (each line's gross is rounded half up on its own first). A hospital's offset is one
integer, spread over its shares in proportion to their gross by largest remainder (shares in
supplier, account order), so every fen of offset and every fen paid belongs to one share —
what the hospital pays that supplier out of its advance, and what the fund pays it. One
instruction per (supplier, payee account, fund account) pays the net of its shares,
references ``{run_ref}-{n:06d}`` in a deterministic order. :func:`settle_shares` is that
computation over share totals — what the database path feeds it, straight from a SQL
``GROUP BY``; :func:`compute_settlement` does the same from lines and, for reading, also
spreads each share's offset over its lines by largest remainder (line-id order).

Idempotency: a line whose payable key (delivery line id, kind) is already settled is skipped;
a disputed line is carried to the next run untouched; a line with nothing payable (net
accepted quantity 0) is left unsettled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import replace
from operator import itemgetter
from types import MappingProxyType

from settlement.money.data import (
    AcceptedLine,
    AccountDirectory,
    DeductionStatement,
    InstructionLine,
    PayableKey,
    PaymentInstruction,
    SettledLine,
    SettledShare,
    SettlementError,
    SettlementResult,
    SettlementSettings,
    ShareTotal,
    check_int,
)
from settlement.money.payable import allocate_largest_remainder, hospital_offset, payable_lines

RUN_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,27}$")


def instruction_reference(run_ref: str, seq: int) -> str:
    """Reference (and EndToEndId, ≤ 35 characters) of the ``seq``-th instruction of a run."""
    return f"{run_ref}-{seq:06d}"


def remittance_text(reference: str, line_count: int) -> str:
    """The unstructured remittance line shown on the supplier's bank statement."""
    return f"集采货款 VBP {reference} {line_count}笔"


def _split_lines(
    lines: Iterable[AcceptedLine], already_settled: AbstractSet[PayableKey]
) -> tuple[list[AcceptedLine], list[str], list[str]]:
    """Unsettled, undisputed lines; the ids carried over (disputed) and already settled."""
    seen: set[PayableKey] = set()
    todo: list[AcceptedLine] = []
    carried: list[str] = []
    skipped: list[str] = []
    for line in lines:
        if line.key in seen:
            raise SettlementError(f"delivery line {line.delivery_line_id} appears twice")
        seen.add(line.key)
        if line.key in already_settled:
            skipped.append(line.delivery_line_id)
        elif line.disputed:
            carried.append(line.delivery_line_id)
        else:
            todo.append(line)
    return todo, sorted(carried), sorted(skipped)


def _settle_hospital(
    shares: list[ShareTotal], advance_fen: int, settings: SettlementSettings
) -> list[tuple[ShareTotal, int]]:
    """One hospital's shares (in order) with their part of its offset."""
    offset = hospital_offset(sum(x.gross_fen for x in shares), advance_fen, settings)
    parts = allocate_largest_remainder(offset, [x.gross_fen for x in shares])
    return list(zip(shares, parts, strict=True))


def _share_order(share: ShareTotal) -> tuple:
    """The deterministic order of shares within a hospital (and of instructions)."""
    return (share.supplier_code, share.payee.account_no, share.payee.bank_cnaps, share.payer.account_no,
            share.payer.bank_cnaps)


def settle_shares(
    shares: Iterable[ShareTotal],
    prepayment_balances: Mapping[str, int],
    settings: SettlementSettings,
    *,
    run_ref: str,
) -> SettlementResult:
    """Settle share totals: offsets, instructions (without lines) and statements (line counts).

    ``prepayment_balances`` is each hospital's outstanding advance in fen before this run.
    Shares with nothing payable are dropped; a (hospital, supplier, payee, payer) given twice
    is refused.
    """
    if not RUN_REF_RE.match(run_ref):
        raise SettlementError(f"run reference must be 1–28 letters, digits, - or _: {run_ref!r}")
    for hospital, balance in prepayment_balances.items():
        check_int(f"advance of {hospital}", balance)
    # one pass over the shares (a province's month has 50,000): each share's order key once
    by_hospital: dict[str, list[tuple[tuple, ShareTotal]]] = {}
    seen: set[tuple] = set()
    for share in shares:
        order = _share_order(share)
        key = (share.hospital_code, order)
        if key in seen:
            raise SettlementError(f"share {(share.hospital_code, *order)} appears twice")
        seen.add(key)
        if share.gross_fen:
            by_hospital.setdefault(share.hospital_code, []).append((order, share))
    split: dict[str, list[tuple[ShareTotal, int]]] = {}
    groups: dict[tuple, list[tuple[ShareTotal, int]]] = {}  # instruction key → its shares with offsets
    for hospital in sorted(by_hospital):
        rows = sorted(by_hospital[hospital], key=itemgetter(0))  # orders are unique within a hospital
        split[hospital] = settled = _settle_hospital([x for _o, x in rows], prepayment_balances.get(hospital, 0),
                                                     settings)
        for (order, share), (_x, offset) in zip(rows, settled, strict=True):
            if share.gross_fen != offset:
                groups.setdefault(order, []).append((share, offset))
    instructions, ref_of = [], {}
    for seq, group in enumerate(sorted(groups), start=1):
        ref = instruction_reference(run_ref, seq)
        members = groups[group]
        first = members[0][0]
        count = amount = 0
        for x, offset in members:
            count += x.line_count
            amount += x.gross_fen - offset
            ref_of[id(x)] = ref
        instructions.append(PaymentInstruction(
            reference=ref, supplier_code=first.supplier_code, payer=first.payer, payee=first.payee,
            amount_fen=amount, lines=(), remittance=remittance_text(ref, count), line_count=count))
    settled_shares, statements = [], []
    advances = dict(prepayment_balances)
    for hospital, rows in split.items():
        gross = offset_sum = lines = clawback = 0
        for x, o in rows:
            settled_shares.append(SettledShare(x, o, x.gross_fen - o, ref_of.get(id(x))))
            gross += x.gross_fen
            offset_sum += o
            lines += x.line_count
            clawback += x.clawback_fen
        before = prepayment_balances.get(hospital, 0)
        statements.append(DeductionStatement(hospital, gross, offset_sum, gross - offset_sum, before,
                                             before - offset_sum, line_count=lines, clawback_fen=clawback))
        advances[hospital] = before - offset_sum
    return SettlementResult(run_ref=run_ref, instructions=tuple(instructions), statements=tuple(statements),
                            settled_keys=frozenset(), carried_over=(), skipped_settled=(), skipped_zero=(),
                            advances_after=MappingProxyType(advances), shares=tuple(settled_shares))


def compute_settlement(
    lines: Iterable[AcceptedLine],
    prepayment_balances: Mapping[str, int],
    settings: SettlementSettings,
    already_settled_keys: AbstractSet[PayableKey],
    *,
    accounts: AccountDirectory,
    run_ref: str,
) -> SettlementResult:
    """Settle every unsettled, undisputed accepted line: :func:`settle_shares` over the lines'
    shares, with each share's lines, offset and paid fen listed (instructions and statements).

    Raises :class:`SettlementError` for a duplicate line, a bad balance, a bad ``run_ref``
    or a line whose supplier has no payee account (nothing is settled then).
    """
    todo, carried, skipped = _split_lines(lines, already_settled_keys)
    members: dict[tuple, list[tuple[AcceptedLine, int]]] = {}
    zero: list[str] = []
    missing: set[str] = set()
    for p in payable_lines(todo):
        if p.gross_fen == 0:
            zero.append(p.line.delivery_line_id)
            continue
        payee = accounts.payee_for(p.line)
        if payee is None:
            missing.add(p.line.supplier_code)
            continue
        key = (p.line.hospital_code, p.line.supplier_code, payee, accounts.payer_for(p.line))
        members.setdefault(key, []).append((p.line, p.gross_fen))
    if missing:
        raise SettlementError(f"no payee bank account for supplier(s): {', '.join(sorted(missing))}")
    shares = {key: ShareTotal(key[0], key[1], key[2], key[3], sum(g for _, g in rows), len(rows))
              for key, rows in members.items()}
    result = settle_shares(shares.values(), prepayment_balances, settings, run_ref=run_ref)
    by_share = {(s.share.hospital_code, s.share.supplier_code, s.share.payee, s.share.payer): s
                for s in result.shares}
    settled_of: dict[str, list[SettledLine]] = {}
    paid_of: dict[str, list[InstructionLine]] = {}
    for key, rows in members.items():
        share = by_share[key]
        rows = sorted(rows, key=lambda r: (r[0].delivery_line_id, r[0].kind))
        parts = allocate_largest_remainder(share.offset_fen, [g for _, g in rows])
        for (line, gross), offset in zip(rows, parts, strict=True):
            settled_of.setdefault(line.hospital_code, []).append(
                SettledLine(line, gross, offset, gross - offset, share.instruction_ref))
            if share.instruction_ref:
                paid_of.setdefault(share.instruction_ref, []).append(
                    InstructionLine(line.delivery_line_id, line.kind, line.hospital_code, gross - offset))
    order = lambda x: (x.line.delivery_line_id, x.line.kind)  # noqa: E731
    statements = tuple(replace(st, lines=tuple(sorted(settled_of[st.hospital_code], key=order)))
                       for st in result.statements)
    instructions = tuple(replace(i, lines=tuple(sorted(paid_of[i.reference], key=lambda x: (x.delivery_line_id, x.kind))))
                         for i in result.instructions)
    return replace(result, instructions=instructions, statements=statements,
                   settled_keys=frozenset(s.line.key for st in statements for s in st.lines),
                   carried_over=tuple(carried), skipped_settled=tuple(skipped), skipped_zero=tuple(sorted(zero)))
