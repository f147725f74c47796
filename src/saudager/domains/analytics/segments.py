"""Per-group sums and exact splits over integer arrays, for the costing of a million lines.

Polars' window expressions (``.over``) hash the group key on every call; the costing needs a
dozen of them over the same groups (an order's lines, a day's lines). ``Segments`` finds the
groups once — by rows being already contiguous, as the store returns an order's lines, or else by
one stable sort — and then every sum, flag or split is one ``numpy`` reduction over contiguous
runs. Everything is integer arithmetic: the results are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Products of an amount and a weight below this stay exact in Int64; above it, the split falls
#: back to Python integers (slow, never met with real prices).
_INT64_SAFE = 2**62


def dense_group_id(keys: list[str]) -> pl.Expr:
    """1, 2, … one per distinct combination of ``keys``, nulls being a value of their own."""
    ident: pl.Expr | None = None
    for key in keys:
        rank = pl.col(key).rank("dense").cast(pl.UInt64).fill_null(0)
        if ident is None:
            ident = rank
        else:
            ident = ident * (pl.col(key).n_unique().cast(pl.UInt64) + 1) + rank
    if ident is None:
        raise ValueError("a group needs at least one key")
    return ident.rank("dense").cast(pl.Int64)


def segments_of(column: pl.Series) -> Segments:
    """The groups of equal values of one column; a sorted column (the store's order codes
    usually are) is cut into its runs, without hashing or sorting."""
    if column.null_count() == 0 and column.is_sorted():
        return Segments.of(column.rle_id().cast(pl.Int64).to_numpy(), contiguous=True)
    return Segments.of(ints(column.to_frame().select(dense_group_id([column.name])).to_series()))


def ints(series: pl.Series) -> IntArray:
    """An integer column as ``int64`` with nulls as 0 (pair it with ``known``)."""
    return series.cast(pl.Int64).fill_null(0).to_numpy().astype(np.int64, copy=False)


def known(series: pl.Series) -> BoolArray:
    return series.is_not_null().to_numpy()


def nullable(values: npt.NDArray[Any], is_known: BoolArray) -> pl.Series:
    """An ``Int64`` column of ``values`` with null where ``is_known`` is false."""
    column = pl.Series(values.astype(np.int64, copy=False), dtype=pl.Int64)
    if is_known.all():
        return column
    return pl.select(pl.when(pl.Series(is_known)).then(column)).to_series()


@dataclass(frozen=True, slots=True)
class Segments:
    """The groups of a column of integer group ids, as contiguous runs.

    ``order`` is the permutation that makes every group contiguous (``None`` when the rows
    already are); ``starts`` and ``sizes`` describe the runs in that order."""

    order: IntArray | None
    starts: IntArray
    sizes: IntArray

    @classmethod
    def of(cls, group_ids: IntArray, *, contiguous: bool = False) -> Segments:
        """``contiguous``: the caller knows each group's rows are together (run ids)."""
        height = len(group_ids)
        if height == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(None, empty, empty)
        order: IntArray | None = None
        ordered = group_ids
        if not contiguous and (
            int(np.count_nonzero(group_ids[1:] != group_ids[:-1])) + 1 != _distinct(group_ids)
        ):
            # The stable sort keeps each group's rows in their original order, which the
            # split's tie-break (earlier row first) relies on.
            order = np.argsort(group_ids, kind="stable").astype(np.int64)
            ordered = group_ids[order]
        change = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        starts = np.concatenate(([0], change)).astype(np.int64)
        sizes = np.diff(np.append(starts, height)).astype(np.int64)
        return cls(order, starts, sizes)

    @property
    def height(self) -> int:
        return int(self.sizes.sum())

    def _grouped(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values if self.order is None else values[self.order]

    def _ungrouped(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        if self.order is None:
            return values
        result = np.empty_like(values)
        result[self.order] = values
        return result

    def sum(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Per group (in run order)."""
        if len(self.starts) == 0:
            return values[:0]
        return np.add.reduceat(self._grouped(values), self.starts)

    def all(self, values: BoolArray) -> BoolArray:
        if len(self.starts) == 0:
            return values[:0]
        return np.logical_and.reduceat(self._grouped(values), self.starts)

    def any(self, values: BoolArray) -> BoolArray:
        if len(self.starts) == 0:
            return values[:0]
        return np.logical_or.reduceat(self._grouped(values), self.starts)

    def first(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return self._grouped(values)[self.starts]

    def spread(self, per_group: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """A per-group value on each of the group's rows, in the rows' original order."""
        return self._ungrouped(np.repeat(per_group, self.sizes))

    def split(
        self, amount: IntArray, amount_known: BoolArray, weight: IntArray
    ) -> tuple[IntArray, BoolArray]:
        """Each group's ``amount`` (per group) split among its rows in proportion to ``weight``
        (per row, ≥ 0) by largest remainder: whole tiyn summing exactly to the amount, ties to
        the earlier row; a group whose weights are all 0 is split equally. Returns the parts and
        whether each is known (an unknown amount gives unknown parts)."""
        return self.split_each([(amount, amount_known)], weight)[0]

    def split_each(
        self, amounts: Sequence[tuple[IntArray, BoolArray]], weight: IntArray
    ) -> list[tuple[IntArray, BoolArray]]:
        """``split`` of several amounts by the same weights, sharing the work on the weights."""
        if len(self.starts) == 0:
            empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
            return [empty for _ in amounts]
        w = self._grouped(weight)
        # A group of one row takes its whole amount (most orders have one line); the others
        # are split by their weights.
        single = self.sizes == 1
        single_rows = np.repeat(single, self.sizes)
        single_groups, multi_groups = np.flatnonzero(single), np.flatnonzero(~single)
        single_at, multi_at = np.flatnonzero(single_rows), np.flatnonzero(~single_rows)
        many = _Runs.of(w[multi_at], self.sizes[multi_groups]) if len(multi_groups) else None
        result: list[tuple[IntArray, BoolArray]] = []
        for amount, amount_known in amounts:
            a = np.where(amount_known, amount, 0)
            parts = np.empty(len(w), dtype=np.int64)
            parts[single_at] = a[single_groups]
            if many is not None:
                parts[multi_at] = many.split(a[multi_groups])
            result.append((self._ungrouped(parts), self.spread(amount_known)))
        return result


@dataclass(frozen=True, slots=True)
class _Runs:
    """Contiguous runs of rows with their weights (all-zero runs weighted equally).

    Runs of up to ``_SMALL_RUN`` rows (an order's lines) are split as matrices of equal-sized
    runs, one per size, ranking each row's remainder against its run's others by comparison;
    longer runs (a day's lines) by partial sorts or one sort."""

    weight: IntArray
    sizes: IntArray
    starts: IntArray
    total: IntArray
    #: Per run size ≤ ``_SMALL_RUN``: the runs of that size and their rows, as a matrix.
    small: tuple[tuple[IntArray, IntArray], ...]
    #: The longer runs and their rows.
    long_runs: IntArray
    long_rows: IntArray

    @classmethod
    def of(cls, weight: IntArray, sizes: IntArray) -> _Runs:
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        total = np.add.reduceat(weight, starts)
        equal = total == 0
        if equal.any():
            weight = np.where(np.repeat(equal, sizes), 1, weight)
            total = np.where(equal, sizes, total)
        small: list[tuple[IntArray, IntArray]] = []
        for size in np.unique(sizes[sizes <= _SMALL_RUN]).tolist():
            runs = np.flatnonzero(sizes == size)
            small.append((runs, starts[runs][:, None] + np.arange(size)))
        long_runs = np.flatnonzero(sizes > _SMALL_RUN)
        long_rows = np.flatnonzero(np.repeat(sizes > _SMALL_RUN, sizes))
        return cls(weight, sizes, starts, total, tuple(small), long_runs, long_rows)

    def split(self, a: IntArray) -> IntArray:
        """Amount ``a`` of each run split by largest remainder."""
        parts = np.empty(len(self.weight), dtype=np.int64)
        exact = int(np.abs(a).max(initial=0)) * int(self.weight.max(initial=0)) < _INT64_SAFE
        for runs, rows in self.small:
            parts[rows] = _split_matrix(a[runs], self.weight[rows], self.total[runs], exact)
        if len(self.long_runs):
            sizes = self.sizes[self.long_runs]
            parts[self.long_rows] = _split_runs(
                a[self.long_runs], self.weight[self.long_rows], sizes, self.total[self.long_runs],
                exact,
            )  # fmt: skip
        return parts


def _divmod(
    share: npt.NDArray[Any], total: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Floor quotient and remainder; Python integers (``object``) have no ``np.divmod``."""
    if share.dtype == object:
        base = share // total
        return base, share - base * total
    quotient, remainder = np.divmod(share, total)
    return quotient, remainder


#: Runs up to this long are split as matrices (the comparisons grow as the square of the size).
_SMALL_RUN = 8


def _split_matrix(a: IntArray, w: IntArray, total: IntArray, exact: bool) -> IntArray:
    """Runs of one size: ``a`` (per run), ``w`` (runs × size), ``total`` (per run, > 0)."""
    share: npt.NDArray[Any] = a[:, None] * w if exact else a.astype(object)[:, None] * w
    base, remainder = _divmod(share, total[:, None])
    left = a - base.sum(axis=1)
    # A row's rank among its run: the rows with a larger remainder, and the earlier rows with an
    # equal one; the ``left`` best ranked get a tiyn more.
    size = w.shape[1]
    rank = np.zeros(w.shape, dtype=np.int64)
    for i in range(size):
        for j in range(size):
            if j < i:
                rank[:, i] += remainder[:, j] >= remainder[:, i]
            elif j > i:
                rank[:, i] += remainder[:, j] > remainder[:, i]
    parts: IntArray = (base + (rank < left[:, None])).astype(np.int64)
    return parts


def _split_runs(
    a: IntArray, w: IntArray, sizes: IntArray, total: IntArray, exact: bool
) -> IntArray:
    """Runs of any length, contiguous in ``w``."""
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    amount: npt.NDArray[Any] = a
    weight: npt.NDArray[Any] = w
    whole: npt.NDArray[Any] = total
    if not exact:
        amount, weight, whole = a.astype(object), w.astype(object), total.astype(object)
    total_rows = np.repeat(whole, sizes)
    base, remainder = _divmod(np.repeat(amount, sizes) * weight, total_rows)
    left = amount - np.add.reduceat(base, starts)
    # Only runs whose floors fall short hand out tiyn, one each to the ``left`` rows with
    # the largest remainders (earlier row first on a tie).
    short = np.flatnonzero(left > 0)
    if len(short) <= _FEW_RUNS:
        for run in short.tolist():
            first = int(starts[run])
            top = _top(remainder[first : first + int(sizes[run])], int(left[run]))
            base[first + top] += 1
    else:
        rows = np.flatnonzero(np.repeat(left > 0, sizes))
        group_of = np.repeat(np.arange(len(starts)), sizes)[rows]
        by_remainder = _largest_first(group_of, remainder[rows], int(total.max()))
        ranked = rows[by_remainder]
        group_sorted = group_of[by_remainder]
        first_of = np.flatnonzero(np.concatenate(([True], group_sorted[1:] != group_sorted[:-1])))
        place = np.arange(len(ranked)) - np.repeat(
            first_of, np.diff(np.append(first_of, len(ranked)))
        )
        base[ranked[place < left[group_sorted]]] += 1
    parts: IntArray = base.astype(np.int64)
    return parts


#: Up to this many runs to round up, each is ranked on its own (a partial sort of its rows: a
#: day's lines); more (an order's lines) are ranked together by one sort.
_FEW_RUNS = 2_000


def _top(remainder: npt.NDArray[Any], count: int) -> IntArray:
    """Positions of the ``count`` largest remainders, the earlier first among equals."""
    cut = np.partition(remainder, len(remainder) - count)[len(remainder) - count]
    above = np.flatnonzero(remainder > cut)
    level = np.flatnonzero(remainder == cut)[: count - len(above)]
    return np.concatenate((above, level)).astype(np.int64)


def _distinct(values: IntArray) -> int:
    """How many different values: by counting when their range is small (dense ids, days),
    else by sorting."""
    low, high = int(values.min()), int(values.max())
    if high - low <= 4 * len(values) + 1_024:
        return int(np.count_nonzero(np.bincount(values - low)))
    return len(np.unique(values))


def _largest_first(group_of: IntArray, remainder: npt.NDArray[Any], bound: int) -> IntArray:
    """The order that sorts rows by group, then remainder (largest first, each ``< bound``),
    then position: one stable sort of one key when group × bound fits in Int64 (several times
    faster than ``lexsort``), else ``lexsort``."""
    groups = int(group_of.max(initial=0)) + 1
    if groups * bound < _INT64_SAFE:
        key = group_of * bound + (bound - 1 - remainder.astype(np.int64))
        return np.argsort(key, kind="stable").astype(np.int64)
    positions = np.arange(len(group_of))
    return np.lexsort((positions, -remainder, group_of)).astype(np.int64)
