from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "subject", "branch", "recipient", "created_at", "todo", "done_at", "read_at", "emailed_at"]
    list_filter = ["created_at", "todo"]
    search_fields = ["title", "recipient__username", "dedupe_key"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "email_claimed_at", "emailed_at"]
