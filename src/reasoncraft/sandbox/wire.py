"""A tagged JSON encoding of plain Python values, for the judge <-> candidate channel.

The judge decodes what the candidate sends into plain built-in values only (no pickle, no classes
of the candidate's making), so a returned object cannot bring its own `__eq__` to a comparison.
Values that have no plain form travel as opaque handles (`["ref", n]`) that stay in the candidate.

This file is standard library only: its source is copied into the sandbox next to the judge.

>>> decode(encode({"a": (1, 2.5, float("nan")), 3: {frozenset({b"x"})}}))["a"][:2]
(1, 2.5)
>>> decode(encode([True, None, 10**30, 1+2j]))
[True, None, 1000000000000000000000000000000, (1+2j)]
>>> from collections import Counter
>>> decode(encode(Counter("aab")))
{'a': 2, 'b': 1}
"""

import base64
import json

MAX_DEPTH = 64


class Unencodable(TypeError):
    """The value has no plain encoding (the caller may send a handle instead)."""


def encode(value, ref=None, _depth=0):
    """Encode `value`; `ref(obj) -> int` makes a handle for values without a plain form."""
    if _depth > MAX_DEPTH:
        raise Unencodable("value nested too deeply")
    t = type(value)
    rec = lambda v: encode(v, ref, _depth + 1)  # noqa: E731
    if value is None:
        return ["none"]
    if t is bool:
        return ["bool", value]
    if t is int:
        return ["int", str(value)]
    if t is float:
        return ["float", repr(value)]
    if t is complex:
        return ["complex", repr(value.real), repr(value.imag)]
    if t is str:
        return ["str", value]
    if t is bytes:
        return ["bytes", base64.b64encode(value).decode()]
    if t in (list, tuple, set, frozenset):
        return [t.__name__, [rec(v) for v in value]]
    if t is dict:
        return ["dict", [[rec(k), rec(v)] for k, v in value.items()]]
    # Subclasses of plain types (Counter, OrderedDict, namedtuple, IntEnum...) travel as their
    # plain base, which is how they compare with plain values in-process; the receiver rebuilds a
    # plain object, so no subclass method (a forged __eq__) crosses.
    for base in (bool, int, float, str, bytes, tuple, list, dict, frozenset, set):
        if isinstance(value, base):
            if base is dict:
                return ["dict", [[rec(k), rec(v)] for k, v in dict.items(value)]]
            if base in (tuple, list, set, frozenset):
                return [base.__name__, [rec(v) for v in base.__iter__(value)]]
            return encode(base(value), ref, _depth)
    if ref is not None:
        return ["ref", ref(value), t.__name__]
    raise Unencodable(f"cannot encode a {t.__name__}")


def decode(data, deref=None):
    """Decode into plain built-ins; `deref(n)` resolves a handle (None: handles are an error)."""
    tag = data[0]
    if tag == "none":
        return None
    if tag == "bool":
        return bool(data[1])
    if tag == "int":
        return int(data[1])
    if tag == "float":
        return float(data[1])
    if tag == "complex":
        return complex(float(data[1]), float(data[2]))
    if tag == "str":
        return str(data[1])
    if tag == "bytes":
        return base64.b64decode(data[1])
    if tag in ("list", "tuple", "set", "frozenset"):
        items = [decode(v, deref) for v in data[1]]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        return {decode(k, deref): decode(v, deref) for k, v in data[1]}
    if tag == "ref" and deref is not None:
        return deref(int(data[1]), str(data[2]) if len(data) > 2 else "object")
    raise ValueError(f"unknown wire tag {tag!r}")


def dumps(message) -> str:
    return json.dumps(message, allow_nan=False, separators=(",", ":"))


def loads(line: str):
    return json.loads(line)
