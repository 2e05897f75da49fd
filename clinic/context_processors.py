from django.urls import reverse

from .panels import nav_items_for
from .permissions import MATRIX, allows
from .roles import role_of
from .selectors import get_practice


def medius(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "practice": getattr(request, "practice", None) or get_practice(),
        "role": role_of(user),
        "can": {cap.replace(".", "_"): allows(user, cap) for cap in MATRIX},
        "nav_extra": [
            {"title": item.title, "url": reverse(item.url_name), "description": item.description}
            for item in nav_items_for(user)
        ]
        if user.is_authenticated
        else [],
    }
