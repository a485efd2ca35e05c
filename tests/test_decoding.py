"""Decoding that is right or refuses: legacy codecs chosen by the text they give, UTF-32, surrogates."""

from __future__ import annotations

import codecs

import pytest

from newsspan.dataset.ingest.decoding import choose_codec, plausibility
from newsspan.dataset.ingest.normalize import Decoded, DecodeRefusal, decode_bytes

# Invented news sentences, written in each language with its letters, saved in its legacy codec.
ARTICLES = {
    "french-cp1252": ("cp1252", "Le maître d'œuvre a déclaré que les travaux du pont commenceront à l'été, après "
                      "l'accord des élus. « C'est une décision sérieuse », a-t-il ajouté."),
    "german-cp1252": ("cp1252", "Die Bürgermeisterin erklärte am Montag, dass die Straße wegen der Bauarbeiten für "
                      "zwei Wochen gesperrt wird. Anwohner äußerten Ärger."),
    "spanish-cp1252": ("cp1252", "El ministro señaló que la reunión con los pescadores será el próximo miércoles "
                       "en la capital. ¿Habrá acuerdo?"),
    "english-smart-quotes": ("cp1252", "The minister said \u201cwe will not accept this\u201d on Monday \u2014 and "
                             "the union\u2019s leader agreed."),
    "czech-cp1250": ("cp1250", "Ministr uvedl, že jednání s rybáři proběhne příští středu v hlavním městě. "
                     "Odboráři řekli, že dohodu nepřijmou."),
    "polish-cp1250": ("cp1250", "Minister powiedział, że spotkanie z rybakami odbędzie się w przyszłą środę w "
                      "stolicy. Związkowcy są źli."),
    "russian-cp1251": ("cp1251", "Министр заявил в понедельник, что переговоры с рыбаками пройдут в следующую "
                       "среду в столице. Профсоюз не согласен."),
    "russian-koi8-r": ("koi8_r", "Министр заявил в понедельник, что переговоры с рыбаками пройдут в следующую "
                       "среду в столице. Профсоюз не согласен."),
    "greek-cp1253": ("cp1253", "Ο υπουργός δήλωσε τη Δευτέρα ότι οι συνομιλίες με τους αλιείς θα γίνουν την "
                     "επόμενη Τετάρτη στην πρωτεύουσα."),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_a_legacy_codec_is_read_back_to_the_text_that_was_written(name):
    codec, text = ARTICLES[name]
    decoded = decode_bytes(text.encode(codec))
    assert isinstance(decoded, Decoded), decoded
    assert decoded.text == text, f"misread as {decoded.encoding}"
    assert decoded.why and "plausibility" in decoded.why, "the choice says why"
    if name != "english-smart-quotes":  # cp1252 and cp1250 give the same text there: cp1252 is named
        assert codecs.lookup(decoded.encoding).name == codecs.lookup(codec).name


def test_cp1252_french_is_not_read_as_mac_latin2_nor_english_quotes_as_cp1250():
    french = ARTICLES["french-cp1252"][1].encode("cp1252")
    assert plausibility(french.decode("mac_latin2"))[0] < plausibility(french.decode("cp1252"))[0]
    quotes = decode_bytes(ARTICLES["english-smart-quotes"][1].encode("cp1252"))
    assert isinstance(quotes, Decoded) and quotes.encoding == "cp1252"


def test_bytes_that_read_as_no_one_language_are_refused_with_the_way_out():
    mixed = ARTICLES["polish-cp1250"][1].encode("cp1250") + ARTICLES["russian-cp1251"][1].encode("cp1251")
    refused = decode_bytes(mixed)
    assert isinstance(refused, DecodeRefusal) and refused.reason == "undecodable"
    assert "no codec reads it as text in one language" in refused.detail
    assert "below the threshold" in refused.detail
    assert 'ingest.fallback_encoding = "cp1252"' in refused.detail and "re-save it as UTF-8" in refused.detail
    assert choose_codec(mixed).codec is None


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_a_bom_is_utf32_not_utf16(codec):
    text = "Fishermen protest 🐟 quota: “we will not accept this”"
    bom = codecs.BOM_UTF32_LE if codec.endswith("le") else codecs.BOM_UTF32_BE
    decoded = decode_bytes(bom + text.encode(codec))
    assert isinstance(decoded, Decoded) and decoded.text == text and decoded.encoding == "utf-32"


def test_a_lone_surrogate_in_utf16_is_refused_like_the_json_escape():
    raw = codecs.BOM_UTF16_LE + "ok ".encode("utf-16-le") + b"\x00\xd8" + " end".encode("utf-16-le")
    refused = decode_bytes(raw)
    assert isinstance(refused, DecodeRefusal) and refused.reason == "undecodable"
    assert "invalid utf-16 at byte" in refused.detail


def test_plain_utf8_never_runs_detection(monkeypatch):
    from newsspan.dataset.ingest import decoding

    monkeypatch.setattr(decoding, "choose_codec", lambda raw: pytest.fail("detection ran on UTF-8"))
    decoded = decode_bytes("Le maître d'œuvre a déclaré".encode())
    assert isinstance(decoded, Decoded) and decoded.encoding == "utf-8"


def test_the_document_records_the_codec_and_why(tmp_path):
    import json

    import pyarrow.parquet as pq

    from newsspan.dataset.config import IngestOptions
    from newsspan.dataset.ingest.stage import ingest_to_folder

    codec, text = ARTICLES["french-cp1252"]
    article = "Travaux du pont\n\n" + " ".join([text] * 4)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pont.txt").write_bytes(article.encode(codec))
    ingest_to_folder([tmp_path / "in"], tmp_path / "out", options=IngestOptions())
    (document,) = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    assert document["encoding"] == "cp1252" and document["text"].startswith("Travaux du pont")
    assert "language fr" in json.loads(document["extra"])["encoding_evidence"]
