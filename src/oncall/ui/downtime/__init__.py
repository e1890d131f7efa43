"""`oncall downtime open`: the pack's clients, rota and resources, read-only, offline."""
