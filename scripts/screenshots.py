"""Full-page screenshots of a running Roadmap site, to look at its pages at a glance.

    python scripts/screenshots.py --base http://127.0.0.1:8000 --out screenshots/

Takes home, the track list, the first track, its first topic and the resource list at desktop and phone
widths, in light and dark mode: screenshots/home-desktop-light.png, screenshots/topic-phone-dark.png, ...
Drives Debian's Chromium (set CHROMIUM_PATH to use another one).
"""

import argparse
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser.chromium import launch_chromium

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")


def first_link(page, url, selector):
    """The address of the first link matching selector on the page at url, or None."""
    page.goto(url)
    link = page.locator(selector).first
    return urljoin(url, link.get_attribute("href")) if link.count() else None


def pages_to_take(page, base):
    """Name → address of each page to photograph; the track and topic are the first ones listed."""
    pages = {"home": urljoin(base, "/"), "tracks": urljoin(base, "/tracks/")}
    track = first_link(page, pages["tracks"], ".track-card__title a")
    if track:
        pages["track"] = track
        topic = first_link(page, track, "a.roadmap-node__link")
        if topic:
            pages["topic"] = topic
    pages["resources"] = urljoin(base, "/resources/")
    return pages


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="address of the running site")
    parser.add_argument("--out", default="screenshots", type=Path, help="folder for the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        pages = pages_to_take(browser.new_page(), args.base)
        for viewport_name, viewport in VIEWPORTS.items():
            for scheme in SCHEMES:
                context = browser.new_context(
                    viewport=viewport, color_scheme=scheme, is_mobile=viewport_name == "phone"
                )
                page = context.new_page()
                for name, url in pages.items():
                    response = page.goto(url, wait_until="networkidle")
                    path = args.out / f"{name}-{viewport_name}-{scheme}.png"
                    page.screenshot(path=path, full_page=True)
                    print(f"{path}  ({response.status if response else '?'} {url})")
                context.close()
        browser.close()
    missing = {"track", "topic"} - pages.keys()
    if missing:
        print(f"No {' or '.join(sorted(missing))} to photograph: is any track published?", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
