"""Db.check(), Db.stat(), Db.commit_stats(): what `tix check`, `tix stats`
and tix-bench read, through the public API (tix_db_check, tix_db_stat,
tix_db_commit_stats)."""
import tix


def test_check_counts_and_a_clean_store(city):
    h = city.show.hold([3, 4])
    h.confirm(city.user, "pay-check-1")
    counts, problems = city.db.check()
    assert problems == []
    assert counts["problems"] == 0
    assert counts["records"] >= 8  # places, venue, screen, tiers, ...
    assert counts["index_entries"] >= 6
    assert counts["seats"] == 30 and counts["shows"] == 1


def test_stat_names_the_tables(city):
    s = city.db.stat()
    assert s["page_size"] >= 4096
    assert s["last_txn"] > 0
    assert s["tables"]["places"]["entries"] == 3
    assert s["tables"]["users_by_email"]["entries"] == 1
    assert s["regions_live"] == 1


def test_commit_stats_count_durable_confirms(tmp_path):
    db = tix.open(str(tmp_path / "full"), durability="full")
    try:
        from conftest import build_city
        c = build_city(db)
        assert db.commit_stats() == {"batches": 0, "confirms": 0,
                                     "max_batch": 0}
        for i in range(3):
            c.show.hold([i]).confirm(c.user, "pay-cs-%d" % i)
        st = db.commit_stats()
        assert st["confirms"] == 3 and 1 <= st["batches"] <= 3
        assert st["max_batch"] >= 1
    finally:
        db.close()
