"""A readable summary of a helsekit database, computed in SQL so it is quick at country scale."""

from __future__ import annotations

import sqlalchemy as sa

from helsekit import SYNTHETIC_DATA_LABEL
from helsekit.storage import archive, database

BAR_WIDTH = 28


def _rows(conn, sql: str, **params) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sa.text(sql), params).all()]


def _bar(share: float, scale: float) -> str:
    return "█" * int(round(share / scale * BAR_WIDTH)) if scale else ""


def _age_sql(dialect: str, reference: str) -> str:
    """Whole years of age on ``reference`` (an ISO date) from ``birth_date``, in the dialect's SQL."""
    year, month_day = int(reference[:4]), int(reference[5:7]) * 100 + int(reference[8:10])
    if dialect == "sqlite":
        born_year, born_month_day = "CAST(strftime('%Y', birth_date) AS INTEGER)", "CAST(strftime('%m%d', birth_date) AS INTEGER)"
    else:
        born_year = "CAST(EXTRACT(YEAR FROM birth_date) AS INTEGER)"
        born_month_day = "CAST(EXTRACT(MONTH FROM birth_date) * 100 + EXTRACT(DAY FROM birth_date) AS INTEGER)"
    return f"({year} - {born_year} - CASE WHEN {born_month_day} > {month_day} THEN 1 ELSE 0 END)"


#: The citizens alive on the reference date (the register also keeps those who died in the window).
LIVING = "(SELECT * FROM citizen WHERE death_date IS NULL)"


def summary_text(db: str) -> str:
    """Counts, age pyramid, fylker, households, the GP scheme and organisations, as plain text."""
    meta = database.read_meta(db)
    ref = meta["reference_date"]
    lines = [f"helsekit — {SYNTHETIC_DATA_LABEL}", f"database: {db}",
             f"profile {meta['profile']}, seed {meta['seed']}, reference date {ref}, helsekit {meta['helsekit_version']}", ""]
    engine = database.engine_for(db)
    age = _age_sql(engine.dialect.name, ref)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {LIVING} AS c")).scalar_one()
        deceased = conn.execute(sa.text("SELECT count(*) FROM citizen WHERE death_date IS NOT NULL")).scalar_one()
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in ("household", "parent_relation", "organisation", "gp_list", "gp_list_membership")}
        staff = dict(_rows(conn, "SELECT CASE WHEN role = 'fastlege' THEN 'fastlege' ELSE 'hospital' END, count(*) FROM practitioner GROUP BY 1"))
        lines.append(f"{n:>12,} citizens in {counts['household']:,} households; {counts['parent_relation']:,} parent relations; "
                     f"{deceased:,} more who died in the history window")
        lines.append(f"{counts['organisation']:>12,} organisations, {staff.get('fastlege', 0):,} fastleger, {counts['gp_list']:,} GP lists, "
                     f"{staff.get('hospital', 0):,} hospital staff")
        lines.append("")

        # Age pyramid in 10-year bands, computed from the birth date on the reference date.
        pyramid = _rows(conn, f"SELECT CASE WHEN {age} >= 90 THEN 9 ELSE {age} / 10 END AS band, sex, count(*) FROM {LIVING} AS c GROUP BY 1, 2")
        shares = {(b, s): c / n for b, s, c in pyramid}
        scale = max(shares.values(), default=0)
        lines.append("Age (years)        men                                women")
        for band in range(9, -1, -1):
            label = "90+" if band == 9 else f"{band * 10}–{band * 10 + 9}"
            men, women = shares.get((band, "M"), 0), shares.get((band, "F"), 0)
            lines.append(f"{label:>7} {men:6.1%} {_bar(men, scale):>{BAR_WIDTH}} | {_bar(women, scale):<{BAR_WIDTH}} {women:6.1%}")
        lines.append("")

        lines.append("Fylke                     citizens   share")
        for number, name, count in _rows(conn, f"""
                SELECT f.number, f.name, count(*) FROM {LIVING} AS c JOIN kommune k ON k.number = c.kommune_number
                JOIN fylke f ON f.number = k.fylke_number GROUP BY f.number, f.name ORDER BY count(*) DESC"""):
            lines.append(f"{number} {name:<22}{count:>9,}  {count / n:6.1%}")
        lines.append("")

        one_person = conn.execute(sa.text("SELECT avg(CASE WHEN kind = 'one_person' THEN 1.0 ELSE 0 END) FROM household")).scalar_one() or 0
        children = _rows(conn, f"""
            SELECT count(*), sum(CASE WHEN parents = 2 THEN 1 ELSE 0 END) FROM (
              SELECT c.id, (SELECT count(*) FROM parent_relation r JOIN citizen p ON p.id = r.parent_id
                            WHERE r.child_id = c.id AND r.relation IN ('mother', 'father') AND p.household_id = c.household_id) AS parents
              FROM {LIVING} AS c WHERE {age} < 18) AS children""")[0]
        lines.append(f"Households: {n / max(counts['household'], 1):.2f} persons each, {one_person:.1%} one-person; "
                     f"{(children[1] or 0) / max(children[0], 1):.1%} of children 0–17 live with both parents")
        d_share, protected = conn.execute(sa.text(
            "SELECT avg(CASE WHEN person_number_kind = 'DNR' THEN 1.0 ELSE 0 END), "
            f"sum(CASE WHEN address_protection != 'none' THEN 1 ELSE 0 END) FROM {LIVING} AS c")).one()
        lines.append(f"Identity: {d_share or 0:.1%} with D-nummer; {protected or 0:,} with a confidential address; "
                     "every person number synthetic (month + 80)")
        lists = conn.execute(sa.text("""
            SELECT avg(length), avg(CASE WHEN practitioner_id IS NULL THEN 1.0 ELSE 0 END),
                   sum(CASE WHEN length > ceiling THEN 1 ELSE 0 END), avg(ceiling) FROM (
              SELECT g.id, g.ceiling, g.practitioner_id, count(m.id) AS length
              FROM gp_list g LEFT JOIN gp_list_membership m ON m.gp_list_id = g.id AND m.valid_to IS NULL
              GROUP BY g.id, g.ceiling, g.practitioner_id) AS lists""")).one()
        on_a_list = conn.execute(sa.text("SELECT count(*) FROM gp_list_membership WHERE valid_to IS NULL")).scalar_one()
        listed = on_a_list / max(n, 1)
        lines.append(f"Fastlege: {listed:.1%} of citizens on a list; lists average {lists[0] or 0:,.0f} (ceiling {lists[3] or 0:,.0f}); "
                     f"{lists[1] or 0:.1%} without a permanent GP; {lists[2] or 0} over their ceiling")
        kinds = _rows(conn, "SELECT kind, count(*) FROM organisation GROUP BY kind ORDER BY count(*) DESC")
        lines.append("Organisations: " + ", ".join(f"{count:,} {kind}" for kind, count in kinds))
    history = archive.row_counts(db)
    if history:
        lines.append("Histories (ten years before the reference date): "
                     + ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in history.items()))
    lines.append("")
    lines.append(f"All people, organisations and practitioners are fictional. {SYNTHETIC_DATA_LABEL}.")
    return "\n".join(lines)
