"""The IATI 2.03 activity XML export: valid against the official schema, codes from the
official codelists (both in ../shared/iati-2.03), and the portfolio in the right places."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from fractions import Fraction
from functools import cache

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from lxml import etree

from citycoop.opendata.exporters import EXPORTERS, iati, iati_codes
from citycoop.opendata.selection import Selection
from citycoop.portfolio.models import Agreement, Pairing, PilotProject
from citycoop.registry.models import Place, Programme
from citycoop.reports.results_models import ActualValue, Indicator, Result, Target, ValueStatus
from tests.conftest import require_shared

pytestmark = pytest.mark.django_db

IATI = "iati-2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(require_shared(
        f"{IATI}/schemas/iati-activities-schema.xsd"))))


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of one official codelist that the standard has not withdrawn."""
    root = etree.parse(str(require_shared(f"{IATI}/codelists/{name}.xml"))).getroot()
    return frozenset(item.findtext("code") for item in root.iter("codelist-item")
                     if item.get("status") != "withdrawn")


def exported(selection: Selection | None = None) -> etree._Element:
    out = io.BytesIO()
    EXPORTERS["iati"].export(selection or Selection(everything=True), out)
    return etree.fromstring(out.getvalue())


def assert_valid(document: etree._Element) -> None:
    valid = schema().validate(document)
    assert valid, schema().error_log.filter_from_errors()[:5]


def activity(document: etree._Element, identifier: str) -> etree._Element:
    found = document.xpath("iati-activity[iati-identifier=$i]", i=identifier)
    assert found, f"no activity {identifier}"
    return found[0]


def pairing_id(pairing: Pairing) -> str:
    return f"XI-CITYCOOP-{pairing.slug}"


def pilot_id(pilot: PilotProject) -> str:
    return f"XI-CITYCOOP-{pilot.pairing.slug}.{pilot.slug}"


# Each code-bearing attribute the export writes, and the codelist its values come from.
# Two carry no code of an IATI list: a GeoNames id (location-id of vocabulary G1) and the
# programme's key as a tag of the publisher's own vocabulary (99).
CODED = {
    ("iati-activity", XML_LANG): "Language",
    ("reporting-org", "type"): "OrganisationType",
    ("participating-org", "type"): "OrganisationType",
    ("participating-org", "role"): "OrganisationRole",
    ("activity-status", "code"): "ActivityStatus",
    ("activity-date", "type"): "ActivityDateType",
    ("recipient-country", "code"): "Country",
    ("location-id", "vocabulary"): "GeographicVocabulary",
    ("administrative", "vocabulary"): "GeographicVocabulary",
    ("administrative", "code"): "Country",                  # vocabulary A4: ISO 3166-1
    ("feature-designation", "code"): "LocationType",
    ("sector", "vocabulary"): "SectorVocabulary",
    ("tag", "vocabulary"): "TagVocabulary",
    ("category", "code"): "DocumentCategory",
    ("related-activity", "type"): "RelatedActivityType",
    ("result", "type"): "ResultType",
    ("indicator", "measure"): "IndicatorMeasure",
}
NOT_CODED = {("location-id", "code"), ("tag", "code"), ("iati-activities", "version")}
MAX_QUERIES_PER_EXPORT_OF_ONE_BATCH = 20


def assert_codes_in_codelists(document: etree._Element) -> None:
    checked = 0
    for element in document.iter():
        for attribute in ("code", "type", "role", "vocabulary", "measure", XML_LANG):
            value = element.get(attribute)
            if value is None or (element.tag, attribute) in NOT_CODED:
                continue
            if element.tag == "sector" and attribute == "code":
                # A sector's codes come from its vocabulary: DAC codes from Sector.xml; SDG
                # goals (vocabulary 7) are 1 to 17, with no codelist file in ../shared.
                if element.get("vocabulary") == iati_codes.SDG_GOAL_VOCABULARY:
                    assert 1 <= int(value) <= 17
                else:
                    assert element.get("vocabulary") == iati_codes.DAC_VOCABULARY
                    assert value in codelist("Sector")
            else:
                assert (element.tag, attribute) in CODED, f"{element.tag}/@{attribute} unchecked"
                assert value in codelist(CODED[element.tag, attribute]), (
                    f"{element.tag}/@{attribute}={value} is not in {CODED[element.tag, attribute]}")
            checked += 1
    assert checked


@pytest.fixture(scope="module")
def demo_for_the_module(django_db_setup, django_db_blocker):
    """The demo portfolio loaded once for this module (loading it takes two seconds),
    inside a transaction rolled back at the end. Each test still runs in its own
    savepoint, so what one test changes the next does not see."""
    from citycoop.portfolio.demo.loader import load_portfolio

    with django_db_blocker.unblock(), transaction.atomic():
        load_portfolio()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_the_module, db):
    """The shared demo, in place of conftest's own load per test."""


@pytest.fixture
def generated(db):
    """A selection of one small generated programme (the module's demo may be loaded
    alongside it)."""

    def generate(**sizes: int) -> Selection:
        from citycoop.portfolio.generate import GenerationSpec, generate_portfolio

        generate_portfolio(GenerationSpec(20, **sizes), acting_user=None)
        return Selection(programme=Programme.objects.get(name=GenerationSpec(1).programme),
                         everything=True)

    return generate


@pytest.fixture
def enriched(demo, settings):
    """The demo with what it lacks: a linked MoU, a contract, a pilot's results framework
    (one approved value, one awaiting approval), and a site URL for page links."""
    settings.CITYCOOP_SITE_URL = "https://citycoop.example.org"
    mou = Agreement.objects.get(slug="lyon-guangzhou-tourism-mou")
    mou.document_url = "https://example.org/agreements/lyon-guangzhou-tourism.pdf"
    mou.save()
    Agreement.objects.filter(slug="lyon-guangzhou-chambers-mou").update(type="contract")
    pilot = PilotProject.objects.filter(pairing__slug="lyon-guangzhou").first()
    result = Result.objects.create(programme=pilot.pairing.programme, pilot=pilot,
                                   kind="outcome", title="Tourists from Guangzhou in Lyon")
    indicator = Indicator.objects.create(result=result, name="Visitors per year",
                                         unit="visitors", baseline_value=Decimal("1200"),
                                         baseline_date=datetime.date(2015, 1, 1))
    for year, target, reported, status in ((2016, "1500", "1630.50", ValueStatus.APPROVED),
                                           (2017, "1800", "9999", ValueStatus.SUBMITTED)):
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        Target.objects.create(indicator=indicator, period_label=str(year), period_start=start,
                              period_end=end, value=Decimal(target))
        ActualValue.objects.create(indicator=indicator, period_start=start, period_end=end,
                                   value=Decimal(reported), status=status)
    return pilot


def test_the_demo_export_validates_against_the_official_schema(demo):
    document = exported()
    assert_valid(document)
    assert len(document.xpath("iati-activity[@hierarchy='1']")) == Pairing.objects.count()
    assert len(document.xpath("iati-activity[@hierarchy='2']")) == PilotProject.objects.count()


def test_the_public_demo_export_validates_too(demo):
    assert_valid(exported(Selection()))


def test_an_export_with_results_agreements_and_page_links_validates(enriched):
    assert_valid(exported())


def test_a_generated_portfolio_exports_valid_iati(generated):
    document = exported(generated())
    assert_valid(document)
    assert len(document.xpath("iati-activity[@hierarchy='1']")) == 20
    assert_codes_in_codelists(document)
    identifiers = document.xpath("iati-activity/iati-identifier/text()")
    assert len(identifiers) == len(set(identifiers))


def test_every_code_in_the_export_is_in_its_official_codelist(enriched):
    document = exported()
    assert document.xpath("//result") and document.xpath("//document-link")
    assert_codes_in_codelists(document)


def test_the_code_tables_hold_only_codes_of_the_official_codelists():
    assert codelist("Sector") == iati_codes.DAC_SECTORS
    assert codelist("Country") == iati_codes.COUNTRIES
    tables = {
        "ActivityStatus": [*iati_codes.PILOT_STATUS.values(),
                           *iati_codes.PAIRING_STATUS.values()],
        "OrganisationType": [*iati_codes.ORGANISATION_TYPE.values(),
                             iati_codes.NATIONAL_GOVERNMENT, iati_codes.LOCAL_GOVERNMENT],
        "OrganisationRole": [*iati_codes.ACTION_ROLE.values(), iati_codes.FUNDING,
                             iati_codes.ACCOUNTABLE],
        "LocationType": iati_codes.FEATURE_DESIGNATION.values(),
        "DocumentCategory": iati_codes.DOCUMENT_CATEGORY.values(),
        "ResultType": iati_codes.RESULT_TYPE.values(),
        "IndicatorMeasure": [iati_codes.MEASURE_UNIT, iati_codes.MEASURE_PERCENTAGE],
        "RelatedActivityType": [iati_codes.PARENT, iati_codes.CHILD, iati_codes.SIBLING],
        "ActivityDateType": [iati_codes.PLANNED_START, iati_codes.ACTUAL_START,
                             iati_codes.PLANNED_END, iati_codes.ACTUAL_END],
        "SectorVocabulary": [iati_codes.DAC_VOCABULARY, iati_codes.SDG_GOAL_VOCABULARY],
        "TagVocabulary": [iati_codes.OWN_TAG_VOCABULARY],
        "GeographicVocabulary": [iati_codes.GEONAMES, iati_codes.ISO_COUNTRY],
        "Language": [iati_codes.LANGUAGE],
    }
    for name, used in tables.items():
        assert set(used) <= codelist(name), name


def test_every_status_of_the_models_has_an_iati_activity_status():
    from citycoop.portfolio.models import PairingStatus, PilotStatus
    from citycoop.registry.models import OrganisationType, PlaceKind

    assert set(PilotStatus.values) == set(iati_codes.PILOT_STATUS)
    assert set(PairingStatus.values) == set(iati_codes.PAIRING_STATUS)
    assert set(OrganisationType.values) == set(iati_codes.ORGANISATION_TYPE)
    assert set(PlaceKind.values) == set(iati_codes.FEATURE_DESIGNATION)


def test_a_pilot_is_the_child_of_its_pairing_which_lists_it(demo):
    document = exported()
    pilot = PilotProject.objects.select_related("pairing").first()
    child = activity(document, pilot_id(pilot))
    assert child.get("hierarchy") == "2"
    assert child.xpath("related-activity[@type='1']/@ref") == [pairing_id(pilot.pairing)]
    parent = activity(document, pairing_id(pilot.pairing))
    assert parent.get("hierarchy") == "1"
    assert set(parent.xpath("related-activity[@type='2']/@ref")) == {
        pilot_id(p) for p in pilot.pairing.pilots.all()}


def test_pairings_of_a_small_programme_are_siblings_and_share_its_tag(demo):
    document = exported()
    pairing = Pairing.objects.first()
    others = Pairing.objects.filter(programme=pairing.programme).exclude(pk=pairing.pk)
    element = activity(document, pairing_id(pairing))
    assert set(element.xpath("related-activity[@type='3']/@ref")) == {
        pairing_id(p) for p in others}
    assert element.xpath("tag[@vocabulary='99']/@code") == [pairing.programme.slug]


def test_a_large_programme_lists_no_siblings(demo, monkeypatch):
    monkeypatch.setattr(iati, "SIBLING_LIMIT", 3)
    assert not exported().xpath("//related-activity[@type='3']")


def test_an_internal_pilot_is_only_in_an_export_that_may_show_it(demo):
    pilot = PilotProject.objects.select_related("pairing").first()
    PilotProject.objects.filter(pk=pilot.pk).update(is_public=False)
    public = exported(Selection())
    assert not public.xpath("iati-activity[iati-identifier=$i]", i=pilot_id(pilot))
    parent = activity(public, pairing_id(pilot.pairing))
    assert pilot_id(pilot) not in parent.xpath("related-activity/@ref")
    activity(exported(Selection(everything=True)), pilot_id(pilot))


def test_a_demo_place_is_a_location_with_its_coordinates(demo):
    guangzhou = Place.objects.get(slug="guangzhou")
    pairing = Pairing.objects.get(slug="lyon-guangzhou")
    location = activity(exported(), pairing_id(pairing)).xpath("location[@ref='guangzhou']")[0]
    latitude, longitude = map(float, location.findtext("point/pos").split())
    assert (latitude, longitude) == pytest.approx((guangzhou.latitude, guangzhou.longitude))
    assert location.find("point").get("srsName") == iati_codes.WGS84
    assert location.xpath("location-id[@vocabulary='G1']/@code") == [str(guangzhou.geonames_id)]


def test_recipient_countries_are_the_partner_side_and_add_up_to_100(demo):
    element = activity(exported(), pairing_id(Pairing.objects.get(slug="lyon-guangzhou")))
    assert element.xpath("recipient-country/@code") == ["CN"]
    assert element.xpath("recipient-country/@percentage") == ["100"]


def test_sectors_of_each_vocabulary_add_up_to_100(demo):
    for element in exported().iter("iati-activity"):
        for vocabulary in ("1", "7"):
            shares = [Decimal(s) for s in element.xpath(
                "sector[@vocabulary=$v]/@percentage", v=vocabulary)]
            assert not shares or sum(shares) == 100


def test_a_pilots_themes_give_its_dac_sectors_and_sdg_goals(demo):
    pilot = PilotProject.objects.filter(themes__slug="district-heating").first()
    element = activity(exported(), pilot_id(pilot))
    assert "23620" in element.xpath("sector[@vocabulary='1']/@code")
    assert {"7", "11"} <= set(element.xpath("sector[@vocabulary='7']/@code"))


def test_an_agreement_is_a_document_link_of_category_a09(enriched):
    mou = Agreement.objects.get(slug="lyon-guangzhou-tourism-mou")
    element = activity(exported(), pairing_id(mou.pairing))
    link = element.xpath("document-link[title/narrative=$t]", t=mou.title)
    assert link, element.xpath("document-link/title/narrative/text()")
    assert link[0].get("url") == "https://example.org/agreements/lyon-guangzhou-tourism.pdf"
    assert link[0].get("format") == "application/pdf"
    assert link[0].xpath("category/@code") == ["A09"]


def test_an_agreement_without_a_link_points_at_its_pairings_page(enriched):
    element = activity(exported(), pairing_id(Pairing.objects.get(slug="lyon-guangzhou")))
    contract = element.xpath("document-link[category/@code='A11']")[0]
    assert contract.get("url") == ("https://citycoop.example.org/pairings/lyon-guangzhou/"
                                   "#agreements-heading")


def test_without_a_link_or_a_site_url_an_agreement_is_not_linked(demo, settings):
    settings.CITYCOOP_SITE_URL = ""
    assert not exported().xpath("//document-link")


def test_a_result_shows_approved_values_and_not_those_awaiting_approval(enriched):
    element = activity(exported(), pilot_id(enriched))
    result = element.find("result")
    assert result.get("type") == "2"
    indicator = result.find("indicator")
    assert indicator.get("measure") == "1"
    assert indicator.find("baseline").attrib == {"year": "2015", "iso-date": "2015-01-01",
                                                 "value": "1200"}
    periods = {p.find("period-start").get("iso-date"): p for p in indicator.iter("period")}
    assert periods["2016-01-01"].xpath("target/@value") == ["1500"]
    assert periods["2016-01-01"].xpath("actual/@value") == ["1630.5"]
    assert periods["2017-01-01"].xpath("target/@value") == ["1800"]
    assert not periods["2017-01-01"].xpath("actual")


def test_a_pilots_status_becomes_its_activity_status(demo):
    pilots = list(PilotProject.objects.select_related("pairing")[:3])
    for pilot, status in zip(pilots, ("stalled", "cancelled", "completed"), strict=True):
        PilotProject.objects.filter(pk=pilot.pk).update(status=status)
    document = exported()
    codes = [activity(document, pilot_id(p)).find("activity-status").get("code") for p in pilots]
    assert codes == ["6", "5", "3"]


def test_dates_in_the_future_are_planned_and_past_ones_of_a_started_activity_actual():
    today = datetime.date(2020, 6, 1)
    past, future = datetime.date(2019, 1, 1), datetime.date(2021, 1, 1)
    assert iati_codes.activity_dates(past, future, True, False, today) == [
        ("2", past), ("3", future)]
    assert iati_codes.activity_dates(future, None, True, True, today) == [("1", future)]
    assert iati_codes.activity_dates(past, past, True, True, today) == [("2", past), ("4", past)]


def test_every_activity_has_a_date_even_when_the_records_have_none(demo):
    for element in exported().iter("iati-activity"):
        assert element.find("activity-date") is not None


def test_the_publisher_comes_from_the_settings(demo, settings):
    settings.CITYCOOP_IATI_PUBLISHER = "XM-EXAMPLE-1"
    document = exported()
    assert set(document.xpath("iati-activity/reporting-org/@ref")) == {"XM-EXAMPLE-1"}
    assert all(i.startswith("XM-EXAMPLE-1-")
               for i in document.xpath("iati-activity/iati-identifier/text()"))


def test_percentages_are_shared_out_to_exactly_100():
    thirds = iati_codes.percentages({"a": Fraction(1), "b": Fraction(1), "c": Fraction(1)})
    assert sorted(share for _, share in thirds) == ["33.33", "33.33", "33.34"]
    assert iati_codes.percentages({"a": Fraction(3), "b": Fraction(1)}) == [
        ("a", "75"), ("b", "25")]
    assert iati_codes.percentages({}) == []


def test_text_that_xml_cannot_carry_is_escaped_or_dropped(demo):
    pairing = Pairing.objects.first()
    Pairing.objects.filter(pk=pairing.pk).update(summary='Ports & "docks" <b>\x0b')
    element = activity(exported(), pairing_id(pairing))
    assert element.findtext("description/narrative") == 'Ports & "docks" <b>'


def test_a_batch_is_read_in_a_fixed_number_of_queries_not_one_per_record(generated):
    selection = generated(pilots_per_pairing=4, actions_per_pilot=5)
    with CaptureQueriesContext(connection) as queries:
        exported(selection)
    # 20 pairings, 80 pilots, 400 actions in one batch: a handful of queries for the
    # export, a dozen for the batch, however many records it holds.
    assert len(queries) <= MAX_QUERIES_PER_EXPORT_OF_ONE_BATCH


def test_the_export_is_written_batch_by_batch_with_progress(demo, monkeypatch):
    monkeypatch.setattr(iati, "BATCH", 4)
    writes: list[int] = []
    seen: list[tuple[int, int]] = []

    class Recorder(io.BytesIO):
        def write(self, data) -> int:  # type: ignore[override]
            writes.append(len(data))
            return super().write(data)

    EXPORTERS["iati"].export(Selection(everything=True), Recorder(),
                             progress=lambda done, total: seen.append((done, total)))
    assert seen == [(4, 10), (8, 10), (10, 10)]
    assert len(writes) == 2 + len(seen)     # the opening, one per batch, the closing

