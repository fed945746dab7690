"""The double-entry ledger: accounts, journal entries numbered last, reversals, the trial balance."""
