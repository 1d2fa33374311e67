"""Number formats for zh-Hans: Django's defaults, but amounts grouped by thousands with commas
(9,440,000.00), as finance and e-commerce staff read them in spreadsheets and platform back offices."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
