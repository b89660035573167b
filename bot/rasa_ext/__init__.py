"""Small extensions loaded by the Rasa worker process (never by the Telegram front end).

They are referenced by module path from config.yml, credentials.yml and endpoints.yml,
the way Rasa expects custom components, channels and tracker stores.
"""
