"""CSV cells a spreadsheet shows as text, never runs as a formula (CSV injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula, so a member who names themselves
``=HYPERLINK("https://evil.example", "Click")`` would put a live formula in an editor's export.
Such a cell is written with a leading apostrophe (OWASP's advice), which spreadsheets hide.
Numbers stay numbers: ``-3`` points is not text.

Every CSV the site writes goes through here: ``csv_writer`` for the app's own views (attendees,
KPIs) and, installed once by ``HubConfig.ready()``, the value preparation of Wagtail's
``SpreadsheetExportMixin``, which every admin listing's "Download CSV" uses (the view sets'
``list_export``, form submissions, Wagtail's reports).
"""

import csv
import re

from wagtail.admin.views.mixins import SpreadsheetExportMixin

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        if PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file) -> _SafeWriter:
    """``csv.writer(file)`` whose rows are made safe cell by cell."""
    return _SafeWriter(csv.writer(file))


_wagtail_preprocess = SpreadsheetExportMixin.preprocess_field_value


def _safe_preprocess(self, field, value, export_format):
    prepared = _wagtail_preprocess(self, field, value, export_format)
    return safe_cell(prepared) if export_format == self.FORMAT_CSV else prepared


def install() -> None:
    """Make every Wagtail spreadsheet export write safe CSV cells (idempotent)."""
    SpreadsheetExportMixin.preprocess_field_value = _safe_preprocess
