"""Report tables to files a seller opens in Excel: ``.xlsx`` (formatted) and ``.csv``.

Column conventions (the frames' own names decide how a column is written):

- **Money**: a column whose name ends with ``_tiyn`` (or that is named in ``money_columns``)
  holds integer tiyn (1 ₸ = 100 tiyn). It is written as tenge — ``value / 100`` as a *number*,
  never a string — and a ``_tiyn`` suffix is dropped from its header (``revenue_tiyn`` →
  ``revenue``). In ``.xlsx`` its format is ``#,##0 "₸"`` (``#,##0.00 "₸"`` when some amount has
  tiyn), which Excel shows as ``12 345 ₸`` in a Kazakh or Russian locale. In ``.csv`` it is
  written with a dot decimal and two places: ``12345.00``.
- **Percents**: columns named in ``percent_columns`` hold percents as people say them
  (``3.5`` = 3.5 %). ``.xlsx`` stores the fraction (0.035) with a ``0.0%`` format;
  ``.csv`` writes the percent as a number (``3.5``).
- **Dates** (``pl.Date``) are Excel dates (``DD.MM.YYYY``) in ``.xlsx``, ISO (``2026-02-12``) in
  ``.csv``. UTC datetimes are shown in the shop's zone (``Asia/Almaty`` unless told), without
  the zone: Excel has none.
- **Headers**: ``titles`` maps a column to its header (``{"sku": "Артикул"}``); without one the
  header is the column's name (less any ``_tiyn``).
- Nulls are empty cells.

``.csv`` is UTF-8 with a BOM, so Excel opens Cyrillic correctly; the delimiter is ``;``
(Excel's default in Kazakh and Russian locales) or ``,``.
"""

from __future__ import annotations

from saudager.adapters.exports.csv import write_csv
from saudager.adapters.exports.xlsx import write_xlsx

__all__ = ["write_csv", "write_xlsx"]
