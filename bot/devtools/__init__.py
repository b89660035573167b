"""Tools for tests and benchmarks: a fake Telegram Bot API server on loopback."""
