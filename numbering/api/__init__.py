"""The numbering REST API: document sequences, issued numbers, Arcus migration counters."""
