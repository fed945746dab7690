"""The payables REST API: vendors, vendor bills, vendor credits and AP payments."""
