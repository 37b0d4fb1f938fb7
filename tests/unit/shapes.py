"""A small structural check of a value against a type hint (TypedDicts,
lists, dicts, unions, Any): what the chart shape tests hold data to."""
from __future__ import annotations

import collections.abc
import types
import typing
from typing import Any, Union, get_args, get_origin, get_type_hints


def problems(value: Any, tp: Any, where: str = "data", *, extra_ok: bool = False) -> list[str]:
    """Where `value` does not have the shape `tp` describes (empty: it does).
    With `extra_ok`, dicts may hold keys their TypedDict does not name (a
    reply's data carries more than its chart reads)."""
    if tp is Any:
        return []
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [problems(value, t, where, extra_ok=extra_ok) for t in get_args(tp)]
        return [] if any(not p for p in options) else min(options, key=len)
    if typing.is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not a dict"]
        hints = get_type_hints(tp)
        out = [f"{where}: missing key {k!r}" for k in tp.__required_keys__ if k not in value]
        if not extra_ok:
            out += [f"{where}: unexpected key {k!r}" for k in value if k not in hints]
        for k, v in value.items():
            if k in hints:
                out += problems(v, hints[k], f"{where}[{k!r}]", extra_ok=extra_ok)
        return out
    if origin in (list, collections.abc.Sequence):
        if not isinstance(value, list if origin is list else (list, tuple)):
            return [f"{where}: {type(value).__name__}, not a {origin.__name__}"]
        (item,) = get_args(tp) or (Any,)
        return [p for i, v in enumerate(value) for p in problems(v, item, f"{where}[{i}]", extra_ok=extra_ok)]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not a dict"]
        k_tp, v_tp = get_args(tp) or (Any, Any)
        return [p for k, v in value.items() for p in problems(k, k_tp, f"{where} key") + problems(v, v_tp, f"{where}[{k!r}]",
                                                                                     extra_ok=extra_ok)]
    if tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is type(None):
        ok = value is None
    else:
        ok = isinstance(value, tp)
    return [] if ok else [f"{where}: {value!r} is not {getattr(tp, '__name__', tp)}"]
