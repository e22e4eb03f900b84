"""Derive the course's two launch tables from the third-party copies in ../shared/raw/.

    python data/scripts/derive_missile_tables.py

writes data/missile_tests_cns.csv and data/provocations_csis.csv. Only facts
are kept (dates, types, names, places, outcomes, distances); the databases'
prose and link columns are dropped. Run it again only when the raw copies
change, then re-validate the data and re-execute the notebooks (CONTRIBUTING.md).

The raw files live outside the repository, beside it, in shared/raw/; the
notebooks never read them.
"""

from datetime import datetime
from pathlib import Path
import re
import sys

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
RAW = REPO.parent / "shared" / "raw"
CNS_RAW = RAW / "cns_missile_tests_1984-2023.csv"
CSIS_RAW = RAW / "csis_provocations_1958-2026.csv"


def cns_date(text):
    """'9-Apr-84' -> ('1984-04-09', 'day'); 'Sep-84' -> ('1984-09', 'month')."""
    for pattern, precision, iso in (("%d-%b-%y", "day", "%Y-%m-%d"), ("%b-%y", "month", "%Y-%m")):
        try:
            return datetime.strptime(text.strip(), pattern).strftime(iso), precision
        except ValueError:
            continue
    raise ValueError(f"unrecognised CNS date {text!r}")


def cns_time(text):
    """'8:33:00 PM' -> '20:33:00'; '' or 'Unknown' -> '' (not known)."""
    text = text.strip()
    if text in ("", "Unknown"):
        return ""
    return datetime.strptime(text, "%I:%M:%S %p").strftime("%H:%M:%S")


def kilometres(text):
    """'1,380 km' -> '1380'; 'Unknown', 'N/A' or '' -> '' (not known)."""
    match = re.fullmatch(r"([\d,\.]+)\s*km", text.strip())
    return match.group(1).replace(",", "") if match else ""


def number_or_blank(text):
    try:
        return str(float(text))
    except ValueError:
        return ""


def derive_cns():
    # The export is Windows-1252 (it contains non-breaking spaces), not UTF-8.
    raw = pd.read_csv(CNS_RAW, dtype=str, keep_default_na=False, encoding="cp1252")
    dates = raw["Date"].map(cns_date)
    table = pd.DataFrame({
        "cns_row": raw["F1"].astype(int),
        "date": [d for d, _ in dates],
        "date_precision": [p for _, p in dates],
        "launch_time_utc": raw["Launch Time (UTC)"].map(cns_time),
        "missile_name": raw["Missile Name"].str.strip(),
        "missile_type": raw["Missile Type"].str.strip(),
        "facility_name": raw["Facility Name"].str.replace("\xa0", " ").str.strip(),
        "facility_latitude": raw["Facility Latitude"].map(number_or_blank),
        "facility_longitude": raw["Facility Longitude"].map(number_or_blank),
        "landing_location": raw["Landing Location"].str.strip().replace({"N/A": ""}),
        "apogee_km": raw["Apogee"].map(kilometres),
        "distance_km": raw["Distance Travelled"].map(kilometres),
        "confirmation_status": raw["Confirmation Status"].str.strip(),
        "test_outcome": raw["Test Outcome"].str.strip(),
        "source_id": "cns_missile_db",
    })
    return table.sort_values(["cns_row"])


def derive_csis():
    raw = pd.read_csv(CSIS_RAW, dtype=str, keep_default_na=False, encoding="utf-8")
    table = raw[["date", "type", "event"]].copy()
    table["type"] = table["type"].str.strip()
    table["event"] = table["event"].str.strip()
    # The scrape lists the newest event first; the course numbers events oldest first.
    # A stable sort keeps the database's own order for events on the same day.
    table = table.iloc[::-1].sort_values("date", kind="stable").reset_index(drop=True)
    table.insert(0, "event_number", [f"P{i:04d}" for i in range(1, len(table) + 1)])
    table = table.rename(columns={"type": "category", "event": "event_label"})
    table["source_id"] = "csis_provocations_db"
    return table


def main():
    missing = [str(p) for p in (CNS_RAW, CSIS_RAW) if not p.is_file()]
    if missing:
        sys.exit(f"Cannot find the raw copies {missing}: they live in shared/raw/ beside the repository.")
    out = REPO / "data"
    cns = derive_cns()
    cns.to_csv(out / "missile_tests_cns.csv", index=False, lineterminator="\n")
    csis = derive_csis()
    csis.to_csv(out / "provocations_csis.csv", index=False, lineterminator="\n")
    print(f"missile_tests_cns.csv: {len(cns)} rows, {cns['date'].min()} to {cns['date'].max()}")
    print(f"provocations_csis.csv: {len(csis)} rows, {csis['date'].min()} to {csis['date'].max()}")


if __name__ == "__main__":
    main()
