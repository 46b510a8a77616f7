"""Sizes as a draft writes them: letters (XS … XXXL), numbers ("42", "38,5"), "Taglia unica", ages.

The vision model answers "taglia M", "Size: m", "EU 38", "2XL", "one size"; a label says "TAGLIA M",
"TG. 42", "IT 44", "EU 38". Each becomes one short value. A number in Vinted's own (European) system loses
its "EU"; Italian, British and American numbers keep their system ("IT 44"), because "44" alone would
read as a European size that it is not. Mapping onto Vinted's size groups is the catalog's job.
"""

from __future__ import annotations

import re
import unicodedata

ONE_SIZE = "Taglia unica"
LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
_LETTER_ALIASES = {"2XL": "XXL", "3XL": "XXXL", "2XS": "XXS", "XXXXL": "XXXL", "4XL": "XXXL"}
_LETTER = r"(?:XXXL|XXL|XL|XXS|XS|[234]XL|2XS|S|M|L)"
_NUMBER = r"\d{1,3}(?:[.,]5)?"
_SYSTEMS = {"EU": "", "EUR": "", "IT": "IT ", "ITA": "IT ", "UK": "UK ", "US": "US "}

_ONE_SIZE = re.compile(
    r"\b(?:TAGLIA UNICA|ONE SIZE|ONESIZE|TAILLE UNIQUE|TALLA UNICA|UNICA|TU|OS|UNI)\b|^(?:TAGLIAUNICA)$"
)
# "TAGLIA M", "TG. 42", "SIZE: XL", "TAILLE 38"; OCR often drops the spaces ("TAGLIAM").
_KEYWORD = re.compile(
    r"(?<![A-Z])(?:TAGLIA|TG|SIZE|TAILLE|TALLA)\s*[.:]?\s*(?:(EU|EUR|IT|ITA|UK|US)\s*)?"
    rf"({_LETTER}|{_NUMBER})(?![A-Z0-9])"
)
_SYSTEM = re.compile(rf"(?<![A-Z0-9])(EU|EUR|IT|ITA|UK|US)\s*[.:]?\s*({_NUMBER})(?![0-9])")
# H&M and Zara write letters after the system too: "EUR M".
_SYSTEM_LETTER = re.compile(rf"(?<![A-Z0-9])(?:EUR|EU)\s*[.:]?\s*({_LETTER})(?![A-Z])")
_AGE = re.compile(r"^(\d{1,2})\s*(ANNI|ANNO|MESI|MESE|YEARS?|Y|MONTHS?|M)$")
_ALONE = re.compile(rf"^(?:{_LETTER}|{_NUMBER})$")


def _upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    return " ".join(plain.split())


def _size(token: str, system: str | None = None) -> str:
    token = _LETTER_ALIASES.get(token, token)
    if token in LETTER_SIZES:
        return token
    number = token.replace(".", ",")
    prefix = _SYSTEMS.get(system or "EU", "")
    return f"{prefix}{number}"


def normalise_size(value: object) -> str | None:
    """The model's ``size`` value: one size, or None when it is not a size."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = _upper(str(value)).strip(" .:-")
    if not text or len(text) > 40:
        return None
    if _ONE_SIZE.search(text):
        return ONE_SIZE
    age = _AGE.match(text)
    if age:
        months = age.group(2).startswith(("MES", "MONTH")) or age.group(2) == "M"
        return f"{int(age.group(1))} {'mesi' if months else 'anni'}"
    if _ALONE.match(text):
        return _size(text)
    found = size_in_text(text)
    if found:
        return found
    system = _SYSTEM.fullmatch(text)
    return _size(system.group(2), system.group(1)) if system else None


def size_in_text(text: str) -> str | None:
    """A size the text states with a keyword ("taglia M", "tg 42") or a system ("EU 38"), else None.

    Bare letters are not taken from running text: the "M" of "M&S" or the "S" of a list is no size.
    """
    upper = _upper(text)
    keyword = _KEYWORD.search(upper)
    if keyword:
        return _size(keyword.group(2), keyword.group(1))
    if re.search(r"\b(?:TAGLIA UNICA|ONE SIZE|TAILLE UNIQUE)\b", upper):
        return ONE_SIZE
    system = _SYSTEM.search(upper)
    return _size(system.group(2), system.group(1)) if system else None


def size_on_label(lines: list[str]) -> str | None:
    """A size a label states: a keyword, then a European number, then a letter on its own line, then
    another system's number (the first line that says one wins within each kind)."""
    upper = [_upper(line) for line in lines]
    for line in upper:
        keyword = _KEYWORD.search(line)
        if keyword:
            return _size(keyword.group(2), keyword.group(1))
    for line in upper:
        if _ONE_SIZE.fullmatch(line.replace(" ", "")) or "TAGLIA UNICA" in line or "ONE SIZE" in line:
            return ONE_SIZE
    systems = [(m.group(1), m.group(2)) for line in upper for m in _SYSTEM.finditer(line)]
    european = next((number for system, number in systems if system in ("EU", "EUR")), None)
    if european:
        return _size(european)
    for line in upper:
        letter = _SYSTEM_LETTER.search(line)
        if letter:
            return _size(letter.group(1))
    for line in upper:
        compact = line.replace(" ", "")
        if re.fullmatch(_LETTER, compact):
            return _size(compact)
    return _size(systems[0][1], systems[0][0]) if systems else None
