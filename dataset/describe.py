"""The schema as plain data and as text, for ``newsspan schema`` and for generated documents."""

from __future__ import annotations

from typing import Any

from newsspan.dataset.schema import (
    LAYERS,
    ORIGINS,
    RELATION_TYPES,
    STANCE_SCOPES,
    STANCE_VALUES,
    TABLES,
)

__all__ = ["describe_schema", "render_schema_text"]


def describe_schema() -> dict[str, Any]:
    """Every layer, label, relation, stance value and table column, as JSON-ready data."""
    return {
        "offsets": "Python code points into documents.text, half-open [start, end)",
        "layers": [
            {
                "name": layer.name,
                "description": layer.description,
                "labels": [{"name": label.name, "description": label.description} for label in layer.labels],
            }
            for layer in LAYERS
        ],
        "relations": [
            {"name": r.name, "from": r.from_label, "to": r.to_label, "description": r.description}
            for r in RELATION_TYPES
        ],
        "stance": {"values": list(STANCE_VALUES), "scopes": list(STANCE_SCOPES)},
        "origins": list(ORIGINS),
        "tables": [
            {
                "name": table.name,
                "description": table.description,
                "key": list(table.key),
                "columns": [
                    {
                        "name": column.name,
                        "type": str(column.type),
                        "nullable": column.nullable,
                        "description": column.description,
                    }
                    for column in table.columns
                ],
            }
            for table in TABLES
        ],
    }


def render_schema_text(described: dict[str, Any]) -> str:
    """A readable listing of :func:`describe_schema`'s output."""
    lines = [f"Offsets: {described['offsets']}", ""]
    for layer in described["layers"]:
        lines.append(f"layer {layer['name']}: {layer['description']}")
        lines.extend(f"  {label['name']:<11} {label['description']}" for label in layer["labels"])
    lines.append("")
    lines.extend(f"relation {r['name']}: {r['from']} -> {r['to']}  {r['description']}" for r in described["relations"])
    stance = described["stance"]
    lines.append(f"stance values: {', '.join(stance['values'])}; scopes: {', '.join(stance['scopes'])}")
    lines.append(f"origins: {', '.join(described['origins'])}")
    for table in described["tables"]:
        lines.extend(["", f"table {table['name']}: {table['description']}"])
        for column in table["columns"]:
            null = "" if column["nullable"] else " not null"
            lines.append(f"  {column['name']:<15} {column['type']}{null}  {column['description']}")
    return "\n".join(lines)
