import datetime as dt

import pytest

from dangjian.model.dates import date_parts, normalise_date


@pytest.mark.parametrize("value, expected", [
    ("2020年05月03日", "2020-05-03"),
    ("2020年5月3日", "2020-05-03"),
    ("2020 年 5 月 3 日", "2020-05-03"),
    ("2020-5-3", "2020-05-03"),
    ("2020-05-03", "2020-05-03"),
    ("20200503", "2020-05-03"),
    (20200503, "2020-05-03"),
    ("20200503 19:00", "2020-05-03"),
    ("2020/05/03 12:00", "2020-05-03"),
    ("2020.05.03", "2020-05-03"),
    ("2020-05-03T12:00:00+08:00", "2020-05-03"),
    ("发布时间：2020-05-03 10:21 来源：新华网", "2020-05-03"),
    ("二〇二〇年五月三日", "2020-05-03"),
    ("二〇一九年十二月二十一日", "2019-12-21"),
    ("二〇一九年十月", "2019-10"),
    (dt.date(2020, 5, 3), "2020-05-03"),
    (dt.datetime(2020, 5, 3, 12, 0), "2020-05-03"),
    ("2020年5月", "2020-05"),
    ("2020-05", "2020-05"),
    ("2017", "2017"),
    (2017, "2017"),
    ("2017年", "2017"),
])
def test_normalise_date_reads_the_forms_found_in_inputs(value, expected):
    assert normalise_date(value) == expected


@pytest.mark.parametrize("value", [
    None, "", "   ", "无日期", "2021-02-29", "2020-13-01", "2020-00-10", "1850-01-01", "2120-01-01",
    "12345678", "120200503", "20201399", "编号 20200503 的文件", True, 3.5, [], "05/03/2020", "2020-5-32",
])
def test_normalise_date_gives_none_for_what_is_not_a_date(value):
    assert normalise_date(value) is None


def test_normalise_date_skips_an_impossible_date_for_a_later_real_one():
    assert normalise_date("2020-02-30 转载于 2020-03-01") == "2020-03-01"


def test_date_parts_keeps_the_precision_given():
    assert date_parts("2020年5月3日") == (2020, 5, 3)
    assert date_parts("2020年5月") == (2020, 5, None)
    assert date_parts("2020") == (2020, None, None)
    assert date_parts("none") is None


def test_normalise_date_is_idempotent():
    for value in ("2020年05月03日", "20200503", "2020年5月", "2017"):
        once = normalise_date(value)
        assert normalise_date(once) == once
