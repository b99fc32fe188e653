"""Supply guarantee (保供): supply problems, the officer's escalations, and takeovers of a failed
winner's volume by the backup supplier (备供), with the primary restored after recovery."""
