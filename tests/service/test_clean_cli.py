import json

from dangjian.service.clean import main
from tests.conftest import SEEDS


def test_clean_cli_prints_units_and_reports_bad_files(tmp_path, capsys):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code = main([str(SEEDS[2]), str(bad), str(empty), str(SEEDS[4]), "--tokens"])
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert {r["doc"] for r in records} == {SEEDS[2].stem, SEEDS[4].stem}
    assert {"doc", "index", "heading", "text", "start", "end", "tokens", "title", "date", "source"} <= set(records[0])
    assert f"{bad}: binary file" in err
    assert f"{empty}: empty file" in err


def test_clean_cli_all_good_exit_zero(capsys):
    assert main([str(SEEDS[0])]) == 0
    out, _ = capsys.readouterr()
    assert len(out.splitlines()) > 10
