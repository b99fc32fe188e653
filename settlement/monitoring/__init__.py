"""Monitoring a batch's execution: progress (序时进度), overdue payments and retained savings (结余留用)."""
