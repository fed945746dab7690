"""The kit receivables and payables share: posted numbered documents, payments applied to them."""
