"""Staff import a year's declared cooperations, or the sites abroad, from a CSV or XLSX file.

    report = dry_run(data, "register-2024.csv", Content.COOPERATIONS)   # what would happen, per row
    report = apply(data, "register-2024.csv", Content.COOPERATIONS, staff, valid_only=False)

The dry run reads the file, judges every row with the register's rules (validation.py: the same as
the units' own declarations), refuses a row that repeats an earlier one of the same file, and
compares the rest with the register in one query: each row is new, already there (unchanged), or
updates a row already there. A cooperation's key is its unit, year, partner, city, country and
kind (the database's unique constraint); what a row may update is the rest of it (themes, start
and end years), so importing the same file again changes nothing. A site's key is its kind,
English name, city and country; the rest (French name, network, coordinates, active years) may be
updated. Rows fed by a funded project or a PIC agreement are left as they are (their source is
authoritative); they count as already in the register.

`apply` runs the dry run again inside one transaction and writes with bulk operations (no query
per row): refused while any row is rejected, unless the caller asks for the valid rows only.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import audit

from . import validation
from .actions import CooperationAction
from .models import Cooperation, Site

#: The largest file accepted (a year's register of some 7,000 rows is well under 1 MB in CSV).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: The most rows a file may hold (a year's register has some 7,000).
MAX_ROWS = 50_000
#: An XLSX file is a ZIP: what its parts may inflate to, at most (a small file may hide a bomb).
MAX_XLSX_INFLATED_BYTES = 200 * 1024 * 1024
#: Rows written per INSERT or UPDATE.
BATCH_SIZE = 1000


class Content(models.TextChoices):
    COOPERATIONS = "cooperations", gettext_lazy("Declared cooperations")
    SITES = "sites", gettext_lazy("Sites abroad")


class ImportFileError(Exception):
    """The file cannot be read or imported as a whole; `reasons` say why, in words."""

    def __init__(self, *reasons):
        super().__init__(" ".join(str(reason) for reason in reasons))
        self.reasons = [str(reason) for reason in reasons]


# The columns each content holds, in order, with the other names a header may give them (folded:
# case, accents and punctuation aside); the columns' labels in French and English are accepted too.
COLUMNS = {
    Content.COOPERATIONS: {
        "year": ("year", "annee", "annee declaree", "year declared"),
        "unit_code": ("unit code", "unit", "unite", "code unite", "code de l unite", "inserm unit code"),
        "partner_institution": (
            "partner institution",
            "partner",
            "institution",
            "institution partenaire",
            "etablissement partenaire",
            "partenaire",
            "etablissement",
        ),
        "city": ("city", "ville"),
        "country": ("country", "pays", "country code", "code pays"),
        "kind": ("kind", "type", "nature"),
        "themes": ("themes", "theme", "thematiques"),
        "start_year": ("start year", "start", "annee de debut", "debut"),
        "end_year": ("end year", "end", "annee de fin", "fin"),
    },
    Content.SITES: {
        "kind": ("kind", "type"),
        "name_fr": ("name fr", "name french", "nom fr", "nom francais", "nom en francais"),
        "name_en": ("name en", "name english", "nom en", "nom anglais", "nom en anglais"),
        "network": ("network", "reseau"),
        "city": ("city", "ville"),
        "country": ("country", "pays", "country code", "code pays"),
        "latitude": ("latitude", "lat"),
        "longitude": ("longitude", "lon", "lng", "long"),
        "active_from": ("active from", "active from year", "actif depuis", "actif depuis annee", "depuis"),
        "active_until": ("active until", "active until year", "actif jusqu a", "actif jusqu a annee", "jusqu a"),
    },
}
#: The columns a file must have (the others may be left out: their cells are then empty).
REQUIRED_COLUMNS = {
    Content.COOPERATIONS: ("year", "unit_code", "partner_institution", "city", "country", "kind"),
    Content.SITES: ("kind", "name_fr", "name_en", "city", "country", "latitude", "longitude"),
}
#: What a row may change in a row already in the register (the rest is its key).
UPDATABLE = {
    Content.COOPERATIONS: ("themes", "start_year", "end_year"),
    Content.SITES: ("name_fr", "network", "latitude", "longitude", "active_from", "active_until"),
}
KEYS = {Content.COOPERATIONS: validation.COOPERATION_KEY, Content.SITES: validation.SITE_KEY}
MODELS = {Content.COOPERATIONS: Cooperation, Content.SITES: Site}
#: Sources whose rows an import leaves as they are.
FED_SOURCES = (Cooperation.Source.PROJECT, Cooperation.Source.AGREEMENT)


def labels(content):
    return validation.cooperation_labels() if content == Content.COOPERATIONS else validation.site_labels()


@dataclass
class Rejected:
    line: int
    values: list  # the row's cells as read, in the report's column order
    reasons: list


@dataclass
class Report:
    content: str
    columns: list  # the columns found, in the file's order
    ignored_columns: list = field(default_factory=list)
    new: list = field(default_factory=list)  # cleaned values of each row to create
    updated: list = field(default_factory=list)  # (pk, cleaned values) of each row to update
    unchanged: int = 0
    kept: int = 0  # already in the register, fed by a funded project or a PIC agreement
    rejected: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.new) + len(self.updated) + self.unchanged + self.kept + len(self.rejected)

    @property
    def valid(self):
        return self.total - len(self.rejected)

    @property
    def clean(self):
        return not self.rejected

    @property
    def nothing_new(self):
        return not self.new and not self.updated

    def counts(self):
        return {
            "rows": self.total,
            "new": len(self.new),
            "updated": len(self.updated),
            "unchanged": self.unchanged + self.kept,
            "rejected": len(self.rejected),
        }


# --- Reading the file ---------------------------------------------------------------------------


def check_file(data, content):
    """What every service asks of a file before reading it: the content it says it holds, its size."""
    if content not in Content.values:
        raise ImportFileError(_("Choose what the file holds: declared cooperations or sites abroad."))
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s MB; at most %(max)s MB): split it.")
            % {"size": round(len(data) / 1024 / 1024, 1), "max": MAX_FILE_BYTES // 1024 // 1024}
        )


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is neither an XLSX workbook nor a CSV file in UTF-8: save it as “CSV UTF-8” or XLSX.")
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s of the CSV file cannot be read (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from error


def _xlsx_rows(data):
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
        if inflated > MAX_XLSX_INFLATED_BYTES:
            raise ImportFileError(_("The workbook inflates to more than the portal reads: split it."))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign ZIP
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in row]
    finally:
        workbook.close()


def read_rows(data):
    """The file's rows as (line number, [cells as text]): XLSX (its first sheet) or CSV in UTF-8
    (with or without a byte-order mark, cells separated by commas or semicolons)."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("The file is in the old Excel format (.xls): save it as XLSX or CSV UTF-8."))
    return _csv_rows(data)


def _header_names(content):
    names = {}
    for column, aliases in COLUMNS[content].items():
        for alias in (*aliases, column):
            names[validation.fold(alias)] = column
    for language in ("en", "fr"):
        with translation.override(language):
            for column, label in labels(content).items():
                names.setdefault(validation.fold(label), column)
    return names


def _map_header(header, content):
    """The header's cells -> ({position: column}, columns ignored); refuses a file lacking a
    required column or naming one twice."""
    names = _header_names(content)
    positions, ignored, seen = {}, [], set()
    for position, cell in enumerate(header):
        column = names.get(validation.fold(cell))
        if column is None:
            if str(cell).strip():
                ignored.append(str(cell).strip())
            continue
        if column in seen:
            raise ImportFileError(_("The column “%(column)s” is given twice.") % {"column": str(cell).strip()})
        seen.add(column)
        positions[position] = column
    missing = [labels(content)[column] for column in REQUIRED_COLUMNS[content] if column not in seen]
    if missing:
        raise ImportFileError(
            _("The file lacks the columns: %(columns)s. The first row names the columns (in English or French).")
            % {"columns": ", ".join(str(label) for label in missing)}
        )
    return positions, ignored


def _records(data, content):
    """(columns in file order, ignored columns, iterator of (line, {column: cell}))."""
    rows = iter(read_rows(data))
    for _line, cells in rows:
        if any(str(cell).strip() for cell in cells):
            positions, ignored = _map_header(cells, content)
            break
    else:
        raise ImportFileError(_("The file holds no rows."))

    def records():
        count = 0
        for line, cells in rows:
            if not any(str(cell).strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ImportFileError(
                    _("The file holds more than %(max)s rows: split it.") % {"max": f"{MAX_ROWS:,}".replace(",", " ")}
                )
            yield line, {column: cells[p] if p < len(cells) else "" for p, column in positions.items()}

    return list(positions.values()), ignored, records()


# --- The dry run ----------------------------------------------------------------------------------


def _existing(content, years):
    """The register's rows the file may meet, by key, in one query."""
    key, updatable = KEYS[content], UPDATABLE[content]
    if content == Content.COOPERATIONS:
        queryset = Cooperation.objects.filter(year__in=years).values_list("pk", "source", *key, *updatable)
        return {tuple(row[2 : 2 + len(key)]): (row[0], row[1], row[2 + len(key) :]) for row in queryset}
    queryset = Site.objects.values_list("pk", *key, *updatable)
    return {tuple(row[1 : 1 + len(key)]): (row[0], "", row[1 + len(key) :]) for row in queryset}


def dry_run(data, name, content, current_year=None):
    """What importing this file would do, row by row, changing nothing. Raises ImportFileError
    when the file cannot be read as a whole (type, size, columns, number of rows)."""
    check_file(data, content)
    columns, ignored, records = _records(data, content)
    report = Report(content=content, columns=columns, ignored_columns=ignored)
    clean = validation.clean_cooperation if content == Content.COOPERATIONS else validation.clean_site
    kwargs = {"current_year": current_year or validation.today().year} if content == Content.COOPERATIONS else {}
    key_names, seen, valid = KEYS[content], {}, []
    for line, raw in records:
        values, reasons = clean(raw, **kwargs)
        if not reasons:
            key = tuple(values[column] for column in key_names)
            if key in seen:
                reasons.append(
                    _("Duplicate of line %(line)s: the same key (%(key)s) twice in the file.")
                    % {"line": seen[key], "key": ", ".join(str(labels(content)[column]) for column in key_names)}
                )
            else:
                seen[key] = line
                valid.append((key, values))
        if reasons:
            report.rejected.append(Rejected(line, [raw.get(column, "") for column in columns], reasons))
    years = {values["year"] for _key, values in valid} if content == Content.COOPERATIONS else set()
    existing = _existing(content, years) if valid else {}
    updatable = UPDATABLE[content]
    for key, values in valid:
        found = existing.get(key)
        if found is None:
            report.new.append(values)
            continue
        pk, source, current = found
        if tuple(values[name] for name in updatable) == tuple(current):
            report.unchanged += 1
        elif source in FED_SOURCES:
            report.kept += 1
        else:
            report.updated.append((pk, values))
    return report


# --- The import -------------------------------------------------------------------------------------


def apply(data, name, content, actor, valid_only=False, current_year=None):
    """Import the file in one transaction: the new rows created, the changed ones updated, and one
    audit event with the counts. Refused (ImportFileError) while a row is rejected, unless
    `valid_only`: then the rejected rows are left out."""
    with transaction.atomic():
        report = dry_run(data, name, content, current_year=current_year)
        if report.rejected and not valid_only:
            raise ImportFileError(
                ngettext(
                    "Nothing was imported: %(count)s row is rejected. Correct the file, or import the valid rows only.",
                    "Nothing was imported: %(count)s rows are rejected. Correct the file, or import the valid "
                    "rows only.",
                    len(report.rejected),
                )
                % {"count": len(report.rejected)}
            )
        model = MODELS[content]
        extra = {"source": Cooperation.Source.IMPORTED} if content == Content.COOPERATIONS else {}
        # A row created meanwhile by the same import elsewhere is the same row: ignored, not an error.
        model.objects.bulk_create(
            [model(**values, **extra) for values in report.new], batch_size=BATCH_SIZE, ignore_conflicts=True
        )
        if report.updated:
            changed = []
            for pk, values in report.updated:
                row = model(pk=pk)
                for column in UPDATABLE[content]:
                    setattr(row, column, values[column])
                changed.append(row)
            update_fields = list(UPDATABLE[content])
            if content == Content.COOPERATIONS:
                update_fields.append("updated_at")
                now = timezone.now()
                for row in changed:
                    row.updated_at = now
            model.objects.bulk_update(changed, update_fields, batch_size=BATCH_SIZE)
        audit.record(
            actor,
            CooperationAction.SITES_IMPORTED if content == Content.SITES else CooperationAction.IMPORTED,
            None,
            file=str(name)[:200],
            valid_only=bool(valid_only),
            **report.counts(),
        )
    return report
