"""The only code that speaks SQL: opening, migrating and querying the database."""
