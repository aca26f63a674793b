"""CSV export and import of harvest logs.

The import checks every row before it writes anything: a file with a single bad row is
rejected as a whole, with the line number and reason of every bad row, and a clean file is
stored in one transaction. It understands a byte order mark, `;` or `,` (or tab) as the
delimiter, a decimal comma, German dates (31.12.2025) and German column names and units.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from garden.core.errors import RuleError
from garden.core.live import push_garden
from garden.members.models import Garden
from garden.members.services import display_name, get_garden, is_member

from . import services
from .models import Crop, HarvestLog, Unit
from .totals import logs_changed

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000

EXPORT_COLUMNS = ["date", "crop", "quantity", "unit", "plot", "donated_to", "note"]
REQUIRED_COLUMNS = ("date", "crop", "quantity", "unit")
COLUMN_LABELS = {
    "date": gettext_lazy("date"),
    "crop": gettext_lazy("crop"),
    "quantity": gettext_lazy("quantity"),
    "unit": gettext_lazy("unit"),
}
COLUMN_ALIASES = {
    "date": {"date", "datum", "harvest date", "erntedatum", "day", "tag"},
    "crop": {"crop", "kultur", "pflanze", "gemüse", "gemuese", "obst", "sorte", "frucht"},
    "quantity": {"quantity", "amount", "menge", "anzahl"},
    "unit": {"unit", "einheit"},
    "plot": {"plot", "plot_label", "beet", "parzelle"},
    "donated_to": {
        "donated_to",
        "donated to",
        "given away to",
        "donated",
        "gespendet an",
        "verschenkt an",
        "spende",
        "gespendet",
    },
    "note": {"note", "notes", "comment", "notiz", "bemerkung", "kommentar"},
}
UNIT_ALIASES = {
    Unit.KG: {"kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramm"},
    Unit.G: {"g", "gr", "gram", "grams", "gramm"},
    Unit.PIECES: {"pieces", "piece", "pcs", "pc", "stück", "stueck", "stk", "st", "x"},
    Unit.BUNCHES: {"bunches", "bunch", "bund", "bünde", "bündel", "buendel"},
}
GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
# Spreadsheet programs run cells that start like a formula; exported text must not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowError:
    line: int
    message: str


class ImportRejected(RuleError):
    """The file was not imported; `errors` lists every bad row."""

    def __init__(self, errors: list[RowError], unknown_crops: Iterable[str] = ()):
        self.errors = errors
        self.unknown_crops = sorted(set(unknown_crops), key=str.lower)
        super().__init__(
            _("Nothing was imported: %(count)d line(s) need fixing.") % {"count": len(errors)}
        )


@dataclass
class ImportResult:
    imported: int
    new_crops: list[str] = field(default_factory=list)


# --- export ---------------------------------------------------------------------------


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def export_rows(logs, with_gardener: bool = False) -> Iterator[list[str]]:
    """The header and one row per log, read in chunks so a large garden streams."""
    yield EXPORT_COLUMNS + (["gardener"] if with_gardener else [])
    logs = logs.select_related("crop", "harvested_by__profile").order_by("date", "pk")
    for log in logs.iterator(chunk_size=2000):
        row = [
            log.date.isoformat(),
            _safe(log.crop.name),
            format(log.quantity.normalize(), "f"),
            log.unit,
            _safe(log.plot_label),
            _safe(log.donated_to),
            _safe(log.note),
        ]
        if with_gardener:
            row.append(_safe(display_name(log.harvested_by)) if log.harvested_by else "")
        yield row


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_lines(logs, with_gardener: bool = False) -> Iterator[str]:
    """CSV text in UTF-8 with a byte order mark, which spreadsheet programs need."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in export_rows(logs, with_gardener):
        yield writer.writerow(row)


# --- import ---------------------------------------------------------------------------


def decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise RuleError(
            _("The file is too large (at most %(size)d MB).")
            % {"size": MAX_IMPORT_BYTES // (1024 * 1024)},
            status=413,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older spreadsheet programs on Windows save CSV in this encoding.
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=first_line.count) if first_line else ","


def parse_decimal(text: str) -> Decimal:
    text = text.replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        # "1.234,5" or "1,234.5": the separator that comes last is the decimal one.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RuleError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite():
        raise RuleError(_("“%(value)s” is not a number.") % {"value": text})
    return value


def parse_date(text: str) -> datetime.date:
    german = GERMAN_DATE.match(text)
    try:
        if german:
            day, month, year = (int(part) for part in german.groups())
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise RuleError(
            _("“%(value)s” is not a date; write 2025-07-31 or 31.07.2025.") % {"value": text}
        ) from None


def parse_unit(text: str) -> str:
    lowered = text.strip().lower().rstrip(".")
    for unit, aliases in UNIT_ALIASES.items():
        if lowered in aliases:
            return unit
    raise RuleError(_("“%(value)s” is not a unit; use kg, g, pieces or bunches.") % {"value": text})


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        name = name.strip().lower().replace("_", " ")
        for column, aliases in COLUMN_ALIASES.items():
            if name in aliases or name.replace(" ", "_") in aliases:
                found.setdefault(column, index)
    missing = [column for column in REQUIRED_COLUMNS if column not in found]
    if missing:
        raise ImportRejected(
            [
                RowError(
                    1,
                    _("The first line must name the columns; missing: %(columns)s.")
                    % {"columns": ", ".join(missing)},
                )
            ]
        )
    return found


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise ImportRejected([RowError(reader.line_num, str(error))]) from None


def import_csv(user, data: bytes, *, add_unknown_crops: bool = False) -> ImportResult:
    """Import past harvests of `user` from CSV: all rows or none."""
    if not is_member(user):
        raise RuleError(_("Only members of this garden may do this."), status=403)
    garden = get_garden()
    records = _records(decode(data))
    first = next(records, None)
    if first is None:
        raise ImportRejected([RowError(1, _("The file is empty."))])
    columns = _columns(first[1])
    known = {crop.name.lower(): crop for crop in services.crops(garden)}
    plots = services.plots_by_label()
    new_crops: dict[str, Crop] = {}
    logs: list[HarvestLog] = []
    errors: list[RowError] = []
    unknown: set[str] = set()
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue
        if len(logs) + len(errors) >= MAX_IMPORT_ROWS:
            raise ImportRejected(
                [RowError(line, _("Too many rows: at most %(max)d.") % {"max": MAX_IMPORT_ROWS})]
            )
        cell = {
            name: (row[index].strip() if index < len(row) else "")
            for name, index in columns.items()
        }
        try:
            crop = _crop_for(user, cell["crop"], garden, known, new_crops, add_unknown_crops)
            if crop is None:
                unknown.add(cell["crop"])
                raise RuleError(_("“%(crop)s” is not on the crop list.") % {"crop": cell["crop"]})
            logs.append(_row_to_log(user, garden, crop, cell, plots))
        except RuleError as error:
            errors.append(RowError(line, error.message))
    if errors:
        raise ImportRejected(errors, unknown)
    if not logs:
        raise ImportRejected([RowError(1, _("The file has no harvests in it."))])
    with transaction.atomic():
        for crop in new_crops.values():
            crop.save()
        HarvestLog.objects.bulk_create([log.set_derived() for log in logs], batch_size=500)
        logs_changed(garden.pk)  # bulk_create sends no signals
    push_garden("harvests", {"imported": len(logs)})
    return ImportResult(imported=len(logs), new_crops=[crop.name for crop in new_crops.values()])


def _crop_for(user, name, garden, known, new_crops, add_unknown) -> Crop | None:
    name = services.clean_crop_name(name)
    crop = known.get(name.lower()) or new_crops.get(name.lower())
    if crop is None and add_unknown:
        crop = new_crops[name.lower()] = Crop(garden=garden, name=name, created_by=user)
    return crop


def _row_to_log(user, garden: Garden, crop: Crop, cell: dict[str, str], plots) -> HarvestLog:
    for column in REQUIRED_COLUMNS:
        if not cell[column]:
            raise RuleError(_("The %(column)s is missing.") % {"column": COLUMN_LABELS[column]})
    return services.build_log(
        user,
        garden,
        plots,
        crop=crop,
        date=parse_date(cell["date"]),
        quantity=parse_decimal(cell["quantity"]),
        unit=parse_unit(cell["unit"]),
        plot_label=cell.get("plot", ""),
        donated_to=cell.get("donated_to", ""),
        note=cell.get("note", ""),
    )
