"""Retained savings (结余留用): settings, assessment per hospital per batch cycle, the four-eyes
decision with objections, and the payment (credited in the next fund settlement)."""
