"""URLs of the session pages, included by the product (e.g. at account/sessions/)."""

urlpatterns: list = []
