from django.shortcuts import render

from garden.members.permissions import member_required


@member_required
def index(request):
    return render(request, "core/coming_soon.html", {"title": "Plots"})
