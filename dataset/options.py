"""The options machinery of ``newsspan.toml``: a frozen dataclass built from a TOML table, every
key and type checked (:mod:`newsspan.dataset.config` declares the tables)."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Self

from newsspan.dataset.errors import ConfigError

__all__ = ["Options"]


class Options:
    """Mixin: construction from a TOML table with key and type checks."""

    @classmethod
    def from_mapping(cls, values: dict[str, Any], *, where: str) -> Self:
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(fields))}")
        hints = typing.get_type_hints(cls)
        for key, value in values.items():
            if not _matches(value, hints[key]):
                raise ConfigError(f"{where}: key {key!r} must be {_type_name(hints[key])}, got {value!r}")
        return cls(**values)

    def replace(self, **changes: Any) -> Self:
        """A copy with the given options changed; ``None`` values are ignored (unset CLI flags)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[type-var]


def _matches(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return isinstance(value, list | tuple) and all(_matches(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint)
        return isinstance(value, dict) and all(_matches(k, key) and _matches(v, item) for k, v in value.items())
    if isinstance(value, bool) and hint is not bool:  # TOML true is not the number 1
        return False
    return isinstance(value, (int, float) if hint is float else hint)


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(hint))
    if origin is tuple:
        return f"a list of {_type_name(typing.get_args(hint)[0])}"
    if origin is dict:
        return f"a table of {_type_name(typing.get_args(hint)[1])} values"
    return "null" if hint is type(None) else getattr(hint, "__name__", str(hint))
