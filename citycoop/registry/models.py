"""Places, organisations, people, programmes and themes: the registry every pairing refers to."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citycoop.common.fields import FuzzyDateField
from citycoop.common.models import VersionedModel

country_code = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO 3166 code, e.g. GB or CN."))


def check_sdgs(sdgs: list) -> None:
    """SDG goals are whole numbers from 1 to 17 (a model's ``clean`` calls this)."""
    if any(not isinstance(g, int) or not 1 <= g <= 17 for g in sdgs or []):
        raise ValidationError({"sdgs": _("SDG goals are whole numbers from 1 to 17.")})


class Programme(VersionedModel):
    slug = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    starts = FuzzyDateField(_("start"))
    ends = FuzzyDateField(_("end"))
    predecessor = models.ForeignKey(
        "self", verbose_name=_("predecessor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="successors",
    )

    class Meta:
        ordering = ["starts_start", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.predecessor_id and self.predecessor_id == self.pk:
            raise ValidationError({"predecessor": _("A programme cannot follow itself.")})


class Theme(VersionedModel):
    """A node of the controlled theme taxonomy, mapped to UN SDGs and OECD DAC sector codes."""

    slug = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent theme"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    sdgs = models.JSONField(_("SDG goals"), default=list, blank=True,
                            help_text=_("UN Sustainable Development Goal numbers, 1 to 17."))
    dac_codes = models.JSONField(_("DAC sector codes"), default=list, blank=True,
                                 help_text=_("OECD DAC 5-digit purpose codes, as used by IATI."))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_sdgs(self.sdgs)
        if any(not str(c).isdigit() or len(str(c)) != 5 for c in self.dac_codes or []):
            raise ValidationError({"dac_codes": _("DAC sector codes have five digits.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A theme cannot sit below itself.")})
            ancestor = ancestor.parent


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("country")
    REGION = "region", _("region")
    PROVINCE = "province", _("province")
    STATE = "state", _("state")
    CITY = "city", _("city")
    DISTRICT = "district", _("district")
    NEW_AREA = "new_area", _("new area")


class Place(VersionedModel):
    slug = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    country = models.CharField(_("country"), max_length=2, validators=[country_code])
    parent = models.ForeignKey(
        "self", verbose_name=_("within"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="children",
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True)
    other_names = models.JSONField(
        _("names in other scripts"), default=dict, blank=True,
        help_text=_('By language code, e.g. {"zh": "天津"}.'),
    )
    aliases = models.JSONField(_("other spellings"), default=list, blank=True)
    gazetteer_match = models.CharField(
        _("gazetteer match"), max_length=150, blank=True,
        help_text=_("The gazetteer name this place was resolved to, when not an exact match."),
    )
    gazetteer_score = models.FloatField(_("gazetteer score"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "kind"], name="place_country_kind_idx")]
        constraints = [
            models.CheckConstraint(
                name="place_latitude_in_range",
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            ),
            models.CheckConstraint(
                name="place_longitude_in_range",
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            ),
            models.UniqueConstraint(
                fields=["geonames_id"], condition=Q(geonames_id__isnull=False),
                name="place_geonames_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:place", args=[self.slug])

    @property
    def local_name(self) -> str:
        return next(iter(self.other_names.values()), "") if self.other_names else ""


class OrganisationType(models.TextChoices):
    SME = "sme", _("SME")
    COMPANY = "company", _("company")
    UNIVERSITY = "university", _("university")
    SCHOOL = "school", _("school or training institution")
    RESEARCH_INSTITUTE = "research_institute", _("research institute")
    CLUSTER = "cluster", _("cluster")
    CHAMBER_OF_COMMERCE = "chamber_of_commerce", _("chamber of commerce")
    AGENCY = "agency", _("agency")
    MUNICIPAL_CORPORATION = "municipal_corporation", _("municipal corporation")
    CITY_GOVERNMENT = "city_government", _("city government")
    REGIONAL_GOVERNMENT = "regional_government", _("regional or national government")
    DEVELOPMENT_ZONE = "development_zone", _("development zone")
    EMBASSY = "embassy", _("embassy")
    FUND = "fund", _("fund")
    ASSOCIATION = "association", _("association")
    OTHER = "other", _("other")


class Organisation(VersionedModel):
    slug = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True, db_index=True)
    aliases = models.JSONField(_("other names"), default=list, blank=True,
                               help_text=_("Variants as reports write them."))
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[country_code])
    place = models.ForeignKey(Place, verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="organisations")
    website = models.URLField(_("website"), blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="units",
    )
    description = models.TextField(_("description"), blank=True)
    provenance = GenericRelation("imports.Provenance")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["type", "country"], name="org_type_country_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:organisation", args=[self.slug])

    @property
    def display_name(self) -> str:
        if self.acronym and self.acronym.casefold() not in self.name.casefold():
            return f"{self.name} ({self.acronym})"
        return self.name


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    PARTNERS = "partners", _("programme partners")
    INTERNAL = "internal", _("programme team only")


class Person(VersionedModel):
    name = models.CharField(_("name"), max_length=150, db_index=True)
    title = models.CharField(_("title"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="people")
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.INTERNAL)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""),
                                    name="person_email_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.name}".strip()

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class CityProfile(VersionedModel):
    """What a city or region says of itself, for matching it with partners: its challenges
    and priorities, what it can offer, its themes and goals. What it already does (pairings,
    pilots, agreements, organisations) comes from the records, not from here. A profile is
    public: it is shown on the place's page and read by the recommender."""

    place = models.OneToOneField(Place, verbose_name=_("place"), on_delete=models.CASCADE,
                                 related_name="city_profile")
    challenges = models.TextField(
        _("challenges"), blank=True,
        help_text=_("What the city needs help with, one a line: “reduce landfill by half”."))
    priorities = models.TextField(_("priorities"), blank=True,
                                  help_text=_("Its policy priorities, one a line."))
    offers = models.TextField(
        _("offers"), blank=True,
        help_text=_("Experience, companies and institutions it can share, one a line."))
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True,
                                    related_name="city_profiles")
    sdgs = models.JSONField(_("SDG goals"), default=list, blank=True,
                            help_text=_("UN Sustainable Development Goal numbers, 1 to 17."))

    class Meta:
        verbose_name = _("city profile")

    def __str__(self) -> str:
        return str(_("Profile of %(place)s") % {"place": self.place})

    def clean(self) -> None:
        check_sdgs(self.sdgs)

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]
