"""Every write in the programs app, with its rules and audit entries, each in one transaction.

exercises: the library. programs: programs, items and versions. sharing: private links and the PDF sheet.
"""

from ._common import DOSE_FIELDS, PROGRAM_FIELDS, ProgramConflict
from .exercises import EXERCISE_FIELDS, add_picture, remove_picture, save_exercise, set_exercise_archived
from .programs import (
    activate_program,
    add_from_template,
    add_item,
    archive_program,
    copy_program,
    create_program,
    move_item,
    remove_item,
    replace_items,
    save_as_template,
    swap_item,
    update_item,
    update_program,
)
from .sharing import (
    RENDER_REQUEST_TTL_SECONDS,
    PdfFailed,
    issue_link,
    link_lifetime,
    record_link_use,
    record_pdf_failure,
    request_pdf,
    resend_link,
    revoke_links,
    store_pdf,
)

__all__ = [
    "DOSE_FIELDS",
    "EXERCISE_FIELDS",
    "PROGRAM_FIELDS",
    "RENDER_REQUEST_TTL_SECONDS",
    "PdfFailed",
    "ProgramConflict",
    "activate_program",
    "add_from_template",
    "add_item",
    "add_picture",
    "archive_program",
    "copy_program",
    "create_program",
    "issue_link",
    "link_lifetime",
    "move_item",
    "record_link_use",
    "record_pdf_failure",
    "remove_item",
    "remove_picture",
    "replace_items",
    "request_pdf",
    "resend_link",
    "revoke_links",
    "save_as_template",
    "save_exercise",
    "set_exercise_archived",
    "store_pdf",
    "swap_item",
    "update_item",
    "update_program",
]
