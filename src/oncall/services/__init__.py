"""Use cases: one transaction each, audited in that transaction."""
