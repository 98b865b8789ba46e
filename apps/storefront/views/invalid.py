"""The storefront's answer to bad input: a 400 page that names each field and what is wrong with it."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def invalid_input(request: HttpRequest, form: forms.Form) -> HttpResponse:
    errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    return render(request, "storefront/invalid.html", {"errors": errors}, status=400)
