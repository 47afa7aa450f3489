"""CSD reader: sections, tags, embedded files, errors (rules checked on Csound 6.18)."""

import base64
import os
import sys

import pytest

from csoundpy.errors import FileError, ParseError
from csoundpy.lang.csd import parse_csd, read_csd, run_score_bin, write_embedded_files

SEED1_LIKE = """text before is ignored
<CsoundSynthesizer>
<CsOptions>
; comment line
-odac -d   ; trailing comment
csound -m0 "-+id_title=a b"
</CsOptions>
<CsInstruments>
sr = 44100
/* </CsInstruments> inside a comment */
prints "; </CsInstruments> in a string"
</CsInstruments>
<html>
<p>hello</p>
plain text
<CsScore>
i1 0 1
</CsScore>
<CsScore>
i1 5 1
</CsScore>
<CsoundSynthesizer>
"""


def test_sections_and_line_numbers():
    doc = parse_csd(SEED1_LIKE, "s.csd")
    assert doc.options == ["-odac", "-d", "-m0", "-+id_title=a b"]
    assert doc.orchestra == ('sr = 44100\n/* </CsInstruments> inside a comment */\n'
                             'prints "; </CsInstruments> in a string"\n')
    assert doc.orchestra_line == 9
    # compat: 6.18 appends a second <CsScore> after the first one's `e`: it never plays
    assert (doc.score, doc.score_line) == ("i1 0 1\n", 17)
    assert doc.messages == ["unknown CSD tag: <html>", "unknown CSD tag: <p>hello</p>"]


def test_last_orchestra_wins_and_indented_tags():
    text = ("<CsoundSynthesizer>\n  <CsInstruments>\ninstr 1\nendin\n  </CsInstruments>\n"
            "<CsInstruments>\ninstr 2\nendin\n</CsInstruments>\n</CsoundSynthesizer>\n"
            "<CsScore>\nignored after the end\n")
    doc = parse_csd(text)
    assert doc.orchestra == "instr 2\nendin\n" and doc.orchestra_line == 7
    assert doc.score is None


@pytest.mark.parametrize("text,message", [
    ("<CsInstruments>\n</CsInstruments>\n", "Could not find <CsoundSynthesizer> tag in CSD file."),
    ("<CsoundSynthesizer>\n<CsInstruments>\ninstr 1\n", "Missing end tag </CsInstruments>"),
    ("<CsoundSynthesizer>\n<CsScore>\ni1 0 1\n", "Missing end tag </CsScore>"),
    ("<CsoundSynthesizer>\n<CsOptions>\n-d\n", "Missing end tag </CsOptions>"),
    ("<CsoundSynthesizer>\n<CsInstruments>\nprints \"abc\n</CsInstruments>\n",
     'missing " to terminate string'),
    ("<CsoundSynthesizer>\n<CsScore bin=>\n</CsScore>\n", "Missing program in tag <CsScore>"),
    ("<CsoundSynthesizer>\n<CsFileB filename=a.txt>\n!!!!\n</CsFileB>\n",
     "Non base64 character !(21)"),
    ("<CsoundSynthesizer>\n<CsVersion>\nAfter 7.5\n</CsVersion>\n",
     "This CSD file requires a version of Csound after 7.05"),
])
def test_errors(text, message):
    with pytest.raises(ParseError) as e:
        parse_csd(text)
    assert e.value.message == message


def test_embedded_files_and_licence(tmp_path):
    data = bytes(range(256)) * 3
    b64 = base64.encodebytes(data).decode()
    text = ("<CsoundSynthesizer>\n<CsLicence>\nCC BY\nline 2\n</CsLicence>\n"
            f"<CsFileB filename=\"a.bin\">\n{b64}</CsFileB>\n"
            f"<CsFileB filename=b.bin>\n{base64.b64encode(b'xy').decode()}\n</CsFileB>\n"
            "<CsFile filename=\"c.txt\">\nplain\n</CsFile>\n"
            f"<CsMidifileB>\n{base64.b64encode(b'MThd').decode()}\n</CsMidifileB>\n"
            "<CsShortLicense>\n5\n</CsShortLicense>\n<CsVersion>\nAfter 6.0\n</CsVersion>\n")
    doc = parse_csd(text)
    assert doc.licence == "CC BY\nline 2\n"
    assert doc.files == [("a.bin", data), ("b.bin", b"xy"), ("c.txt", b"plain\n")]
    assert doc.midifile == b"MThd" and doc.short_licence == 5
    assert doc.messages == ["CsFile is deprecated and may not work; use CsFileB"]
    written = write_embedded_files(doc, str(tmp_path))
    assert open(written[0], "rb").read() == data
    with pytest.raises(FileError, match="File a.bin already exists"):
        write_embedded_files(doc, str(tmp_path))


def test_read_csd_missing_file(tmp_path):
    with pytest.raises(FileError) as e:
        read_csd(str(tmp_path / "nope.csd"))
    assert e.value.message == "Reading CSD failed (No such file or directory)... stopping"


def test_score_bin(tmp_path):
    prog = tmp_path / "gen.py"
    prog.write_text("import sys\nopen(sys.argv[2], 'w').write(open(sys.argv[1]).read().upper())\n")
    text = (f'<CsoundSynthesizer>\n<CsScore bin="{sys.executable} {prog}">\ni1 0 1\n'
            "  </CsScore> not an end tag for bin scores\n</CsScore>\n")
    doc = parse_csd(text)
    assert doc.score_bin == f"{sys.executable} {prog}"
    assert run_score_bin(doc) == "I1 0 1\n  </CSSCORE> NOT AN END TAG FOR BIN SCORES\n"
    doc.score_bin = "false"
    with pytest.raises(FileError, match="External generation failed"):
        run_score_bin(doc)
