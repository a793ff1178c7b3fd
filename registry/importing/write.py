"""The set-based writer of registry imports (R11.1, R22.1): checked rows in, records out,
batch by batch with ``bulk_create`` inside the import's one transaction.

Each batch asks the database what it needs in a few set queries (the documents or credit
codes already registered, the houses and addresses the rows name, the households of their
numbers) and answers the rows it refuses as problems. Rows of earlier batches of the same
file are already written (in the transaction), so "already registered" covers both the
registry and the file itself without a set of the file's digests in memory.

Records created here have no audit record of their own: the import writes one for the whole
file (``registry.services.imports``; ADR 0013).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import psycopg
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.rows import update_many
from regions.models import Region
from registry.importing.check import Checker, HouseRow, OrganisationRow, ResidentRow
from registry.importing.reader import Problem
from registry.models import (
    AddressLevel,
    House,
    Household,
    Organisation,
    Relation,
    ResidenceSpell,
    Resident,
    StandardAddress,
)

BATCH = 2000
TIMESTAMPS = frozenset({"created_at", "updated_at"})


def insert_rows(model: type[models.Model], columns: dict[str, list[Any]]) -> list[int]:
    """Insert rows given as one list per column (by attribute name, all of one length; the
    other fields take their defaults, the timestamps now) and answer their ids in order.

    On PostgreSQL one ``INSERT … SELECT FROM unnest(…) RETURNING id`` per batch on the
    import's connection, the statement built once per model and column set. Adapting the
    values is the costly part on the client, so: a text column travels as ONE string, its
    values joined by :data:`SEPARATOR` and split by ``string_to_array`` on the server (a
    column holding the separator or a NULL goes as an array instead); the other columns as
    arrays bound in binary (``%b``: psycopg's public ``Cursor`` on Django's connection,
    server-side binding); the defaulted columns as one value each. No model instance, no SQL
    literal per value. Elsewhere ``bulk_create``."""
    count = len(next(iter(columns.values()), []))
    if not count:
        return []
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        names = list(columns)
        rows = zip(*columns.values(), strict=True)
        objs = model._default_manager.bulk_create(
            [model(**dict(zip(names, values, strict=True))) for values in rows], batch_size=BATCH
        )
        return [obj.pk for obj in objs]
    given = tuple(columns)
    texts = _text_columns(model, given)
    now = timezone.now()
    connection.ensure_connection()
    ids: list[int] = []
    # Django's error wrapper: a refusal is django.db's IntegrityError, as with its own cursor
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        for start in range(0, count, BATCH):
            params: list[Any] = []
            joined: list[bool] = []
            for values, text in zip(columns.values(), texts, strict=True):
                chunk = values[start : start + BATCH]
                if text and None not in chunk:
                    line = SEPARATOR.join(chunk)
                    # '' splits into no element; a separator inside a value into two
                    if line and line.count(SEPARATOR) == len(chunk) - 1:
                        params.append(line)
                        joined.append(True)
                        continue
                params.append(chunk)
                joined.append(False)
            sql, defaulted = _insert_sql(connection, model, given, tuple(joined))
            scalars = [now if value is TIMESTAMPS else value for value in defaulted]
            cursor.execute(sql, scalars + params)
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


SEPARATOR = "\x1f"  # the ASCII unit separator: not in the text of a cell, else checked
_TEXT_TYPES = frozenset({"CharField", "TextField"})
_SQL: dict[tuple, tuple[str, list[Any]]] = {}
_TEXTS: dict[tuple, tuple[bool, ...]] = {}


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}


def _text_columns(model: type[models.Model], given: tuple[str, ...]) -> tuple[bool, ...]:
    key = (model._meta.label, given)
    if key not in _TEXTS:
        fields = _fields(model)
        unknown = set(given) - set(fields)
        if unknown:
            raise ValueError(f"not columns of {model._meta.label}: {sorted(unknown)}")
        _TEXTS[key] = tuple(fields[name].get_internal_type() in _TEXT_TYPES for name in given)
    return _TEXTS[key]


def _insert_sql(connection, model: type[models.Model], given: tuple, joined: tuple):
    """(the INSERT of ``model`` for the ``given`` columns, each a joined string or an array,
    and the values of the others: their defaults, ``TIMESTAMPS`` standing for now)."""
    key = (connection.alias, model._meta.label, given, joined)
    if key not in _SQL:
        fields = _fields(model)
        rest = [f for name, f in fields.items() if name not in given]
        quote = connection.ops.quote_name
        defaulted = [
            TIMESTAMPS if isinstance(f, models.DateTimeField) and f.name in TIMESTAMPS
            else f.get_default()
            for f in rest
        ]  # fmt: skip
        targets = [fields[name] for name in given] + rest
        select = [f"u.c{i}" for i in range(len(given))]
        select += [f"%s::{f.db_type(connection)}" for f in rest]
        arrays = [
            f"string_to_array(%s::text, E'\\x1f')::{fields[name].db_type(connection)}[]"
            if join
            else f"%b::{fields[name].db_type(connection)}[]"
            for name, join in zip(given, joined, strict=True)
        ]
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in targets)}) "
            f"SELECT {', '.join(select)} FROM unnest({', '.join(arrays)}) "
            f"AS u({', '.join(f'c{i}' for i in range(len(given)))}) "
            f"RETURNING {quote(model._meta.pk.column)}"
        )
        _SQL[key] = (sql, defaulted)
    return _SQL[key]


def registered_documents(digests: set[str]) -> set[tuple[str, str]]:
    """(document type, digest) of the records (not merged away) with one of these digests.
    On PostgreSQL the digests go as one binary array (``= ANY``) on the import's connection,
    not as thousands of parameters each prepared by the ORM and quoted into the SQL."""
    digests.discard("")
    if not digests:
        return set()
    connection = connections[router.db_for_write(Resident)]  # the import's transaction
    if connection.vendor != "postgresql":
        found = Resident.objects.using(connection.alias).filter(
            id_number_digest__in=digests, merged_into__isnull=True
        )
        return set(found.values_list("id_type", "id_number_digest"))
    meta, quote = Resident._meta, connection.ops.quote_name
    names = ("id_type", "id_number_digest", "merged_into")
    id_type, digest, merged = (quote(meta.get_field(name).column) for name in names)
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"SELECT {id_type}, {digest} FROM {quote(meta.db_table)} "
            f"WHERE {digest} = ANY(%b::text[]) AND {merged} IS NULL",
            [list(digests)],
        )
        return set(cursor.fetchall())


# The resident's columns straight from the checked rows (one C-level getter per row).
_RESIDENT_COLUMNS = {
    "kind": "kind",
    "name": "name",
    "gender": "gender",
    "birth_date": "birth_date",
    "id_type": "id_type",
    "id_number_encrypted": "id_number.encrypted",
    "id_number_digest": "id_number.digest",
    "id_number_masked": "id_number.masked",
    "phone_encrypted": "phone.encrypted",
    "phone_digest": "phone.digest",
    "phone_masked": "phone.masked",
    "relation": "relation",
    "house_relation": "house_relation",
    "living_since": "living_since",
    "region_code": "region_code",
    "grid_code": "grid_code",
    "note": "note",
}
_resident_values = attrgetter(*_RESIDENT_COLUMNS.values())


class Unresolved(Exception):
    """A row names an address that is not there: (column, reason)."""


@dataclass
class Written:
    records: int = 0
    addresses: int = 0
    households: int = 0
    problems: list[Problem] = field(default_factory=list)


class Writer:
    """Writes the checked rows of one import (a kind, a checker), batch by batch."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.headers = checker.headers
        self.next_sequence: dict[str, int] = {}
        self.broken = False  # the database refused a batch: check the rest, write no more
        self.write = {
            "residents": self.residents,
            "houses": self.houses,
            "organisations": self.organisations,
        }[checker.kind]

    def problem(self, row: int, column: str, reason: str) -> Problem:
        return Problem(row, self.headers.get(column, column), reason)

    def batch(self, rows: Sequence) -> Written:
        """Write one batch; a database refusal becomes one problem and stops the writing."""
        if self.broken or not rows:
            return Written()
        try:
            with transaction.atomic():
                return self.write(rows)
        except IntegrityError as exc:
            self.broken = True
            first, last = rows[0].row, rows[-1].row
            reason = _("数据库拒绝写入第 %(first)d–%(last)d 行:%(error)s") % {
                "first": first,
                "last": last,
                "error": str(exc).splitlines()[0][:200],
            }
            return Written(problems=[Problem(first, "", reason)])

    # --- shared lookups --------------------------------------------------------------------

    def addresses_of(self, rows: Iterable) -> dict[tuple[str, str], StandardAddress]:
        """The current addresses the rows name, by ("code", code) or (village, full text)."""
        codes = {r.address_code for r in rows if r.address_code}
        texts = {(r.region_code, r.address_text) for r in rows if r.address_text}
        condition = Q(code__in=codes) if codes else Q(pk__in=[])
        if texts:
            condition |= Q(
                region_code__in={v for v, _t in texts}, full_text__in={t for _v, t in texts}
            )
        found: dict[tuple[str, str], StandardAddress] = {}
        if not codes and not texts:
            return found
        for address in StandardAddress.objects.filter(condition, retired_at__isnull=True):
            found[("code", address.code)] = address
            found[(address.region_code, address.full_text)] = address
        return found

    def address_for(self, row, found: dict) -> StandardAddress | None:
        if row.address_code:
            address = found.get(("code", row.address_code))
            column = "address_code"
        else:
            address = found.get((row.region_code, row.address_text))
            column = "address_text"
        if address is None:
            raise Unresolved(column, _("找不到该标准地址(或已注销)"))
        if not address.region_code.startswith(self.checker.scope):
            raise Unresolved(column, _("该地址不在导入范围内"))
        if row.region_code and address.region_code != row.region_code:
            raise Unresolved(column, _("该地址不属于所填村(社区)"))
        return address

    def sequence(self, region_code: str) -> int:
        """The village's next address sequence, the village row locked (as the services do)."""
        if region_code not in self.next_sequence:
            Region.objects.select_for_update().filter(code=region_code).first()
            last = StandardAddress.objects.filter(region_code=region_code).aggregate(m=Max("code"))[
                "m"
            ]
            self.next_sequence[region_code] = int(last[12:]) + 1 if last else 1
        value = self.next_sequence[region_code]
        self.next_sequence[region_code] = value + 1
        return value

    # --- residents -------------------------------------------------------------------------

    def residents(self, rows: Sequence[ResidentRow]) -> Written:
        out = Written()
        keys = {(r.id_type, r.id_number.digest) for r in rows}
        taken = registered_documents({d for _t, d in keys})
        found = self.addresses_of(rows)
        houses = {
            h.address_id: h
            for h in House.objects.filter(address__in=[a.pk for a in found.values()])
        }
        already = _("该证件号码已登记(登记库中或本文件前面的行)")
        seen: set[tuple[str, str]] = set()
        placed: list[tuple[ResidentRow, House | None]] = []
        for r in rows:
            key = (r.id_type, r.id_number.digest)
            if key in taken or key in seen:
                out.problems.append(self.problem(r.row, "id_number", already))
                continue
            house = None
            if r.address_code or r.address_text:
                try:
                    address = self.address_for(r, found)
                except Unresolved as exc:
                    out.problems.append(self.problem(r.row, *exc.args))
                    continue
                house = houses.get(address.pk)
                if house is None:
                    column = "address_code" if r.address_code else "address_text"
                    out.problems.append(self.problem(r.row, column, _("该地址未登记房屋")))
                    continue
                house.address = address
                # the resident lives where the house is (its village and grid)
                r.region_code, r.grid_code = address.region_code, address.grid_code
            seen.add(key)
            placed.append((r, house))
        # Households by number in the village where their members live.
        numbers = {(r.region_code, r.household_number) for r, _h in placed if r.household_number}
        households: dict[tuple[str, str], Household] = {}
        if numbers:
            for household in Household.objects.filter(
                region_code__in={v for v, _n in numbers}, number__in={n for _v, n in numbers}
            ):
                households[(household.region_code, household.number)] = household
        heads: set[tuple[str, str]] = set()
        good: list[tuple[ResidentRow, House | None]] = []
        for r, house in placed:
            if r.relation == Relation.HEAD:
                number = (r.region_code, r.household_number)
                existing = households.get(number)
                if number in heads or (existing is not None and existing.head_id is not None):
                    out.problems.append(self.problem(r.row, "relation", _("该户已有户主")))
                    continue
                heads.add(number)
            good.append((r, house))
        # The good rows are written even when others of the batch were refused (the import
        # is then rolled back): later rows are checked against them as against the registry.
        new_households = [
            Household(number=n, region_code=v, grid_code=self._grid_of([r for r, _h in good], v, n))
            for (v, n) in sorted(numbers)
            if (v, n) not in households
        ]
        for household in Household.objects.bulk_create(new_households):
            households[(household.region_code, household.number)] = household
        out.households = len(new_households)
        rows_written = [r for r, _h in good]
        by_column = zip(*map(_resident_values, rows_written), strict=True)
        columns: dict[str, list[Any]] = (
            dict(zip(_RESIDENT_COLUMNS, map(list, by_column), strict=True)) if good else {}
        )
        household_ids = [
            getattr(households.get((r.region_code, r.household_number)), "pk", None)
            for r in rows_written
        ]
        house_ids = [house.pk if house is not None else None for _r, house in good]
        if good:
            columns["household_id"] = household_ids
            columns["house_id"] = house_ids
        ids = insert_rows(Resident, columns)
        spells = [
            ResidenceSpell(
                resident_id=pk,
                house_id=house_id,
                house_relation=r.house_relation,
                started_on=r.living_since,
            )
            for pk, r, house_id in zip(ids, rows_written, house_ids, strict=True)
            if house_id is not None
        ]
        ResidenceSpell.objects.bulk_create(spells, batch_size=BATCH)
        by_pk = {h.pk: h for h in households.values()}
        headed = []
        for pk, r, household_id in zip(ids, rows_written, household_ids, strict=True):
            if r.relation == Relation.HEAD and household_id is not None:
                household = by_pk[household_id]
                household.head_id = pk
                headed.append(household)
        update_many(Household, headed, ["head"])
        out.records = len(ids)
        return out

    @staticmethod
    def _grid_of(rows: Sequence[ResidentRow], village: str, number: str) -> str:
        """A new household lies where its first member in the batch does."""
        for r in rows:
            if r.region_code == village and r.household_number == number:
                return r.grid_code
        return ""

    # --- houses and their addresses --------------------------------------------------------

    def houses(self, rows: Sequence[HouseRow]) -> Written:
        out = Written()
        streets = self._streets(rows, out)
        leaves: dict[int, StandardAddress] = {}
        for r in rows:
            leaves[r.row] = streets[(r.region_code, r.road, r.number)]
        for level, attr in (
            (AddressLevel.BUILDING, "building"),
            (AddressLevel.UNIT, "unit"),
            (AddressLevel.FLOOR, "floor"),
            (AddressLevel.ROOM, "room"),
        ):
            wanted = [(r, leaves[r.row]) for r in rows if getattr(r, attr)]
            if not wanted:
                continue
            children = self._children(level, [(p, getattr(r, attr)) for r, p in wanted], out)
            for r, parent in wanted:
                leaves[r.row] = children[(parent.pk, getattr(r, attr))]
        taken = set(
            House.objects.filter(address__in=[a.pk for a in leaves.values()]).values_list(
                "address_id", flat=True
            )
        )
        new_houses = []
        for r in rows:
            address = leaves[r.row]
            if address.pk in taken:
                out.problems.append(
                    self.problem(r.row, "room" if r.room else "number", _("该地址已登记房屋"))
                )
                continue
            taken.add(address.pk)
            new_houses.append(
                House(
                    address=address,
                    use=r.use,
                    owner_name=r.owner_name,
                    rental_status=r.rental_status,
                    area_m2=r.area_m2,
                    note=r.note,
                )
            )
        House.objects.bulk_create(new_houses, batch_size=BATCH)
        out.records = len(new_houses)
        return out

    def _new_address(self, **values) -> StandardAddress:
        region_code = values["region_code"]
        return StandardAddress(code=f"{region_code}{self.sequence(region_code):08d}", **values)

    def _streets(self, rows: Sequence[HouseRow], out: Written) -> dict:
        keys = {(r.region_code, r.road, r.number) for r in rows}
        found = {
            (a.region_code, a.road, a.number): a
            for a in StandardAddress.objects.filter(
                level=AddressLevel.STREET_NUMBER,
                retired_at__isnull=True,
                region_code__in={k[0] for k in keys},
                road__in={k[1] for k in keys},
                number__in={k[2] for k in keys},
            )
        }
        return self._add_missing(
            found,
            rows,
            lambda r: (r.region_code, r.road, r.number),
            lambda r: {
                "level": AddressLevel.STREET_NUMBER,
                "road": r.road,
                "number": r.number,
                "full_text": f"{r.road}{r.number}"[:300],
                "region_code": r.region_code,
                "grid_code": r.grid_code,
                "lng": r.lng,
                "lat": r.lat,
            },
            out,
        )

    def _children(
        self, level: str, wanted: list[tuple[StandardAddress, str]], out: Written
    ) -> dict[tuple[int, str], StandardAddress]:
        found = {
            (a.parent_id, a.name): a
            for a in StandardAddress.objects.filter(
                level=level,
                retired_at__isnull=True,
                parent__in={p.pk for p, _n in wanted},
                name__in={n for _p, n in wanted},
            )
        }
        return self._add_missing(
            found,
            wanted,
            lambda item: (item[0].pk, item[1]),
            lambda item: {
                "level": level,
                "parent": item[0],
                "road": item[0].road,
                "number": item[0].number,
                "name": item[1],
                "full_text": f"{item[0].full_text}{item[1]}"[:300],
                "region_code": item[0].region_code,
                "grid_code": item[0].grid_code,
                "lng": item[0].lng,
                "lat": item[0].lat,
            },
            out,
        )

    def _add_missing(
        self,
        found: dict[Any, StandardAddress],
        items: Iterable[Any],
        key: Callable[[Any], Any],
        fields: Callable[[Any], dict[str, Any]],
        out: Written,
    ) -> dict[Any, StandardAddress]:
        """Add to ``found`` the addresses of the items it lacks (their fields built only for
        those), written in one bulk insert."""
        new = []
        for item in items:
            k = key(item)
            if k not in found:
                found[k] = self._new_address(**fields(item))
                new.append(found[k])
        StandardAddress.objects.bulk_create(new, batch_size=BATCH)
        out.addresses += len(new)
        return found

    # --- organisations ---------------------------------------------------------------------

    def organisations(self, rows: Sequence[OrganisationRow]) -> Written:
        out = Written()
        codes = {r.credit_code for r in rows if r.credit_code}
        taken = set(
            Organisation.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)
        )
        found = self.addresses_of(rows)
        already = _("该统一社会信用代码已登记(登记库中或本文件前面的行)")
        new = []
        for r in rows:
            if r.credit_code and r.credit_code in taken:
                out.problems.append(self.problem(r.row, "credit_code", already))
                continue
            address = None
            if r.address_code or r.address_text:
                try:
                    address = self.address_for(r, found)
                except Unresolved as exc:
                    out.problems.append(self.problem(r.row, *exc.args))
                    continue
                r.region_code, r.grid_code = address.region_code, address.grid_code
            if r.credit_code:
                taken.add(r.credit_code)
            new.append(
                Organisation(
                    kind=r.kind,
                    name=r.name,
                    credit_code=r.credit_code,
                    address=address,
                    contact_name=r.contact_name,
                    contact_phone_encrypted=r.contact_phone.encrypted,
                    contact_phone_digest=r.contact_phone.digest,
                    contact_phone_masked=r.contact_phone.masked,
                    status=r.status,
                    region_code=r.region_code,
                    grid_code=r.grid_code,
                    note=r.note,
                )
            )
        Organisation.objects.bulk_create(new, batch_size=BATCH)
        out.records = len(new)
        return out
