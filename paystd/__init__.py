"""Payment standards (医保支付标准) derived from selected prices, versioned and approved four-eyes."""
