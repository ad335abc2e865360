"""The actions the product records in the activity log (``sessions_ext.activity.record``).

Named in SESSIONS_EXT_ACTIONS, so the activity page filters on exactly these
(besides sessions_ext's own sign-in, sign-out and session actions).
"""

from django.db import models


class Action(models.TextChoices):
    SCAN_STARTED = "scan.started", "Scan started"
    SCAN_CANCELLED = "scan.cancelled", "Scan cancelled"
    SCAN_VIEWED = "scan.viewed", "Scan viewed"
    SCAN_EXPORTED = "scan.exported", "Scan exported"
    SCAN_REPORT_VIEWED = "scan.report_viewed", "Scan report viewed"
    ORGANIZATION_SWITCHED = "organization.switched", "Organisation switched"
