"""Line rules: keyword families and shapes that mark one line as boilerplate wherever it stands.

Each rule is a small, explainable predicate over one stripped line, with the label it assigns.
The families hold across outlets: newsletter and subscription promos, widget words, consent and
cookie banners, legal and copyright footers, share bars (social network names), tag and topic
lists, breadcrumbs, bylines, "Read more: ..." links, truncated teasers, credit lines and captions
ending in a photo credit. Every rule is bounded in length, so a paragraph of prose that happens
to hold one of the words is never a match. Ingest uses them to tell an article from a page of
widgets; pre-annotation starts its boilerplate spans from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.credits import has_photo_credit, is_credit_line, is_photo_credit
from newsspan.dataset.heuristics.lines import word_count
from newsspan.dataset.heuristics.proposals import DEFAULTS

__all__ = ["RULES", "BoilerplateRule", "classify_line"]

_PROMO_VERB = re.compile(
    r"^(?:join|subscribe|sign\s+up|follow|download|get|publish|click|tap|try|explore|watch|listen|"
    r"register|like|share|don['’]t\s+miss|never\s+miss|stay\s+(?:informed|up\s+to\s+date|updated|connected)|"
    r"support|become\s+a|install|enter\s+your|receive|want\s+(?:more|to\s+stay))\b",
    re.IGNORECASE,
)
_PROMO_NOUN = re.compile(
    r"\b(?:newsletters?|channels?|e-?mails?|apps?|subscri\w*|updates|alerts|podcasts?|feeds?|telegram|"
    r"whatsapp|briefings?|features|news\s+release|inbox|premium|membership|notifications?|digest|roundup|"
    r"bulletin|unlimited\s+access|digital\s+access|free\s+trial)\b",
    re.IGNORECASE,
)
# A subscription offer or account widget anywhere in a short line, not only after a verb.
_ACCOUNT = re.compile(
    r"\b(?:subscribe(?:\s+now|\s+today)?|subscribers?|subscription|newsletters?|sign\s+(?:up|in)|log\s*(?:in|out)|"
    r"my\s+account|create\s+(?:an\s+)?account|unlimited\s+access|digital\s+access|already\s+a\s+subscriber|"
    r"e-?newspaper|today['’]s\s+paper|manage\s+(?:my\s+)?(?:account|subscription))\b",
    re.IGNORECASE,
)
_WIDGETS = re.compile(
    r"^(?:comments?|\d+\s+comments?|no\s+comments\s+yet\b[^\n]{0,60}|be\s+the\s+first\s+to\s+comment\.?|hashtags?|"
    r"tags?|share(?:\s+this(?:\s+(?:article|story|page))?)?|leave\s+a\s+(?:reply|comment)|reply|report|"
    r"related(?:\s+(?:articles?|stories|news|coverage|posts|content|topics))?|read\s+(?:more|next|also)|"
    r"advertisement|advertising|sponsored(?:\s+content)?|ad|"
    r"most\s+(?:read|popular|viewed|shared)|trending(?:\s+now)?|more\s+information|see\s+also|"
    r"recommended(?:\s+(?:for\s+you|stories|articles))?|print|email|top\s+stories|latest(?:\s+news)?|"
    r"you\s+may\s+also\s+like|(?:previous|next)(?:\s+(?:post|article|story))?|back\s+to\s+top|"
    r"skip\s+to\s+(?:main\s+)?content|search|menu|close|home|sections?|more|show\s+more|load\s+more|"
    r"(?:continue|keep)\s+reading|loading|play|replay|watch|listen|video|photos?|gallery|"
    r"more\s+(?:from|on|stories|videos|news)\b.{0,40}|editor['’]s\s+picks?|don['’]t\s+miss)"
    r"[\s:.…>»]*$",
    re.IGNORECASE,
)
_HASHTAGS = re.compile(r"^#\w+(?:\s+#\w+)*$")
_SOCIAL = (
    r"facebook|twitter|linkedin|e-?mail|print|whatsapp|pinterest|reddit|tumblr|instagram|youtube|telegram|"
    r"flipboard|pocket|messenger|snapchat|tiktok|rss|vk|weibo|wechat|line|sms|copy|link|url|copied|share[ds]?|"
    r"sharing|tweet|pin|save|comment|comments|more|options|show|close|extra|on|via|this|article|story|the|"
    r"follow|us|and|or|icon|x"
)
_SHARE_BAR = re.compile(rf"^(?:(?:{_SOCIAL})[\s!.,|:•·/+&-]*)+$", re.IGNORECASE)
_SOCIAL_NAME = re.compile(
    r"\b(?:facebook|twitter|linkedin|e-?mail|whatsapp|pinterest|reddit|instagram|youtube|telegram|share|"
    r"tweet|print|copy\s+link|flipboard|rss)\b",
    re.IGNORECASE,
)
_CONSENT = re.compile(r"\bcookies?\b|\bgdpr\b|\bconsent\b", re.IGNORECASE)
_CONSENT_CONTEXT = re.compile(
    r"\b(?:we\s+use|this\s+(?:web)?site|our\s+(?:web)?site|browsing|browser|accept|agree|settings|preferences|"
    r"policy|privacy|personali[sz]ed?|partners|experience|continu(?:e|ing)\s+to\s+use|opt\s+out|manage)\b",
    re.IGNORECASE,
)
_LEGAL = re.compile(
    r"\b(?:terms\s+(?:of\s+(?:use|service|sale)|and\s+conditions|&\s+conditions)|privacy\s+(?:policy|notice|"
    r"statement|settings|center|centre)|cookie\s+(?:policy|settings)|all\s+rights\s+reserved|copyright|"
    r"ad\s*choices|do\s+not\s+sell\s+my|accessibility|site\s*map|contact\s+us|about\s+us|advertise\s+with\s+us|"
    r"work\s+(?:for|with)\s+us|careers|code\s+of\s+(?:conduct|ethics)|reprints?|permissions|"
    r"community\s+(?:guidelines|standards)|disclaimer|user\s+agreement|subscriber\s+agreement)\b|©",
    re.IGNORECASE,
)
_TAGS = re.compile(
    r"^(?:tags?|topics?|related\s+topics|filed\s+(?:under|in)|categor(?:y|ies)|keywords?|posted\s+in|"
    r"more\s+about|subjects?|themes?|in\s+this\s+(?:article|story))\s*[:\-–]\s*\S",
    re.IGNORECASE,
)
_BREADCRUMB_SEP = re.compile(r"\s+(?:[>›»|·•/]|->|–|—)\s+|\s*[›»|·•]\s*")
_BYLINE = re.compile(
    r"^(?i:(?:analysis|opinion|commentary|story|text|words|written|posted|published|reported|photos?|video)\s+)?"
    r"(?i:by)\s+[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|al|bin|and|&|,))*"
    r"(?:\s*[,|–—-]\s*[\w .,'’&-]{0,60})?$|^(?i:author|writer|reporter|byline)s?\s*:\s*\S",
)
_READ_MORE = re.compile(
    r"^(?:read\s+(?:more|also|next)|also\s+read|see\s+(?:more|also)|related(?:\s+\w+)?|more|watch|listen|"
    r"recommended|trending|must\s+read|don['’]t\s+miss)\s*(?::|-|–|—|>>?|»)\s*\S",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class BoilerplateRule:
    """A named rule: the label it assigns and the predicate over one stripped line."""

    name: str
    label: str
    matches: Callable[[str, PreannotateOptions], bool]


def _is_promo(line: str, options: PreannotateOptions) -> bool:
    if word_count(line, at_most=options.promo_max_words + 1) > options.promo_max_words:
        return False
    if _PROMO_VERB.match(line) and _PROMO_NOUN.search(line):
        return True
    return word_count(line, at_most=options.widget_max_words + 1) <= options.widget_max_words and bool(
        _ACCOUNT.search(line)
    )


def _is_widget(line: str, options: PreannotateOptions) -> bool:
    return len(line) <= options.widget_max_chars and bool(_WIDGETS.match(line) or _HASHTAGS.match(line))


def _is_share_bar(line: str, options: PreannotateOptions) -> bool:
    return len(line) <= options.widget_max_chars and bool(_SOCIAL_NAME.search(line) and _SHARE_BAR.match(line))


def _is_consent(line: str, options: PreannotateOptions) -> bool:
    if word_count(line, at_most=options.promo_max_words + 1) > options.promo_max_words:
        return False
    return bool(_CONSENT.search(line) and _CONSENT_CONTEXT.search(line))


def _is_legal(line: str, options: PreannotateOptions) -> bool:
    if "©" in line or line[:10].casefold().startswith("copyright"):
        return word_count(line, at_most=options.promo_max_words + 1) <= options.promo_max_words
    short = word_count(line, at_most=options.widget_max_words + 1) <= options.widget_max_words
    return short and line[-1:] not in '.!?"”' and bool(_LEGAL.search(line))


def _is_tags(line: str, options: PreannotateOptions) -> bool:
    return len(line) <= options.widget_max_chars * 3 and bool(_TAGS.match(line)) and line[-1:] not in ".!?"


def _is_breadcrumb(line: str, options: PreannotateOptions) -> bool:
    if len(line) > options.widget_max_chars * 2 or line[-1:] in '.!?"”':
        return False
    parts = [part for part in _BREADCRUMB_SEP.split(line) if part.strip()]
    dashes_only = not any(sep in line for sep in ">›»|·•/")
    return len(parts) >= (3 if dashes_only else 2) and all(word_count(part, at_most=5) <= 4 for part in parts)


def _is_byline(line: str, options: PreannotateOptions) -> bool:
    return word_count(line, at_most=options.byline_max_words + 1) <= options.byline_max_words and bool(
        _BYLINE.match(line)
    )


def _is_read_more(line: str, options: PreannotateOptions) -> bool:
    return word_count(line, at_most=options.promo_max_words + 1) <= options.teaser_max_words and bool(
        _READ_MORE.match(line)
    )


def _is_teaser(line: str, options: PreannotateOptions) -> bool:
    return line.endswith(("...", "…")) and word_count(line) >= options.teaser_min_words


def _is_credit_line(line: str, options: PreannotateOptions) -> bool:
    return is_credit_line(line)


def _is_photo_credit(line: str, options: PreannotateOptions) -> bool:
    return is_photo_credit(line) and line[-1:] not in ".!?"


def _is_caption(line: str, options: PreannotateOptions) -> bool:
    words = word_count(line, at_most=options.caption_max_words + 1)
    return options.caption_min_words <= words <= options.caption_max_words and has_photo_credit(line)


RULES: Final[tuple[BoilerplateRule, ...]] = (
    BoilerplateRule("consent_banner", "NAVIGATION", _is_consent),
    BoilerplateRule("legal_footer", "NAVIGATION", _is_legal),
    BoilerplateRule("widget_text", "NAVIGATION", _is_widget),
    BoilerplateRule("share_bar", "NAVIGATION", _is_share_bar),
    BoilerplateRule("promo_imperative", "PROMO", _is_promo),
    BoilerplateRule("tag_list", "NAVIGATION", _is_tags),
    BoilerplateRule("credit_line", "CREDIT", _is_credit_line),
    BoilerplateRule("photo_credit", "CAPTION", _is_photo_credit),
    BoilerplateRule("byline", "CREDIT", _is_byline),
    BoilerplateRule("breadcrumb", "NAVIGATION", _is_breadcrumb),
    BoilerplateRule("read_more_link", "RELATED", _is_read_more),
    BoilerplateRule("truncated_teaser", "RELATED", _is_teaser),
    BoilerplateRule("caption_credit", "CAPTION", _is_caption),
)


def classify_line(line: str, options: PreannotateOptions = DEFAULTS) -> BoilerplateRule | None:
    """The first rule that matches ``line`` (stripped), or None for article text."""
    stripped = line.strip()
    if not stripped:
        return None
    for rule in RULES:
        if rule.matches(stripped, options):
            return rule
    return None
