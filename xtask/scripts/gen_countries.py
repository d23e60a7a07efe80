"""Generate src-tauri/core/data/countries.tsv: every ISO 3166-1 alpha-2 country with its
English and Korean display names from CLDR.

The list of codes comes from `pycountry` (ISO 3166-1); the names come from `Babel`
(CLDR `Locale('en').territories` and `Locale('ko').territories`). Where CLDR has no name,
pycountry's English name is used and a warning is printed.

Re-run from the repository root after upgrading either package:

    pip install pycountry Babel
    python3 xtask/scripts/gen_countries.py

Output: a header line `code<TAB>name_en<TAB>name_ko`, then one line per country sorted by code,
UTF-8, LF line endings. The output is deterministic for given package versions, so a diff
after re-running shows exactly what CLDR or ISO changed.
"""

import sys
from pathlib import Path

import babel
import pycountry
from babel import Locale

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT = REPO_ROOT / "src-tauri" / "core" / "data" / "countries.tsv"


def clean(text: str, code: str, column: str) -> str:
    # A tab or newline in a name would break the TSV; CLDR has none, but fail loudly if it ever does.
    if any(ch in text for ch in "\t\r\n") or not text.strip():
        sys.exit(f"error: unusable {column} for {code}: {text!r}")
    return text.strip()


def main() -> int:
    en = Locale("en").territories
    ko = Locale("ko").territories
    rows = []
    warnings = 0
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        fallback = getattr(country, "common_name", None) or country.name
        name_en = en.get(code)
        if not name_en:
            print(f"warning: CLDR has no English name for {code}; using {fallback!r}", file=sys.stderr)
            name_en, warnings = fallback, warnings + 1
        name_ko = ko.get(code)
        if not name_ko:
            print(f"warning: CLDR has no Korean name for {code}; using {fallback!r}", file=sys.stderr)
            name_ko, warnings = fallback, warnings + 1
        rows.append((code, clean(name_en, code, "name_en"), clean(name_ko, code, "name_ko")))

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", encoding="utf-8", newline="\n") as out:
        out.write("code\tname_en\tname_ko\n")
        for row in rows:
            out.write("\t".join(row) + "\n")

    print(
        f"wrote {len(rows)} countries to {OUTPUT.relative_to(REPO_ROOT)} "
        f"(pycountry {getattr(pycountry, '__version__', '?')}, "
        f"Babel {babel.__version__}, {warnings} warning(s))"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
