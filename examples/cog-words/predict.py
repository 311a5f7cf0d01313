"""A Cog predictor that streams text word by word, as a language model streams tokens."""

import random
from typing import Optional

from cog import BasePredictor, ConcatenateIterator, Input

WORDS = ["ember", "hearth", "kindling", "glow", "smoke", "spark", "ash", "flame", "warmth", "coal"]


class Predictor(BasePredictor):
    def setup(self):
        # runs once per worker, before its first prediction: load weights here
        self.vocabulary = sorted(WORDS)

    def predict(
        self,
        prompt: str = Input(description="The first word of the text"),
        words: int = Input(description="How many words follow it", default=8, ge=1, le=100),
        style: str = Input(description="How to write them", default="plain", choices=["plain", "shout"]),
        seed: Optional[int] = Input(description="Random seed; leave empty for a random one", default=None),
    ) -> ConcatenateIterator[str]:
        rng = random.Random(seed)
        yield prompt
        for _ in range(words):
            word = rng.choice(self.vocabulary)
            yield " " + (word.upper() if style == "shout" else word)
