"""The ledger's reports: AR and AP aging, the trial balance, party statements and the home dashboard.

Every figure is read as of a date from the journal (docs/reports.md), so the aging of a ledger always
sums to its control account's balance on that date.
"""
