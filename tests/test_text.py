"""Tests for citycoop.lib.text: folding, slugs and spaces."""

from __future__ import annotations

from citycoop.lib.text import fold, normalise_space, slugify


def test_fold_makes_hyphenated_and_spaced_names_equal() -> None:
    assert fold("West-Midlands") == fold("west midlands") == "west midlands"


def test_fold_drops_accents() -> None:
    assert fold("Málaga") == "malaga"
    assert fold("Andalucía") == fold("Andalucia")
    assert fold("Łódź") == "lodz"


def test_fold_spells_out_letters_that_have_no_accent_to_drop() -> None:
    assert fold("Rambøll") == "ramboll"
    assert fold("Ærø") == "aero"
    assert fold("Straße") == "strasse"
    assert fold("Đakovo") == "dakovo"


def test_fold_turns_dashes_apostrophes_and_dots_into_spaces() -> None:
    assert fold("Xi\u2019an") == "xi an"
    assert fold("Xi'an") == "xi an"
    assert fold("Stratford\u2013upon\u2013Avon") == "stratford upon avon"
    assert fold("St. Albans") == "st albans"


def test_fold_collapses_whitespace_and_strips() -> None:
    assert fold("  Navi \u00a0 Mumbai\n") == "navi mumbai"


def test_fold_leaves_chinese_alone() -> None:
    assert fold("成都") == "成都"


def test_fold_of_an_empty_string_is_empty() -> None:
    assert fold("") == ""
    assert fold(" - ") == ""


def test_slugify_makes_an_ascii_slug() -> None:
    assert slugify("Andalucía Smart City Cluster") == "andalucia-smart-city-cluster"
    assert slugify("West-Midlands / Chengdu (2016)") == "west-midlands-chengdu-2016"


def test_slugify_gives_chinese_only_text_a_stable_fallback() -> None:
    slug = slugify("成都")
    assert slug.startswith("x")
    assert len(slug) > 1
    assert slug.isascii()
    assert slug == slugify("成都")
    assert slug != slugify("天津")


def test_slugify_keeps_the_latin_part_of_mixed_text() -> None:
    assert slugify("成都 Chengdu") == "chengdu"


def test_slugify_of_blank_text_is_empty() -> None:
    assert slugify("   ") == ""


def test_slugify_cuts_long_slugs_at_a_hyphen() -> None:
    assert slugify("Guangzhou Development District", max_length=20) == "guangzhou"
    assert len(slugify("a" * 80, max_length=50)) == 50


def test_normalise_space_turns_no_break_spaces_and_runs_into_single_spaces() -> None:
    assert normalise_space("\u00a0Tianfu\u00a0\u00a0New\t\nDistrict\u202f") == "Tianfu New District"


def test_normalise_space_drops_zero_width_characters() -> None:
    assert normalise_space("Chengdu\u200b City\ufeff") == "Chengdu City"
