"""A whitespace tokenizer that first normalises Unicode (see bot.core.normalize).

CountVectorsFeaturizer builds its word and character n-grams from the tokens, so
normalising here makes training and prediction see the same spelling of every word
without touching the training files.
"""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.core.normalize import normalize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class NormalizingTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer over normalised token text; offsets stay those of the original."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = []
        for token in super().tokenize(message, attribute):
            text = normalize(token.text)
            if text:
                tokens.append(Token(text, token.start, token.end, token.data, token.lemma))
        if not tokens:
            # Emoji-only or punctuation-only messages still need one token for the featurizers.
            tokens = [Token("<empty>", 0, 0)]
        return tokens
