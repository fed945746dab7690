"""Payables: vendors, vendor bills, vendor credits and AP payments that spend both cash and credit."""
