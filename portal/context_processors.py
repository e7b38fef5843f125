from members.twofactor import may_enrol
from portal.navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    return {"menu": menu_for(request), "offer_two_factor": may_enrol(user)}
