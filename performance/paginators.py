"""A paginator that does not count millions of rows to draw page links.

On PostgreSQL the planner's row estimate (EXPLAIN) answers at once; when it
says the result is small, the exact count is cheap and is used instead.
Other databases get the exact count.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_COUNT_BELOW = 10_000


def estimated_count(queryset) -> int | None:
    """The planner's estimate of ``queryset``'s row count, or None off PostgreSQL."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Exact counts for small results, the planner's estimate for large ones."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        estimate = estimated_count(queryset)
        if estimate is None or estimate < EXACT_COUNT_BELOW:
            return super().count
        return estimate
