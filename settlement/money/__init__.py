"""Pure settlement maths over frozen dataclasses — lines, shares, offsets, instructions, statements; no database."""
