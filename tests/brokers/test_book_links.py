"""The Book of Business writes its sort and paging links itself (brokers.views.book._query):
they must be what {% querystring %} wrote, for any query the page can be asked."""

from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.template.defaulttags import querystring

from brokers.views.book import PAGE_CLEARED, _query

QUERIES = [
    "",
    "status=active&sort=-original&per_page=25",
    "after=xyz",
    "name=a+b%26c&after=Q%3D%3D&sort=name&plan_type=x&plan_type=y",
    "page=last&sort=number",
    "before=abc&status=active",
]
CHANGES = [
    {"sort": "-name", **PAGE_CLEARED},
    PAGE_CLEARED,
    {**PAGE_CLEARED, "before": "c/1:2"},
    {**PAGE_CLEARED, "after": "zz=="},
    {**PAGE_CLEARED, "page": "last"},
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("changes", CHANGES)
def test_a_link_is_what_the_querystring_tag_wrote(query, changes):
    params = QueryDict(query)
    context = SimpleNamespace(request=SimpleNamespace(GET=params))
    assert _query(params, **changes) == querystring(context, **changes)
