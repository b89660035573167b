"""Custom actions for the Rasa action server (rasa_sdk), started by `sanctuary`."""
