"""``volunteer match``: round trip through files, and clear errors for malformed input."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from volunteer.cli.match import match

INSTANCE = {
    "volunteers": [
        {
            "id": "anna",
            "lat": 51.4818,
            "lon": 7.2162,
            "max_km": 5,
            "skills": ["cooking"],
            "causes": ["seniors"],
            "languages": ["de"],
            "availability": ["sat-morning"],
            "adult": True,
            "capacity": 1,
        },
        {
            "id": "ben",
            "lat": 51.4943,
            "lon": 7.2327,
            "max_km": 3,
            "skills": [],
            "causes": [],
            "languages": ["de", "en"],
            "availability": ["sat-morning", "sun-evening"],
            "adult": False,
            "capacity": 2,
        },
        {
            "id": "cem",
            "lat": None,
            "lon": None,
            "skills": ["translation"],
            "languages": ["tr"],
            "availability": [],
        },
    ],
    "opportunities": [
        {
            "id": "kitchen",
            "lat": 51.485,
            "lon": 7.22,
            "required_skills": ["cooking"],
            "optional_skills": [],
            "causes": ["seniors"],
            "languages": ["de"],
            "slots": ["sat-morning"],
            "adults_only": True,
            "capacity": 1,
        },
        {
            "id": "park",
            "lat": 51.49,
            "lon": 7.23,
            "required_skills": [],
            "optional_skills": [],
            "causes": [],
            "languages": [],
            "slots": ["sat-morning"],
            "adults_only": False,
            "capacity": 2,
        },
        {"id": "phone", "lat": None, "lon": None, "languages": ["tr"], "capacity": 1},
    ],
}


def write(tmp_path: Path, data: object, name: str = "instance.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_assign_round_trips_the_interchange_format(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = CliRunner().invoke(
        match,
        [
            "assign",
            "--input",
            str(write(tmp_path, INSTANCE)),
            "--output",
            str(out),
            "--emit-candidates",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    pairs = {(p["volunteer"], p["opportunity"]) for p in doc["assignment"]}
    assert pairs == {("anna", "kitchen"), ("ben", "park"), ("cem", "phone")}
    assert doc["total_score"] == pytest.approx(sum(p["score"] for p in doc["assignment"]), abs=1e-5)
    assert {(c["volunteer"], c["opportunity"]) for c in doc["candidates"]} >= pairs
    assert doc["stats"]["candidate_pairs"] == len(doc["candidates"])
    assert set(doc) == {"assignment", "total_score", "candidates", "stats"}


def test_assign_without_emit_candidates_and_with_options(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    args = ["assign", "--input", str(write(tmp_path, INSTANCE)), "--output", str(out)]
    result = CliRunner().invoke(match, [*args, "--top-k", "1", "--fill-fairly"])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "candidates" not in doc
    assert doc["stats"]["top_k"] == 1 and doc["stats"]["fill_fairly"] is True


def test_rank_prints_opportunities_with_scores_and_reasons(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        match,
        ["rank", "--input", str(write(tmp_path, INSTANCE)), "--volunteer", "ben", "--limit", "5"],
    )
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.output)
    assert [r["opportunity"] for r in ranked] == ["park"]
    assert {"code": "fits_slot", "slots": ["sat-morning"]} in ranked[0]["reasons"]
    assert 0 < ranked[0]["score"] <= 1


def test_rank_of_an_unknown_volunteer_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        match, ["rank", "--input", str(write(tmp_path, INSTANCE)), "--volunteer", "zoe"]
    )
    assert result.exit_code != 0
    assert "Error:" in result.output and "'zoe'" in result.output


def broken(path: list[object], value: object) -> dict[str, object]:
    data = json.loads(json.dumps(INSTANCE))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "invalid JSON at line 1 column 2"),
        (broken(["volunteers", 1, "id"], KeyError), "volunteers[1]: missing id"),
        (
            broken(["opportunities", 2, "id"], "kitchen"),
            "opportunities[2] (id 'kitchen'): duplicate id",
        ),
        (
            broken(["volunteers", 0, "availability"], ["mon-night"]),
            "volunteers[0] (id 'anna'): unknown slot 'mon-night'",
        ),
        (
            broken(["opportunities", 0, "lat"], 123.0),
            "opportunities[0] (id 'kitchen'): lat 123.0 out of range",
        ),
        (
            broken(["opportunities", 1, "capacity"], -1),
            "opportunities[1] (id 'park'): capacity must not be negative",
        ),
    ],
)
@pytest.mark.parametrize("command", ["assign", "rank"])
def test_malformed_input_exits_non_zero_with_a_message_naming_the_record(
    tmp_path: Path, data: object, message: str, command: str
) -> None:
    path = write(tmp_path, data)
    extra = (
        ["--output", str(tmp_path / "out.json")] if command == "assign" else ["--volunteer", "anna"]
    )
    result = CliRunner().invoke(match, [command, "--input", str(path), *extra])
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"Error: {path}: {message}" in result.output
    assert not (tmp_path / "out.json").exists()


def test_a_missing_input_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        match,
        ["assign", "--input", str(tmp_path / "nope.json"), "--output", str(tmp_path / "o.json")],
    )
    assert result.exit_code != 0
    assert "Error:" in result.output and "nope.json" in result.output


def test_an_instance_converted_to_npz_assigns_the_same_pairs(tmp_path: Path) -> None:
    runner = CliRunner()
    source = write(tmp_path, INSTANCE)
    npz = tmp_path / "instance.npz"
    converted = runner.invoke(match, ["convert", "--input", str(source), "--output", str(npz)])
    assert converted.exit_code == 0, converted.output
    results = []
    for path in (source, npz):
        out = tmp_path / f"result-{path.suffix[1:]}.json"
        done = runner.invoke(match, ["assign", "--input", str(path), "--output", str(out)])
        assert done.exit_code == 0, done.output
        results.append(json.loads(out.read_text(encoding="utf-8"))["assignment"])
    assert results[0] == results[1]
    back = tmp_path / "back.json"
    assert (
        runner.invoke(match, ["convert", "--input", str(npz), "--output", str(back)]).exit_code == 0
    )
    assert (
        runner.invoke(
            match, ["assign", "--input", str(back), "--output", str(tmp_path / "r.json")]
        ).exit_code
        == 0
    )


def test_a_broken_npz_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip file")
    result = CliRunner().invoke(
        match, ["assign", "--input", str(path), "--output", str(tmp_path / "o.json")]
    )
    assert result.exit_code == 1
    assert "Error: " in result.output and "broken.npz" in result.output
