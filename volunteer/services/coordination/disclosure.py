"""Statistical disclosure control for counts of people that leave the service.

One rule for every file a coordinator downloads that counts people: a count from 1 to 4 is
suppressed (so nobody can be singled out), and so is a second cell of the same column when only
one would be hidden (secondary suppression): otherwise the column total, shown elsewhere,
would give the hidden cell away. The second cell is the smallest count left (often a zero), so
as little as possible is hidden. Zero is otherwise shown: "nobody" singles out no one.

A two-way table (the open data: districts × causes per month) has totals both ways, so
:func:`suppressed_table` repeats that step over every row and every column until none of them
has exactly one hidden cell: hiding a second cell in a row can leave its column with one, which
then needs a second of its own.
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


def suppressed_table(
    table: Sequence[Sequence[int]], *, threshold: int = THRESHOLD
) -> list[list[bool]]:
    """Which cells of a two-way table to hide: 1 to 4, then a second cell in every row and
    every column that would otherwise have exactly one (smallest first), until stable."""
    hide = [[0 < c < threshold for c in row] for row in table]
    if not hide:
        return hide
    width = len(hide[0])
    lines = [[(i, j) for j in range(width)] for i in range(len(hide))]
    lines += [[(i, j) for i in range(len(hide))] for j in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if len(line) > 1 and sum(hide[i][j] for i, j in line) == 1:
                _, i, j = min((table[i][j], i, j) for i, j in line if not hide[i][j])
                hide[i][j] = changed = True
    return hide
