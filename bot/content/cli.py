"""The ``content`` command for editors and translators.

    sanctuary content check                     is the content safe to serve?
    sanctuary content report [--html FILE]      what is translated, reviewed, out of date
    sanctuary content export-po --lang ar       a .po file to send to a translator
    sanctuary content import-po ar.po           bring a translator's .po file back

The lead's ``bot/cli.py`` calls :func:`register`. Until then (and always):
``python -m bot.content.cli check``.
"""
from __future__ import annotations

import argparse
import sys


def _check(args: argparse.Namespace) -> int:
    from bot.content import check

    return check.run(args)


def _report(args: argparse.Namespace) -> int:
    from bot.content import report

    return report.run(args)


def _export_po(args: argparse.Namespace) -> int:
    from bot.content import po

    return po.run_export(args)


def _import_po(args: argparse.Namespace) -> int:
    from bot.content import po

    return po.run_import(args)


def register(subparsers: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """Add ``content`` (with check, report, export-po, import-po) to an argparse subparsers object.

    Each sub-command sets ``func(args) -> int`` (the exit code) as a default.
    """
    content = subparsers.add_parser(
        "content", help="check, report on and translate the bot's content",
        description="Tools for editors and translators: check the content, report on translations, "
                    "and send text to translators and bring it back (.po files).")
    content.add_argument("--content-dir", metavar="DIR",
                         help="the content folder (default: $SANCTUARY_CONTENT_DIR or <repo>/content)")
    # also accepted after the sub-command; SUPPRESS keeps it from hiding the value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="the content folder (default: $SANCTUARY_CONTENT_DIR or <repo>/content)")
    sub = content.add_subparsers(dest="content_command", metavar="COMMAND")
    sub.required = True

    from bot.content.check import add_arguments as check_arguments

    p = sub.add_parser("check", parents=[common], help="check every content file; exit code 1 on errors",
                       description="Check every content file. Prints each problem with its file, line and "
                                   "how to fix it. Exit code 1 if there is an error, 0 with warnings only.")
    check_arguments(p)
    p.set_defaults(func=_check)

    p = sub.add_parser("report", parents=[common], help="translation status, review dates, directory checks, feedback",
                       description="Print which answers are reviewed, draft or missing in each language, "
                                   "answers past their review date, directory entries not checked in 6 "
                                   "months, and feedback counts.")
    p.add_argument("--html", metavar="FILE", help="also write a page showing every answer as users see it")
    p.add_argument("--feedback", metavar="FILE", help="feedback counts (default: var/feedback.json)")
    p.add_argument("--today", help=argparse.SUPPRESS)
    p.set_defaults(func=_report)

    p = sub.add_parser("export-po", parents=[common], help="write a .po file for translators",
                       description="Write a .po file with every English text and the current translation. "
                                   "Translators can open it in Poedit, Weblate or any .po editor.")
    p.add_argument("--lang", required=True, help="language code, e.g. ar, fa, ti")
    p.add_argument("--out", metavar="FILE", help="where to write it (default: <lang>.po)")
    p.set_defaults(func=_export_po)

    p = sub.add_parser("import-po", parents=[common], help="merge a translator's .po file into content/translations/",
                       description="Merge a translated .po file into content/translations/<lang>.yml. Only "
                                   "translated entries not marked fuzzy are taken. They are saved as draft, "
                                   "unless the translator wrote 'reviewed-by: NAME' in the entry's comment or "
                                   "the file's 'Reviewed-By' header.")
    p.add_argument("file", metavar="FILE", help="the .po file")
    p.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    p.set_defaults(func=_import_po)
    return content


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sanctuary", description="Sanctuary content tools")
    register(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "content":
        argv = ["content", *argv]
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
