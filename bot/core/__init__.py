"""The plain core: content, languages, safety and settings.

Nothing in this package imports Rasa, TensorFlow or python-telegram-bot, so the
Telegram front end can answer the language picker and safety messages before
(or without) a Rasa model. A test parses the imports to keep it that way.
"""
