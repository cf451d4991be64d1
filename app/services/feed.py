"""The case timeline: posts, files, shared updates and tasks."""
# Contract (implemented by the feed work; the seed and other services call these):
#   add_post(case, *, actor, body, visibility="internal") -> FeedItem
#   add_files(case, *, actor, uploads, comment="", visibility="internal") -> FeedItem
#       uploads: list of (filename, bytes-like or file object, declared content type)
#   share_update(case, *, actor, expected_version, status=None, priority=None, note="") -> FeedItem
#   create_task(case, *, actor, subject, due_date=None, assignee=None) -> Task
#   complete_task(task, *, actor) -> Task
