"""``SqlStore.reading``: a long read neither waits for nor holds up a writer, and sees one
snapshot (SQLite in WAL mode, where ``transaction`` takes the write lock at its start)."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore


def test_a_reader_does_not_hold_up_a_writer_and_keeps_its_snapshot(sqlite_engine: Engine) -> None:
    store = SqlStore(sqlite_engine)
    with store.transaction() as tx:
        shop = tx.add_shop("first", "Asia/Almaty", None, None)
    written = threading.Event()

    def writer() -> None:
        with store.transaction() as tx:
            tx.add_shop("second", "Asia/Almaty", None, None)
        written.set()

    with store.reading() as tx:
        before = [s.name for s in tx.list_shops()]
        thread = threading.Thread(target=writer)
        thread.start()
        # The writer commits while the read is still open (a transaction() here would make it
        # wait for the busy timeout, 10 s, and fail).
        assert written.wait(timeout=5)
        assert [s.name for s in tx.list_shops()] == before == ["first"]
        assert tx.data_revision(shop.id) == 0
    thread.join()
    with store.reading() as tx:
        assert sorted(s.name for s in tx.list_shops()) == ["first", "second"]


def test_a_writer_does_not_hold_up_a_reader(sqlite_engine: Engine) -> None:
    store = SqlStore(sqlite_engine)
    with store.transaction() as tx:
        tx.add_shop("first", "Asia/Almaty", None, None)
        done = threading.Event()

        def reader() -> None:
            with store.reading() as other:
                assert [s.name for s in other.list_shops()] == []  # before the commit
            done.set()

        thread = threading.Thread(target=reader)
        thread.start()
        assert done.wait(timeout=5)
        thread.join()
