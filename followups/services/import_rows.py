"""One row of a hospital's discharge list (services/imports.py runs the import): reading the
file (CSV or XLSX) into rows keyed by column — all at once (read_rows), or as they are used
(RowStream, for the import jobs of services/import_stream.py) —, and parsing and checking one
row, with the result the import report gives for it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import phonenumbers
from django.utils.translation import gettext as _

from followups import clock
from followups.models import Department, Gender
from followups.phones import normalise_phone
from followups.scheduling import FIRST_PLAUSIBLE_DAY, plausible_day

# The columns of a HIS export, by their Chinese and English headers.
HEADERS = {
    "住院号": "mrn",
    "姓名": "name",
    "性别": "gender",
    "电话": "phones",
    "科室": "department",
    "主治医生": "doctor",
    "诊断": "diagnosis",
    "入院日期": "admitted_on",
    "出院日期": "discharged_on",
    "敏感": "sensitive",
}
ENGLISH_HEADERS = frozenset(HEADERS.values())
REQUIRED_COLUMNS = ("mrn", "name", "phones", "department", "discharged_on")

GENDERS = {
    "男": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "女": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "": Gender.UNKNOWN,
    "未知": Gender.UNKNOWN,
    "u": Gender.UNKNOWN,
    "unknown": Gender.UNKNOWN,
}
YES_NO = {
    "是": True,
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "否": False,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
    "": False,
}
# What stands between two numbers of a phone cell; not a space, which people also write
# inside a number ("+86 135 0000 1111").
PHONE_SEPARATORS = re.compile(r"[;/；／,，、|\n]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
# A Customer holds two numbers; a third one in the file is not kept.
KEPT_PHONES = 2
MAX_LENGTHS = {"mrn": 40, "name": 80, "doctor": 80, "diagnosis": 200}


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, headers, no hospital or plan)."""


@dataclass
class RowResult:
    row: int  # the line of the file a person sees: the header is row 1
    medical_record_number: str
    outcome: str = Outcome.CREATED
    reasons: list[str] = field(default_factory=list)

    def refuse(self, reason: str) -> None:
        self.outcome = Outcome.REFUSED
        self.reasons.append(reason)

    def as_dict(self) -> dict:
        return asdict(self)


def refuse_repeat(result: RowResult, first_row: dict[str, int]) -> None:
    """Refuse a row whose 住院号 an earlier row of the file has (`first_row`: each 住院号's
    first row, kept up to date here)."""
    mrn = result.medical_record_number
    if not mrn:
        return
    if mrn in first_row:
        result.refuse(_("Duplicate: the same 住院号 as row %(row)s.") % {"row": first_row[mrn]})
    else:
        first_row[mrn] = result.row


def departments_by_name(hospital) -> dict[str, Department]:
    """The hospital's departments by name and by lower-case code, as a row may name them."""
    departments: dict[str, Department] = {}
    for department in Department.objects.filter(hospital=hospital):
        departments[department.name] = department
        departments[department.code.lower()] = department
    return departments


# --- Reading the file -------------------------------------------------------------------------


def read_rows(file: IO[bytes], filename: str) -> list[dict]:
    """The file's data rows as dicts keyed by the canonical column names (mrn, name …)."""
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        table = _xlsx_table(file)
    elif suffix in {".csv", ".txt"}:
        table = _csv_table(file)
    else:
        raise ImportFileError(_("Upload a CSV or XLSX file."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    columns = _columns(table[0])
    rows = []
    for values in table[1:]:
        keyed = _keyed(columns, values)
        if keyed is not None:
            rows.append(keyed)
    return rows


def _columns(header) -> list[str | None]:
    """The canonical name of each column of the header row; ImportFileError when a required
    one is missing."""
    columns = [_column(title) for title in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            _("Columns missing: %(columns)s.")
            % {"columns": ", ".join(_header_label(name) for name in missing)}
        )
    return columns


def _keyed(columns: list[str | None], values) -> dict | None:
    """A data row keyed by the canonical column names; None for a blank line."""
    if all(_text(value) == "" for value in values):
        return None  # blank lines that spreadsheets leave at the end
    return {name: value for name, value in zip(columns, values, strict=False) if name is not None}


def _xlsx_table(file: IO[bytes]) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(_("This is not a readable XLSX workbook.")) from error
    sheet = workbook.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return table


def _csv_table(file: IO[bytes]) -> list[list]:
    raw = file.read()
    # HIS systems export UTF-8 (often with a BOM) or GB18030 (GBK): try them in that order.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        # A field over the csv module's limit (131,072 characters; no column of a discharge
        # list is near it), or a quote left open.
        raise ImportFileError(
            _("The CSV file cannot be read: a field is too long or a quote is not closed.")
        ) from error


# --- Reading a file a little at a time ----------------------------------------------------------

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}
READ_BYTES = 1 << 20


class RowStream:
    """The data rows of a file, read as they are used: a CSV a line at a time, an XLSX through
    openpyxl's read-only mode; a file of any length takes the memory of a few rows (and, for
    a workbook, of its shared strings). The same rows as read_rows, in the same order.

    The header is read when the stream is made: ImportFileError then for a file that is not
    a discharge list, and later for one broken part way. `estimate` is how many data rows
    the file holds before they are read (its lines; a workbook's stated size), None when it
    does not say. The file must be seekable (a CSV is read once to learn its encoding).
    Use it as a context manager: a workbook is closed at the end.
    """

    def __init__(self, file: IO[bytes], filename: str):
        suffix = Path(filename).suffix.lower()
        self._workbook = None
        self._text = None
        if suffix in XLSX_SUFFIXES:
            values, self.estimate = self._xlsx(file)
        elif suffix in CSV_SUFFIXES:
            values, self.estimate = self._csv(file)
        else:
            raise ImportFileError(_("Upload a CSV or XLSX file."))
        self._values = values
        try:
            header = next(values, None)
            if header is None:
                raise ImportFileError(_("The file is empty."))
            self.columns = _columns(header)
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[dict]:
        for values in self._values:
            keyed = _keyed(self.columns, values)
            if keyed is not None:
                yield keyed

    def __enter__(self) -> RowStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        if self._text is not None:
            self._text.detach()  # the caller's file stays open: it is theirs to close
            self._text = None

    def _xlsx(self, file: IO[bytes]) -> tuple[Iterator, int | None]:
        from openpyxl import load_workbook

        try:
            self._workbook = load_workbook(file, read_only=True, data_only=True)
            sheet = self._workbook.worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise ImportFileError(_("This is not a readable XLSX workbook.")) from error
        estimate = sheet.max_row - 1 if sheet.max_row else None

        def rows() -> Iterator:
            try:
                yield from sheet.iter_rows(values_only=True)
            except Exception as error:
                raise ImportFileError(_("This is not a readable XLSX workbook.")) from error

        return rows(), estimate

    def _csv(self, file: IO[bytes]) -> tuple[Iterator, int | None]:
        encoding, lines = _csv_encoding(file)
        self._text = io.TextIOWrapper(file, encoding=encoding, newline="")
        reader = csv.reader(self._text)

        def rows() -> Iterator:
            try:
                yield from reader
            except csv.Error as error:
                raise ImportFileError(
                    _("The CSV file cannot be read: a field is too long or a quote is not closed.")
                ) from error

        return rows(), max(lines - 1, 0)


def _csv_encoding(file: IO[bytes]) -> tuple[str, int]:
    """The encoding of a CSV file, as _csv_table finds it (UTF-8, else GB18030), decoded a
    megabyte at a time; and its number of lines. The file is left at its start."""
    for encoding in ("utf-8-sig", "gb18030"):
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        try:
            while chunk := file.read(READ_BYTES):
                decoder.decode(chunk)
                # No byte of a GB18030 or UTF-8 multi-byte character is a line feed.
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        file.seek(0)
        return encoding, lines
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))


def _column(header) -> str | None:
    text = _text(header)
    if text in HEADERS:
        return HEADERS[text]
    lowered = text.lower()
    return lowered if lowered in ENGLISH_HEADERS else None


def _header_label(name: str) -> str:
    chinese = next(header for header, canonical in HEADERS.items() if canonical == name)
    return f"{chinese} ({name})"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store 住院号 and phone numbers as numbers
    return str(value).strip()


# --- Checking one row -------------------------------------------------------------------------


@dataclass
class ParsedRow:
    result: RowResult
    name: str = ""
    gender: str = Gender.UNKNOWN
    phones: list[str] = field(default_factory=list)
    department: Department | None = None
    doctor: str = ""
    diagnosis: str = ""
    admitted_on: dt.date | None = None
    discharged_on: dt.date | None = None
    sensitive: bool = False


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _numbers_in(part: str) -> list[str | None]:
    """The numbers of one piece of a phone cell: the piece as one number ("+86 135 0000
    1111"), else the numbers phonenumbers' matcher finds in it ("13500001111 13600002222"),
    None standing for what is left that is no number."""
    number = normalise_phone(part)
    if number:
        return [number]
    found, rest = [], part
    for match in phonenumbers.PhoneNumberMatcher(part, "CN"):
        found.append(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
        rest = rest.replace(match.raw_string, " ", 1)
    if not found or any(character.isdigit() for character in rest):
        found.append(None)
    return found


def _parse_phones(text: str) -> tuple[list[str], list[int]]:
    """E.164 numbers, and the positions (1-based) of the ones that are not valid numbers.
    Numbers are apart where a separator (; / ， 、) stands, or where the matcher finds two in
    one piece; spaces inside a number are how people write it."""
    numbers, bad = [], []
    pieces = (piece.strip() for piece in PHONE_SEPARATORS.split(text))
    found = [number for piece in pieces if piece for number in _numbers_in(piece)]
    for position, number in enumerate(found, start=1):
        if number is None:
            bad.append(position)
        elif number not in numbers:
            numbers.append(number)
    return numbers, bad


def implausible_day(day: dt.date | None, label: str, *, today: dt.date) -> str | None:
    """Why the date `day` of the field `label` cannot be right (a typo: before
    FIRST_PLAUSIBLE_DAY or over a year ahead), or None. The import and the person pages
    check dates with it."""
    if day is None or plausible_day(day, today=today):
        return None
    return _("%(column)s must be from %(first)s to a year from today.") % {
        "column": label,
        "first": FIRST_PLAUSIBLE_DAY.isoformat(),
    }


def stay_dates_problem(admitted_on: dt.date | None, discharged_on: dt.date | None) -> str | None:
    """Why a stay's dates do not go together (discharged before admitted), or None."""
    if admitted_on and discharged_on and discharged_on < admitted_on:
        return _("The discharge date is before the admission date.")
    return None


def _check_row(
    values: dict, row: int, departments: dict[str, Department], today: dt.date | None = None
) -> ParsedRow:
    """Parse and check one row; `today` (default: the local date) bounds a plausible date."""
    today = today or clock.today()
    mrn = _text(values.get("mrn"))
    parsed = ParsedRow(result=RowResult(row=row, medical_record_number=mrn))
    refuse = parsed.result.refuse
    if not mrn:
        refuse(_("The inpatient number (住院号) is missing."))
    for key in ("mrn", "name", "doctor", "diagnosis"):
        if len(_text(values.get(key))) > MAX_LENGTHS[key]:
            refuse(
                _("%(column)s is longer than %(n)s characters.")
                % {"column": _header_label(key), "n": MAX_LENGTHS[key]}
            )
    parsed.name = _text(values.get("name"))
    if not parsed.name:
        refuse(_("The name (姓名) is missing."))
    parsed.gender = _one_of(
        GENDERS, values.get("gender"), refuse, _("Gender (性别) must be 男 or 女.")
    )
    parsed.phones, bad = _parse_phones(_text(values.get("phones")))
    for position in bad:
        refuse(_("Phone number %(n)s (电话) is not a valid number.") % {"n": position})
    if len(parsed.phones) > KEPT_PHONES:
        # Said, not refused: the row is good; the report names positions, not numbers.
        parsed.result.reasons.append(
            _("Only the first %(kept)s phone numbers are kept: %(dropped)s more left out.")
            % {"kept": KEPT_PHONES, "dropped": len(parsed.phones) - KEPT_PHONES}
        )
    department = _text(values.get("department"))
    parsed.department = departments.get(department) or departments.get(department.lower())
    if parsed.department is None:
        refuse(_("Unknown department (科室): add it first or correct the name."))
    parsed.doctor = _text(values.get("doctor"))
    parsed.diagnosis = _text(values.get("diagnosis"))
    for key in ("admitted_on", "discharged_on"):
        try:
            setattr(parsed, key, _parse_date(values.get(key)))
        except ValueError:
            refuse(_("%(column)s is not a date.") % {"column": _header_label(key)})
            continue
        problem = implausible_day(getattr(parsed, key), _header_label(key), today=today)
        if problem:
            setattr(parsed, key, None)
            refuse(problem)
    if not _text(values.get("discharged_on")):
        refuse(_("The discharge date (出院日期) is missing."))
    problem = stay_dates_problem(parsed.admitted_on, parsed.discharged_on)
    if problem:
        refuse(problem)
    parsed.sensitive = _one_of(
        YES_NO, values.get("sensitive"), refuse, _("Sensitive (敏感) must be 是 or 否.")
    )
    return parsed


def _one_of(choices: dict, value, refuse, message: str):
    """What a cell says among `choices` (any case; "" is an empty cell); when it is none of
    them, the row is refused with `message` and the cell read as empty."""
    said = _text(value).lower()
    if said not in choices:
        refuse(message)
    return choices.get(said, choices[""])
