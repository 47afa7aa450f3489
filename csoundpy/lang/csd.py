"""CSD reader: splits a unified Csound file into options, orchestra, score and files.

Follows Csound 6.18's Top/one_file.c (read_unified_file4 and its helpers): tags count
only at the start of a line (leading blanks allowed), a missing
`</CsoundSynthesizer>` is tolerated, a section's end tag is looked for only outside
strings, `/* */` comments and `{{ }}` strings, embedded files are base64, and CLI.md §4.

Differences from 6.18, none visible in a correct file:
* a second `<CsScore>` section is ignored (6.18 appends it after the first one's
  `e`, so it never plays) and the score text starts at its first line (no blank line);
* `<CsFileB filename=…>` is parsed from the tag itself even when the line is indented.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field

from csoundpy.errors import FileError, ParseError, Span
from csoundpy.options import split_csoptions

CSD_VERSION = 7000   # the version csoundpy reports to <CsVersion> (7.0)

_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


@dataclass
class CsdDocument:
    """The parts of a CSD file; line numbers are 1-based CSD line numbers."""

    path: str
    options: list[str] = field(default_factory=list)
    orchestra: str | None = None
    orchestra_line: int = 0
    score: str | None = None
    score_line: int = 0
    score_bin: str | None = None
    licence: str | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    midifile: bytes | None = None
    version_gate: str | None = None
    messages: list[str] = field(default_factory=list)
    short_licence: int | None = None


def read_csd(path: str) -> CsdDocument:
    """Read and parse the CSD file at `path` (FileError when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FileError(f"Reading CSD failed ({e.strerror})... stopping") from None
    return parse_csd(data.decode("utf-8", errors="surrogateescape"), path)


class _Lines:
    """The CSD's lines with a cursor; `number` is the 1-based line of the last one read."""

    def __init__(self, text: str):
        self.lines = _LINE_SPLIT.split(text)
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.number = 0

    def next(self) -> str | None:
        if self.number >= len(self.lines):
            return None
        self.number += 1
        return self.lines[self.number - 1]


def _starts(line: str, tag: str) -> bool:
    return line.lstrip(" \t").startswith(tag)


def parse_csd(text: str, path: str = "<csd>") -> CsdDocument:
    """Split CSD text into a CsdDocument; ParseError with Csound's text on a bad file."""
    doc = CsdDocument(path)
    src = _Lines(text)
    started = False
    while (line := src.next()) is not None:
        p = line.lstrip(" \t")
        if p.startswith(("<CsoundSynthesizer>", "<CsoundSynthesiser>")):
            started = True
        elif p.startswith(("</CsoundSynthesizer>", "</CsoundSynthesiser>")):
            break
        elif p.startswith("<CsOptions>"):
            body = _plain_section(src, "</CsOptions>", at_start=True)
            doc.options.extend(split_csoptions("\n".join(body)))
        elif p.startswith("<CsInstruments>"):
            doc.orchestra_line = src.number + 1
            doc.orchestra = _code_section(src, "</CsInstruments>", xstrings=True, path=path)
        elif p.startswith("<CsScore"):
            first_line = src.number + 1
            if p.startswith("<CsScore>"):
                body = _code_section(src, "</CsScore>", xstrings=False, path=path)
                prog = None
            else:
                prog = _score_bin(p)
                body = _bin_section(src)
            if doc.score is None:   # compat: later <CsScore> sections never play in 6.18
                doc.score, doc.score_line, doc.score_bin = body, first_line, prog
        elif p.startswith("<CsMidifileB>"):
            doc.midifile = _base64_section(src, "</CsMidifileB>")
        elif p.startswith("<CsSampleB filename="):
            m = re.match(r'<CsSampleB filename="?(-?\d+)', p)
            name = f"soundin.{int(m.group(1)) if m else 0}"
            doc.files.append((name, _base64_section(src, "</CsSampleB>")))
        elif p.startswith("<CsFileB filename="):
            name = _file_name(p[len("<CsFileB filename="):])
            doc.files.append((name, _base64_section(src, "</CsFileB>")))
        elif p.startswith("<CsFile filename="):
            doc.messages.append("CsFile is deprecated and may not work; use CsFileB")
            name = _file_name(p[len("<CsFile filename="):])
            body = _plain_section(src, "</CsFile>", at_start=True)
            doc.files.append((name, "".join(b + "\n" for b in body).encode(
                "utf-8", errors="surrogateescape")))
        elif p.startswith("<CsVersion>"):
            body = _plain_section(src, "</CsVersion>", at_start=False)
            doc.version_gate = "\n".join(body)
            _check_version(body)
        elif p.startswith(("<CsLicence>", "<CsLicense>")):
            body = _plain_section(src, ("</CsLicence>", "</CsLicense>"), at_start=False)
            doc.licence = "".join(b + "\n" for b in body)
        elif p.startswith(("<CsShortLicence>", "<CsShortLicense>", "<CsSortLicense>")):
            body = _plain_section(src, ("</CsShortLicence>", "</CsShortLicense>"),
                                  at_start=False, end_name="</CsShortLicence>")
            for b in body:
                doc.short_licence = _atoi(b)
            if doc.short_licence is None:
                doc.short_licence = 0
        elif _blank(line):
            continue
        elif started and line.startswith("<"):
            doc.messages.append(f"unknown CSD tag: {line}")
    if not started:
        raise ParseError("Could not find <CsoundSynthesizer> tag in CSD file.")
    return doc


def _blank(line: str) -> bool:
    for c in line:
        if c == ";":
            return True
        if c not in " \t":
            return False
    return True


def _atoi(s: str) -> int:
    m = re.match(r"\s*[+-]?\d+", s)
    return int(m.group()) if m else 0


def _plain_section(src: _Lines, end: str | tuple[str, ...], at_start: bool,
                   end_name: str | None = None) -> list[str]:
    """Lines up to the end tag: at a line's start (after blanks), or anywhere in it."""
    ends = (end,) if isinstance(end, str) else end
    body = []
    while (line := src.next()) is not None:
        if at_start and line.lstrip(" \t").startswith(ends):
            return body
        if not at_start and any(e in line for e in ends):
            return body
        body.append(line)
    raise ParseError(f"Missing end tag {end_name or ends[0]}")


def _code_section(src: _Lines, end: str, xstrings: bool, path: str = "<csd>") -> str:
    """Orchestra or score text up to `end`, which counts only outside strings and comments.

    As createOrchestra()/createScore(): the end tag must start a line (after blanks) that
    does not begin inside a `/* */` comment or a `{{ }}` string; a `"` string may continue
    on the next line only after a trailing backslash.
    """
    body = []
    state = 0   # 0 code, 1 string, 2 block comment, 3 {{ }} string
    while (line := src.next()) is not None:
        if state == 0:
            q = line.find(end)
            if q >= 0 and line[:q].strip(" \t") == "":
                return "".join(b + "\n" for b in body)
        body.append(line)
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if state == 0:
                if c == '"':
                    state = 1
                elif line.startswith("/*", i):
                    state, i = 2, i + 1
                elif c == ";" or line.startswith("//", i):
                    break
                elif xstrings and line.startswith("{{", i):
                    state, i = 3, i + 1
            elif state == 1:
                if c == "\\":
                    i += 1
                    if i >= n:   # escaped newline: the string goes on
                        break
                elif c == '"':
                    state = 0
            elif state == 2:
                if line.startswith("*/", i):
                    state, i = 0, i + 1
            elif line.startswith("}}", i):
                state, i = 0, i + 1
            i += 1
        else:
            if state == 1:
                raise ParseError('missing " to terminate string',
                                 Span(os.path.basename(path), src.number, 0, line))
    raise ParseError(f"Missing end tag {end}")


def _score_bin(tag: str) -> str:
    m = re.search(r'bin="([^"]*)"', tag)
    if m is None:
        raise ParseError("Missing program in tag <CsScore>")
    return m.group(1)


def _bin_section(src: _Lines) -> str:
    # compat: createExScore() wants the end tag at the very start of the line
    body = []
    while (line := src.next()) is not None:
        if line.startswith("</CsScore>"):
            return "".join(b + "\n" for b in body)
        body.append(line)
    raise ParseError("Missing end tag </CsScore>")


def _file_name(rest: str) -> str:
    if rest.startswith('"'):
        end = rest.find('"', 1)
        return rest[1:end] if end > 0 else rest[1:]
    end = rest.find(">")
    return rest[:end] if end >= 0 else rest


_B64 = {c: i for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _base64_section(src: _Lines, end: str) -> bytes:
    """Decode base64 text up to `=` or `<` as read_base64(), then skip to the end tag."""
    out = bytearray()
    n = nbits = 0
    while (line := src.next()) is not None:
        for k, c in enumerate(line):
            if c.isspace():
                continue
            if c in "=<":
                rest = line[k:] if c == "<" else line[k + 1:]
                break
            if c not in _B64:
                raise ParseError(f"Non base64 character {c}({ord(c):2x})")
            n = (n << 6) | _B64[c]
            nbits += 6
            if nbits >= 8:
                nbits -= 8
                out.append((n >> nbits) & 0xFF)
                n &= (1 << nbits) - 1
        else:
            continue
        if nbits > 0 and n != 0:
            raise ParseError("Truncated byte at end of base64 stream")
        while not rest.lstrip(" \t").startswith(end):
            rest = src.next()
            if rest is None:
                break
        else:
            return bytes(out)
        break
    raise ParseError(f"Missing end tag {end}")


def _check_version(body: list[str]) -> None:
    """Apply a <CsVersion> gate as checkVersion() does, for csoundpy's version 7.0."""
    version = CSD_VERSION
    for line in body:
        p = line.lstrip(" \t")
        for word, fails, text in (
                ("Before", lambda v: version >= v,
                 "This CSD file requires a version of Csound before {}.{:02d}"),
                ("After", lambda v: version <= v,
                 "This CSD file requires a version of Csound after {}.{:02d}"),
                ("Later", lambda v: version < v,
                 "This CSD file requires version Csound {}.{:02d} or later")):
            if word in p:
                m = re.search(word + r"\s*(\d+)\.(\d+)", p)
                major, minor = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
                if fails(major * 1000 + minor * 10):
                    raise ParseError(text.format(major, minor))
                break
        else:
            m = re.match(r"\s*(\d+)\.(\d+)", p)
            if m:
                major, minor = int(m.group(1)), int(m.group(2))
                if version <= major * 1000 + minor * 10:
                    raise ParseError(
                        f"This CSD file requires version {major}.{minor:02d} of Csound")


def write_embedded_files(doc: CsdDocument, directory: str = ".") -> list[str]:
    """Write the CSD's embedded files into `directory`; return the paths to delete later.

    A file that already exists stops everything with Csound's `File NAME already exists`
    (files written before the failure are removed again).
    """
    written: list[str] = []
    for name, data in doc.files:
        path = os.path.join(directory, name)
        try:
            with open(path, "xb") as f:
                f.write(data)
        except FileExistsError:
            remove_files(written)
            raise FileError(f"File {name} already exists") from None
        except OSError:
            remove_files(written)
            raise FileError(f"Cannot open file ({name}) subfile") from None
        written.append(path)
    return written


def remove_files(paths: list[str]) -> list[str]:
    """Delete temporary files; return Csound's warnings for those that could not go."""
    warnings = []
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            warnings.append(f"WARNING: could not remove {path}")
    return warnings


def run_score_bin(doc: CsdDocument, score_text: str | None = None) -> str:
    """Run `<CsScore bin="prog">`: `prog IN OUT` through the shell, return OUT's text.

    `score_text` defaults to the section's body. Errors: FileError
    `External generation failed` (non-zero exit) or `cannot open OUT`.
    """
    if doc.score_bin is None:
        raise FileError("Missing program in tag <CsScore>")
    text = doc.score if score_text is None else score_text
    fd_in, ext_name = tempfile.mkstemp(prefix="csound-", suffix=".ext")
    fd_out, sco_name = tempfile.mkstemp(prefix="csound-", suffix=".sco")
    os.close(fd_out)
    os.remove(sco_name)
    try:
        with os.fdopen(fd_in, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text or "")
        status = subprocess.run(f"{doc.score_bin} {ext_name} {sco_name}", shell=True,
                                stdin=subprocess.DEVNULL).returncode
        if status != 0:
            raise FileError("External generation failed")
        try:
            with open(sco_name, "rb") as f:
                data = f.read()
        except OSError:
            raise FileError(f"cannot open {sco_name}") from None
        return data.decode("utf-8", errors="surrogateescape").replace("\r\n", "\n")
    finally:
        remove_files([p for p in (ext_name, sco_name) if os.path.exists(p)])
