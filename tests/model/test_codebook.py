import re

import pytest
import yaml

from dangjian.model.codebook import load_codebook, parse_codebook
from dangjian.model.errors import CodebookError
from dangjian.model.resources import default_themes
from tests.conftest import DATA, REPO

CODEBOOK_IDS = ["cadre_training", "leadership_team", "party_members", "organization", "collective_economy",
                "governance", "assessment", "responsibility", "brand_building"]


def test_bundled_codebook_has_the_nine_themes_with_20_keywords():
    cb = load_codebook()
    assert cb.ids == CODEBOOK_IDS
    for theme in cb.themes:
        assert len(theme.keywords) >= 20, theme.id
        assert all(re.fullmatch(r"[\u4e00-\u9fff]+", kw) for kw in theme.keywords), theme.id
    assert cb["governance"].name == "基层治理"


def test_bundled_codebook_names_match_shared_codebook():
    shared = REPO.parent / "shared" / "codebook.md"
    if not shared.exists():
        pytest.skip("../shared is not beside this clone")
    rows = re.findall(r"^\| `(\w+)` \| (\S+) \|", shared.read_text(encoding="utf-8"), re.M)
    cb = load_codebook()
    assert [(t.id, t.name) for t in cb.themes] == rows


def _doc(**theme_overrides):
    base = yaml.safe_load(default_themes().read_text(encoding="utf-8"))
    base["themes"][0].update(theme_overrides)
    return base


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["themes"][0].update(colour="red"), r"theme 1 \('cadre_training'\): unknown key\(s\) \['colour'\]"),
        (lambda d: d.update(extra=1), r"unknown top-level key"),
        (lambda d: d["themes"][1].update(id="cadre_training"), r"theme 2 \('cadre_training'\): duplicate id"),
        (lambda d: d["themes"][2]["keywords"].append("培训"), r"theme 3 \('party_members'\): keyword '培训' is already seeded for theme 'cadre_training'"),
        (lambda d: d["themes"][3].update(keywords=[]), r"theme 4 \('organization'\): 'keywords' must be a non-empty list"),
        (lambda d: d["themes"][4].pop("name"), r"theme 5 \('collective_economy'\): missing key\(s\) \['name'\]"),
        (lambda d: d["themes"][5].update(id="Governance!"), r"theme 6 .*lower_snake_case"),
        (lambda d: d["themes"][6]["keywords"].append(""), r"theme 7 \('assessment'\): keyword '' must be a non-empty string"),
        (lambda d: d.update(themes=[]), r"'themes' must be a non-empty list"),
    ],
)
def test_codebook_validation_names_the_entry(mutate, message):
    doc = yaml.safe_load(default_themes().read_text(encoding="utf-8"))
    mutate(doc)
    with pytest.raises(CodebookError, match=message):
        parse_codebook(doc, "themes.yaml")


def test_codebook_invalid_yaml_names_line(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  - id: a\n    keywords: [x, y\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"themes\.yaml: invalid YAML at line"):
        load_codebook(path)


def test_codebook_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="cannot read"):
        load_codebook(tmp_path / "nope.yaml")
