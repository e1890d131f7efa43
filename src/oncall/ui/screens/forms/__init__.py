"""Modal forms that record on an episode's timeline; each returns what it saved, or None."""
