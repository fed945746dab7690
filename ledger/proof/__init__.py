"""Proof that the books were not rewritten: the hash chains read back, verified, signed and exported.

docs/audit.md explains what is chained and how; numbering/chains.py holds the canonical text.
"""
