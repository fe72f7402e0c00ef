import pytest

from dangjian.model.codebook import load_codebook
from dangjian.model.palette import RESIDUAL_COLOUR, THEME_COLOURS, TOL_MUTED, ink, theme_colours, tint


def test_every_codebook_theme_has_its_own_colour_from_the_colour_blind_safe_scheme():
    codebook = load_codebook()
    colours = codebook.colours()
    assert list(colours) == codebook.ids
    assert len(set(colours.values())) == len(codebook) == 9
    assert set(colours.values()) == set(TOL_MUTED)
    assert colours == {t: THEME_COLOURS[t] for t in codebook.ids}


def test_theme_colours_gives_unknown_themes_unused_colours_then_grey():
    ids = ["governance", "new_a", "new_b"]
    colours = theme_colours(ids)
    assert colours["governance"] == THEME_COLOURS["governance"]
    assert colours["new_a"] not in (colours["governance"], colours["new_b"])
    many = theme_colours(list(THEME_COLOURS) + ["tenth"])
    assert many["tenth"] == RESIDUAL_COLOUR


@pytest.mark.parametrize("colour, expected", [("#332288", "#FFFFFF"), ("#DDCC77", "#000000"),
                                              ("#88CCEE", "#000000"), ("#000000", "#FFFFFF"), ("#FFFFFF", "#000000")])
def test_ink_picks_the_readable_text_colour(colour, expected):
    assert ink(colour) == expected


def test_tint_mixes_with_white():
    assert tint("#000000", 0.25) == "#BFBFBF"
    assert tint("#117733", 1.0) == "#117733"
    assert tint("#117733", 0.0) == "#FFFFFF"
    with pytest.raises(ValueError):
        tint("#11773", 0.5)
    with pytest.raises(ValueError):
        tint("#117733", 2)
