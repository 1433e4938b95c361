"""The owner's morning in Chromium, at 1366 px and on a 390 px phone, in
French, Dutch and English: login → dashboard → a late claim → its next step →
record a payment → a dispute → the portal as the debtor.

On every page: no console error, no amount broken over two lines, every
element id unique; on Dutch and English pages, no French marker word anywhere
in the menu and the page's main part (login, dashboard, claim, its menus and
messages, the portal). Screenshots are saved under var/screenshots/ for a
human to look at.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.claims.engine_fixtures import open_claim

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
# Words that only a French screen shows (checked on nl/en screens).
FRENCH_MARKERS = (
    "Créance",
    "créance",
    "Débiteur",
    "débiteur",
    "Enregistrer",
    "Tableau de bord",
    "Prochaine",
    "relance",
    "Paramètres",
    "Se déconnecter",
    "Autres actions",
    "Rien n'est parti",
    "Contestation",
    "Paiement",
    "paiement",
)
# The parts of every page whose words this walk checks: all of it.
CHECKED = "nav.app-nav, main"

# Every .amount / .kpi element: its text laid out on one line.
BROKEN_AMOUNTS = """() => [...document.querySelectorAll('.amount, .kpi')]
  .filter(el => el.offsetParent !== null && el.textContent.trim())
  .filter(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()]
      .filter(r => r.width > 0).map(r => Math.round(r.top)));
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    return tops.size > 1 || range.getBoundingClientRect().height > line * 1.5;
  })
  .map(el => el.textContent.trim())"""
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.offsetParent !== null && !el.closest('.table-responsive, .dropdown-menu'))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 40))"""
DUPLICATE_IDS = """() => {
  const seen = {}; const twice = [];
  for (const el of document.querySelectorAll('[id]')) {
    if (seen[el.id]) twice.push(el.id); seen[el.id] = true;
  }
  return twice;
}"""


@pytest.fixture
def book(engine_seed):
    """A Liège bakery (and a second creditor, for the switcher) with a late
    business debtor whose first reminder is planned."""
    bakery = f.CreditorFactory(legal_name="Boulangerie Lejeune SRL")
    workshop = f.FrenchCreditorFactory(legal_name="Atelier Rhône SARL")
    owner = f.UserFactory(username="owner")
    f.MembershipFactory(user=owner, creditor=workshop, role="owner")
    f.MembershipFactory(user=owner, creditor=bakery, role="owner")
    debtor = f.DebtorFactory(
        creditor=bakery, name="Vandamme Logistics BV", language="nl"
    )
    today = timezone.localdate()
    claim = open_claim(
        bakery, debtor, due=today - dt.timedelta(days=20), amount="1643668.46"
    )
    # The bakery is the creditor the owner used last.
    from claims.models import Membership
    from claims.security.members import membership_remember

    membership_remember(Membership.objects.get(user=owner, creditor=bakery))
    return claim


class Walk:
    def __init__(self, page, lang: str, width: str) -> None:
        self.page, self.lang, self.width = page, lang, width
        self.errors: list[str] = []
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self, name: str, *, words: bool = True) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"cockpit-{self.lang}-{self.width}-{name}.png"),
            full_page=True,
        )
        assert self.errors == [], (name, self.errors)
        assert page.evaluate(BROKEN_AMOUNTS) == [], name
        assert page.evaluate(DUPLICATE_IDS) == [], name
        # Nothing wider than the screen (tables scroll inside their box).
        assert page.evaluate(TOO_WIDE) == [], name
        # A phone's layout viewport widens to fit what overflows: the page
        # itself must stay as wide as the screen.
        width = WIDTHS[self.width][0]
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if words and self.lang != "fr":
            text = " ".join(page.locator(CHECKED).all_inner_texts())
            found = [w for w in FRENCH_MARKERS if w in text]
            assert found == [], (name, found, text[:400])

    def menu(self) -> None:
        """On a phone the menu is collapsed behind its button; on a laptop it
        is one line."""
        page = self.page
        nav = page.locator("nav.app-nav")
        if self.width == "phone":
            assert page.locator("#nav").is_hidden()
            page.locator(".navbar-toggler").click()
            page.locator("#nav").wait_for(state="visible")
        else:
            assert nav.bounding_box()["height"] < 70, "the menu wraps"
        switcher = page.get_by_test_id("creditor-switcher")
        assert switcher.inner_text().strip() == "Boulangerie Lejeune SRL"
        if self.width == "phone":
            page.wait_for_selector("#nav.collapse.show")
            page.screenshot(
                path=str(SCREENSHOTS / f"cockpit-{self.lang}-phone-menu.png")
            )
            page.reload()  # the menu closed again for the pages that follow


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_owner_s_walk(browser, live_server, book, lang, width):
    context = browser.new_context(
        viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)),
        locale={"fr": "fr-BE", "nl": "nl-BE", "en": "en-GB"}[lang],
    )
    context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    walk = Walk(page, lang, width)
    try:
        _walk(walk, live_server, book)
    finally:
        context.close()


def _walk(walk: Walk, live_server, claim) -> None:
    page = walk.page
    # Login.
    page.goto(f"{live_server.url}/accounts/login/")
    walk.check("login")
    page.locator("input[name=username]").fill("owner")
    page.locator("input[name=password]").fill("pw-for-tests-1")
    page.locator("form button[type=submit]").click()
    # Dashboard, on the creditor used last.
    page.locator("#kpi-title").wait_for(state="attached")
    walk.menu()
    walk.check("dashboard")
    # A late claim, from the list of late claims.
    page.goto(f"{live_server.url}/claims/?overdue=yes")
    page.locator(f"a[href='{claim.get_absolute_url()}']").first.click()
    card = page.get_by_test_id("next-step")
    card.wait_for()
    walk.check("claim")
    # Its next step: the step, its date and one primary action.
    planned = claim.actions.filter(state="planned").order_by("due_on").first()
    assert planned.step.get_kind_display() in card.inner_text() or walk.lang != "fr"
    assert page.get_by_test_id("primary-action").count() == 1
    page.locator("#more-actions").click()
    menu = page.locator(".dropdown-menu.show")
    menu.wait_for()
    walk.check("next-step")
    assert menu.locator("a[href*='/do/dispute_resolve/']").count() == 0
    page.keyboard.press("Escape")
    # Record a payment (the primary action).
    page.get_by_test_id("primary-action").click()
    page.locator("input[name=amount]").fill("1000")
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("next-step").wait_for()
    assert page.locator("main > .alert-success").count() == 1
    walk.check("payment")
    assert claim.payments.count() == 1
    # A dispute, from the menu.
    page.locator("#more-actions").click()
    page.locator(".dropdown-menu.show a[href*='/do/dispute_open/']").click()
    page.locator("textarea[name=reason]").fill("Levering onvolledig")
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("next-step").wait_for()
    primary = page.get_by_test_id("primary-action")
    assert "/do/dispute_resolve/" in primary.get_attribute("href")
    walk.check("dispute")
    # The portal, as the debtor reading the link of the e-mail.
    from letters.portal.tokens import portal_link_for

    link = urlsplit(portal_link_for(debtor=claim.debtor, claim=claim))
    page.context.clear_cookies()
    sep = "&" if link.query else "?"
    page.goto(f"{live_server.url}{link.path}?{link.query}{sep}lang={walk.lang}")
    page.locator("main").wait_for()
    walk.check("portal")
