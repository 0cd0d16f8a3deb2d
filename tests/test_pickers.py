"""Record pickers: a place, organisation, person, pairing or pilot project typed as text.
"Name — key", the key alone or a name only one record carries is accepted; anything else is
refused with what was found, and only records of the field's queryset may be chosen."""

from __future__ import annotations

import pytest
from django import forms

from citycoop.portfolio.models import Pairing, PilotProject
from citycoop.registry.models import Person, Place, PlaceKind
from citycoop.web.pickers import RecordChoiceField, RecordMultipleChoiceField

pytestmark = pytest.mark.django_db


def place_field(**kwargs) -> RecordChoiceField:
    return RecordChoiceField(Place.objects.all(), **kwargs)


def test_a_place_is_taken_as_name_and_key_as_its_key_or_as_its_only_name(demo):
    lyon = Place.objects.get(slug="lyon")
    field = place_field()
    assert field.clean("Lyon — lyon") == lyon
    assert field.clean("lyon") == lyon
    assert field.clean("  LYON ") == lyon
    assert field.clean(str(lyon.pk)) == lyon  # what a <select> would have posted
    assert field.prepare_value(lyon) == "Lyon — lyon"
    assert field.prepare_value(lyon.pk) == "Lyon — lyon"


def test_a_name_is_matched_without_its_accents(demo):
    place = Place.objects.create(slug="sevilla-es", name="Sevílla", country="ES",
                                 kind=PlaceKind.CITY)
    assert place_field().clean("SEVILLA") == place
    assert place_field().clean("sevilla — no-such-key") == place


def test_an_unknown_name_is_refused_with_a_suggestion(demo):
    with pytest.raises(forms.ValidationError) as error:
        place_field().clean("Lyonn")
    assert error.value.messages == ["No place is called “Lyonn”. Did you mean Lyon — lyon?"]


def test_an_unknown_name_with_nothing_close_is_refused_plainly(demo):
    with pytest.raises(forms.ValidationError) as error:
        place_field().clean("Qqqqxz")
    assert error.value.messages == ["No place is called “Qqqqxz”."]


def test_a_name_several_records_carry_lists_them(demo):
    for slug, country in (("springfield-il", "US"), ("springfield-mo", "US")):
        Place.objects.create(slug=slug, name="Springfield", country=country,
                             kind=PlaceKind.CITY)
    field = place_field()
    with pytest.raises(forms.ValidationError) as error:
        field.clean("Springfield")
    assert error.value.messages == [
        "Several places are called “Springfield”: Springfield — springfield-il, "
        "Springfield — springfield-mo. Pick one from the list."]
    assert field.clean("Springfield — springfield-mo").slug == "springfield-mo"


def test_a_record_outside_the_queryset_is_refused(demo):
    lyon_pairing = Pairing.objects.get(slug="lyon-guangzhou")
    other = PilotProject.objects.exclude(pairing=lyon_pairing).first()
    field = RecordChoiceField(PilotProject.objects.filter(pairing=lyon_pairing))
    value = f"{other.title} — {other.pairing.slug}/{other.slug}"
    with pytest.raises(forms.ValidationError) as error:
        field.clean(value)
    assert "cannot be chosen here" in error.value.messages[0]
    own = lyon_pairing.pilots.first()
    assert field.clean(f"{own.title} — lyon-guangzhou/{own.slug}") == own
    assert field.clean(own.slug) == own  # the pilot's own key is enough inside one pairing
    not_guangzhou = place_field()
    not_guangzhou.queryset = Place.objects.exclude(slug="guangzhou")
    with pytest.raises(forms.ValidationError):
        not_guangzhou.clean("Guangzhou — guangzhou")


def test_people_are_picked_by_their_number(demo):
    person = Person.objects.order_by("pk").first()
    field = RecordChoiceField(Person.objects.all())
    assert field.prepare_value(person) == f"{person.name} — {person.pk}"
    assert field.clean(f"{person.name} — {person.pk}") == person
    assert field.clean(str(person.pk)) == person


def test_an_empty_optional_picker_is_none_and_a_required_one_says_so(demo):
    assert place_field(required=False).clean("") is None
    with pytest.raises(forms.ValidationError):
        place_field().clean("")


def test_several_records_one_an_input(demo):
    field = RecordMultipleChoiceField(Place.objects.all(), required=False)
    chosen = field.clean(["Lyon — lyon", "", "guangzhou"])
    assert sorted(place.slug for place in chosen) == ["guangzhou", "lyon"]
    assert list(field.clean([])) == []
    with pytest.raises(forms.ValidationError) as error:
        field.clean(["lyon", "Lyonn"])
    assert error.value.messages == ["No place is called “Lyonn”. Did you mean Lyon — lyon?"]
    lyon = Place.objects.get(slug="lyon")
    assert field.prepare_value([lyon]) == ["Lyon — lyon"]
    assert not field.has_changed([lyon], ["Lyon — lyon", ""])
    assert field.has_changed([lyon], ["Lyon — lyon", "guangzhou"])


def test_the_widget_is_a_text_input_with_a_datalist_and_no_rows(demo):
    class Form(forms.Form):
        place = place_field()
        places = RecordMultipleChoiceField(Place.objects.all(), required=False)

    html = str(Form(initial={"place": Place.objects.get(slug="lyon"),
                             "places": list(Place.objects.filter(slug="lyon"))}))
    assert "<select" not in html and "<option" not in html
    assert 'value="Lyon — lyon"' in html
    assert 'list="id_place_list"' in html and '<datalist id="id_place_list">' in html
    assert 'data-lookup="/lookup/places/"' in html
    assert 'id="id_places"' in html and 'id="id_places_1"' in html  # chosen, then a blank


def test_the_pairing_edit_page_has_no_select_of_places(client, admin_user, demo):
    client.force_login(admin_user)
    html = client.get("/pairings/lyon-guangzhou/change/").content.decode()
    assert 'name="members-0-place"' in html and "pickers.js" in html
    assert html.count("<option") < 40  # programme, side, role and status only
