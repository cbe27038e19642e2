"""Tokens and highlighted snippets for the knowledge search (pure Python, no Odoo import).

Chinese has no spaces and most of its words are two characters long, which pg_trgm cannot index (a
two-character pattern has no trigram). Chinese runs are therefore indexed as their single characters and
overlapping character pairs (bigrams); a query term matches when all its bigrams are present, and the exact
substring is then rechecked. Latin words are indexed whole and lowercased.
"""

import re

from markupsafe import Markup, escape

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_RUN = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+)")
SNIPPET_CHARS = 160


def terms(text):
    """The query's terms, lowercased, in order, without duplicates: ("cjk"|"word", term)."""
    found = []
    for cjk, word in _RUN.findall((text or "").lower()):
        item = ("cjk", cjk) if cjk else ("word", word)
        if item not in found:
            found.append(item)
    return found


def cjk_grams(run):
    """A Chinese term's index keys: its bigrams, or the character itself when alone."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def document_tokens(text):
    """Space-separated index keys of a document: Chinese unigrams and bigrams, Latin words."""
    tokens = set()
    for cjk, word in _RUN.findall((text or "").lower()):
        if word:
            tokens.add(word)
            continue
        tokens.update(cjk)
        tokens.update(cjk_grams(cjk))
    return " ".join(sorted(tokens))


def _pattern(found):
    """What the search matched: substrings, except short Latin words, matched whole as in the index."""
    found = sorted({item for item in found if item[1]}, key=lambda item: len(item[1]), reverse=True)
    if not found:
        return None
    parts = [
        rf"(?<![^\W_]){re.escape(term)}(?![^\W_])" if kind == "word" and len(term) < 3 else re.escape(term)
        for kind, term in found
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text, found):
    """``text`` HTML-escaped with every match of the ``found`` terms wrapped in <mark> (Markup)."""
    pattern = _pattern(found)
    text = text or ""
    if not pattern:
        return escape(text)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def snippet(text, found, size=SNIPPET_CHARS):
    """A window of ``text`` around the first match of the ``found`` terms, highlighted, escaped (Markup)."""
    text = " ".join((text or "").split())
    pattern = _pattern(found)
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - size // 3) if match else 0
    end = min(len(text), start + size)
    window = highlight(text[start:end], found)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Markup("%s%s%s") % (prefix, window, suffix)
