"""Statistical disclosure control for counts of people that leave the service.

One rule for every file a coordinator downloads that counts people: a count from 1 to 4 is
suppressed (so nobody can be singled out), and so is a second cell of the same column when only
one would be hidden (secondary suppression): otherwise the column total, shown elsewhere,
would give the hidden cell away. The second cell is the smallest count left (often a zero), so
as little as possible is hidden. Zero is otherwise shown: "nobody" singles out no one.
"""

from collections.abc import Sequence

THRESHOLD = 5
#: What a suppressed cell says in a CSV (as official German statistics write a secret value).
SUPPRESSED = "."


def suppressed(counts: Sequence[int], *, threshold: int = THRESHOLD) -> list[bool]:
    """Which cells of one column (or one row) to hide."""
    hide = [0 < c < threshold for c in counts]
    if sum(hide) == 1:
        shown = [(c, i) for i, c in enumerate(counts) if not hide[i]]
        if shown:
            hide[min(shown)[1]] = True
    return hide


def protect(counts: Sequence[int], *, threshold: int = THRESHOLD) -> list[int | str]:
    """The column as it may be published: hidden cells replaced by :data:`SUPPRESSED`."""
    return [
        SUPPRESSED if hidden else count
        for count, hidden in zip(counts, suppressed(counts, threshold=threshold), strict=True)
    ]
