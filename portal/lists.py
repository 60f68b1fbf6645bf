"""What every sortable list page shares: its column headings and the sort each one links to."""


def sortable_columns(columns, sort):
    """The headings of a sortable table, from (label, sort key or None) pairs and the current
    sort ("key" or "-key"): each with the sort its link asks for (the other direction when it
    is the current one) and its `aria-sort` value."""
    headings = []
    for label, key in columns:
        ascending = key is not None and sort == key
        descending = key is not None and sort == f"-{key}"
        headings.append(
            {
                "label": label,
                "sort": (f"-{key}" if ascending else key) if key else None,
                "aria_sort": "ascending" if ascending else "descending" if descending else "",
            }
        )
    return headings


def chosen_sort(request, sorts, default):
    """The `sort` asked for in the URL ("key" or "-key" for a key of `sorts`), else `default`."""
    sort = request.GET.get("sort") or default
    return sort if sort.removeprefix("-") in sorts else default


def list_template(request, template, results_id):
    """The whole page, or only its `results` partial when htmx asks to swap `#results_id`."""
    if request.htmx and request.htmx.target == results_id:
        return f"{template}#results"
    return template
