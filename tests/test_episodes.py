"""Status episodes (set/removed, blocked/released, hold) on tiny logs and against an oracle.

Priced episodes lie within one Monday's working hours (09:00-16:00 UTC) so that their
delay is the same in wall-clock and in working time; at ``wait_cost_per_hour=1.0`` an
episode costs its length in hours.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from procmine.analysis.costs import CostModel
from procmine.analysis.episodes import (
    BY_STATUS_COLUMNS,
    DEFAULT_PAIRS,
    EVENT_COLUMNS,
    TABLE_COLUMNS,
    Episodes,
    episodes,
    status_name,
)
from procmine.errors import UsageError
from procmine.log.eventlog import EventLog

T0 = pd.Timestamp("2024-01-01 09:00", tz="UTC")  # a Monday
COSTS = CostModel(wait_cost_per_hour=1.0)


def make_log(rows: list[tuple]) -> EventLog:
    """Rows ``(case, activity, minute after T0, department[, resource])``."""
    frame = pd.DataFrame({
        "case_id": [r[0] for r in rows],
        "activity": [r[1] for r in rows],
        "timestamp": pd.to_datetime([T0 + pd.Timedelta(minutes=r[2]) for r in rows], utc=True),
        "department": [r[3] if len(r) > 3 else "Sales" for r in rows],
        "resource": [r[4] if len(r) > 4 else None for r in rows],
    })
    return EventLog.from_frame(frame)


def run(rows: list[tuple], **options: object) -> Episodes:
    return episodes(make_log(rows), costs=COSTS, **options)  # type: ignore[arg-type]


def brief(e: Episodes) -> list[tuple]:
    """(case, status, open id, close id or None, duration_s or None, open)."""
    return [(r.case_id, r.status, r.open_event_id,
             None if pd.isna(r.close_event_id) else r.close_event_id,
             None if math.isnan(r.duration_s) else r.duration_s, r.open)
            for r in e.events.itertuples(index=False)]


# -- shape ---------------------------------------------------------------------------------
def test_empty_log() -> None:
    e = episodes(EventLog.from_frame(pd.DataFrame({
        "case_id": pd.Series([], dtype="str"), "activity": pd.Series([], dtype="str"),
        "timestamp": pd.Series([], dtype="datetime64[us, UTC]")})), costs=COSTS)
    assert e.count == 0 and e.open_count == 0 and e.stray_closes == 0 and e.cost == 0.0
    assert tuple(e.table.columns) == TABLE_COLUMNS
    assert tuple(e.events.columns) == EVENT_COLUMNS
    assert tuple(e.by_status.columns) == BY_STATUS_COLUMNS
    assert "0 episodes" in repr(e)


def test_report_contract_columns() -> None:
    assert TABLE_COLUMNS[:7] == ("opened_by", "closed_by", "orders", "episodes", "median_s",
                                 "p90_s", "cost")


def test_no_status_activities() -> None:
    e = run([("o1", "Pick", 0), ("o1", "Ship", 10)])
    assert e.count == 0 and e.table.empty and e.by_status.empty


def test_one_event_open_at_end_is_censored() -> None:
    e = run([("o1", "Credit Block Set", 0)])
    assert brief(e) == [("o1", "credit block", "log:0", None, None, True)]
    assert math.isnan(e.events["cost"].iloc[0]) and pd.isna(e.events["end"].iloc[0])
    row = e.table.iloc[0]
    assert (row["opened_by"], row["orders"], row["episodes"], row["open_episodes"]) == (
        "Sales", 1, 1, 1)
    assert pd.isna(row["closed_by"]) and math.isnan(row["median_s"])
    assert math.isnan(row["p90_s"]) and row["cost"] == 0.0
    assert e.open_count == 1


# -- open / close rules --------------------------------------------------------------------
def test_set_then_removed() -> None:
    # set 09:00 by Sales, removed 11:00 by Credit: 7200 s, 2 hours at 1.0 = 2.0
    e = run([("o1", "Credit Block Set", 0, "Sales"), ("o1", "Pick", 30, "Warehouse"),
             ("o1", "Credit Block Removed", 120, "Credit")])
    assert brief(e) == [("o1", "credit block", "log:0", "log:2", 7200.0, False)]
    row = e.events.iloc[0]
    assert (row["open_activity"], row["close_activity"]) == ("Credit Block Set",
                                                             "Credit Block Removed")
    assert (row["opened_by"], row["closed_by"]) == ("Sales", "Credit")
    assert (row["start"], row["end"]) == (T0, T0 + pd.Timedelta(hours=2))
    assert row["cost"] == pytest.approx(2.0)
    assert e.table[["opened_by", "closed_by", "orders", "episodes", "median_s", "p90_s",
                    "cost"]].values.tolist() == [["Sales", "Credit", 1, 1, 7200.0, 7200.0,
                                                  pytest.approx(2.0)]]


def test_second_set_while_open_is_ignored() -> None:
    # set 0, set 60 (ignored), removed 180: one episode from the first set, 10800 s
    e = run([("o1", "Credit Block Set", 0), ("o1", "Credit Block Set", 60),
             ("o1", "Credit Block Removed", 180)])
    assert brief(e) == [("o1", "credit block", "log:0", "log:2", 10800.0, False)]
    assert e.stray_closes == 0


def test_removed_without_set_is_a_stray_close() -> None:
    # removed 0 (stray), set 60, removed 120 -> 3600 s; removed 130 (stray again)
    e = run([("o1", "Credit Block Removed", 0), ("o1", "Credit Block Set", 60),
             ("o1", "Credit Block Removed", 120), ("o1", "Credit Block Removed", 130)])
    assert brief(e) == [("o1", "credit block", "log:1", "log:2", 3600.0, False)]
    assert e.stray_closes == 2
    assert e.by_status["stray_closes"].tolist() == [2]
    assert "2 stray closes" in repr(e)


def test_reopen_after_close_is_a_new_episode() -> None:
    # set 0, removed 60, set 120, removed 300: 3600 s and 10800 s
    e = run([("o1", "Credit Block Set", 0), ("o1", "Credit Block Removed", 60),
             ("o1", "Credit Block Set", 120), ("o1", "Credit Block Removed", 300)])
    assert [b[4] for b in brief(e)] == [3600.0, 10800.0]
    assert e.table["episodes"].tolist() == [2] and e.table["orders"].tolist() == [1]
    assert e.table["median_s"].tolist() == [7200.0]  # (3600 + 10800) / 2


def test_open_at_end_after_a_closed_one() -> None:
    e = run([("o1", "Credit Block Set", 0), ("o1", "Credit Block Removed", 60),
             ("o1", "Credit Block Set", 120)])
    assert [(b[2], b[5]) for b in brief(e)] == [("log:0", False), ("log:2", True)]


def test_episode_does_not_span_cases() -> None:
    # o1 sets and ends open; o2's removal is a stray close of o2
    e = run([("o1", "Credit Block Set", 0), ("o2", "Credit Block Removed", 60)])
    assert brief(e) == [("o1", "credit block", "log:0", None, None, True)]
    assert e.stray_closes == 1


def test_two_statuses_interleaved() -> None:
    # credit set 0, delivery set 60, credit removed 180, delivery removed 360:
    # credit 10800 s (3.0), delivery 18000 s (5.0)
    e = run([("o1", "Credit Block Set", 0), ("o1", "Delivery Block Set", 60),
             ("o1", "Credit Block Removed", 180), ("o1", "Delivery Block Removed", 360)])
    assert brief(e) == [("o1", "credit block", "log:0", "log:2", 10800.0, False),
                        ("o1", "delivery block", "log:1", "log:3", 18000.0, False)]
    assert e.by_status[["status", "episodes", "cost"]].values.tolist() == [
        ["delivery block", 1, pytest.approx(5.0)], ["credit block", 1, pytest.approx(3.0)]]
    assert e.table["status"].tolist() == ["delivery block", "credit block"]


def test_status_from_group_is_folded() -> None:
    e = run([("o1", "Credit  BLOCK Set", 0), ("o1", "credit block removed", 60)])
    assert brief(e) == [("o1", "credit block", "log:0", "log:1", 3600.0, False)]


def test_blocked_released_without_status_group() -> None:
    # "Order blocked" opens "blocked" (pair 2); "Block released" matches both of pair 2's
    # patterns: close wins. 300 minutes = 18000 s
    e = run([("o1", "Order blocked", 0), ("o1", "Block released", 300)])
    assert brief(e) == [("o1", "blocked", "log:0", "log:1", 18000.0, False)]


def test_close_wins_when_both_match() -> None:
    # "Credit block released": pair 1 matches neither (no trailing set/removed), pair 2
    # matches both -> closes "blocked"
    e = run([("o1", "Order blocked", 0), ("o1", "Credit block released", 60),
             ("o2", "Delivery blocked", 0), ("o2", "Unblocked", 30)])
    assert brief(e) == [("o1", "blocked", "log:0", "log:1", 3600.0, False),
                        ("o2", "blocked", "log:2", "log:3", 1800.0, False)]


def test_hold_and_its_release() -> None:
    # "Put on hold" opens "hold" (pair 3). "Hold released" matches pair 2's close
    # ("released") and both of pair 3's patterns: the pair matching both claims it,
    # so it closes the hold. A bare "Released" matches only pair 2 (and 3's close):
    # first pair -> closes "blocked", here a stray close.
    e = run([("o1", "Put on hold", 0), ("o1", "Hold released", 60), ("o1", "Released", 90)])
    assert brief(e) == [("o1", "hold", "log:0", "log:1", 3600.0, False)]
    assert e.stray_closes == 1
    # a status seen only in stray closes still gets its by_status row
    assert e.by_status[["status", "episodes", "stray_closes"]].values.tolist() == [
        ["hold", 1, 0], ["blocked", 0, 1]]


def test_first_pair_classifies() -> None:
    # "Block Set" ends in "set" (pair 1: status "block") before pair 2's "block"
    e = run([("o1", "Block Set", 0), ("o1", "Block Removed", 60)])
    assert [b[1] for b in brief(e)] == ["block"]


def test_ties_in_time_keep_input_order() -> None:
    e = run([("o1", "Credit Block Set", 5), ("o1", "Credit Block Removed", 5)])
    assert brief(e) == [("o1", "credit block", "log:0", "log:1", 0.0, False)]
    assert e.events["cost"].tolist() == [0.0]
    reversed_ = run([("o1", "Credit Block Removed", 5), ("o1", "Credit Block Set", 5)])
    assert brief(reversed_) == [("o1", "credit block", "log:1", None, None, True)]
    assert reversed_.stray_closes == 1


# -- durations, percentiles, costs ---------------------------------------------------------
def test_median_and_p90_by_hand_open_ones_excluded() -> None:
    # five orders opened by Sales at 09:00 and closed by Credit after 60, 120, 180, 240,
    # 420 min: 3600, 7200, 10800, 14400, 25200 s. median 10800. p90: position 0.9 * 4 =
    # 3.6 -> 14400 + 0.6 * (25200 - 14400) = 20880. cost 1 + 2 + 3 + 4 + 7 = 17.
    # A sixth order stays open: its own row (closed_by missing), not in any median.
    rows = []
    for i, minutes in enumerate([420, 60, 180, 240, 120]):
        rows += [(f"o{i}", "Credit Block Set", 0, "Sales"),
                 (f"o{i}", "Credit Block Removed", minutes, "Credit")]
    rows.append(("o9", "Credit Block Set", 30, "Sales"))
    e = run(rows)
    closed = e.table.iloc[0]
    assert (closed["closed_by"], closed["orders"], closed["episodes"], closed["open_episodes"]
            ) == ("Credit", 5, 5, 0)
    assert closed["median_s"] == 10800.0
    assert closed["p90_s"] == pytest.approx(20880.0)
    assert closed["p90_s"] == pytest.approx(np.percentile([3600, 7200, 10800, 14400, 25200],
                                                          90))
    assert closed["cost"] == pytest.approx(17.0)
    still = e.table.iloc[1]
    assert pd.isna(still["closed_by"]) and (still["episodes"], still["open_episodes"]) == (1, 1)
    status = e.by_status.iloc[0]
    assert (status["orders"], status["episodes"], status["open_episodes"]) == (6, 6, 1)
    assert status["median_s"] == 10800.0 and status["p90_s"] == pytest.approx(20880.0)
    assert status["cost"] == pytest.approx(17.0)
    assert status["share_of_orders"] == 1.0
    assert e.cost == pytest.approx(17.0)


def test_share_of_orders() -> None:
    # one of four orders has an episode
    e = run([("o1", "Order blocked", 0), ("o1", "Released", 60), ("o2", "Pick", 0),
             ("o3", "Pick", 0), ("o4", "Pick", 0)])
    assert e.by_status["share_of_orders"].tolist() == [0.25]


def test_cost_is_the_cost_models_delay_cost() -> None:
    # overnight (Monday 16:00 to Tuesday 10:00): whatever the model counts as delay
    # (wall clock or working time), the episode's cost is exactly its delay_cost
    e = run([("o1", "Order blocked", 7 * 60), ("o1", "Released", 25 * 60)])
    start = np.array([(T0 + pd.Timedelta(hours=7)).value // 1000])
    end = np.array([(T0 + pd.Timedelta(hours=25)).value // 1000])
    assert e.events["cost"].tolist() == pytest.approx(COSTS.delay_cost(start, end).tolist())
    assert e.events["duration_s"].tolist() == [18 * 3600.0]


def test_table_groups_actors_and_joins_activities() -> None:
    # two orders blocked by Sales with different activity names, released by Credit
    e = run([("o1", "Order blocked", 0, "Sales"), ("o1", "Released", 60, "Credit"),
             ("o2", "Delivery blocked", 0, "Sales"), ("o2", "Block released", 120, "Credit"),
             ("o3", "Order blocked", 0, "Warehouse"), ("o3", "Released", 30, "Sales")])
    table = e.table
    assert table[["opened_by", "closed_by", "orders", "episodes", "median_s"]].values.tolist(
    ) == [["Sales", "Credit", 2, 2, 5400.0], ["Warehouse", "Sales", 1, 1, 1800.0]]
    assert table["open_activity"].tolist() == ["Delivery blocked; Order blocked",
                                               "Order blocked"]
    assert table["close_activity"].tolist() == ["Block released; Released", "Released"]


def test_level_and_missing_actors() -> None:
    log = make_log([("o1", "Order blocked", 0, None, "ann"), ("o1", "Released", 60, "Credit")])
    e = episodes(log, costs=COSTS)
    assert pd.isna(e.events["opened_by"].iloc[0]) and e.events["closed_by"].iloc[0] == "Credit"
    r = episodes(log, level="resource", costs=COSTS)
    assert r.events["opened_by"].iloc[0] == "ann" and pd.isna(r.events["closed_by"].iloc[0])
    assert r.level == "resource"
    p = episodes(log, level="party", costs=COSTS)
    assert p.events[["opened_by", "closed_by"]].values.tolist() == [["internal", "internal"]]


def test_default_costs() -> None:
    e = episodes(make_log([("o1", "Order blocked", 0), ("o1", "Released", 60)]))
    start, end = T0.value // 1000, (T0 + pd.Timedelta(hours=1)).value // 1000
    expected = CostModel.default().delay_cost(np.array([start]), np.array([end]))
    assert e.cost == pytest.approx(float(expected[0]))


# -- options and errors --------------------------------------------------------------------
def test_custom_pairs() -> None:
    pairs = [(r"(?i)^(?P<status>.+) opened$", r"(?i)^(?P<status>.+) closed$"),
             (r"(?i)\bparked\b", r"(?i)\bresumed\b")]
    e = run([("o1", "Claim opened", 0), ("o1", "Order parked", 10), ("o1", "Claim closed", 60),
             ("o1", "Order resumed", 70)], pairs=pairs)
    assert [(b[1], b[4]) for b in brief(e)] == [("claim", 3600.0), ("parked", 3600.0)]


@pytest.mark.parametrize("pairs", [
    [("a",)], [("a", "b", "c")], [(1, "b")], ["ab"], "ab", [("a", None)], 3,
])
def test_pair_not_two_strings(pairs: object) -> None:
    with pytest.raises(UsageError, match="pairs"):
        run([("o1", "Pick", 0)], pairs=pairs)


def test_bad_regex_names_the_pair() -> None:
    with pytest.raises(UsageError, match=re.escape("pairs[1] (close)")):
        run([("o1", "Pick", 0)], pairs=[("a", "b"), ("c", "(unclosed")])


def test_status_group_on_one_side_only() -> None:
    with pytest.raises(UsageError, match="status"):
        run([("o1", "Pick", 0)], pairs=[(r"(?P<status>.+) set", "removed")])


def test_errors() -> None:
    log = make_log([("o1", "Pick", 0)])
    with pytest.raises(UsageError, match="level"):
        episodes(log, level="team")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="episodes: expected an EventLog"):
        episodes(log.events)
    with pytest.raises(TypeError):
        episodes(log, DEFAULT_PAIRS)  # type: ignore[call-arg]


@pytest.mark.parametrize(("pattern", "name"), [
    (DEFAULT_PAIRS[1][0], "blocked"), (DEFAULT_PAIRS[2][0], "hold"),
    (r"^Quality (?:check|inspection) pending$", "quality check pending"),
    (r"(?i)\bparked\b", "parked"), (r"\s+", ""),
])
def test_status_name(pattern: str, name: str) -> None:
    assert status_name(pattern) == name


def test_empty_status_name_falls_back_to_the_pair_number() -> None:
    e = run([("o1", "x y", 0), ("o1", "z", 60)], pairs=[(r"\s+", "z")])
    assert e.events["status"].tolist() == ["status 1"]


def test_repr_and_html() -> None:
    rows = []
    for i in range(30):
        rows += [(f"o{i}", "Order blocked", 0, f"<d{i}>"), (f"o{i}", "Released", 60, "Credit")]
    e = run(rows)
    assert repr(e).startswith("Episodes(level='department': 30 episodes of 1 statuses")
    from procmine._display import MAX_ROWS
    from procmine.render.tables import register

    register()  # the notebook displays (procmine.render.tables): _repr_html_ shows them
    shown = e._repr_html_()
    assert "<d0>" not in shown and "&lt;d0&gt;" in shown
    assert f"… {30 - MAX_ROWS} more rows" in shown
    assert set(e.tables) == {"table", "events", "by_status"}


# -- property: equals a plain-Python state machine -----------------------------------------
def classify(activity: str) -> tuple[str, str] | None:
    """(role, status) by the documented rule, spelt out."""
    hits = []
    for i, (o, c) in enumerate(DEFAULT_PAIRS):
        mo, mc = re.search(o, activity), re.search(c, activity)
        if mo or mc:
            hits.append((i, mo, mc))
    both = [h for h in hits if h[1] and h[2]]
    if not (both or hits):
        return None
    i, mo, mc = (both or hits)[0]
    match = mc or mo
    assert match is not None
    role = "close" if mc else "open"
    if i == 0:
        return role, " ".join(match.group("status").split()).lower()
    return role, ["blocked", "hold"][i - 1]


def oracle(log: EventLog) -> tuple[list[tuple], int]:
    found: list[tuple] = []
    stray = 0
    events = log.events.to_dict("records")
    for position, row in enumerate(events):
        row["_pos"] = position
    by_case: dict[str, list[dict]] = {}
    for row in events:
        by_case.setdefault(row["case_id"], []).append(row)
    for case in by_case:  # dicts keep the log's case order
        open_now: dict[str, dict] = {}
        for row in by_case[case]:
            kind = classify(row["activity"])
            if kind is None:
                continue
            role, status = kind
            if role == "open":
                open_now.setdefault(status, row)
            elif status in open_now:
                start = open_now.pop(status)
                found.append((start["_pos"], case, status, start, row))
            else:
                stray += 1
        for status, start in open_now.items():
            found.append((start["_pos"], case, status, start, None))
    found.sort(key=lambda f: f[0])  # log order of the opening event (cases are contiguous)

    def who(row: dict | None) -> str | None:
        if row is None:
            return None
        dept = row["department"]
        return dept if isinstance(dept, str) else None

    out = []
    for _, case, status, start, end in found:
        duration = None
        cost = None
        if end is not None:
            duration = (end["timestamp"] - start["timestamp"]).total_seconds()
            cost = float(COSTS.delay_cost(np.array([start["timestamp"].value // 1000]),
                                          np.array([end["timestamp"].value // 1000]))[0])
        out.append((case, status, start["event_id"], end and end["event_id"],
                    start["activity"], end and end["activity"], who(start), who(end),
                    duration, end is None, cost))
    return out, stray


ACTIVITIES = ["Credit Block Set", "Credit Block Removed", "Delivery Block Set",
              "delivery block removed", "Order blocked", "Block released", "Put on hold",
              "Hold released", "Released", "Credit block released", "Pick", "Ship"]


def random_log(seed: int) -> EventLog:
    rng = np.random.default_rng(seed)
    rows: list[tuple] = []
    for case in range(int(rng.integers(1, 7))):
        for _ in range(int(rng.integers(0, 10))):
            rows.append((f"c{case}", str(rng.choice(ACTIVITIES)),
                         int(rng.integers(0, 3000)) // 60 * 60,  # hours: ties, nights
                         [None, "Sales", "Credit"][int(rng.integers(0, 3))]))
    if not rows:
        rows = [("c0", "Pick", 0)]
    return make_log([rows[i] for i in rng.permutation(len(rows))])


@pytest.mark.parametrize("seed", range(20))
def test_matches_plain_python_oracle(seed: int) -> None:
    log = random_log(seed)
    e = episodes(log, costs=COSTS)
    expected, stray = oracle(log)
    columns = ["case_id", "status", "open_event_id", "close_event_id", "open_activity",
               "close_activity", "opened_by", "closed_by", "duration_s", "open", "cost"]
    got = [tuple(None if not isinstance(v, str | bool | np.bool_) and pd.isna(v) else v
                 for v in row) for row in e.events[columns].itertuples(index=False, name=None)]
    assert len(got) == len(expected)
    for g, x in zip(got, expected, strict=True):
        assert g[:8] == x[:8] and g[9] == x[9]
        assert (g[8] is None) == (x[8] is None) and (g[10] is None) == (x[10] is None)
        if x[8] is not None:
            assert g[8] == pytest.approx(x[8]) and g[10] == pytest.approx(x[10])
    assert e.stray_closes == stray
    # the table, per (status, opened_by, closed_by)
    groups: dict[tuple, list] = {}
    for x in expected:
        groups.setdefault((x[1], x[6], x[7]), []).append(x)
    assert len(e.table) == len(groups)
    for row in e.table.itertuples(index=False):
        key = (row.status, None if pd.isna(row.opened_by) else row.opened_by,
               None if pd.isna(row.closed_by) else row.closed_by)
        members = groups[key]
        durations = [x[8] for x in members if x[8] is not None]
        assert row.orders == len({x[0] for x in members})
        assert row.episodes == len(members)
        assert row.open_episodes == sum(x[9] for x in members)
        if durations:
            assert row.median_s == pytest.approx(np.median(durations))
            assert row.p90_s == pytest.approx(np.percentile(durations, 90))
        else:
            assert math.isnan(row.median_s) and math.isnan(row.p90_s)
        assert row.cost == pytest.approx(sum(x[10] for x in members if x[10] is not None))
