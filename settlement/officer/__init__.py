"""Settlement officer pages (the web layer for runs, approval, bank files, progress, savings)."""
