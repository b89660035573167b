"""The REST input channel the front end talks to, with metadata passed through.

Rasa's own RestInput drops the request's metadata; the front end sends the chosen
language there, which the actions read.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request


class SanctuaryRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "sanctuary"

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return (request.json or {}).get("metadata")
