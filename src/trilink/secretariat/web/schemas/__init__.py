"""The REST API's request and response bodies (they make the OpenAPI document).

Response models are built from ORM objects with ``of``; dates and times are the ISO strings of
``isoformat()`` (times keep their ``+00:00`` offset), texts in several languages come both picked
for the requested language and as the full ``*_i18n`` mapping where the API has always sent both.
"""
