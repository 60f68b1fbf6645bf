from functools import wraps

from django.http import Http404


def audience_required(*roles):
    """Let only users of these roles in; anyone else gets the same 404 as a missing page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
