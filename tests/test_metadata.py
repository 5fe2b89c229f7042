"""Each sample document is described right from its own text; a catalogue can correct any field."""

from __future__ import annotations

from conftest import SAMPLES

from assistant.authorities import canonical, find_authorities
from assistant.dates import inspection_dates
from assistant.ingest.cleaning import clean_text
from assistant.ingest.metadata import describe, publication_date, read_catalogue


def _describe(name: str) -> dict:
    return describe(clean_text((SAMPLES / name).read_text(encoding="utf-8")))


def test_doncaster_letter_is_ofsted_with_its_dates():
    meta = _describe("002_1afa487b62b78d22.txt")
    assert meta["source_type"] == "ofsted"
    assert meta["doc_kind"] == "letter"
    assert meta["authorities"] == ["Doncaster"]
    assert meta["publication_date"] == "2012-02-16"
    assert (meta["inspection_start"], meta["inspection_end"]) == ("2012-01-18", "2012-01-19")
    assert meta["title"].startswith("Annual unannounced inspection of contact, referral and assessment")


def test_darlington_article_is_news_naming_wiltshire_too():
    meta = _describe("003_d0d0323c70696d8b.txt")
    assert meta["source_type"] == "news"
    assert meta["authorities"] == ["Darlington", "Wiltshire"]
    assert meta["publication_date"] == "2015-09-01"
    assert meta["inspection_start"] is None


def test_the_other_articles_are_news_about_their_authority():
    expected = {
        "000_af3683a860673f57.txt": ["Doncaster"],
        "001_0a458e5067eaa908.txt": ["Doncaster"],
        "004_16692f82aae21db8.txt": ["Devon"],
    }
    for name, authorities in expected.items():
        meta = _describe(name)
        assert meta["source_type"] == "news", name
        assert meta["authorities"] == authorities, name
        assert meta["publication_date"] is None, name  # none of them states one


def test_date_forms():
    assert inspection_dates("The inspection took place from 27 February to 3 March 2023.") == (
        "2023-02-27",
        "2023-03-03",
    )
    assert inspection_dates("Inspectors visited on 14-25 February 2022.") == ("2022-02-14", "2022-02-25")
    assert publication_date("Published: 9 May 2025\nInspection of Dorset") == "2025-05-09"
    assert publication_date("Nothing dated here.") is None


def test_authority_forms_and_longest_names_win():
    assert find_authorities("DMBC and Doncaster Metropolitan Borough Council") == ["Doncaster"]
    assert find_authorities("North Somerset Council, not Somerset") == ["North Somerset", "Somerset"]
    assert find_authorities("Reading the report carefully") == []
    assert find_authorities("Reading Borough Council was inspected") == ["Reading"]
    assert canonical("bcp") is None and canonical("BCP") == "Bournemouth, Christchurch and Poole"
    assert canonical("telford & wrekin") == "Telford and Wrekin"


def test_catalogue_sets_fields_and_skips_unknown_types(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "source,source_type,authorities,publication_date\n"
        "a/report.pdf,council,Doncaster MBC;Leeds,2020-01-02\n"
        "b.txt,nonsense,,\n",
        encoding="utf-8",
    )
    catalogue = read_catalogue(path)
    assert catalogue["a/report.pdf"] == {
        "source_type": "council",
        "authorities": ["Doncaster", "Leeds"],
        "publication_date": "2020-01-02",
    }
    assert catalogue["b.txt"] == {}
