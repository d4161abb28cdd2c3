"""Rebuild the hostile-input corpus (issue 14): ``python make_corpus.py`` in this folder.

Every file is small (under ~20 KB) and made deterministically (gzip mtime 0, fixed zip
dates). ``MANIFEST.csv`` beside it holds the expectations, written by hand from the
documented rules; this script does not write it.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
H = "case_id,activity,timestamp\n"
DATE = (2024, 1, 1, 0, 0, 0)


def w(name: str, data: str | bytes) -> None:
    (HERE / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, DATE), data)
    return buf.getvalue()


def good(n: int, prefix: str = "o") -> str:
    return "".join(f"{prefix}{i},pick,2024-01-01 10:{i % 60:02d}\n" for i in range(n))


def sources(name: str, body: str, data: dict[str, str] | None = None) -> None:
    w(name, body)
    for file, text in (data or {}).items():
        w(file, text)


SRC = """[sources.s]
file = "{file}"
[sources.s.columns]
case_id = "case_id"
activity = "activity"
timestamp = "timestamp"
"""


def csv_cases() -> None:
    # 1. accounting
    w("acc_empty_commas.csv", H + good(2) + ",,\n,,\n" + good(1, "p"))
    w("acc_quoted_empty.csv", H + good(2) + '"","",""\n"",""\n')
    w("acc_blank_lines.csv", H + "\n" + good(2) + "\n\n" + good(1, "p") + "\n")
    w("acc_all_empty.csv", H + ",,\n,,\n\"\",\"\",\"\"\n")
    w("acc_source_column.csv", "case_id,activity,timestamp,source\n"
      "o1,pick,2024-01-01 10:00,web\no2,pick,2024-01-01 11:00,edi\n")
    w("acc_party_column.csv", "case_id,activity,timestamp,party\n"
      "o1,pick,2024-01-01 10:00,customer\no2,pick,2024-01-01 11:00,internal\n")
    w("acc_seq_column.csv", "case_id,activity,timestamp,seq\n"
      "o1,pick,2024-01-01 10:00,1\no2,pick,2024-01-01 11:00,2\n")
    w("acc_int_ids_missing.csv", H + "7,pick,2024-01-01 10:00\n,pick,2024-01-01 10:05\n"
      "8,pack,2024-01-01 11:00\n,pack,2024-01-01 11:05\n")
    w("acc_int_ids_missing.csv.gz", gz((H + "7,pick,2024-01-01 10:00\n,pick,2024-01-01 10:05\n"
                                       "8,pack,2024-01-01 11:00\n").encode()))
    w("acc_duplicates.csv", H + "o1,pick,2024-01-01 10:00\n" * 3 + "o2,pick,2024-01-01 10:00\n")
    w("acc_too_many_fields.csv", H + good(2) + "o9,pick,2024-01-01 10:00,x,y\n")
    w("acc_too_few_fields.csv", H + good(2) + "o9,pick\n")
    w("acc_header_only.csv", H)
    w("acc_crlf.csv", (H + good(2) + ",,\n\n").replace("\n", "\r\n"))
    w("acc_semicolon.csv", (H + good(2) + ",,\n").replace(",", ";"))
    w("acc_bom.csv", "\ufeff" + H + good(2) + ",,\n")
    w("acc_missing_activity.csv", H + good(2) + "o5,,2024-01-01 10:00\n")
    w("acc_bad_timestamp.csv", H + good(2) + "o5,pick,not a date\n")
    w("acc_whitespace_row.csv", H + good(2) + " , , \n")
    # 2. bounded work
    w("sentinel_0001.csv", H + good(3) + "o9,pick,0001-01-01 00:00\n")
    w("sentinel_9999.csv", H + good(3) + "o9,pick,9999-12-31 23:59\n")
    w("sentinel_epoch.csv", H + good(3) + "o9,pick,1970-01-01 00:00\n")
    w("sentinel_report.csv", H + "o1,pick,0001-01-01 00:00\no1,pack,2024-01-01 10:00\n"
      "o2,pick,2024-01-02 10:00\no2,pack,9999-12-31 23:59\n")
    cols = [f"c{i}" for i in range(1997)]
    w("wide_2000.csv", H.strip() + "," + ",".join(cols) + "\n"
      + "".join(f"o{r},pick,2024-01-01 10:0{r}," + ",".join("1" for _ in cols) + "\n"
                for r in range(2)))
    w("catastrophic.csv", H + "o1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab,2024-01-01 10:00\n"
      "o1,ship,2024-01-01 11:00\n")
    # 3. file-level faults
    body = (H + good(300)).encode()
    w("trunc.csv.gz", gz(body)[:-30])
    w("trailing_garbage.csv.gz", gz(body) + b"garbage, not gzip\n")
    w("not_gzip.csv.gz", body[:200])
    w("empty.csv", b"")
    w("empty.csv.gz", gz(b""))
    w("binary.csv", bytes((i * 37 + 11) % 256 for i in range(2048)))
    w("png_named.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64)))
    w("utf16_no_bom.csv", (H + good(2)).encode("utf-16-le"))
    # 4. clean messages
    w("ansi_header.csv", "case\x1b[31mid,activity,timestamp\no1,pick,2024-01-01 10:00\n")
    w("ansi_values.csv", H + "o\x1b[2J1,pick\x07,2024-01-01 10:00\no2,pick,\x1b]0;x\x07\n")
    w("passwd_like.csv", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n")
    # 5. outputs
    # NUL in the first 64 KiB makes a file binary (refused); other control characters load
    w("out_ctrl.csv", H + "o1,pi\x0bck,2024-01-01 10:00\no1,pa\x0cck,2024-01-01 11:00\n"
      "o2,pi\x0bck,2024-01-01 10:00\no2,sh\x1bip\x7f,2024-01-01 12:00\n"
      "o3,pi\x0bck,2024-01-01 10:00\no3,\x01pay\x02,2024-01-01 12:00\n")
    w("out_ctrl_res.csv", "case_id,activity,timestamp,resource,department\n"
      "o1,pick,2024-01-01 10:00,ann\x08,Ware\x1b[1mhouse\n"
      "o1,ship,2024-01-01 11:00,b\x0bob,Sh\x0cipping\n"
      "o2,pick,2024-01-01 10:00,ann\x08,Ware\x1b[1mhouse\n"
      "o2,ship,2024-01-01 12:00,b\x0bob,Sh\x0cipping\n")
    w("out_nul_head.csv", H + "o1,pi\x00ck,2024-01-01 10:00\n")
    w("out_nul_late.csv.gz", gz((H + "".join(
        f"order{i:05d},pick item from shelf,2024-01-01 10:{i % 60:02d}\n" for i in range(1800))
        + "order00001,pa\x00ck,2024-01-02 10:00\n").encode()))


def sources_cases() -> None:
    (HERE / "data").mkdir(exist_ok=True)
    w("data/ok.csv", H + good(3))
    w("data/empty_ids.csv", H + "SO-1,pick,2024-01-01 10:00\nXX,pick,2024-01-01 10:00\n"
      "SO-2,pick,2024-01-01 11:00\n")
    w("outside.csv", H + good(2))
    sources("src_ok.toml", SRC.format(file="data/ok.csv"))
    sources("src_outside_rel.toml", SRC.format(file="../outside.csv"))
    sources("data/src_dotdot.toml", SRC.format(file="../outside.csv"))
    sources("data/src_dotdot_allowed.toml", "[log]\nallow_outside = true\n"
            + SRC.format(file="../outside.csv"))
    sources("src_outside_abs.toml", SRC.format(file="/etc/passwd"))
    sources("src_missing_file.toml", SRC.format(file="data/nope.csv"))
    sources("src_ansi_file.toml", SRC.format(file="bad\\u001b[2Jname.csv"))
    sources("src_newline_file.toml", SRC.format(file="bad\\nname.csv"))
    sources("src_syntax.toml", "[sources.s\nfile = 'x.csv'\n")
    sources("src_deep.toml", "x = " + "[" * 3000 + "]" * 3000 + "\n")
    sources("src_deep_tables.toml", "[" + ".".join(["a"] * 2000) + "]\nb = 1\n")
    sources("src_lookaround.toml", SRC.format(file="data/ok.csv")
            + "[sources.s.case]\nnormalize = { pattern = '^(?!X)(\\d+)$', replace = 'SO-\\1' }\n")
    sources("src_backref.toml", SRC.format(file="data/ok.csv")
            + "[sources.s.case]\nnormalize = { pattern = '^(o)\\1$', replace = 'x' }\n")
    sources("src_missing_group.toml", SRC.format(file="data/ok.csv")
            + "[sources.s.case]\nnormalize = { pattern = '^o(\\d+)$', replace = 'SO-\\2' }\n")
    sources("src_empty_ids.toml", SRC.format(file="data/empty_ids.csv")
            + "[sources.s.case]\nnormalize = { pattern = '^(?:SO-)?(\\d*)$|^XX$', "
              "replace = '\\1' }\n")
    # lookup fan-out: one picklist key to 1,500 orders (default limit 1,000)
    w("data/fan_lookup.csv", "PickListNo,OrderRef\n"
      + "".join(f"PL1,SO-{i}\n" for i in range(1500)) + "PL2,SO-9\n")
    w("data/fan_wms.csv", "PickList,Step,Time\nPL1,pick,2024-01-01 10:00\n"
      "PL2,pick,2024-01-01 11:00\n")
    fan = """[lookups.pl]
file = "data/fan_lookup.csv"
key = "PickListNo"
value = "OrderRef"
[sources.wms]
file = "data/fan_wms.csv"
[sources.wms.columns]
activity = "Step"
timestamp = "Time"
[sources.wms.case]
column = "PickList"
via = ["pl"]
"""
    sources("src_fanout.toml", fan)
    sources("src_fanout_raised.toml", "[log]\nmax_orders_per_key = 2000\n" + fan)
    sources("src_lookup_outside.toml", fan.replace("data/fan_lookup.csv", "../lookup.csv"))
    # cost models
    w("costs_deep.toml", "x = " + "[" * 3000 + "]" * 3000 + "\n")
    w("costs_deep_tables.toml", "[" + ".".join(["k"] * 1000) + "]\nb = 1\n")
    w("costs_syntax.toml", "[calendar\n")


def ocel_cases() -> None:
    def event(eid, activity="place order", objects=("o1",)):
        e = {"id": eid, "time": "2024-01-01T10:00:00Z",
             "relationships": [{"objectId": o, "qualifier": "order"} for o in objects]}
        if activity is not None:
            e["type"] = activity
        return e

    def doc(events):
        return json.dumps({"objectTypes": [{"name": "orders", "attributes": []}],
                           "eventTypes": [{"name": n, "attributes": []}
                                          for n in ("place order", "pick", "")],
                           "objects": [{"id": "o1", "type": "orders"},
                                       {"id": "o2", "type": "orders"}],
                           "events": events}, indent=1)

    w("ocel_ok.jsonocel", doc([event("e1"), event("e2", "pick"), event("e3", objects=("o2",))]))
    w("ocel_dup_event.jsonocel", doc([event("e1"), event("e1", "pick", ("o1", "o2")),
                                      event("e2", objects=("o2",))]))
    w("ocel_undeclared.jsonocel", doc([event("e1"), event("e2", objects=("o1", "ghost"))]))
    w("ocel_only_undeclared.jsonocel", doc([event("e1"), event("e2", objects=("ghost",))]))
    w("ocel_empty_activity.jsonocel", doc([event("e1"), event("e2", "")]))
    w("ocel_no_activity.jsonocel", doc([event("e1"), event("e2", None)]))
    w("ocel_truncated.jsonocel", doc([event("e1")])[:150])
    w("ocel_not_object.jsonocel", "[1, 2, 3]\n")
    xml = ("<?xml version='1.0' encoding='UTF-8'?>\n<log><object-types><object-type "
           'name="orders"><attributes/></object-type></object-types><event-types>'
           '<event-type name="place order"><attributes/></event-type></event-types><objects>'
           '<object id="o1" type="orders"><attributes/></object></objects><events>'
           '<event id="e1" type="place order" time="2024-01-01T10:00:00Z"><attributes/>'
           '<objects><relationship object-id="o1" qualifier="order"/></objects></event>'
           '<event id="e1" type="place order" time="2024-01-01T11:00:00Z"><attributes/>'
           '<objects><relationship object-id="o1" qualifier="order"/></objects></event>'
           "</events></log>")
    w("ocel_dup_event.xmlocel", xml)


def xes_cases() -> None:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    trace = ('<trace><string key="concept:name" value="7"/><event>'
             '<string key="concept:name" value="pick"/>'
             '<date key="time:timestamp" value="2024-01-01T10:00:00Z"/>{extra}</event></trace>')
    w("xes_ok.xes", head + "<log>" + trace.format(extra="") + "</log>")
    w("xes_entity.xes", head + '<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa">'
      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<log>'
      + trace.format(extra='<string key="x" value="&b;"/>') + "</log>")
    w("xes_external_dtd.xes", head + '<!DOCTYPE log SYSTEM "file:///etc/passwd">\n<log>'
      + trace.format(extra="") + "</log>")
    w("xes_external_entity.xes", head + '<!DOCTYPE log [<!ENTITY e SYSTEM '
      '"file:///etc/passwd">]>\n<log>' + trace.format(extra='<string key="x" value="&e;"/>')
      + "</log>")
    w("xes_malformed.xes", head + "<log>" + trace.format(extra="")[:120])
    w("xes_wide_attrs.xes", head + "<log>" + trace.format(extra="".join(
        f'<int key="a{i}" value="{i}"/>' for i in range(500))) + "</log>")
    w("xes_trunc.xes.gz", gz((head + "<log>" + trace.format(extra="") * 50
                               + "</log>").encode())[:-40])


def xlsx_cases() -> None:
    import openpyxl

    def book(rows) -> dict[str, bytes]:
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        with zipfile.ZipFile(buf) as archive:
            parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
        # openpyxl stamps the save time: fix it so the workbook rebuilds byte for byte
        parts["docProps/core.xml"] = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                            b"2024-01-01T00:00:00Z", parts["docProps/core.xml"])
        return parts

    base = [["case_id", "activity", "timestamp"], ["o1", "pick", "2024-01-01T09:00:00Z"]]
    sheet = "xl/worksheets/sheet1.xml"

    def save(name, parts):
        w(name, zipped(sorted(parts.items())))

    save("xlsx_ok.xlsx", book(base))
    save("xlsx_int_ids_missing.xlsx", book([base[0], [7, "pick", "2024-01-01T09:00:00Z"],
                                            [None, "pick", "2024-01-01T09:05:00Z"],
                                            [8, "pack", "2024-01-01T10:00:00Z"]]))
    p = book(base)
    p[sheet] = p[sheet].replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY e "x">]><worksheet', 1)
    save("xlsx_dtd.xlsx", p)
    p = book(base)
    p[sheet] = p[sheet].replace(b"<worksheet",
                                b'<!DOCTYPE w SYSTEM "file:///etc/passwd"><worksheet', 1)
    save("xlsx_external.xlsx", p)
    p = book(base)
    p[sheet] = p[sheet][: len(p[sheet]) // 2]
    save("xlsx_malformed.xlsx", p)
    w("xlsx_not_zip.xlsx", b"this is not a workbook\n")


def parquet_cases() -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def save(name, table):
        pq.write_table(table, HERE / name, compression="snappy")

    us = pa.timestamp("us")
    save("pq_ts_range.parquet", pa.table({
        "case_id": ["o1", "o2", "o3"], "activity": ["pick", "pick", "pack"],
        "timestamp": pa.array([1_704_103_200_000_000, 253_402_300_800_000_000 * 10,
                               -62_135_596_800_000_000 * 10], type=us)}))
    save("pq_float_ids.parquet", pa.table({
        "case_id": pa.array([7.0, 1e30, 8.0], type=pa.float64()),
        "activity": ["pick", "pick", "pack"],
        "timestamp": ["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-01 12:00"]}))
    save("pq_int_ids_missing.parquet", pa.table({
        "case_id": pa.array([7.0, None, 8.0], type=pa.float64()),
        "activity": ["pick", "pick", "pack"],
        "timestamp": ["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-01 12:00"]}))
    w("pq_truncated.parquet", (HERE / "pq_float_ids.parquet").read_bytes()[:300])


def zip_cases() -> None:
    data = (H + good(3)).encode()
    w("zip_ok.zip", zipped([("log.csv", data)]))
    w("zip_two.zip", zipped([("a.csv", data), ("b.csv", data)]))
    w("zip_dotdot.zip", zipped([("../evil.csv", data)]))
    w("zip_absolute.zip", zipped([("/tmp/evil.csv", data)]))
    w("zip_empty.zip", zipped([]))
    w("zip_trunc.zip", zipped([("log.csv", data * 20)])[:-60])


if __name__ == "__main__":
    csv_cases()
    sources_cases()
    ocel_cases()
    xes_cases()
    xlsx_cases()
    parquet_cases()
    zip_cases()
