"""Tests for citycoop.lib.fuzzydate: imprecise dates as written in programme reports."""

from __future__ import annotations

from datetime import date

import pytest

from citycoop.lib.fuzzydate import (
    FuzzyDate,
    FuzzyDateError,
    Precision,
    find_dates,
    from_parts,
    parse,
    parse_or_unknown,
)

REFERENCE = date(2016, 4, 28)


def found(text: str, reference: date | None = None) -> list[str]:
    return [fuzzy.text for _, _, fuzzy in find_dates(text, reference=reference)]


# --- Exact days ---------------------------------------------------------------


def test_it_parses_an_iso_day() -> None:
    fuzzy = parse("2016-09-24")
    assert fuzzy.precision is Precision.DAY
    assert fuzzy.start == fuzzy.end == date(2016, 9, 24)
    assert fuzzy.iso == "2016-09-24"
    assert fuzzy.iso_end is None
    assert fuzzy.is_exact


def test_it_parses_a_european_day_with_slashes() -> None:
    assert parse("24/09/2016").start == date(2016, 9, 24)
    assert parse("24/09/2016").precision is Precision.DAY


def test_it_parses_a_european_day_with_dots() -> None:
    assert parse("24.09.2016").iso == "2016-09-24"


def test_it_parses_an_ordinal_day_with_a_month_name() -> None:
    assert parse("24th September 2016").iso == "2016-09-24"


def test_it_parses_a_day_with_a_month_name() -> None:
    assert parse("24 September 2016").iso == "2016-09-24"


def test_it_parses_an_american_order_day() -> None:
    assert parse("September 24, 2016").iso == "2016-09-24"


def test_it_parses_a_first_of_the_month_with_an_abbreviation() -> None:
    fuzzy = parse("1st Oct 2016")
    assert fuzzy.start == date(2016, 10, 1)
    assert fuzzy.is_exact


def test_it_parses_the_nth_of_a_month() -> None:
    assert parse("the 24th of September 2016").iso == "2016-09-24"


def test_it_parses_a_spreadsheet_style_day() -> None:
    assert parse("24-Sep-2016").iso == "2016-09-24"


def test_it_accepts_the_29th_of_february_in_a_leap_year() -> None:
    assert parse("29/02/2016").start == date(2016, 2, 29)


# --- Single months ------------------------------------------------------------


def test_it_parses_an_iso_month() -> None:
    fuzzy = parse("2016-09")
    assert fuzzy.precision is Precision.MONTH
    assert (fuzzy.start, fuzzy.end) == (date(2016, 9, 1), date(2016, 9, 30))
    assert fuzzy.iso == "2016-09"


def test_it_parses_an_abbreviated_month_and_year() -> None:
    fuzzy = parse("Sept 2016")
    assert fuzzy.precision is Precision.MONTH
    assert (fuzzy.start, fuzzy.end) == (date(2016, 9, 1), date(2016, 9, 30))
    assert fuzzy.iso == "2016-09"
    assert fuzzy.iso_end is None
    assert not fuzzy.is_exact


def test_it_parses_an_abbreviation_with_a_dot() -> None:
    assert parse("Sep. 2016").iso == "2016-09"


def test_it_parses_a_full_month_name_and_year() -> None:
    assert parse("September 2016").end == date(2016, 9, 30)


def test_it_parses_month_names_in_any_case() -> None:
    assert parse("sept 2016").iso == "2016-09"
    assert parse("SEPTEMBER 2016").iso == "2016-09"


def test_it_parses_every_english_abbreviation() -> None:
    words = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert [parse(f"{word} 2016").start for word in words] == [
        date(2016, number, 1) for number in range(1, 13)
    ]


def test_it_parses_french_spanish_german_and_italian_months() -> None:
    assert parse("septembre 2016").iso == "2016-09"
    assert parse("febrero 2016").iso == "2016-02"
    assert parse("März 2016").iso == "2016-03"
    assert parse("giugno 2016").iso == "2016-06"


def test_it_keeps_a_qualified_month_a_month() -> None:
    fuzzy = parse("early September 2016")
    assert fuzzy.precision is Precision.MONTH
    assert fuzzy.iso == "2016-09"


def test_it_keeps_the_text_as_written_with_whitespace_normalised() -> None:
    fuzzy = parse("  Sept \u00a0 2016 ")
    assert fuzzy.text == "Sept 2016"
    assert str(fuzzy) == "Sept 2016"


def test_it_ignores_brackets_around_a_date() -> None:
    assert parse("(Sept 2016)").iso == "2016-09"


# --- Month ranges -------------------------------------------------------------


def test_it_parses_a_month_range_with_a_slash() -> None:
    fuzzy = parse("June/July 2016")
    assert fuzzy.precision is Precision.MONTHS
    assert (fuzzy.start, fuzzy.end) == (date(2016, 6, 1), date(2016, 7, 31))
    assert (fuzzy.iso, fuzzy.iso_end) == ("2016-06", "2016-07")


def test_it_parses_a_month_range_with_a_hyphen() -> None:
    assert parse("June-July 2016").iso_end == "2016-07"


def test_it_parses_a_month_range_with_an_en_dash() -> None:
    assert parse("June \u2013 July 2016").iso_end == "2016-07"


def test_it_parses_a_month_range_with_to() -> None:
    assert parse("June to July 2016").iso_end == "2016-07"


def test_it_parses_a_month_range_across_a_new_year() -> None:
    fuzzy = parse("Nov 2016/Jan 2017")
    assert (fuzzy.start, fuzzy.end) == (date(2016, 11, 1), date(2017, 1, 31))
    assert fuzzy.precision is Precision.MONTHS


def test_it_gives_the_written_year_to_the_end_of_a_wrapping_range() -> None:
    assert parse("Dec/Jan 2017").start == date(2016, 12, 1)


def test_it_resolves_a_month_range_without_a_year_from_the_reference() -> None:
    fuzzy = parse("June/July", reference=REFERENCE)
    assert (fuzzy.iso, fuzzy.iso_end) == ("2016-06", "2016-07")


def test_it_keeps_a_month_range_without_a_year_unresolved() -> None:
    fuzzy = parse("June/July")
    assert fuzzy.precision is Precision.MONTHS
    assert (fuzzy.start, fuzzy.end, fuzzy.month, fuzzy.iso) == (None, None, 6, None)


# --- Day ranges ---------------------------------------------------------------


def test_it_parses_a_day_range_across_months() -> None:
    fuzzy = parse("24 September \u2013 1 October 2016")
    assert fuzzy.precision is Precision.DAY
    assert (fuzzy.start, fuzzy.end) == (date(2016, 9, 24), date(2016, 10, 1))
    assert (fuzzy.iso, fuzzy.iso_end) == ("2016-09-24", "2016-10-01")
    assert not fuzzy.is_exact


def test_it_parses_a_day_range_with_ordinals_and_a_bare_hyphen() -> None:
    fuzzy = parse("24th September-1st October 2016")
    assert (fuzzy.start, fuzzy.end) == (date(2016, 9, 24), date(2016, 10, 1))


def test_it_parses_a_day_range_within_one_month() -> None:
    fuzzy = parse("24-26 September 2016")
    assert (fuzzy.iso, fuzzy.iso_end) == ("2016-09-24", "2016-09-26")


def test_it_parses_an_american_order_day_range() -> None:
    assert parse("September 24 - October 1, 2016").iso_end == "2016-10-01"


def test_it_parses_a_day_range_across_a_new_year() -> None:
    fuzzy = parse("30 Dec - 2 Jan 2017")
    assert (fuzzy.start, fuzzy.end) == (date(2016, 12, 30), date(2017, 1, 2))


# --- Quarters, halves, years and parts of years -------------------------------


def test_it_parses_a_quarter_written_with_q() -> None:
    fuzzy = parse("Q3 2016")
    assert fuzzy.precision is Precision.QUARTER
    assert (fuzzy.start, fuzzy.end) == (date(2016, 7, 1), date(2016, 9, 30))
    assert (fuzzy.iso, fuzzy.iso_end) == ("2016-07", "2016-09")


def test_it_parses_a_quarter_after_the_year() -> None:
    assert parse("2016 Q4").iso == "2016-10"


def test_it_parses_an_ordinal_quarter() -> None:
    assert parse("3rd quarter 2016").iso == "2016-07"


def test_it_parses_a_quarter_in_words() -> None:
    fuzzy = parse("third quarter of 2016")
    assert fuzzy.precision is Precision.QUARTER
    assert fuzzy.end == date(2016, 9, 30)


def test_it_parses_a_half_year() -> None:
    assert (parse("H2 2016").iso, parse("first half of 2016").iso_end) == ("2016-07", "2016-06")


def test_it_parses_a_bare_year() -> None:
    fuzzy = parse("2016")
    assert fuzzy.precision is Precision.YEAR
    assert (fuzzy.start, fuzzy.end) == (date(2016, 1, 1), date(2016, 12, 31))
    assert (fuzzy.iso, fuzzy.iso_end) == ("2016", None)


def test_it_parses_early_in_a_year_as_january_to_april() -> None:
    fuzzy = parse("early 2016")
    assert fuzzy.precision is Precision.MONTHS
    assert (fuzzy.iso, fuzzy.iso_end) == ("2016-01", "2016-04")


def test_it_parses_mid_year_as_may_to_august() -> None:
    assert (parse("mid-2016").iso, parse("mid-2016").iso_end) == ("2016-05", "2016-08")


def test_it_parses_the_end_of_a_year_as_september_to_december() -> None:
    fuzzy = parse("end of 2016")
    assert (fuzzy.start, fuzzy.end) == (date(2016, 9, 1), date(2016, 12, 31))
    assert parse("late 2016").start == date(2016, 9, 1)


def test_it_parses_a_season_in_the_northern_hemisphere() -> None:
    fuzzy = parse("spring 2016")
    assert fuzzy.precision is Precision.MONTHS
    assert (fuzzy.start, fuzzy.end) == (date(2016, 3, 1), date(2016, 5, 31))


def test_it_parses_a_winter_as_december_to_february() -> None:
    fuzzy = parse("winter 2016/17")
    assert (fuzzy.start, fuzzy.end) == (date(2016, 12, 1), date(2017, 2, 28))


# --- Months and days without a year --------------------------------------------


def test_it_resolves_a_bare_month_in_the_reference_year() -> None:
    fuzzy = parse("February", reference=REFERENCE)
    assert fuzzy.precision is Precision.MONTH
    assert (fuzzy.start, fuzzy.end) == (date(2016, 2, 1), date(2016, 2, 29))
    assert fuzzy.iso == "2016-02"


def test_it_keeps_a_bare_month_without_a_reference_unresolved() -> None:
    fuzzy = parse("February")
    assert fuzzy.precision is Precision.MONTH
    assert (fuzzy.start, fuzzy.end, fuzzy.month, fuzzy.iso) == (None, None, 2, None)


def test_it_parses_a_month_after_in() -> None:
    fuzzy = parse("in February")
    assert (fuzzy.month, fuzzy.text) == (2, "in February")
    assert parse("in February", reference=REFERENCE).iso == "2016-02"


def test_it_takes_the_month_word_from_a_phrase() -> None:
    assert parse("the March mission").month == 3
    assert parse("the March mission", reference=REFERENCE).iso == "2016-03"


def test_it_reads_a_whole_text_of_may_as_the_month() -> None:
    assert parse("May").month == 5
    assert parse("may").month == 5


def test_it_resolves_a_day_without_a_year_in_the_reference_year() -> None:
    fuzzy = parse("24 September", reference=REFERENCE)
    assert fuzzy.is_exact
    assert fuzzy.iso == "2016-09-24"


def test_it_keeps_a_day_without_a_year_unresolved() -> None:
    fuzzy = parse("24 September")
    assert (fuzzy.precision, fuzzy.start, fuzzy.month, fuzzy.iso) == (Precision.DAY, None, 9, None)
    assert not fuzzy.is_exact


# --- Refusals -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   "])
def test_it_refuses_an_empty_text(text: str) -> None:
    with pytest.raises(FuzzyDateError, match="empty"):
        parse(text)


def test_it_refuses_a_pronoun() -> None:
    with pytest.raises(FuzzyDateError, match="'we'"):
        parse("we")


def test_it_refuses_a_short_code() -> None:
    with pytest.raises(FuzzyDateError, match="'3D'"):
        parse("3D")


def test_it_refuses_an_impossible_month() -> None:
    with pytest.raises(FuzzyDateError, match="month 13"):
        parse("2016-13-01")


def test_it_refuses_an_impossible_month_and_day() -> None:
    with pytest.raises(FuzzyDateError, match="2016-13-45"):
        parse("2016-13-45")


def test_it_refuses_an_impossible_day() -> None:
    with pytest.raises(FuzzyDateError, match="day 31 of February 2016"):
        parse("31/02/2016")


def test_it_refuses_the_29th_of_february_in_a_common_year() -> None:
    with pytest.raises(FuzzyDateError):
        parse("29 February 2017")


def test_it_refuses_a_fifth_quarter() -> None:
    with pytest.raises(FuzzyDateError, match="quarter 5"):
        parse("Q5 2016")


def test_it_refuses_a_vague_phrase() -> None:
    with pytest.raises(FuzzyDateError, match="within the next few weeks"):
        parse("within the next few weeks")


def test_it_refuses_a_made_up_word() -> None:
    with pytest.raises(FuzzyDateError):
        parse("yesterday-ish")


def test_it_refuses_may_used_as_a_verb() -> None:
    with pytest.raises(FuzzyDateError):
        parse("we may visit")
    with pytest.raises(FuzzyDateError):
        parse("may visit")


def test_it_refuses_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(FuzzyDateError, match="ends before it starts"):
        parse("Jan 2017/Nov 2016")


def test_it_refuses_a_winter_over_two_years_apart() -> None:
    with pytest.raises(FuzzyDateError):
        parse("winter 2016/19")


def test_an_error_is_a_value_error() -> None:
    assert issubclass(FuzzyDateError, ValueError)


# --- parse_or_unknown, unknown and from_parts -----------------------------------


def test_it_keeps_a_vague_phrase_as_an_unknown_date() -> None:
    fuzzy = parse_or_unknown("within the  next few weeks")
    assert fuzzy.precision is Precision.UNKNOWN
    assert (fuzzy.start, fuzzy.end, fuzzy.iso, fuzzy.iso_end) == (None, None, None, None)
    assert fuzzy.text == "within the next few weeks"


def test_it_parses_a_real_date_when_unknowns_are_allowed() -> None:
    assert parse_or_unknown("Sept 2016").iso == "2016-09"


def test_it_keeps_an_impossible_date_as_unknown_when_unknowns_are_allowed() -> None:
    assert parse_or_unknown("31/02/2016").precision is Precision.UNKNOWN


def test_it_refuses_an_empty_text_even_when_unknowns_are_allowed() -> None:
    with pytest.raises(FuzzyDateError):
        parse_or_unknown("  ")


def test_it_builds_an_unknown_date_directly() -> None:
    assert FuzzyDate.unknown("soon") == FuzzyDate("soon", None, None, Precision.UNKNOWN)


def test_it_rebuilds_a_date_from_stored_columns() -> None:
    original = parse("June/July 2016")
    rebuilt = from_parts(original.text, original.start, original.end, "months", original.month)
    assert rebuilt == original
    assert rebuilt.precision is Precision.MONTHS


def test_it_rebuilds_a_bare_month_from_stored_columns() -> None:
    assert from_parts("February", None, None, Precision.MONTH, 2) == parse("February")


def test_it_rebuilds_a_day_stored_without_an_end() -> None:
    assert from_parts("24/09/2016", date(2016, 9, 24), None, "day").is_exact


def test_it_refuses_stored_columns_that_contradict_each_other() -> None:
    with pytest.raises(FuzzyDateError):
        from_parts("x", date(2016, 9, 30), date(2016, 9, 1), "month")
    with pytest.raises(FuzzyDateError):
        from_parts("x", None, None, "fortnight")


def test_precision_values_are_the_stored_strings() -> None:
    assert [p.value for p in Precision] == ["day", "month", "months", "quarter", "year", "unknown"]
    assert Precision.MONTHS == "months"


# --- Sorting and overlaps --------------------------------------------------------


def test_it_sorts_by_start_then_end_with_unknowns_last() -> None:
    texts = ["within the next few weeks", "February", "2016", "Sept 2016", "Q3 2016", "June 2016"]
    dates = sorted((parse_or_unknown(text) for text in texts), key=lambda d: d.sort_key)
    assert [d.text for d in dates] == [
        "2016", "June 2016", "Q3 2016", "Sept 2016", "February", "within the next few weeks",
    ]


def test_it_tells_whether_two_periods_overlap() -> None:
    assert parse("Q3 2016").overlaps(parse("Sept 2016"))
    assert not parse("Q3 2016").overlaps(parse("Oct 2016"))
    assert not parse("February").overlaps(parse("2016"))


# --- find_dates on report sentences -------------------------------------------


def test_it_finds_a_date_but_not_the_one_inside_a_url() -> None:
    text = (
        "Next Step: West Midlands Mission to China (Sept 2016): http://www.wmeuropeanservice.eu"
        "/china/missions/mission-to-tianjin-guangzhou-24th-september-1st-october-2016"
    )
    results = find_dates(text)
    assert len(results) == 1
    start, end, fuzzy = results[0]
    assert text[start:end] == "Sept 2016"
    assert fuzzy.iso == "2016-09"


def test_it_finds_a_month_range_and_a_month_in_one_sentence() -> None:
    text = (
        "Visit of Shantou delegation to Málaga in June/July 2016. "
        "Preparation of report for EU-China Summit in July 2016"
    )
    results = find_dates(text)
    assert [fuzzy.text for _, _, fuzzy in results] == ["June/July 2016", "July 2016"]
    assert (results[0][2].iso, results[0][2].iso_end) == ("2016-06", "2016-07")
    assert results[1][2].iso == "2016-07"
    assert all(text[start:end] == fuzzy.text for start, end, fuzzy in results)


def test_it_finds_a_bare_month_after_in() -> None:
    results = find_dates("The Municipal Commissioner will travel in February to Copenhagen")
    assert [fuzzy.text for _, _, fuzzy in results] == ["February"]
    assert results[0][2].iso is None
    assert results[0][2].month == 2


def test_it_resolves_a_found_bare_month_with_the_reference() -> None:
    results = find_dates("He will travel in February to Copenhagen", reference=REFERENCE)
    assert results[0][2].iso == "2016-02"


def test_it_finds_a_month_in_brackets() -> None:
    assert found("Automotive cooperation \u2013 mission to China (April 2016)") == ["April 2016"]


def test_it_does_not_find_may_used_as_a_verb_or_a_bare_year() -> None:
    assert find_dates("We may sign it in 2019") == []


def test_it_finds_may_as_a_month_only_where_the_context_says_so() -> None:
    assert found("May we meet in May? The deadline is the end of May.") == ["May", "end of May"]
    assert found("May 2016 was busy") == ["May 2016"]


def test_it_does_not_find_lower_case_month_words_without_a_year() -> None:
    assert found("the march was long and the sept was large") == []


def test_it_finds_numeric_and_iso_days() -> None:
    assert found("Signed on 24/09/2016 and filed 2016-09-24.") == ["24/09/2016", "2016-09-24"]


def test_it_finds_day_ranges_quarters_and_parts_of_years() -> None:
    text = "Mission 24th September - 1st October 2016, report in Q3 2016, review mid-2016."
    assert found(text) == ["24th September - 1st October 2016", "Q3 2016", "mid-2016"]


def test_it_finds_a_day_and_month_without_a_year() -> None:
    assert found("The workshop on 24 September went well") == ["24 September"]


def test_it_finds_nothing_in_an_impossible_date() -> None:
    assert found("Due on 31 February 2016 or 2016-13-01.") == []


def test_it_finds_nothing_in_an_email_address_or_a_financial_year() -> None:
    assert found("Write to june2016@example.org about the 2011-12 budget") == []


def test_it_does_not_read_a_count_after_a_month_as_a_day() -> None:
    assert found("In April 20 cities joined; on April 20th we met") == ["April", "April 20th"]


def test_it_finds_the_end_of_a_year_written_with_a_hyphen() -> None:
    results = find_dates("Targets to be met by end-2016.")
    assert [(fuzzy.text, fuzzy.iso, fuzzy.iso_end) for _, _, fuzzy in results] == [
        ("end-2016", "2016-09", "2016-12"),
    ]


def test_it_offsets_each_found_date_into_the_original_text() -> None:
    text = "Visits in  March 2016 and\tQ4 2016"
    assert [text[start:end] for start, end, _ in find_dates(text)] == ["March 2016", "Q4 2016"]
