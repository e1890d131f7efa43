"""Each resource's categories as rows of their own, so the category filter reads an index.

The categories stay in `resources.categories` (a JSON array); this table is derived
from it by triggers, as the full-text index is, so every writer keeps it in step: the
store's upsert, a raw bulk insert (the benchmark database), any later UPDATE. Looking
for a category inside 50,000 JSON arrays read every row of the directory (40-60 ms);
the index finds a category's resources at once.

The name and the national flag are copied beside each category so that one index walk
gives a category's resources in the directory's order (national lines first, then by
name, then by id): a search stops after a page instead of sorting the whole category.
"""

from __future__ import annotations


def _rows(row: str, source: str = "") -> str:
    """(resource_id, category, national, name) of `row`, one per category it lists.

    A category listed twice gives one row; an array that is not valid JSON gives none.
    """
    return (
        f"SELECT DISTINCT {row}.id, j.value, {row}.national, {row}.name FROM {source}json_each("
        f"CASE WHEN json_valid({row}.categories) THEN {row}.categories ELSE '[]' END) AS j"
        " WHERE j.type = 'text'"
    )


_INSERT = "INSERT INTO resource_categories (resource_id, category, national, name)"

MIGRATION_SQL = f"""
CREATE TABLE resource_categories (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    national INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (resource_id, category)
) WITHOUT ROWID;
CREATE INDEX resource_categories_by_name
    ON resource_categories(category, national DESC, name, resource_id);
CREATE TRIGGER resource_categories_ai AFTER INSERT ON resources BEGIN
    DELETE FROM resource_categories WHERE resource_id = new.id;
    {_INSERT} {_rows("new")};
END;
CREATE TRIGGER resource_categories_au AFTER UPDATE OF id, name, national, categories
ON resources WHEN old.id IS NOT new.id OR old.name IS NOT new.name
    OR old.national IS NOT new.national OR old.categories IS NOT new.categories
BEGIN
    DELETE FROM resource_categories WHERE resource_id IN (old.id, new.id);
    {_INSERT} {_rows("new")};
END;
CREATE TRIGGER resource_categories_ad AFTER DELETE ON resources BEGIN
    DELETE FROM resource_categories WHERE resource_id = old.id;
END;
{_INSERT} {_rows("r", "resources AS r, ")};
"""
"""The table, the triggers that keep it in step, and the rows of every stored resource."""

CATEGORY_CLAUSE = (
    "EXISTS (SELECT 1 FROM resource_categories c1 WHERE c1.resource_id = r.id AND c1.category = ?)"
)
"""A WHERE clause on `resources r`: the resource lists the category given."""
