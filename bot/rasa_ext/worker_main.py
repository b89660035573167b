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
        """Called by Rasa's log processor for each field that may hold user text."""
        return "[redacted]"

    def run(self, event: Any) -> None:
        """Called for each new tracker event (for an anonymised event stream); we stream nothing."""
        return None


class PrivacyPlugin:
    @hookimpl
    def get_anonymization_pipeline(self) -> Any:
        return Redactor()


def _tracebacks_without_locals() -> None:
    """Rasa's JSON logs render exceptions with every frame's local variables, which
    include the message text; render them without locals instead."""
    import structlog
    from structlog.tracebacks import ExceptionDictTransformer

    structlog.processors.dict_tracebacks = structlog.processors.ExceptionRenderer(
        ExceptionDictTransformer(show_locals=False))


def _no_event_anonymisation() -> None:
    """With a pipeline registered, Rasa also re-reads the tracker after every message to
    anonymise new events for an event stream; we stream no events, so skip that work."""
    from rasa.core.processor import MessageProcessor

    async def skip(self: Any, tracker: Any) -> None:
        return None

    MessageProcessor.run_anonymization_pipeline = skip


def _fast_action_response_validation() -> None:
    """Rasa validates every action-server reply with `jsonschema.validate`, which first
    re-checks the (large, unchanging) schema against its meta-schema: about 45 ms of the
    worker's time per custom action here. Build the validator once and reuse it; the
    reply is still validated exactly as before."""
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    validators: dict = {}

    def validate(self: Any, result: Any) -> bool:
        schema = self.action_response_format_spec()
        key = id(type(self))
        if key not in validators:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validators[key] = cls(schema)
        try:
            validators[key].validate(result)
            return True
        except jsonschema.ValidationError:
            return original(self, result)  # Rasa's own error message

    RemoteAction._validate_action_result = validate


def main() -> None:
    _fast_action_response_validation()
    if os.environ.get("SANCTUARY_LOG_MESSAGE_TEXT", "0") != "1":
        from rasa.plugin import plugin_manager

        plugin_manager().register(PrivacyPlugin())
        _tracebacks_without_locals()
        _no_event_anonymisation()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
