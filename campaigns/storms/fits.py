"""Whether a post's whole text fits each network, counted as that network counts.

- X: 280 weighted characters by twitter-text's v3 rules (the twitter-text-parser package,
  a port of Twitter's own twitter-text): a link counts 23 however long, and characters
  outside the Latin, punctuation and symbol ranges (emoji, CJK) count 2.
- Bluesky: 300 graphemes (user-perceived characters: a family emoji made of several code
  points is one), counted with the `regex` package's \\X.
- Mastodon: 500 characters by a default server's rules: a link counts 23 and a mention
  only by its username (@name@instance counts as @name).

The text checked is what the compose button opens: the post, the hashtag, the mention and
any link, as compose_text puts them together.
"""

from dataclasses import dataclass

import regex
from twitter_text import parse_tweet

X, BLUESKY, MASTODON = "x", "bluesky", "mastodon"
NETWORKS = {X: "X", BLUESKY: "Bluesky", MASTODON: "Mastodon"}
LIMITS = {X: 280, BLUESKY: 300, MASTODON: 500}
MASTODON_URL_LENGTH = 23

_URL = regex.compile(r"https?://\S+", regex.IGNORECASE)
_MASTODON_MENTION = regex.compile(r"(?<![\w@])@(\w+)@[\w.-]+\w", regex.UNICODE)


@dataclass(frozen=True)
class Fit:
    network: str
    length: int
    limit: int

    @property
    def fits(self) -> bool:
        return self.length <= self.limit

    @property
    def over(self) -> int:
        return max(0, self.length - self.limit)

    def message(self) -> str:
        name = NETWORKS[self.network]
        if self.fits:
            return f"{self.length} of {self.limit} on {name}"
        return (
            f"Too long for {name} by {self.over}: {self.length} of {self.limit}"
            f"{' (a link counts 23, an emoji 2)' if self.network == X else ''}."
        )


def length(text: str, network: str) -> int:
    """The text's length as `network` counts it."""
    if network == X:
        return parse_tweet(text).weightedLength
    if network == BLUESKY:
        return len(regex.findall(r"\X", text))
    if network == MASTODON:
        text = _MASTODON_MENTION.sub(r"@\1", text)
        text = _URL.sub("x" * MASTODON_URL_LENGTH, text)
        return len(text)
    raise ValueError(f"unknown network {network!r}")


def fit(text: str, network: str) -> Fit:
    return Fit(network=network, length=length(text, network), limit=LIMITS[network])


def fits_all(text: str, networks) -> list[Fit]:
    """The fit of the text on each of `networks`, in the order given."""
    return [fit(text, network) for network in networks]


def compose_text(*, post: str, hashtag: str, mention: str = "", link: str = "") -> str:
    """The whole text a compose button opens: the mention first (so the post is aimed at
    the account), the post in the supporter's words, then the hashtag and any link."""
    parts = [f"{mention} " if mention else "", post.strip(), f" #{hashtag}"]
    if link:
        parts.append(f" {link}")
    return "".join(parts)
