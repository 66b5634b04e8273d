"""``volunteer match``: the matching engine on JSON files, for coordinators and other tools.

A plain click group (no Flask imports) so it runs without an app or a database; the app's CLI
registers it with ``cli.add_command(match)``. The engine (numpy, numba's kernels: about a second
of CPU to import) is imported inside the commands, so that ``volunteer backup`` or ``db upgrade``
does not load it. The command owns the file I/O and the timing;
:mod:`matching.interchange` validates and serialises, the engine computes. Every expected
failure is a ``click.ClickException`` ("Error: ..." and exit status 1), never a traceback.
"""

import json
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from matching.interchange import Instance

#: Runs with at least this many opportunities report progress on stderr.
PROGRESS_FROM = 2000


def _load(path: Path) -> "Instance":
    from matching.interchange import InterchangeError, parse_instance

    if path.suffix == ".npz":
        return _load_columnar(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    try:
        return parse_instance(data)
    except InterchangeError as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def _load_columnar(path: Path) -> "Instance":
    """The columnar twin of the JSON file (:mod:`matching.columnar`), much faster to read."""
    import numpy as np

    from matching.columnar import instance_from_arrays

    try:
        with np.load(path, allow_pickle=False) as arrays:
            return instance_from_arrays({key: arrays[key] for key in arrays.files})
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (ValueError, zipfile.BadZipFile) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


class _Progress:
    """Prints "candidates: 40% (4000/10000)" to stderr at every further tenth."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.next_tenth = 1

    def __call__(self, step: int) -> None:
        self.done += step
        while self.total and self.done * 10 >= self.next_tenth * self.total:
            click.echo(f"candidates: {self.next_tenth * 10}% ({self.done}/{self.total})", err=True)
            self.next_tenth += 1


@click.group("match")
def match() -> None:
    """Rank and assign volunteers with the matching engine, on JSON interchange files."""


@match.command("convert")
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--output", "output_path", required=True, type=click.Path(path_type=Path))
def convert_command(input_path: Path, output_path: Path) -> None:
    """Write an instance (JSON or .npz) as the other format: .npz loads several times faster."""
    import numpy as np

    from matching.columnar import instance_to_arrays
    from matching.interchange import instance_to_dict

    instance = _load(input_path)
    if output_path.suffix == ".npz":
        arrays: dict[str, Any] = instance_to_arrays(instance)
        np.savez_compressed(output_path, allow_pickle=False, **arrays)
    else:
        output_path.write_text(json.dumps(instance_to_dict(instance)), encoding="utf-8")
    click.echo(
        f"{output_path}: {len(instance.volunteers):,} volunteers, "
        f"{len(instance.opportunities):,} opportunities"
    )


@match.command("assign")
@click.option(
    "--input", "input_path", required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--output", "output_path", required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--top-k",
    type=click.IntRange(min=1),
    default=None,
    help="Keep only each volunteer's K best candidates (faster, approximate).",
)
@click.option(
    "--emit-candidates", is_flag=True, help="Also write every pair the solver considered."
)
@click.option(
    "--fill-fairly",
    is_flag=True,
    help="First give every opportunity one volunteer, then maximise the total score.",
)
@click.option(
    "--workers",
    default=1,
    type=click.IntRange(min=1, max=64),
    show_default=True,
    help="Threads for candidate generation with --top-k (e.g. the number of cores).",
)
def assign_command(
    input_path: Path,
    output_path: Path,
    top_k: int | None,
    emit_candidates: bool,
    fill_fairly: bool,
    workers: int,
) -> None:
    """Compute the assignment of maximum total score and write it to OUTPUT."""
    from matching.assign import assign as assign_pairs
    from matching.candidates import candidate_pairs
    from matching.index import VolunteerIndex
    from matching.interchange import assignment_to_dict

    instance = _load(input_path)
    opps = instance.opportunities
    started = time.perf_counter()
    index = VolunteerIndex(instance.volunteers, skill_category=instance.skill_category)
    progress = _Progress(len(opps)) if len(opps) >= PROGRESS_FROM else None
    candidates = candidate_pairs(
        index, opps, now=instance.now, top_k=top_k, progress=progress, workers=workers
    )
    generated = time.perf_counter()
    if progress is not None:
        click.echo(f"solving: {len(candidates)} candidate pairs", err=True)
    result = assign_pairs(
        index, opps, now=instance.now, fill_fairly=fill_fairly, candidates=candidates
    )
    solved = time.perf_counter()
    document = assignment_to_dict(
        result,
        instance.volunteers,
        opps,
        emit_candidates=emit_candidates,
        stats={
            "top_k": top_k,
            "fill_fairly": fill_fairly,
            "seconds_candidates": round(generated - started, 3),
            "seconds_solve": round(solved - generated, 3),
        },
    )
    try:
        output_path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{output_path}: cannot write ({exc.strerror})") from None
    click.echo(
        f"assigned {len(result.pairs)} pairs, total score {document['total_score']}, "
        f"from {len(candidates)} candidates -> {output_path}",
        err=True,
    )


@match.command("rank")
@click.option(
    "--input", "input_path", required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option("--volunteer", "volunteer_id", required=True, help="Id of the volunteer to rank for.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
def rank_command(input_path: Path, volunteer_id: str, limit: int) -> None:
    """Print the best opportunities for one volunteer as JSON, with reason codes."""
    from matching.interchange import matches_to_list
    from matching.rank import rank_opportunities

    instance = _load(input_path)
    found = [v for v in instance.volunteers if v.id == volunteer_id]
    if not found:
        raise click.ClickException(f"{input_path}: no volunteer with id {volunteer_id!r}")
    matches = rank_opportunities(
        found[0],
        instance.opportunities,
        limit=limit,
        skill_category=instance.skill_category,
        now=instance.now,
    )
    output: list[dict[str, Any]] = matches_to_list(matches)
    click.echo(json.dumps(output, indent=1))
