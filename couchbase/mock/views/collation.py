"""View collation (docs/protocol.md section 10.8): JSON values -> Python sort keys.

``sort_key(value)`` returns a tuple that Python compares in view order:
null < false < true < numbers < strings < arrays < objects; arrays element by element
(a prefix first), objects member by member (key, then value).

Strings follow the Unicode Collation Algorithm as ICU's root locale applies it, on three
levels: primary (base characters: whitespace < punctuation < symbols < currency < digits <
letters; case and accents ignored), secondary (accents, in ICU's order of the combining
marks, compared left to right) and tertiary (lowercase before uppercase). The ASCII order
and the orders of the marks and of the letters that do not decompose were read from ICU;
scripts other than Latin sort after it by code point, which is ICU's script order for the
common scripts. tests/mock/test_views_collation.py checks it against V8's ICU collator.
"""

import functools
import unicodedata

#: Printable ASCII other than letters and digits, in ICU root order (space first).
_ICU_ASCII = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
#: Whitespace controls, in ICU order, before the space.
_ICU_WS = "\t\n\x0b\x0c\r\x85\u2028"
#: Combining marks U+0300..U+036F by ICU secondary weight (U+034F is ignorable).
_ICU_MARKS = ("332 313 343 314 301 341 300 340 306 302 30c 30a 342 308 344 30b 303 307 338 327 "
              "328 304 30d 30e 312 315 31a 33d 33e 33f 346 34a 34b 34c 350 351 352 357 35b 35d "
              "35e 316 317 318 319 31c 31d 31e 31f 320 329 32a 32b 32c 32f 333 33a 33b 33c 347 "
              "348 349 34d 34e 353 354 355 356 359 35a 35c 35f 362 336 337 335 305 309 30f 310 "
              "311 31b 321 322 323 324 325 326 32d 32e 330 331 334 339 345 358 360 361 363 368 "
              "369 364 36a 365 36b 366 36c 36d 367 36e 36f")
#: Letters that do not decompose: their primary letters and a secondary rank after the marks.
_SPECIAL = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
            "ħ": "h", "ı": "i", "ſ": "s", "ĸ": "q"}
_SPECIAL_SECONDARY = {"ø": 1, "ł": 1, "đ": 1, "ð": 2, "ħ": 1, "ı": 1, "ſ": 1, "ĸ": 1,
                      "ß": 1, "æ": 1, "œ": 1}

# Primary weights (one character each, or a class marker followed by the code point).
_W = {}
_w = 0x20
for _c in _ICU_WS + _ICU_ASCII[:1]:
    _w += 1
    _W[_c] = chr(_w)
_SPACE = _W[" "]
for _c in _ICU_ASCII[1:]:
    _w += 1
    _W[_c] = chr(_w)
    if _c == "#":                      # the last ASCII punctuation: other punctuation goes here
        _w += 1
        _PUNCT_X = chr(_w)
    if _c == "~":                      # the last ASCII symbol before currency
        _w += 1
        _SYMBOL_X = chr(_w)
_w += 1
_CURRENCY_X = chr(_w)
_DIGIT0 = _w + 1
for _d in range(10):
    _W[str(_d)] = chr(_DIGIT0 + _d)
_w = _DIGIT0 + 10
_NUMBER_X = chr(_w)
_LETTER_A = _w + 1
for _i in range(26):
    _W[chr(97 + _i)] = _W[chr(65 + _i)] = chr(_LETTER_A + _i)
_LETTER_X = chr(_LETTER_A + 26)
_IMPLICIT_X = chr(_LETTER_A + 27)      # unassigned and private-use code points: after all letters

_MARK_RANK = {}
for _i, _h in enumerate(_ICU_MARKS.split()):
    _MARK_RANK[chr(int(_h, 16))] = chr(0x10 + _i)
_STROKE = chr(0x10 + len(_MARK_RANK))

# ASCII fast path: str.translate tables for the primary and tertiary levels.
_ASCII_PRIMARY = {i: _W.get(chr(i)) for i in range(128)}       # None deletes (ignorable)
_ASCII_TERTIARY = {i: ("\x02" if 65 <= i <= 90 else "\x01") if chr(i) in _W else None
                   for i in range(128)}


def _char_weights(ch, prim, sec, ter):
    """Append one non-ASCII character's weights to the three level lists."""
    w = _W.get(ch)
    if w is not None:
        prim.append(w)
        sec.append("\x01")
        ter.append("\x02" if "A" <= ch <= "Z" else "\x01")
        return
    lower = ch.lower()
    upper = lower != ch
    special = _SPECIAL.get(lower)
    if special is not None:
        for c in special:
            prim.append(_W[c])
            sec.append("\x01")
            ter.append("\x02" if upper else "\x01")
        sec[-1] = "\x01" + _STROKE * _SPECIAL_SECONDARY[lower]
        return
    cat = unicodedata.category(ch)
    if cat[0] == "M":                                   # a combining mark on the previous base
        rank = _MARK_RANK.get(ch)
        if rank is not None and sec:
            sec[-1] += rank
        return
    if cat[0] == "L":
        base = unicodedata.normalize("NFD", ch)
        if len(base) > 1 or base != ch:
            _char_weights(base[0], prim, sec, ter)
            for m in base[1:]:
                _char_weights(m, prim, sec, ter)
            if upper:
                ter[-1] = "\x02"
            return
        prim.append(_LETTER_X + lower)
    elif cat == "Nd":
        prim.append(chr(_DIGIT0 + unicodedata.digit(ch)))
    elif cat[0] == "N":
        compat = unicodedata.normalize("NFKD", ch)       # ½ sorts as 1⁄2, ² as 2
        if compat != ch:
            for c in compat:
                _char_weights(c, prim, sec, ter)
            return
        prim.append(_NUMBER_X + ch)
    elif cat[0] == "Z" or ch in _ICU_WS:
        prim.append(_SPACE)
    elif cat[0] == "P":
        prim.append(_PUNCT_X + ch)
    elif cat == "Sc":
        prim.append(_CURRENCY_X + ch)
    elif cat[0] == "S":
        prim.append(_SYMBOL_X + ch)
    elif cat in ("Cn", "Co"):
        prim.append(_IMPLICIT_X + ch)
    else:                                               # controls, format characters: ignorable
        return
    sec.append("\x01")
    ter.append("\x02" if upper else "\x01")


@functools.lru_cache(maxsize=1 << 16)
def string_key(s):
    """(primary, secondary, tertiary) strings that compare as ICU's root collator does."""
    if s.isascii():
        prim = s.translate(_ASCII_PRIMARY)
        return (prim, "", s.translate(_ASCII_TERTIARY))
    prim, sec, ter = [], [], []
    for ch in s:
        if ch < "\x80":
            w = _W.get(ch)
            if w is not None:
                prim.append(w)
                sec.append("\x01")
                ter.append("\x02" if "A" <= ch <= "Z" else "\x01")
        else:
            _char_weights(ch, prim, sec, ter)
    secondary = "".join(sec)
    if secondary.strip("\x01") == "":
        secondary = ""                      # no accents: equal to an ASCII string's empty level
    return ("".join(prim), secondary, "".join(ter))


def sort_key(v):
    """A tuple that sorts JSON value ``v`` in view collation order."""
    if v is None:
        return (0,)
    if v is False:
        return (1,)
    if v is True:
        return (2,)
    t = type(v)
    if t is str:
        return (4, string_key(v))
    if t is int or t is float:
        return (3, v)
    if t is list:
        return (5, tuple([sort_key(x) for x in v]))
    if t is dict:
        members = []
        for k, x in v.items():
            members.append((4, string_key(k)))
            members.append(sort_key(x))
        return (6, tuple(members))
    raise TypeError("not a JSON value: %r" % (v,))


def compare(a, b):
    """-1, 0 or 1 as JSON values ``a`` and ``b`` collate."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)
