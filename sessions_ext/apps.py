from django.apps import AppConfig


class SessionsExtConfig(AppConfig):
    """Owned, tracked, manageable sessions; a sibling of django.contrib.sessions."""

    name = "sessions_ext"
    verbose_name = "Sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth import signals as auth_signals
        from django.core import signals as core_signals
        from django.db.models.signals import m2m_changed, post_save

        from sessions_ext import activity, receivers, signals

        User = get_user_model()

        core_signals.request_started.connect(activity.start_request, dispatch_uid="sx_activity_start")
        core_signals.request_finished.connect(activity.finish_request, dispatch_uid="sx_activity_flush")
        auth_signals.user_logged_in.connect(receivers.on_logged_in, dispatch_uid="sx_logged_in")
        auth_signals.user_logged_out.connect(receivers.on_logged_out, dispatch_uid="sx_logged_out")
        auth_signals.user_login_failed.connect(receivers.on_login_failed, dispatch_uid="sx_login_failed")
        auth_signals.user_logged_in.connect(receivers.on_logged_in_limit, dispatch_uid="sx_session_limit")
        post_save.connect(receivers.on_user_saved, sender=User, dispatch_uid="sx_user_saved")
        signals.privilege_changed.connect(receivers.on_privilege_changed, dispatch_uid="sx_privilege")
        for relation in ("groups", "user_permissions"):
            through = getattr(User, relation, None)
            if through is not None:
                m2m_changed.connect(
                    receivers.on_permissions_changed, sender=through.through,
                    dispatch_uid=f"sx_{relation}_changed",
                )
