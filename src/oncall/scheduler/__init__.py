"""APScheduler wiring; jobs are rebuilt from the database, never stored apart from it."""
