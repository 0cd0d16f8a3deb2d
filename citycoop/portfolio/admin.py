from typing import Any

from django.contrib import admin

from citycoop.accounts.models import User
from citycoop.common.admin import (
    AuditedAdmin,
    AuditedStackedInline,
    AuditedTabularInline,
    TrashingAdmin,
)
from citycoop.common.models import TrashedRecord

from .models import (
    Action,
    ActionOrganisation,
    Agreement,
    AgreementParty,
    NextStep,
    Pairing,
    PairingMember,
    PilotProject,
)
from .services import delete_pairing


class PairingMemberInline(AuditedTabularInline):
    model = PairingMember
    extra = 0
    autocomplete_fields = ["place", "organisation"]


class PilotInline(AuditedTabularInline):
    model = PilotProject
    extra = 0
    fields = ["number", "title", "status", "position"]
    show_change_link = True


@admin.register(Pairing)
class PairingAdmin(TrashingAdmin):
    list_display = ["label", "programme", "group", "number", "status"]
    list_filter = ["programme", "group", "status"]
    search_fields = ["label", "slug", "summary"]
    inlines = [PairingMemberInline, PilotInline]
    filter_horizontal = ["also_in"]

    def trash(self, obj: Any, *, acting_user: User) -> TrashedRecord:
        return delete_pairing(obj, acting_user=acting_user)


class ActionInline(AuditedStackedInline):
    model = Action
    extra = 0
    fields = ["position", "topic", "text", "kind", "status", "when_text", "links"]
    show_change_link = True


@admin.register(PilotProject)
class PilotProjectAdmin(AuditedAdmin):
    list_display = ["title", "pairing", "number", "status"]
    list_filter = ["status", "themes", "pairing__programme", "pairing__group"]
    search_fields = ["title", "summary", "pairing__label"]
    autocomplete_fields = ["pairing"]
    filter_horizontal = ["themes"]
    inlines = [ActionInline]


class ActionOrganisationInline(AuditedTabularInline):
    model = ActionOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Action)
class ActionAdmin(AuditedAdmin):
    list_display = ["__str__", "pilot", "kind", "status", "when_text"]
    list_filter = ["kind", "status", "pilot__pairing"]
    search_fields = ["text", "topic"]
    autocomplete_fields = ["pilot", "places"]
    inlines = [ActionOrganisationInline]


class AgreementPartyInline(AuditedTabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["place", "organisation"]


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin):
    list_display = ["title", "type", "status", "pairing", "signed_on_text", "counts_toward_kpi"]
    list_filter = ["type", "status", "counts_toward_kpi"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["pairing", "pilots", "signed_at_event"]
    inlines = [AgreementPartyInline]


@admin.register(NextStep)
class NextStepAdmin(AuditedAdmin):
    list_display = ["text", "due_text", "owner", "owner_text", "status"]
    list_filter = ["status"]
    search_fields = ["text", "owner_text"]
    autocomplete_fields = ["pairing", "pilot", "agreement", "event", "owner"]
