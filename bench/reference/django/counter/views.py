from django.db.models import F
from django.shortcuts import render

from counter.models import PageView


def index(request):
    """Counts one view of the page and shows the count. The increment is one
    UPDATE in Django's default autocommit, so the count is exact; under
    concurrent views the number shown may already include later ones (the
    C++ app shows each view its own number). Wrapping both statements in a
    transaction would give that, at half the rate (DECISIONS.md)."""
    PageView.objects.filter(path=request.path).update(views=F("views") + 1)
    views = PageView.objects.get(path=request.path).views
    return render(request, "counter/index.html", {"path": request.path, "views": views})
