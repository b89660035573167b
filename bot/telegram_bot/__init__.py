"""The Telegram front end (python-telegram-bot 22). No Rasa or TensorFlow import here."""
