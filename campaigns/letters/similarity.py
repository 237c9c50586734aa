"""Own words, checked: how close a letter is to the letters already written in its campaign.

As WriteToThem does, a letter's text is normalised and cut into overlapping word shingles
(SHINGLE words each); the letter's MinHash signature (HASHES numbers) estimates the Jaccard
similarity of two letters' shingle sets. The signature is cut into BANDS bands of ROWS
numbers (locality-sensitive hashing); each band's hash is stored in LetterBand, indexed,
so the letters that share any band with a new one, the candidate near-copies, come back
in ONE query however many letters the campaign holds. Their stored signatures give the
estimated similarity. With 32 bands of 4, a letter 60% similar to an earlier one shares a
band with it with probability 0.99; one 20% similar, with probability 0.05.

Every hash is derived from blake2b with fixed keys, never Python's hash() (randomised per
process), so signatures stored by one worker compare with those computed by another.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q

SHINGLE = 3
HASHES = 128
BANDS = 32
ROWS = HASHES // BANDS
CANDIDATES_MAX = 200  # candidates compared per letter: bounds the work, not the queries

_PRIME = (1 << 61) - 1  # a Mersenne prime above every 60-bit shingle hash
_MAX = (1 << 64) - 1
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def _seed(i: int) -> tuple[int, int]:
    digest = hashlib.blake2b(f"letters-minhash:{i}".encode(), digest_size=16).digest()
    a = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
    b = int.from_bytes(digest[8:], "big") % _PRIME
    return a, b


_PERMUTATIONS = tuple(_seed(i) for i in range(HASHES))


def words(text: str) -> list[str]:
    """The words of a text, normalised: Unicode-compatible forms, case folded, curly
    quotes straightened, punctuation and spacing dropped."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _WORD_RE.findall(text)


def shingles(text: str) -> set[str]:
    """Every run of SHINGLE consecutive words (the whole text if it is shorter)."""
    found = words(text)
    if len(found) < SHINGLE:
        return {" ".join(found)} if found else set()
    return {" ".join(found[i : i + SHINGLE]) for i in range(len(found) - SHINGLE + 1)}


def _shingle_hash(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode(), digest_size=8, person=b"gs-shingle").digest()
    return int.from_bytes(digest, "big") >> 4  # 60 bits, below _PRIME


def signature(text: str) -> list[int]:
    """The MinHash signature of a text: HASHES numbers, the same in every process. An
    empty text has a signature that matches nothing ([_MAX] * HASHES is never banded)."""
    hashed = [_shingle_hash(s) for s in shingles(text)]
    if not hashed:
        return []
    return [min((a * h + b) % _PRIME for h in hashed) for a, b in _PERMUTATIONS]


def bands(sig: list[int]) -> list[tuple[int, int]]:
    """(band, value) pairs of a signature: each band's ROWS numbers hashed to a signed
    64-bit integer (for a BigIntegerField)."""
    found = []
    for band in range(BANDS if sig else 0):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(
            ",".join(map(str, rows)).encode(), digest_size=8, person=b"gs-band"
        ).digest()
        found.append((band, int.from_bytes(digest, "big", signed=True)))
    return found


def estimated_similarity(a: list[int], b: list[int]) -> float:
    """The estimated Jaccard similarity of two texts from their signatures (0.0-1.0)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


@dataclass(frozen=True)
class Match:
    letter_id: int | None
    similarity: float


def most_similar(
    *, letter_campaign_id: int, sig: list[int], exclude_id=None, writer_email_hash: str = ""
) -> Match:
    """The campaign's letter closest to a signature, among those sharing a band with it:
    one query, whatever the number of letters. Expired letters never reached anyone and a
    writer's own earlier letters are theirs to reuse, so neither counts as a copy."""
    from campaigns.letters.models import Letter, LetterBand

    pairs = bands(sig)
    if not pairs:
        return Match(None, 0.0)
    matching = Q()
    for band, value in pairs:
        matching |= Q(band=band, value=value)
    candidate_ids = LetterBand.objects.filter(matching, letter_campaign_id=letter_campaign_id)
    candidates = Letter.objects.filter(pk__in=candidate_ids.values("letter_id"))
    candidates = candidates.exclude(state=Letter.State.EXPIRED)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    if writer_email_hash:
        candidates = candidates.exclude(email_hash=writer_email_hash)
    best = Match(None, 0.0)
    for pk, other in candidates.order_by("-pk").values_list("pk", "signature")[:CANDIDATES_MAX]:
        score = estimated_similarity(sig, other)
        if score > best.similarity:
            best = Match(pk, score)
    return best


def bands_store(letter) -> None:
    """Store a letter's bands (one INSERT), so later letters find it."""
    from campaigns.letters.models import LetterBand

    LetterBand.objects.bulk_create(
        [
            LetterBand(letter=letter, letter_campaign_id=letter.letter_campaign_id, band=b, value=v)
            for b, v in bands(letter.signature)
        ]
    )
