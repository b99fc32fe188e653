"""The query string of a list: read with its prefix, kept across pages, reset where it must be."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from web.listing import kept_args, list_query, list_url, sort_state, sort_url


def _args(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_list_reads_only_its_own_prefixed_keys(app):
    with app.test_request_context("/settlement/?d_page=3&d_sort=-shipped&d_contract=HT&l_page=2&page=9"):
        d = list_query(sorts=("shipped",), filters=("contract",), prefix="d_")
        l_ = list_query(sorts=("id",), filters=("contract",), prefix="l_")
        assert (d.page, d.sort, d.descending, dict(d.filters)) == (3, "shipped", True, {"contract": "HT"})
        assert (l_.page, l_.sort, dict(l_.filters)) == (2, None, {})


def test_paging_one_list_keeps_the_others_and_its_filters(app):
    with app.test_request_context("/settlement/?d_page=3&d_contract=HT&l_page=2"):
        assert _args(list_url("l_", page=3)) == {"d_page": ["3"], "d_contract": ["HT"], "l_page": ["3"]}
        assert "l_page" not in _args(list_url("l_", page=1))  # page 1 is the bare URL
        sorted_ = _args(sort_url("id", "l_"))
        assert sorted_["l_sort"] == ["id"] and "l_page" not in sorted_ and sorted_["d_page"] == ["3"]
        assert dict(kept_args("d_", ["contract"])) == {"l_page": "2"}  # the filter form carries the rest


def test_sort_links_flip_and_report_their_state(app):
    with app.test_request_context("/batches?sort=code"):
        assert _args(sort_url("code"))["sort"] == ["-code"] and _args(sort_url("name"))["sort"] == ["name"]
        assert (sort_state("code"), sort_state("name")) == ("ascending", "none")
    with app.test_request_context("/batches?sort=-code"):
        assert _args(sort_url("code"))["sort"] == ["code"] and sort_state("code") == "descending"


def test_unknown_sort_keys_page_sizes_and_pages_are_ignored(app):
    with app.test_request_context("/batches?sort=-password_hash&per_page=7&page=abc&status=x"):
        q = list_query(sorts=("code",), filters=())
        assert (q.sort, q.descending, q.per_page, q.page, dict(q.filters)) == (None, False, 50, 1, {})
    with app.test_request_context("/batches?per_page=20&page=0"):
        q = list_query(sorts=("code",))
        assert (q.per_page, q.page) == (20, 1)
