from django.apps import AppConfig


class ScansConfig(AppConfig):
    name = "dataguardian.scans"
    label = "scans"
    verbose_name = "Scans and findings"

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete

        from dataguardian.scans.models import Scan
        from dataguardian.scans.receivers import scan_deleting, scan_saved

        post_save.connect(scan_saved, sender=Scan, dispatch_uid="scans_partition_create")
        pre_delete.connect(scan_deleting, sender=Scan, dispatch_uid="scans_partition_truncate")
