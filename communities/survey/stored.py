"""The preview's parsed rows, kept beside the uploaded file so the confirmed import need not read it again.

The check (preview) reads and validates the whole file; the confirmed import used to read it a second
time, about as long as the check itself (issue #4). Now a check without errors leaves the parsed
sheets in the upload's storage, as `<stored file name>.<parser version>.rows`, and the import loads
them; it still re-checks them against the database under the town lock.

The blob is written only by the server, lives in server storage (never with the user) and is read
only if everything holds: it is signed with an HMAC keyed by SECRET_KEY; it names the SHA-256 the
upload recorded when the file arrived; it was made by this parser version (`PARSER_VERSION` and the
sheet layouts of schema.py) for the same format, CSV options, column limit and year (a build year is
checked against the current year). Otherwise it is ignored and the stored file is read again: a
missing, truncated, corrupt, foreign or outdated blob costs time, never correctness. Contents are
builtin types only (marshal: loading cannot run code), in zlib-compressed chunks of rows, so writing
it needs little memory beyond the rows themselves.
"""

import hashlib
import hmac
import io
import logging
import marshal
import struct
import zlib
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.crypto import salted_hmac

from . import schema
from .parse import ParsedSheet, ParsedSurvey, Problem

logger = logging.getLogger(__name__)

# Bump when the reader, the value readers or the problems they report change what a file parses to.
# The sheet layouts (schema.py) are part of the fingerprint on their own.
PARSER_VERSION = 3  # 2: over-long cells, hidden sheets, 所属乡镇 (issue #16); 3: python-calamine, .ods (#18)
_MAGIC = b"JYSURVEYROWS1\n"
_SALT = "communities.survey.stored"
_CHUNK_ROWS = 5000
_FRAME = struct.Struct(">I")
_SPEC_BY_KIND = {spec.sheet.value: spec for spec in schema.SHEETS}


def parser_fingerprint() -> str:
    layout = repr([(spec.sheet.value, spec.title, spec.columns) for spec in schema.SHEETS]).encode()
    return f"p{PARSER_VERSION}-{hashlib.sha256(layout).hexdigest()[:10]}"


def stored_rows_name(upload) -> str:
    return f"{upload.original_file.name}.{parser_fingerprint()}.rows"


def _key(upload, this_year: int) -> tuple:
    # str(): the choices fields may hold enum members, which marshal does not take
    return (parser_fingerprint(), str(upload.sha256), str(upload.file_format), str(upload.csv_sheet or ""),
            str(upload.csv_encoding or ""), this_year, settings.JINGYUAN_SURVEY_MAX_COLUMNS)


def _plain(value):
    return str(value) if isinstance(value, str) else value


def _area_positions(spec: schema.SheetSpec) -> tuple[int, ...]:
    return tuple(spec.field_index[c.field] for c in spec.columns if c.kind == schema.AREA)


def _frame(obj) -> bytes:
    data = zlib.compress(marshal.dumps(obj), 1)
    return _FRAME.pack(len(data)) + data


def survey_rows_store(upload, parsed: ParsedSurvey) -> bool:
    """Keep `parsed` (a check's result, without errors) for the import of `upload`. False if it could not."""
    try:
        body = io.BytesIO()
        header = {
            "key": _key(upload, parsed.this_year),
            "rows_read": parsed.rows_read,
            "problems": [tuple(_plain(v) for v in (p.sheet, p.row, p.column, p.value, p.message, p.level, p.col))
                         for p in parsed.problems],
            "sheets": [(str(sheet.spec.sheet.value), str(sheet.title), sheet.header_row, list(sheet.columns.items()),
                        list(sheet.headers.items()), len(sheet.rows)) for sheet in parsed.sheets.values()],
        }
        body.write(_frame(header))
        for sheet in parsed.sheets.values():
            areas = _area_positions(sheet.spec)
            rows = sheet.rows
            for start in range(0, len(rows), _CHUNK_ROWS):
                chunk = rows[start:start + _CHUNK_ROWS]
                if areas:
                    chunk = [_with_areas(row, areas, str) for row in chunk]
                body.write(_frame(chunk))
        data = body.getvalue()
        del body
        signature = salted_hmac(_SALT, data, algorithm="sha256").digest()
        storage = upload.original_file.storage
        name = stored_rows_name(upload)
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(_MAGIC + signature + data))
        if saved != name:  # someone else wrote it meanwhile: theirs may not be ours; let the import read the file
            storage.delete(saved)
            return False
        return True
    except Exception:
        logger.warning("survey upload %s: parsed rows not kept; the import will read the file again", upload.pk,
                       exc_info=True)
        return False


def _with_areas(row: tuple, positions: tuple[int, ...], convert) -> tuple:
    values = list(row)
    for position in positions:
        if values[position] is not None:
            values[position] = convert(values[position])
    return tuple(values)


def survey_rows_load(upload, *, this_year: int) -> ParsedSurvey | None:
    """The parsed rows kept for `upload`, or None if there are none it can trust (then read the file)."""
    storage = upload.original_file.storage
    name = stored_rows_name(upload)
    try:
        with storage.open(name, "rb") as handle:
            blob = handle.read()
    except FileNotFoundError:
        return None
    except Exception:
        logger.warning("survey upload %s: parsed rows unreadable", upload.pk, exc_info=True)
        return None
    try:
        return _decode(blob, _key(upload, this_year))
    except Exception:
        logger.warning("survey upload %s: parsed rows rejected; reading the file again", upload.pk, exc_info=True)
        return None


class _Rejected(ValueError):
    pass


def _decode(blob: bytes, key: tuple) -> ParsedSurvey:
    digest_size = hashlib.sha256().digest_size
    if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + digest_size:
        raise _Rejected("not a parsed-rows blob")
    view = memoryview(blob)
    signature = bytes(view[len(_MAGIC):len(_MAGIC) + digest_size])
    body = view[len(_MAGIC) + digest_size:]
    if not hmac.compare_digest(signature, salted_hmac(_SALT, body, algorithm="sha256").digest()):
        raise _Rejected("bad signature")
    frames = _frames(body)
    header = next(frames)
    if tuple(header["key"]) != key:
        raise _Rejected(f"made for {header['key']!r}, wanted {key!r}")
    parsed = ParsedSurvey(rows_read=header["rows_read"], this_year=key[5],
                          problems=[Problem(*fields) for fields in header["problems"]])
    for kind, title, header_row, columns, headers, count in header["sheets"]:
        spec = _SPEC_BY_KIND[kind]
        sheet = ParsedSheet(spec=spec, title=title, header_row=header_row, columns=dict(columns),
                            headers=dict(headers))
        areas = _area_positions(spec)
        rows = sheet.rows
        while len(rows) < count:
            chunk = next(frames)
            if areas:
                rows.extend(_with_areas(row, areas, Decimal) for row in chunk)
            else:
                rows.extend(chunk)
        if len(rows) != count:
            raise _Rejected("row count")
        parsed.sheets[spec.sheet] = sheet
    if next(frames, None) is not None:
        raise _Rejected("trailing data")
    return parsed


def _frames(body: memoryview):
    offset = 0
    while offset < len(body):
        (size,) = _FRAME.unpack_from(body, offset)
        offset += _FRAME.size
        if offset + size > len(body):
            raise _Rejected("truncated")
        yield marshal.loads(zlib.decompress(body[offset:offset + size]))
        offset += size


def survey_rows_discard(upload) -> None:
    """Remove the kept rows once the upload is imported (or can no longer be)."""
    try:
        storage = upload.original_file.storage
        name = stored_rows_name(upload)
        if storage.exists(name):
            storage.delete(name)
    except Exception:
        logger.warning("survey upload %s: parsed rows not removed", upload.pk, exc_info=True)
