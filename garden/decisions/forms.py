from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .counting import Ballot
from .models import MAX_OPTIONS, DecisionSettings, Method, Proposal


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("What is proposed"), widget=forms.Textarea, max_length=10000)
    method = forms.ChoiceField(
        label=_("How the garden decides"),
        choices=Method.choices,
        initial=Method.CONSENT,
        widget=forms.RadioSelect,
    )
    options = forms.CharField(
        label=_("Options, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Not needed for consent. Simple majority without options asks yes or no. "
            "At most %(max)d options."
        )
        % {"max": MAX_OPTIONS},
    )
    deadline = forms.DateTimeField(label=_("Votes close"), widget=DateTimeLocalInput())
    quorum_percent = forms.IntegerField(
        label=_("Quorum (% of members who must vote)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Optional. Without enough votes there is no decision."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        soon = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        self.initial.setdefault("deadline", soon + timedelta(days=7))

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["options"] = data["options"].splitlines()
        return data


class VoteForm(forms.Form):
    """The ballot for one proposal; its fields follow the proposal's method."""

    def __init__(self, proposal: Proposal, *args, ballot: Ballot | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        options = list(proposal.options.all())
        if proposal.method == Method.CONSENT:
            self.fields["position"] = forms.ChoiceField(
                label=_("Your position"),
                choices=[("consent", _("I consent")), ("object", _("I object"))],
                widget=forms.RadioSelect,
                initial="object" if ballot and ballot.objection else "consent",
            )
            self.fields["reason"] = forms.CharField(
                label=_("Reason for objecting"),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=2000,
                help_text=_("An objection needs a reason."),
                initial=ballot.reason if ballot else "",
            )
        elif proposal.method == Method.MAJORITY:
            self.fields["choice"] = forms.TypedChoiceField(
                label=_("Your choice"),
                choices=[(o.pk, o.label) for o in options],
                coerce=int,
                widget=forms.RadioSelect,
                initial=ballot.choice if ballot else None,
            )
        else:
            scores = [(value, f"{value:+d}" if value else "0") for value in range(2, -3, -1)]
            for option in options:
                self.fields[f"score_{option.pk}"] = forms.TypedChoiceField(
                    label=option.label,
                    choices=scores,
                    coerce=int,
                    initial=ballot.scores.get(option.pk, 0) if ballot else 0,
                )

    def ballot(self) -> Ballot:
        data = self.cleaned_data
        if self.proposal.method == Method.CONSENT:
            return Ballot(objection=data["position"] == "object", reason=data["reason"])
        if self.proposal.method == Method.MAJORITY:
            return Ballot(choice=data["choice"])
        return Ballot(
            scores={
                int(name.removeprefix("score_")): value
                for name, value in data.items()
                if name.startswith("score_")
            }
        )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = DecisionSettings
        fields = ("who_may_propose",)
        widgets = {"who_may_propose": forms.RadioSelect}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search decisions"), required=False, max_length=200)
