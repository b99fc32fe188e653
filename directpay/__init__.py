"""Direct settlement of listed products (直接结算): the scope setting and the monthly run over
in-scope order lines that are not VBP-contract lines."""
