"""The ``dangjian`` command: one entry point, a sub-command per use.

Sub-commands live next to what they drive (``training/`` trains and
evaluates, ``service/`` cleans, labels and serves); this module only
dispatches, importing the chosen one lazily.
"""
from __future__ import annotations

import importlib
import logging
import sys
from typing import Sequence

COMMANDS = {
    "clean": ("dangjian.service.clean", "Clean and segment articles into paragraph units (JSON Lines)"),
    "train": ("dangjian.training.train", "Train a theme model bundle from data/"),
    "evaluate": ("dangjian.training.evaluate", "Evaluate a bundle on a gold file in the codebook's record format"),
    "label": ("dangjian.service.batch", "Label many articles: JSON Lines, CSV, XLSX or Parquet output; locally or on Dask"),
    "serve": ("dangjian.service.app", "Run the HTTP service and web page (development server)"),
    "review": ("dangjian.service.review", "The review store: load labelled paragraphs for review, export corrections"),
    "import-corrections": ("dangjian.training.corrections", "Append analysts' corrections of a labeled file to the annotation store"),
    "annotations": ("dangjian.training.annotations", "The annotation store: stats, agreement, export of a split"),
}


def _usage() -> str:
    lines = ["usage: dangjian COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<20}{help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run 'dangjian COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"dangjian: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("gensim").setLevel(logging.WARNING)  # gensim reports every epoch at INFO
    logging.getLogger("distributed").setLevel(logging.WARNING)  # dask reports every connection at INFO
    if not {"-h", "--help"} & set(rest):  # help never needs jieba (0.25 s to import)
        import jieba

        jieba.setLogLevel(logging.WARNING)  # jieba logs at DEBUG to stderr from its import on
    module = importlib.import_module(COMMANDS[command][0])
    try:
        return module.main(rest)
    except KeyboardInterrupt:
        print("dangjian: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``dangjian clean … | head -1``): stop quietly, as
        # Unix tools do. Point stdout at /dev/null so that the interpreter's
        # final flush does not raise again.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
