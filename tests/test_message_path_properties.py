"""Property-based tests over the whole message path: any text gets a reply, never a crash."""
from __future__ import annotations

import itertools

from hypothesis import given, settings, strategies as st

from bot.core.knowledge import LANGUAGES

_users = itertools.count(1)
BIDI_AND_CONTROL = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff\x00\x07\x1b\r\n\t"

texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(BIDI_AND_CONTROL + "aب۱ሰж😀 "), max_size=200),
    st.just(""),
    st.integers(min_value=1000, max_value=9000).map(lambda n: "x" * n),
    st.text(min_size=1, max_size=20).map(lambda t: t * 400),
)


async def test_any_text_property_on_the_session_loop(engine):
    """Hypothesis draws the examples; each runs through the real engine on the session loop."""
    failures = []

    @settings(max_examples=80, deadline=None)
    @given(text=texts, lang=st.sampled_from((None,) + LANGUAGES))
    def collect(text, lang):
        samples.append((text, lang))

    samples: list = []
    collect()
    for text, lang in samples:
        reply = await engine.handle(f"prop-{next(_users)}", text, lang=lang)
        if not reply.messages or not all(m.text for m in reply.messages):
            failures.append((text[:50], lang, reply))
        if reply.language not in LANGUAGES:
            failures.append((text[:50], lang, reply.language))
    assert not failures, failures[:3]
