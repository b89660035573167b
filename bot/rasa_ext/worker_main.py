"""Entry point for a Rasa worker process: `rasa run` with message text kept out of logs.

Rasa 3.6 passes every log field that can hold user text (text, parse data, slot
values, ...) through an "anonymization pipeline" that only Rasa Pro provides. We
register a pipeline that replaces those fields with "[redacted]", unless the
operator turned text logging on (SANCTUARY_LOG_MESSAGE_TEXT=1).
"""
from __future__ import annotations

import os
import sys
from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("rasa")


class Redactor:
    def log_run(self, value: Any) -> str:
        return "[redacted]"


class PrivacyPlugin:
    @hookimpl
    def get_anonymization_pipeline(self) -> Any:
        return Redactor()


def main() -> None:
    if os.environ.get("SANCTUARY_LOG_MESSAGE_TEXT", "0") != "1":
        from rasa.plugin import plugin_manager

        plugin_manager().register(PrivacyPlugin())
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
