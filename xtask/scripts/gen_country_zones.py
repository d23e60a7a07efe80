"""Generate src-tauri/core/data/country-zones.tsv: the time zone a new event in each country
starts with, from the IANA time zone database's zone.tab (Debian's tzdata package).

For a country with one zone that zone; for one with several, zone.tab's first, except where
that is not the capital's (Russia starts at Kaliningrad, Canada at St John's…): those are named
below. Re-run from the repository root after a tzdata upgrade:

    python3 xtask/scripts/gen_country_zones.py

Output: a header line `code<TAB>time_zone`, then one line per country sorted by code.
"""

import pathlib

ZONE_TAB = pathlib.Path("/usr/share/zoneinfo/zone.tab")
OUT = pathlib.Path("src-tauri/core/data/country-zones.tsv")

# The capital's zone where zone.tab lists another first.
CAPITALS = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "FM": "Pacific/Pohnpei",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}


def main() -> None:
    zones: dict[str, str] = {}
    for line in ZONE_TAB.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, _coordinates, zone = line.split("\t")[:3]
        zones.setdefault(code, zone)
    zones.update(CAPITALS)
    lines = ["code\ttime_zone"] + [f"{c}\t{zones[c]}" for c in sorted(zones)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(zones)} countries written to {OUT}")


if __name__ == "__main__":
    main()
