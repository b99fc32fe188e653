"""Settlement (结算): paying suppliers from the fund for what hospitals accepted, in sub-packages.

``money`` (pure maths: lines, shares, offsets, instructions, statements), ``execution``
(deliveries, acceptance, returns, reconciliation, prepayment, refunds), ``runs`` (the queue and
its claims, the run, approval, the calendar), ``payments`` (bank files, bank returns, re-issue,
remittance) and ``monitoring`` (progress, overdue lines, retained savings). Shared at the top:
``models`` (the tables), ``scoping`` (who sees which rows), ``services`` (the use cases in one
place) and ``forms`` (the pages' forms).
"""
