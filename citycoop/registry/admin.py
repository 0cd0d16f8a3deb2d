from typing import Any

from django.contrib import admin

from citycoop.accounts.models import User
from citycoop.common.admin import AuditedAdmin, AuditedTabularInline, TrashingAdmin
from citycoop.common.models import TrashedRecord

from .models import CityProfile, Organisation, Person, Place, Programme, Theme
from .services import delete_organisation


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ["name", "starts_text", "ends_text", "predecessor"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["predecessor"]


@admin.register(Theme)
class ThemeAdmin(AuditedAdmin):
    list_display = ["name", "parent", "sdgs", "dac_codes"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]


@admin.register(Place)
class PlaceAdmin(AuditedAdmin):
    list_display = ["name", "kind", "country", "parent", "latitude", "longitude", "population"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "aliases"]
    autocomplete_fields = ["parent"]


@admin.register(CityProfile)
class CityProfileAdmin(AuditedAdmin):
    list_display = ["place"]
    search_fields = ["place__name", "challenges", "priorities", "offers"]
    autocomplete_fields = ["place"]
    filter_horizontal = ["themes"]


class PersonInline(AuditedTabularInline):
    model = Person
    extra = 0
    fields = ["title", "name", "position", "email", "visibility"]


@admin.register(Organisation)
class OrganisationAdmin(TrashingAdmin):
    list_display = ["name", "acronym", "type", "country", "place"]
    list_filter = ["type", "country"]
    search_fields = ["name", "acronym", "aliases", "slug"]
    autocomplete_fields = ["place", "parent"]
    inlines = [PersonInline]

    def trash(self, obj: Any, *, acting_user: User) -> TrashedRecord:
        return delete_organisation(obj, acting_user=acting_user)


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "email", "visibility"]
    list_filter = ["visibility"]
    search_fields = ["name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
