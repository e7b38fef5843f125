"""The sign-in backend: Django's, reading the user's member record with the user.

Every page names the signed-in person (`User.display_name`, the member's name): reading the member
in the same query as the user saves a query on every request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MemberModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("member").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
