"""The activity page's filter form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from sessions_ext import actions


def _action_choices() -> list[tuple[str, str]]:
    return [("", "Any action"), *actions.choices()]


class ActivityFilterForm(forms.Form):
    # A username rather than a list of users: listing an organisation's users
    # is the product's business, not this app's.
    user = forms.CharField(required=False, max_length=150, label="User name")
    action = forms.ChoiceField(required=False, choices=_action_choices)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("The start date is after the end date.")
        return data
