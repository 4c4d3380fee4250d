"""Pages and scraped text in Chinese, Japanese, Korean, Thai, Arabic, Hindi and Russian are
cleaned like English ones: words counted by Unicode segmentation (not by spaces), the language
detected, body, title and date found, menus, related links and footers left out.

The pages under tests/data/scripts/ are written for these tests: a news report in each script
with its headline, a date line as such sites print it, paragraphs, a menu, related links and a
footer, as a whole HTML page (<lang>.html) and as its scraped text (<lang>.txt); <lang>.gold.json
holds what the cleaner must find."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from services.cleaner.clean import clean_article
from services.cleaner.localdate import is_local_date_line, parse_local_date
from services.cleaner.segment import count_sentences, count_words, words
from shared.contracts.schemas import RawArticle

DATA = Path(__file__).resolve().parents[1] / "data" / "scripts"
LANGUAGES = ("zh", "ja", "ko", "th", "ar", "hi", "ru")


def _gold(lang: str) -> dict:
    return json.loads((DATA / f"{lang}.gold.json").read_text(encoding="utf-8"))


def _furniture(lang: str) -> list[str]:
    """Menu entries, related links and footer lines: the scraped text's lines that are not the
    article's (site name, headline, date line and paragraphs aside)."""
    gold = _gold(lang)
    lines = (DATA / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
    first, last = lines.index(gold["body"][0]), lines.index(gold["body"][-1])
    return [line for line in lines[1:first - 2] + lines[last + 1:] if line]


@pytest.mark.parametrize("kind", ["html", "txt"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_in_any_script_is_cleaned(lang: str, kind: str) -> None:
    gold = _gold(lang)
    content = (DATA / f"{lang}.{kind}").read_text(encoding="utf-8")
    clean = clean_article(RawArticle(content=content, content_type="text/html" if kind == "html" else "text/plain"))
    assert clean.body.split("\n\n") == gold["body"]
    assert clean.title == gold["title"]
    assert clean.published_at is not None and clean.published_at.date() == date.fromisoformat(gold["date"])
    assert clean.language == gold["language"]
    assert "not_english" in clean.quality_flags
    assert not {"short_body", "no_prose", "whole_text"} & set(clean.quality_flags)
    assert clean.word_count == sum(count_words(p) for p in gold["body"])
    paragraphs = clean.body.split("\n\n")
    # a menu entry may be a word of the article ("新闻" in "新闻发布会"): longer lines are looked for
    # inside paragraphs, short ones as paragraphs of their own
    leaked = [ln for ln in _furniture(lang) if ln in paragraphs or (len(ln) >= 8 and ln in clean.body)]
    assert not leaked


def test_words_of_scripts_without_spaces_are_counted() -> None:
    assert words("北京市政府周二宣布新计划") == ["北京市", "政府", "周二", "宣布", "新", "计划"]
    assert count_words("東京都は火曜日、新しい交通計画を発表しました。") >= 8
    assert count_words("กรุงเทพมหานครประกาศแผนการขนส่งใหม่ในวันอังคาร") >= 6
    assert count_words("서울시는 화요일 새로운 교통 계획을 발표했다.") == 6
    assert count_words("Правительство объявило во вторник о новом плане.") == 7
    assert count_words("The council met on Monday.") == 5


def test_sentences_are_counted_in_any_script() -> None:
    assert count_sentences("江城市交通局周四宣布。这条线路全长三十二公里。") == 2
    assert count_sentences("सरकार ने योजना की घोषणा की। यह अगले साल शुरू होगी।") == 2
    assert count_sentences("هل يبدأ المشروع قريبا؟ نعم، الشهر المقبل.") == 2
    assert count_sentences("One sentence only") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年3月14日 09:30", "2025-03-14"),
        ("입력 2025.03.14 10:21", "2025-03-14"),
        ("14 марта 2025, 12:40", "2025-03-14"),
        ("14.03.2025 г.", "2025-03-14"),
        ("الجمعة ١٤ مارس ٢٠٢٥", "2025-03-14"),
        ("१४ मार्च २०२५", "2025-03-14"),
        ("14 มีนาคม 2568 เวลา 11:15 น.", "2025-03-14"),
        ("发布时间：2025-03-14 09:30", "2025-03-14"),
        ("2025/03/14 18:05", "2025-03-14"),
        # Levantine month names, two names side by side, alef written without its hamza
        ("الجمعة، 14 آذار/مارس 2025، آخر تحديث 10:45", "2025-03-14"),
        ("14 اذار 2025", "2025-03-14"),
        # month names of languages written in Latin letters
        ("Publié le 14 mars 2025 à 10:21", "2025-03-14"),
        ("1er mars 2025", "2025-03-01"),
        ("Actualizado: 14 de marzo de 2025", "2025-03-14"),
        ("14. März 2025, 10:21 Uhr", "2025-03-14"),
        ("14 marzo 2025", "2025-03-14"),
        # a Thai month abbreviated with stops, which the locale data writes without them
        ("14 มี.ค. 2568 10:21 น.", "2025-03-14"),
        ("1 ธ.ค. 2567", "2024-12-01"),
        # stops for spaces between the day, an abbreviated month and the year
        ("3.abr.2025 às 09h10", "2025-04-03"),
        ("21.dez.2024 às 12h55", "2024-12-21"),
    ],
)
def test_dates_printed_in_other_scripts(text: str, expected: str) -> None:
    value = parse_local_date(text)
    assert value is not None and value.date() == date.fromisoformat(expected)


def test_a_sentence_opening_with_a_date_is_not_a_date_line() -> None:
    assert is_local_date_line("2025年3月14日 09:30 来源：江城日报")
    assert is_local_date_line("发布时间：2025-03-14 09:30") and is_local_date_line("14.03.2025 12:40")
    assert not is_local_date_line("March 14, 2025")  # English date lines are read by the cues
    assert not is_local_date_line("14 March 2025")
    assert is_local_date_line("Actualizado 14 de marzo de 2025 10:21 horas")
    assert not is_local_date_line("He scored 3 goals in 14 matches in 2025")
    assert not is_local_date_line("2025年3月14日，江城市交通局宣布地铁三号线年底通车。")
    assert not is_local_date_line("14 марта 2025 года в городе торжественно открыли новый мост через реку")


def test_a_headline_in_a_script_without_spaces_is_found_above_a_share_bar() -> None:
    """A headline in Chinese is one run between spaces: its words, the segmenter's, must be shaped
    like a headline and be found again in the body, also when a share bar stands between the
    date line and the first paragraph (the bar's labels are no headline)."""
    gold = _gold("zh")
    lines = (DATA / "zh.txt").read_text(encoding="utf-8").splitlines()
    below_date = lines.index(gold["title"]) + 2
    share_bar = ["微信", "微博", "QQ空间", "转发给朋友", "打印本页"]
    text = "\n".join(lines[:below_date] + share_bar + lines[below_date:])
    clean = clean_article(RawArticle(content=text))
    assert clean.title == gold["title"]
    assert clean.body.split("\n\n") == gold["body"]


def test_a_photo_caption_stays_out_when_the_page_is_read_as_visible_text() -> None:
    """A page trafilatura keeps nothing of (a Chinese page here) is read as its visible text; a
    photo's caption, an element its template names a caption, is dropped there as well."""
    gold = _gold("zh")
    page = (DATA / "zh.html").read_text(encoding="utf-8")
    caption = "江城地铁三号线的列车在北部新区车站进行空载试运行。"
    first = page.index("<p>")
    page = (page[:first] + f'<div class="image"><img src="line3.jpg" alt="地铁"><p class="caption">{caption}</p></div>'
            + page[first:])
    clean = clean_article(RawArticle(content=page, content_type="text/html"))
    assert clean.body.split("\n\n") == gold["body"]
