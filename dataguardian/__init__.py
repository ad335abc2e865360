"""DataGuardian Pro: the product (settings, urls, Celery app and the domain apps).

Kept free of imports so that ``dataguardian.scanner`` loads without Django;
the Celery app is loaded by ``DataGuardianConfig.ready()``.
"""
