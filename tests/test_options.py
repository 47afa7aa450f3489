"""Options: flag parsing, errors, rate derivation (numbers from Csound 6.18), file names."""

import json
import os

import pytest

from csoundpy.errors import CompileError, OptionError
from csoundpy.options import (HELP, USAGE, Options, output_file_name, parse_flags,
                              resolve_rates, sample_format, split_csoptions,
                              split_option_string)

FIXTURES = json.load(open(os.path.join(os.path.dirname(__file__), "fixtures",
                                       "options_csound.json")))


def _header(text):
    h = {}
    for line in text.splitlines():
        name, _, value = line.partition("=")
        h[name.strip()] = float(value)
    return h


@pytest.mark.parametrize("case", FIXTURES["rates"],
                         ids=lambda c: f"{c['header']!r}{c['flags']}")
def test_rates_match_csound(case):
    sr, kr, ksmps = resolve_rates(_header(case["header"]), parse_flags(case["flags"]))
    want_sr, want_kr, want_ksmps = case["result"]
    assert ksmps == want_ksmps
    assert sr == pytest.approx(want_sr, abs=0.05)
    assert kr == pytest.approx(want_kr, abs=5e-4)   # Csound prints kr with %.3f


@pytest.mark.parametrize("case", FIXTURES["flag_errors"], ids=lambda c: " ".join(c["flags"]))
def test_flag_errors_match_csound(case):
    with pytest.raises(OptionError) as e:
        parse_flags(case["flags"])
    assert e.value.message == case["message"]
    assert e.value.show_usage == case["usage"]


def test_rate_errors_and_warnings():
    with pytest.raises(CompileError) as e:
        resolve_rates({"sr": 44100, "kr": 100, "ksmps": 100}, Options())
    assert str(e.value) == "sr = 44100, kr = 100, ksmps = 100\nerror: inconsistent sr, kr, ksmps"
    warnings = []
    assert resolve_rates({"sr": 1000, "kr": 3}, parse_flags(["-r", "1000"]), warnings)[2] == 333
    assert resolve_rates({}, Options()) == (44100.0, 4410.0, 10)
    assert resolve_rates({"ksmps": 10.7}, Options()) == (44100.0, 4410.0, 10)
    warnings = []
    resolve_rates({"kr": 100}, parse_flags(["-r1000", "-k3"]), warnings)
    assert "invalid ksmps value, needs to be integral." in warnings[0]


def test_grouped_and_attached_flags():
    o = parse_flags(["-dnm0", "x.csd", "-b-64", "-B512", "--omacro:X=1", "--smacro:Y=2"])
    assert (o.displays, o.sfwrite, o.msglevel, o.inputs) == (False, False, 0, ["x.csd"])
    assert (o.iobufsamps, o.hardwarebufsamps) == (-64, 512)
    with pytest.raises(OptionError, match="no iobufsamps"):
        parse_flags(["-b", "-64"])   # as in Csound: a value may not start with "-"
    assert o.omacros == {"X": "1"} and o.smacros == {"Y": "2"}
    o = parse_flags(["-m128d", "-odac:Built-in", "-+rtaudio=jack", "-+msg_color=0"])
    assert o.msglevel == 128 and not o.displays
    assert o.realtime_output and o.output == "dac:Built-in" and o.rtaudio == "jack"
    assert not o.msg_color


def test_later_flags_win_and_defaults():
    o = Options()
    assert (o.msglevel, o.iobufsamps, o.hardwarebufsamps, o.sr_override) == (135, 256, 1024, None)
    o = parse_flags(["-o", "fromopts.wav"])
    parse_flags(["-o", "cli.wav", "-n", "-o", "last.wav"], o)
    assert o.output == "last.wav" and o.sfwrite
    o = parse_flags(["--nchnls=2", "--0dbfs=1", "--ksmps=32", "--csd-line-nums=0", "-t0",
                     "--sample-accurate", "-v", "-z1", "--help", "--version"])
    assert (o.nchnls_override, o.e0dbfs_override, o.ksmps_override) == (2, 1.0, 32)
    assert not o.csd_line_nums and o.keep_sorted_score and o.sample_accurate and o.verbose
    assert (o.list_opcodes, o.help, o.version) == (1, True, True)


def test_cfg_vars_and_env(monkeypatch):
    monkeypatch.setenv("SSDIR", "/old")
    o = parse_flags(["-+foo=1", "-+rtaudio", "--env:SFDIR=/snd", "--env:SSDIR+=/new",
                     "-+skip_seconds=1.5", "-+ignore_csopts=yes"])
    assert o.warnings == ["WARNING:  *** error setting option 'foo' to '1': invalid variable name",
                          "WARNING:  *** type of option 'rtaudio' is not boolean"]
    assert o.env == {"SFDIR": "/snd", "SSDIR": "/new;/old"}
    assert o.skip_seconds == 1.5 and o.ignore_csopts
    assert output_file_name(parse_flags(["-o", "x.wav"], o)) == os.path.join("/snd", "x.wav")


def test_output_names_and_formats(monkeypatch):
    monkeypatch.delenv("SFDIR", raising=False)
    monkeypatch.delenv("SFOUTYP", raising=False)
    assert output_file_name(Options()) == "test.wav"
    assert output_file_name(parse_flags(["-A"])) == "test.aif"
    assert output_file_name(parse_flags(["-h"])) == "test"
    assert output_file_name(parse_flags(["--format=flac"])) == "test.flac"
    assert sample_format(Options()) == ("PCM_16", "WAV")
    assert sample_format(parse_flags(["-o", "x.flac", "-3"])) == ("PCM_24", "FLAC")
    assert sample_format(parse_flags(["-o", "x.flac", "-W", "-f"])) == ("FLOAT", "WAV")
    assert sample_format(parse_flags(["--format=double:aiff"])) == ("DOUBLE", "AIFF")
    assert sample_format(parse_flags(["--ogg"])) == ("VORBIS", "OGG")
    assert sample_format(parse_flags(["-o", "a.aiff", "-l"])) == ("PCM_32", "AIFF")
    monkeypatch.setenv("SFOUTYP", "AIFF")
    assert output_file_name(Options()) == "test.aif"
    assert output_file_name(parse_flags(["-odac"])) == "dac"


def test_split_option_strings():
    assert split_option_string("-d -odac -m0") == ["-d", "-odac", "-m0"]
    assert split_option_string('-o"my file.wav" "-+id_title=a b"') == ["-omy file.wav",
                                                                       "-+id_title=a b"]
    text = "; comment\n# comment\ncsound -odac -d   ; trailing\n-m0 x.orc x.sco\n"
    assert split_csoptions(text) == ["-odac", "-d", "-m0", "x.orc", "x.sco"]


def test_usage_texts():
    assert USAGE.startswith("Usage:      csound [-flags] orchfile scorefile\nLegal flags are:")
    assert "flag defaults: csound -s -otest -b256 -B1024 -m135" in USAGE
    assert "--omacro:XXX=YYY        set orchestra macro XXX to value YYY" in HELP
