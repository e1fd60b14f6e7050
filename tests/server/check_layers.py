#!/usr/bin/env python3
"""The layer rule of the source tree, checked on every #include.

Each folder may include only the folders its row allows (its own always).
A lower layer that includes a higher one, a header that includes Boost.Asio,
or a source file directly in server/ beyond the allowed few fails the check
with the file, the line and the rule it breaks.

Usage: check_layers.py REPO_ROOT
"""
import os
import re
import sys

# Folder -> the folders (or single headers) it may include, besides itself.
# Order, lowest first: zone < dnssec, synth < server/logging < server/net <
# server/xfr, server/web, server/dnstap < server/config < server/publish < server/control < server/cli.
ALLOWED = {
    "zone": [],
    "dnssec": ["zone"],
    "synth": ["zone"],
    "server/logging": [],
    "server/net": ["zone", "server/logging"],
    "server/xfr": ["zone", "dnssec", "server/logging", "server/net"],
    "server/web": ["zone", "server/logging", "server/net"],
    "server/dnstap": ["zone", "server/logging", "server/net"],
    "server/config": ["zone", "dnssec", "synth", "server/logging", "server/net", "server/xfr", "server/web",
                      "server/dnstap"],
    "server/publish": ["zone", "dnssec", "synth", "server/logging", "server/net", "server/config"],
    "server/control": ["zone", "dnssec", "server/logging", "server/net"],
    "server/cli": ["zone", "dnssec", "synth", "server/logging", "server/net", "server/xfr", "server/web", "server/dnstap",
                   "server/config", "server/publish", "server/control"],
}
# Files allowed directly in server/ (not in a layer folder).
SERVER_TOP = {"logging.hpp", "logging.cpp", "log_backend.cpp", "CMakeLists.txt"}
MAX_SERVER_TOP_SOURCES = 4

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')


def layer_of(rel):
    """The layer of a source file or an include path, or None outside the layered tree."""
    parts = rel.split("/")
    if parts[0] in ("zone", "dnssec", "synth"):
        return parts[0]
    if parts[0] == "server":
        if len(parts) == 2:
            return "server/logging" if parts[1].startswith("logging.") or parts[1] == "log_backend.cpp" else "server"
        return "server/" + parts[1]
    return None


def check(root):
    problems = []
    sources = 0
    for top in ("zone", "dnssec", "synth", "server"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".hpp", ".cpp", ".h")):
                    continue
                sources += 1
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                layer = layer_of(rel)
                if layer == "server":
                    problems.append(f"{rel}: a source file directly in server/; put it in the layer it belongs to "
                                    f"({', '.join(k for k in ALLOWED if k.startswith('server/'))})")
                    continue
                if layer not in ALLOWED:
                    problems.append(f"{rel}: folder {os.path.dirname(rel)} is not in the layer table of "
                                    f"{os.path.basename(__file__)}; add it with what it may include")
                    continue
                allowed = set(ALLOWED[layer]) | {layer}
                with open(os.path.join(root, rel), encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        kind, inc = m.groups()
                        if kind == "<":
                            if inc.startswith("boost/asio") and rel.endswith((".hpp", ".h")):
                                problems.append(f"{rel}:{lineno}: includes <{inc}> in a header; include Asio only "
                                                f"in .cpp files (build times)")
                            continue
                        target = layer_of(inc)
                        if target is None:
                            continue
                        if target not in allowed:
                            problems.append(f"{rel}:{lineno}: {layer} includes {inc} ({target}); {layer} may "
                                            f"include only {', '.join(sorted(allowed))}")
    top_sources = [n for n in os.listdir(os.path.join(root, "server"))
                   if os.path.isfile(os.path.join(root, "server", n)) and n.endswith((".hpp", ".cpp"))]
    if len(top_sources) > MAX_SERVER_TOP_SOURCES or not set(top_sources) <= SERVER_TOP:
        problems.append(f"server/: {len(top_sources)} source files directly in server/ ({', '.join(sorted(top_sources))});"
                        f" at most {MAX_SERVER_TOP_SOURCES}, and only {', '.join(sorted(SERVER_TOP - {'CMakeLists.txt'}))}")
    return sources, problems


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sources, problems = check(sys.argv[1])
    if sources == 0:
        print(f"no sources found under {sys.argv[1]}: wrong repository root?", file=sys.stderr)
        return 1
    for p in problems:
        print(p)
    print(f"{sources} source files checked, {len(problems)} layering problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
