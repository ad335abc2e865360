"""An upload handler that stops reading a request past ``DG_MAX_UPLOAD_FILES`` files.

Django's own limit (``DATA_UPLOAD_MAX_NUMBER_FILES``) raises while the CSRF
middleware reads the form, which ends in a bare 400 page and an error in the
log. This handler runs first: at the file past the limit it stops the upload
quietly (the fields read so far, the CSRF token among them, stay) and marks
the request, so the scan form can say what the limit is. Django's limit is
set one above ours and never reached.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

TOO_MANY_FILES = "dg_too_many_files"


class FileCountLimitHandler(FileUploadHandler):
    """Counts the files of a request; passes their bytes on to the next handlers."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.files = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1
        if self.files > settings.DG_MAX_UPLOAD_FILES:
            if self.request is not None:
                setattr(self.request, TOO_MANY_FILES, True)
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def too_many_files(request) -> bool:
    """Whether ``request`` carried more files than ``DG_MAX_UPLOAD_FILES`` (read its FILES first)."""
    return bool(getattr(request, TOO_MANY_FILES, False))
