"""Chart geometry for the templates: plain numbers that templates draw as
inline SVG (sizes are attributes, so the Content-Security-Policy needs no
inline styles), so the pages need no charting library and no CDN."""

from __future__ import annotations

from datetime import date

from dataguardian.scans.models import Entity

ENTITY_LABELS = dict(Entity.choices)
TOP_ENTITIES = 10


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def severity_bars(rows: list[list]) -> dict:
    """``[[rank, label, count], ...]`` -> a stacked bar: segments with their share."""
    total = sum(count for _, _, count in rows)
    segments, offset = [], 0.0
    for rank, label, count in rows:
        percent = _percent(count, total)
        segments.append({"rank": rank, "label": label, "count": count, "percent": percent,
                         "offset": round(offset, 1)})
        offset += percent
    return {"total": total, "segments": segments}


def entity_bars(entities: list[list], limit: int = TOP_ENTITIES) -> dict:
    """``[[entity, count], ...]`` (largest first) -> bars scaled to the largest."""
    entities = [pair for pair in entities if pair[1]]
    top = entities[:limit]
    largest = top[0][1] if top else 0
    bars = [
        {"entity": entity, "label": ENTITY_LABELS.get(entity, entity), "count": count,
         "width": max(_percent(count, largest), 1.0)}
        for entity, count in top
    ]
    return {"bars": bars, "others": sum(count for _, count in entities[limit:])}


def trend_columns(trend: list[list], width: int = 600, height: int = 120) -> dict:
    """``[[iso_day, scans, findings], ...]`` -> SVG columns of findings per day."""
    if not trend:
        return {"columns": [], "width": width, "height": height, "peak": 0}
    peak = max(findings for _, _, findings in trend)
    step = width / len(trend)
    columns = []
    for index, (day, scans, findings) in enumerate(trend):
        bar = round((height - 4) * findings / peak, 1) if peak else 0
        if findings and bar < 2:
            bar = 2  # a day with findings stays visible next to a large peak
        columns.append({
            "x": round(index * step + 1, 1), "y": round(height - bar, 1),
            "w": round(max(step - 2, 1), 1), "h": bar, "day": date.fromisoformat(day),
            "scans": scans, "findings": findings,
        })
    return {"columns": columns, "width": width, "height": height, "peak": peak}
