"""``python -m bench`` runs every registered benchmark; ``python -m bench matching`` only one.

Each entry maps a name to a module exposing ``main(argv: list[str]) -> int``; arguments after
the name (``python -m bench matching --write-readme``) are passed on.
"""

import importlib
import sys

REGISTRY: dict[str, str] = {
    "matching": "bench.matching_bench",
    "web": "bench.web_bench",
    "notices": "bench.notices_bench",
    "load": "bench.load_bench",
    "dashboard": "bench.dashboard_bench",
    "proposal": "bench.proposal_bench",
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in {"-h", "--help"}:
        print(f"usage: python -m bench [{'|'.join(REGISTRY)}] [args...]")
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in REGISTRY:
            print(
                f"Error: unknown benchmark {name!r}; known: {', '.join(REGISTRY)}", file=sys.stderr
            )
            return 2
        names = [name]
    else:
        names, rest = list(REGISTRY), argv
    status = 0
    for name in names:
        module = importlib.import_module(REGISTRY[name])
        status = max(status, int(module.main(rest)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
