"""Formats for zh-Hans: Django's defaults, with two changes.

- Amounts grouped by thousands with commas (9,440,000.00), as finance and e-commerce staff read them in
  spreadsheets and platform back offices.
- Dates typed or rendered into inputs are ISO first (2024-12-11). Django renders a date input's value in
  the language's first input format, and Django's zh-Hans puts 2024/12/11 first: the browser's date
  picker cannot read that, shows a blank and submits a blank, so saving a form erased its dates
  (issue 14, item 2). The slash forms are still accepted when typed.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATE_INPUTS
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DATETIME_INPUTS

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3


def _iso_first(formats: list[str], iso: list[str]) -> list[str]:
    return [*iso, *(f for f in formats if f not in iso)]


DATE_INPUT_FORMATS = _iso_first(_DATE_INPUTS, ["%Y-%m-%d"])
DATETIME_INPUT_FORMATS = _iso_first(
    _DATETIME_INPUTS, ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
)
