from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dataguardian.orgs"
    label = "orgs"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dataguardian.orgs.models import Membership
        from dataguardian.orgs.receivers import membership_changed

        post_save.connect(membership_changed, sender=Membership, dispatch_uid="orgs_membership_saved")
        post_delete.connect(membership_changed, sender=Membership, dispatch_uid="orgs_membership_deleted")
