"""Proposals, secret votes and the decision records they leave behind.

A vote is one row per member and proposal (a unique constraint), its scores in `Score`
rows for score voting. Votes stay after the deadline (the voter's account may go: the
vote stays, anonymous), so every result can be counted again from them.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from garden.core.models import OneRowSettings

MIN_SCORE, MAX_SCORE = -2, 2
MAX_OPTIONS = 10


class DecisionSettings(OneRowSettings):
    """One row: who may put a proposal to the garden (set by coordinators)."""

    class Proposers(models.TextChoices):
        MEMBERS = "members", _("Every member")
        COORDINATORS = "coordinators", _("Coordinators only")

    who_may_propose = models.CharField(
        _("who may propose"), max_length=16, choices=Proposers.choices, default=Proposers.MEMBERS
    )

    class Meta:
        verbose_name = _("decision settings")

    def __str__(self) -> str:
        return self.who_may_propose


class Method(models.TextChoices):
    CONSENT = "consent", _("Consent: passes unless someone objects")
    MAJORITY = "majority", _("Simple majority: an option needs more than half of the votes")
    SCORE = "score", _("Score voting: each option scored −2 to +2, the highest total wins")


class Proposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for votes")
        DECIDED = "decided", _("Decided")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=10000)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of members)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline"]
        verbose_name = _("proposal")
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_percent__isnull=True)
                | models.Q(quorum_percent__gte=1, quorum_percent__lte=100),
                name="decisions_quorum_is_a_share",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Option(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "position"], name="decisions_option_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Vote(models.Model):
    """One member's ballot on one proposal. What it says is never shown to anyone else."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    # SET_NULL: a deleted account's vote on a decided proposal still counts when recounted.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decision_votes",
    )
    choice = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # majority
    objection = models.BooleanField(default=False)  # consent
    reason = models.TextField(blank=True, max_length=2000)  # consent: why I object
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "voter"], name="decisions_one_vote_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"vote {self.pk} on {self.proposal_id}"


class Score(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="scores")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(
        validators=[MinValueValidator(MIN_SCORE), MaxValueValidator(MAX_SCORE)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "option"], name="decisions_one_score_each"),
            models.CheckConstraint(
                condition=models.Q(value__gte=MIN_SCORE, value__lte=MAX_SCORE),
                name="decisions_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"score {self.pk}"


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")  # consent without objection
    BLOCKED = "blocked", _("Blocked by an objection")
    CHOSEN = "chosen", _("Option chosen")
    NO_DECISION = "no_decision", _("No decision")
    NO_QUORUM = "no_quorum", _("Quorum not reached")


class Decision(models.Model):
    """The garden's memory: what was proposed, how it was decided and what came out.

    Text and options are copied, so the record reads the same whatever happens later.
    """

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="decision")
    title = models.CharField(max_length=200)
    text = models.TextField()
    method = models.CharField(max_length=16, choices=Method.choices)
    options = models.JSONField(default=list)  # [{"id", "label"}]
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    winner = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    totals = models.JSONField(default=dict)  # option id (str) → votes or score; consent counts
    objections = models.JSONField(default=list)  # the reasons given, without names
    votes_cast = models.PositiveIntegerField()
    eligible = models.PositiveIntegerField()  # active members at the deadline
    quorum_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("decision record")

    def __str__(self) -> str:
        return self.title

    @property
    def turnout_percent(self) -> int:
        return round(100 * self.votes_cast / self.eligible) if self.eligible else 0
