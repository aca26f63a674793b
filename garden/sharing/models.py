"""Surplus produce offers and claims, the tool library and loans.

Rows that came from a neighbour garden carry ``remote_id`` (the object's URL at
its origin) and ``origin_actor`` (that garden's actor URL); their text fields are
untrusted plain text, stored length-limited. Local rows have an empty ``origin_actor``.
Personal data of our own members is never copied into a name field: names are
read through the user, so deleting an account leaves no name behind.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from garden.core.models import OneRowSettings

from .photos import validate_photo

MAX_QUANTITY = Decimal("99999.99")


class SharingSettings(OneRowSettings):
    """One row: how far this garden shares (set by coordinators)."""

    share_radius_km = models.DecimalField(
        _("share radius (km)"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("10.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_("Offers and tools for neighbours reach the peer gardens within this distance."),
    )

    hop_limit = models.PositiveSmallIntegerField(
        _("offers travel"),
        choices=[(0, _("to our peers only")), (1, _("to our peers and their peers"))],
        default=1,
        help_text=_("Peers may pass our offers on to their peers within our share radius."),
    )
    claims_from_peers_only = models.BooleanField(
        _("only peered gardens may claim"),
        default=False,
        help_text=_("Else gardens in our radius that heard of an offer via a peer may claim too."),
    )

    class Meta:
        verbose_name = _("sharing settings")

    def __str__(self) -> str:
        return f"{self.share_radius_km} km"


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    G = "g", _("g")
    PIECE = "piece", _("pieces")
    BUNCH = "bunch", _("bunches")
    BOX = "box", _("boxes")
    LITRE = "l", _("litres")


class RemoteMixin(models.Model):
    remote_id = models.CharField(max_length=500, null=True, blank=True, unique=True)
    origin_actor = models.CharField(max_length=500, blank=True, db_index=True)
    origin_name = models.CharField(max_length=120, blank=True)
    distance_km = models.FloatField(null=True, blank=True)
    photo_url = models.CharField(max_length=500, blank=True)
    # Remote rows: when the origin last changed it, so an older Update arriving late is ignored.
    remote_updated = models.DateTimeField(null=True, blank=True)
    # Local rows: whether neighbour gardens currently hold a copy (so changes must follow).
    published = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def is_remote(self) -> bool:
        return bool(self.origin_actor)


class Offer(RemoteMixin):
    # Remote rows that reached us through a peer: that peer's actor URL (claims still go to
    # the origin). Remote rows we passed on to our peers: within what distance of the origin,
    # so its Update and Delete follow the same way.
    relayed_by = models.CharField(max_length=500, blank=True)
    relay_radius_km = models.FloatField(null=True, blank=True)

    class Audience(models.TextChoices):
        GARDEN = "garden", _("My garden only")
        NEIGHBOURS = "neighbours", _("Also neighbour gardens within our share radius")
        PUBLIC = "public", _("Neighbour gardens and the public")

    # Both of these reach the neighbour gardens; PUBLIC also posts to the garden's followers.
    SHARED_WITH_NEIGHBOURS = (Audience.NEIGHBOURS, Audience.PUBLIC)

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Fully claimed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sharing_offers",
    )
    offered_by_name = models.CharField(max_length=80, blank=True)  # remote offers only
    crop = models.CharField(_("crop"), max_length=80)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_QUANTITY)],
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.KG)
    quantity_left = models.DecimalField(max_digits=7, decimal_places=2)
    pickup_from = models.DateTimeField(_("pickup from"))
    pickup_until = models.DateTimeField(_("pickup until"))
    pickup_place = models.CharField(
        _("pickup place"),
        max_length=300,
        blank=True,
        help_text=_("Where to collect it, e.g. 'crate by the shed'."),
    )
    expires_at = models.DateTimeField(_("offer ends"))
    photo = models.FileField(
        _("photo"), upload_to="sharing/offers/", blank=True, validators=[validate_photo]
    )
    audience = models.CharField(
        _("who may claim"), max_length=16, choices=Audience.choices, default=Audience.GARDEN
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["expires_at"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_left__gte=0)
                & models.Q(quantity_left__lte=models.F("quantity")),
                name="sharing_offer_left_within_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(pickup_until__gt=models.F("pickup_from")),
                name="sharing_offer_pickup_window_ordered",
                violation_error_message=_("The pickup window must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.crop} ({self.quantity} {self.unit})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > timezone.now()

    @property
    def offerer_name(self) -> str:
        if self.is_remote:
            return self.offered_by_name
        return self.offered_by.profile.name if self.offered_by else _("former member")


class Claim(models.Model):
    """Someone asks for part of an offer. The offer's origin garden decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the other garden")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        PICKED_UP = "picked_up", _("Picked up")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sharing_claims",
    )
    # Set on the origin for claims from a neighbour garden: their claim's URL and garden.
    remote_id = models.CharField(max_length=500, null=True, blank=True, unique=True)
    remote_actor = models.CharField(max_length=500, blank=True)
    remote_claimant_name = models.CharField(max_length=80, blank=True)
    remote_garden_name = models.CharField(max_length=120, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_QUANTITY)],
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.offer}"

    @property
    def claimant_name(self) -> str:
        if self.remote_actor:
            return self.remote_claimant_name
        return self.claimant.profile.name if self.claimant else _("former member")

    @property
    def garden_name(self) -> str:
        if self.remote_actor:
            return self.remote_garden_name
        from garden.members.services import get_garden

        return get_garden().name


class Tool(RemoteMixin):
    class Condition(models.TextChoices):
        NEW = "new", _("As new")
        GOOD = "good", _("Good")
        WORN = "worn", _("Worn but works")
        REPAIR = "repair", _("Needs repair")

    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    condition = models.CharField(
        _("condition"), max_length=8, choices=Condition.choices, default=Condition.GOOD
    )
    photo = models.FileField(
        _("photo"), upload_to="sharing/tools/", blank=True, validators=[validate_photo]
    )
    lend_to_members = models.BooleanField(_("members may borrow it"), default=True)
    lend_to_neighbours = models.BooleanField(_("neighbour gardens may borrow it"), default=False)
    active = models.BooleanField(_("in the library"), default=True)
    # For a neighbour's tool: the periods it is booked, as [{"start": "YYYY-MM-DD", "end": …}].
    remote_busy = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Loan(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        LENT = "lent", _("Lent")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    BOOKED = (Status.APPROVED, Status.LENT)

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sharing_loans",
    )
    remote_id = models.CharField(max_length=500, null=True, blank=True, unique=True)
    remote_actor = models.CharField(max_length=500, blank=True)
    remote_borrower_name = models.CharField(max_length=80, blank=True)
    remote_garden_name = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    note = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    return_note = models.CharField(_("condition on return"), max_length=500, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    lent_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="sharing_loan_dates_ordered",
                violation_error_message=_("The loan must end on or after its first day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.tool} {self.start_date}–{self.end_date}"

    @property
    def borrower_name(self) -> str:
        if self.remote_actor:
            return self.remote_borrower_name
        return self.borrower.profile.name if self.borrower else _("former member")

    @property
    def garden_name(self) -> str:
        if self.remote_actor:
            return self.remote_garden_name
        from garden.members.services import get_garden

        return get_garden().name

    @property
    def is_overdue(self) -> bool:
        from garden.members.services import get_garden

        today = timezone.localdate(timezone=get_garden().tz)
        return self.status == self.Status.LENT and self.end_date < today
