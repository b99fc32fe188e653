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
Σ offsets = the fall in the outstanding advances. Each hospital's offset is one integer,
spread over its lines in proportion to their gross by largest remainder (lines in
delivery-line-id order), so every fen of offset and every fen paid belongs to one line:
``line.gross = line.offset + line.paid``.

Idempotency: a line whose payable key (delivery line id, kind) is already settled is skipped;
a disputed line is carried to the next run untouched; a line with nothing payable (net
accepted quantity 0) is left unsettled. One instruction per (supplier, payee account, fund
account), references ``{run_ref}-{n:06d}`` in a deterministic order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from types import MappingProxyType

from .model import (
    AcceptedLine,
    AccountDirectory,
    BankAccount,
    DeductionStatement,
    InstructionLine,
    PayableKey,
    PaymentInstruction,
    SettledLine,
    SettlementError,
    SettlementResult,
    SettlementSettings,
    check_int,
)
from .payable import allocate_largest_remainder, hospital_offset, payable_lines

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


def _offset_lines(
    payables: list[tuple[AcceptedLine, int]], advance_fen: int, settings: SettlementSettings
) -> list[tuple[AcceptedLine, int, int]]:
    """One hospital's lines (sorted) with their gross and their share of its offset."""
    gross = [g for _, g in payables]
    offset = hospital_offset(sum(gross), advance_fen, settings)
    shares = allocate_largest_remainder(offset, gross)
    return [(line, g, s) for (line, g), s in zip(payables, shares, strict=True)]


def compute_settlement(
    lines: Iterable[AcceptedLine],
    prepayment_balances: Mapping[str, int],
    settings: SettlementSettings,
    already_settled_keys: AbstractSet[PayableKey],
    *,
    accounts: AccountDirectory,
    run_ref: str,
) -> SettlementResult:
    """Settle every unsettled, undisputed accepted line: instructions, statements, keys.

    ``prepayment_balances`` is each hospital's outstanding advance in fen before this run.
    Raises :class:`SettlementError` for a duplicate line, a bad balance, a bad ``run_ref``
    or a line whose supplier has no payee account (nothing is settled then).
    """
    if not RUN_REF_RE.match(run_ref):
        raise SettlementError(f"run reference must be 1–28 letters, digits, - or _: {run_ref!r}")
    for hospital, balance in prepayment_balances.items():
        check_int(f"advance of {hospital}", balance)
    todo, carried, skipped = _split_lines(lines, already_settled_keys)
    by_hospital: dict[str, list[tuple[AcceptedLine, int]]] = {}
    zero: list[str] = []
    for p in payable_lines(todo):
        if p.gross_fen == 0:
            zero.append(p.line.delivery_line_id)
        else:
            by_hospital.setdefault(p.line.hospital_code, []).append((p.line, p.gross_fen))
    missing = sorted({x.supplier_code for x, _ in _flat(by_hospital) if not accounts.payee_for(x)})
    if missing:
        raise SettlementError(f"no payee bank account for supplier(s): {', '.join(missing)}")

    split: dict[str, list[tuple[AcceptedLine, int, int]]] = {}
    for hospital in sorted(by_hospital):
        rows = sorted(by_hospital[hospital], key=lambda r: (r[0].delivery_line_id, r[0].kind))
        split[hospital] = _offset_lines(rows, prepayment_balances.get(hospital, 0), settings)

    instructions, ref_of = _build_instructions(split, accounts, run_ref)
    statements = []
    for hospital, rows in split.items():
        settled = tuple(SettledLine(line, g, o, g - o, ref_of.get(line.key)) for line, g, o in rows)
        gross, offset = sum(s.gross_fen for s in settled), sum(s.offset_fen for s in settled)
        before = prepayment_balances.get(hospital, 0)
        statements.append(
            DeductionStatement(
                hospital, gross, offset, gross - offset, before, before - offset, settled
            )
        )
    advances = dict(prepayment_balances)
    for s in statements:
        advances[s.hospital_code] = s.advance_after_fen
    return SettlementResult(
        run_ref=run_ref,
        instructions=tuple(instructions),
        statements=tuple(statements),
        settled_keys=frozenset(s.line.key for st in statements for s in st.lines),
        carried_over=tuple(carried),
        skipped_settled=tuple(skipped),
        skipped_zero=tuple(sorted(zero)),
        advances_after=MappingProxyType(advances),
    )


def _flat(
    by_hospital: Mapping[str, list[tuple[AcceptedLine, int]]],
) -> list[tuple[AcceptedLine, int]]:
    """All (line, gross) pairs of a per-hospital grouping."""
    return [row for rows in by_hospital.values() for row in rows]


def _build_instructions(
    split: Mapping[str, list[tuple[AcceptedLine, int, int]]],
    accounts: AccountDirectory,
    run_ref: str,
) -> tuple[list[PaymentInstruction], dict[PayableKey, str]]:
    """Group the net of every line by (supplier, payee, payer) into numbered instructions."""
    groups: dict[tuple[str, BankAccount, BankAccount], list[InstructionLine]] = {}
    keys: dict[tuple[str, BankAccount, BankAccount], list[PayableKey]] = {}
    for rows in split.values():
        for line, gross, offset in rows:
            if gross - offset == 0:
                continue
            payee = accounts.payee_for(line)
            if payee is None:  # the caller checks first; kept for safety
                raise SettlementError(f"no payee account for supplier {line.supplier_code}")
            group = (line.supplier_code, payee, accounts.payer_for(line))
            groups.setdefault(group, []).append(
                InstructionLine(
                    line.delivery_line_id, line.kind, line.hospital_code, gross - offset
                )
            )
            keys.setdefault(group, []).append(line.key)
    order = sorted(groups, key=lambda g: (g[0], g[1].account_no, g[1].bank_cnaps, g[2].account_no))
    instructions: list[PaymentInstruction] = []
    ref_of: dict[PayableKey, str] = {}
    for seq, group in enumerate(order, start=1):
        ref = instruction_reference(run_ref, seq)
        covered = tuple(sorted(groups[group], key=lambda x: (x.delivery_line_id, x.kind)))
        supplier, payee, payer = group
        instructions.append(
            PaymentInstruction(
                reference=ref,
                supplier_code=supplier,
                payer=payer,
                payee=payee,
                amount_fen=sum(x.amount_fen for x in covered),
                lines=covered,
                remittance=remittance_text(ref, len(covered)),
            )
        )
        ref_of.update(dict.fromkeys(keys[group], ref))
    return instructions, ref_of
