"""Phone-number normalisation shared by the bridge, the routing service and the UI.

Every number is stored and looked up in E.164 so that a caller is found by an indexed equality, whatever
format the carrier delivered (13800138000, +8613800138000, 8613800138000, 013800138000, 010-12345678,
4008001234 ...). Pure Python (phonenumbers), no Odoo.
"""

import functools
import re

import phonenumbers
from phonenumbers import geocoder

# What Asterisk puts in CallerIDNum when there is no number.
_NO_NUMBER = {"", "<unknown>", "unknown", "anonymous", "restricted", "private", "unavailable"}
_JUNK = re.compile(r"[\s\-().\u3000]")


def clean(raw):
    """The dialable characters of ``raw`` ('' for Asterisk's placeholders)."""
    raw = (raw or "").strip()
    if raw.lower() in _NO_NUMBER:
        return ""
    return _JUNK.sub("", raw)


@functools.lru_cache(maxsize=65536)
def to_e164(raw, country="CN"):
    """E.164 form of ``raw`` read in ``country`` (ISO code), or None when it cannot be a phone number.

    Internal extensions (8001) and short service codes are not customer numbers: None.
    """
    digits = clean(raw)
    if len(re.sub(r"\D", "", digits)) < 6:
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    parsed = _parse(digits, country)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _parse(digits, country):
    try:
        parsed = phonenumbers.parse(digits, (country or "CN").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed) and not digits.startswith("+"):
        # Carriers also deliver the country code without '+' (8613800138000).
        try:
            prefixed = phonenumbers.parse("+" + digits, None)
        except phonenumbers.NumberParseException:
            return parsed
        if phonenumbers.is_valid_number(prefixed):
            return prefixed
    return parsed


def is_valid(raw, country="CN"):
    """True when ``raw`` is a number the carrier could actually ring (not only plausibly long enough)."""
    e164 = to_e164(raw, country)
    return bool(e164) and phonenumbers.is_valid_number(phonenumbers.parse(e164, None))


@functools.lru_cache(maxsize=65536)
def region(e164, lang="en"):
    """Where the number is from ('北京市', 'Chongqing', 'China' for mobiles in English ...), '' if unknown."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ""
    lang = (lang or "en").split("_")[0]
    return geocoder.description_for_number(parsed, lang, region=None) or ""
