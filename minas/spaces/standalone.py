"""Standalone network files: a space's network module (plain PyTorch, no minas) with one architecture fixed.

`minas export` writes these. The network code is the very file minas builds its networks from
(`cell_net.py`, `chain_net.py`), so the exported module has the same layers, the same parameter names
(a `state_dict` saved by minas loads into it) and computes the same outputs.
"""
from __future__ import annotations

import ast
import inspect
import pprint
import types
from typing import Any


def code_of(module: types.ModuleType) -> tuple[str, str]:
    """`module`'s docstring and the rest of its source, without the `from __future__` line (an exported file
    puts its own docstring and that line first)."""
    source = inspect.getsource(module)
    tree = ast.parse(source)
    doc = ast.get_docstring(tree) or ""
    lines = source.splitlines()
    start = tree.body[0].end_lineno if doc else 0
    rest = [line for line in lines[start:] if line.strip() != "from __future__ import annotations"]
    return doc, "\n".join(rest).strip()


def network_file(module: types.ModuleType, network: str, arch_name: str, arch: Any, arguments: dict[str, Any],
                 comment: str = "the architecture found") -> str:
    """`module`'s code (its docstring as comments), then `arch_name = arch` and `build_model()`, which returns
    `network(arch, **arguments)`."""
    doc, code = code_of(module)
    args = "".join(f", {k}={v!r}" for k, v in arguments.items())
    notes = "\n".join(f"# {line}".rstrip() for line in doc.splitlines())
    return f'''{notes}

{code}


# {comment}
{arch_name} = {pprint.pformat(arch, width=100, sort_dicts=False)}


def build_model() -> nn.Module:
    """The found network, freshly initialised; load the trained weights with load_state_dict."""
    return {network}({arch_name}{args})
'''
