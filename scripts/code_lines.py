#!/usr/bin/env python3
"""Counts the lines of Rust under a directory (default `src/`) by kind, per top-level module.

Code = lines that are not blank, not comments (`//`, `/* */`), not docs (`///`, `//!`) and
not inside a `#[cfg(test)]` item. The kinds issue 20 asks for, counted one way every time:

    python3 scripts/code_lines.py            # src/, one row per module, then the total
    python3 scripts/code_lines.py src/policy # one folder
"""

import os
import sys


def count(path, whole_file_is_test=False):
    code = doc = comment = blank = tests = 0
    if whole_file_is_test:
        with open(path, encoding="utf-8") as f:
            return 0, 0, 0, 0, sum(1 for _ in f)
    in_block = False
    test_depth = None  # brace depth at which a #[cfg(test)] item started
    pending_test = False
    depth = 0
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if test_depth is not None or pending_test:
                tests += 1
                opened = line.count("{") - line.count("}")
                if pending_test and "{" in line:
                    pending_test = False
                    test_depth = depth
                elif pending_test and line.endswith(";"):
                    pending_test = False  # `#[cfg(test)] mod tests;` or a one-line item
                depth += opened
                if test_depth is not None and depth <= test_depth:
                    test_depth = None
                continue
            if in_block:
                comment += 1
                if "*/" in line:
                    in_block = False
                continue
            if not line:
                blank += 1
            elif line.startswith("///") or line.startswith("//!"):
                doc += 1
            elif line.startswith("//"):
                comment += 1
            elif line.startswith("/*"):
                comment += 1
                in_block = "*/" not in line
            elif line.startswith("#[cfg(test)]"):
                tests += 1
                pending_test = True
            else:
                code += 1
                depth += line.count("{") - line.count("}")
    return code, doc, comment, blank, tests


def test_modules(root):
    """Files declared as `#[cfg(test)] mod name;`: every line of them is a test line."""
    found = set()
    for dirpath, _, names in os.walk(root):
        for name in names:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            lines = open(path, encoding="utf-8").read().splitlines()
            for i, line in enumerate(lines[:-1]):
                nxt = lines[i + 1].strip()
                if line.strip() == "#[cfg(test)]" and nxt.startswith("mod ") and nxt.endswith(";"):
                    child = nxt[4:-1].strip()
                    base = dirpath if name in ("mod.rs", "lib.rs", "main.rs") else os.path.join(dirpath, name[:-3])
                    for candidate in (os.path.join(base, child + ".rs"), os.path.join(base, child, "mod.rs")):
                        if os.path.exists(candidate):
                            found.add(candidate)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "src"
    rows = {}
    files = 0
    test_files = test_modules(root)
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".rs"):
                continue
            files += 1
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            module = rel.split(os.sep)[0].removesuffix(".rs")
            counts = count(path, path in test_files)
            row = rows.setdefault(module, [0] * 5)
            for i, n in enumerate(counts):
                row[i] += n
    print(f"{'module':<16}{'code':>8}{'doc':>8}{'comment':>8}{'blank':>8}{'tests':>8}")
    total = [0] * 5
    for module in sorted(rows, key=lambda m: -rows[m][0]):
        row = rows[module]
        total = [a + b for a, b in zip(total, row)]
        print(f"{module:<16}" + "".join(f"{n:>8}" for n in row))
    print(f"{'total':<16}" + "".join(f"{n:>8}" for n in total) + f"   ({files} files)")


if __name__ == "__main__":
    main()
