from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that show every domain at once: the home page, /me/, a member's page, the navigation
    and the demo data. It sits on top and imports the domain apps directly, as config/urls.py does."""

    name = "portal"
    verbose_name = "门户"
