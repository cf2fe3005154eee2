"""The municipality's own settings on the pages, for its fagadministrator: the profile
(Kommuneprofil) and the policy (Tildelingsregler, R18–R20 and the weights). Norwegian
only, no rule codes or ids; each change a new version with who, when and why; a refused
form keeps what was typed, says why beside the field, and saves nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from application.clock import ManualClock
from application.municipalities import DEMO_PROFILES
from application.service import AllocationService
from domain.base import local_date
from tests.builders import MUNICIPALITY as M
from tests.builders import waiting_case
from tests.pages.conftest import Browser
from tests.pages.test_right_by_law import RULE_CODE, visible

PROFILE, POLICY = "/innstillinger/kommune", "/innstillinger/tildelingsregler"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _admin(browser: Browser) -> Browser:
    browser.sign_in("fagadmin")
    return browser


def _profile_form(**changes: str) -> dict[str, str]:
    base = DEMO_PROFILES["4601"]
    data = {"name": base["name"], "unit_name": base["unit_name"],
            "postal_address": "\n".join(base["postal_address"]),
            "visiting_address": "\n".join(base["visiting_address"]),
            "phone": base["phone"], "email": base["email"],
            "state_administrator": base["state_administrator"],
            "state_administrator_address": "\n".join(base["state_administrator_address"]),
            "demo": "on"}
    for i, f in enumerate(base["facilities"]):
        data.update({f"f{i}_id": f["facility_id"], f"f{i}_name": f["name"],
                     f"f{i}_kind": f["kind"], f"f{i}_address": "\n".join(f["address"])})
    data.update(changes)
    return data


def test_the_profile_page_changes_the_profile_and_the_letters_read_it(
        service: AllocationService, browser: Browser) -> None:
    admin = _admin(browser)
    page = admin.get(PROFILE)
    assert page.status_code == 200
    text = visible(page.text)
    assert "Kommuneprofil" in text and "Profilen inneholder demodata" in text
    assert "Fjellheim sykehjem" in page.text
    assert not RULE_CODE.search(text) and not UUID_TEXT.search(text)
    assert "fjellheim" not in text  # the facility's id is never shown or typed
    saved = admin.post_form(PROFILE, PROFILE, _profile_form(
        unit_name="Tildelingskontoret", phone="55 55 55 55", f4_name="Havly sykehjem",
        f4_kind="nursing_home", f4_address="Havveien 9\n0000 Demoby",
        reason="Nytt navn på enheten og et nytt sykehjem"))
    assert saved.status_code == 303, saved.text
    profile = service.municipality_profile(M)
    assert (profile.version, profile.unit_name, profile.phone) == (
        2, "Tildelingskontoret", "55 55 55 55")
    assert profile.facilities[-1].name == "Havly sykehjem"
    assert profile.facilities[-1].facility_id == "havly-sykehjem"
    history = visible(admin.get(PROFILE).text)
    assert "Nytt navn på enheten og et nytt sykehjem" in history and "Tone Vik" in history

    # the decision letter reads the stored profile
    case_id = waiting_case(service)
    decision = service.get_case(M, case_id).decisions[0].decision_id
    browser.sign_in("saksbehandler")
    letter = visible(browser.get(f"/vedtak/{case_id}/{decision}").text)
    assert "Tildelingskontoret" in letter and "Telefon: 55 55 55 55" in letter
    assert isinstance(case_id, UUID)


def test_a_refused_profile_form_says_why_and_saves_nothing(
        service: AllocationService, browser: Browser) -> None:
    admin = _admin(browser)
    refused = admin.post_form(PROFILE, PROFILE, _profile_form(
        email="ikke en adresse", reason="Ny e-post"))
    assert refused.status_code == 422
    text = visible(refused.text)
    assert "Skriv en gyldig e-postadresse" in text
    assert 'value="ikke en adresse"' in refused.text  # kept as typed
    no_reason = admin.post_form(PROFILE, PROFILE, _profile_form())
    assert no_reason.status_code == 422
    assert "Skriv hvorfor opplysningene endres." in visible(no_reason.text)
    removed = admin.post_form(PROFILE, PROFILE, _profile_form(
        f0_name="", f0_id="", reason="Fjerner Fjellheim"))
    assert removed.status_code == 422
    assert "kan ikke fjernes" in visible(removed.text)
    assert service.municipality_profile(M).version == 0


def _policy_form(service: AllocationService, **changes: str) -> dict[str, str]:
    current = service.policy(M).current
    data = {name: str(getattr(current, name)) for name in (
        "guarantee_months", "offer_available_within_days", "offer_answer_days",
        "deadline_horizon_days", "grant_alert_days", "score_tolerance",
        "review_every_months", "iplos_max_age_months")}
    data["declined_offer_effect"] = current.declined_offer_effect.value
    data["lapsed_offer_counts_as_declined"] = "on"
    data.update({f"w_{k}": str(v) for k, v in current.priority_weights.items()})
    data.update(changes)
    return data


def test_r18_the_policy_page_makes_a_new_version_with_who_when_why(
        service: AllocationService, clock: ManualClock, browser: Browser) -> None:
    admin = _admin(browser)
    page = admin.get(POLICY)
    assert page.status_code == 200
    text = visible(page.text)
    assert "Tildelingsregler" in text and "Versjon 1 gjelder i dag." in text
    assert "Forskriftens standardverdier" in text
    assert not RULE_CODE.search(text) and not UUID_TEXT.search(text)
    today = local_date(clock.now())
    saved = admin.post_form(POLICY, POLICY, _policy_form(
        service, guarantee_months="6", effective_from=str(today + timedelta(days=1)),
        reason="Kommunestyret har vedtatt seks måneders garanti"))
    assert saved.status_code == 303, saved.text
    policy = service.policy(M)
    assert policy.current_version == 2 and policy.current.guarantee_months == 6
    assert policy.history()[-1].reason == "Kommunestyret har vedtatt seks måneders garanti"
    assert policy.history()[-1].issued_by == "Tone Vik"
    shown = visible(admin.get(POLICY).text)
    assert "Versjon 1 gjelder i dag." in shown  # version 2 only from tomorrow
    assert "Kommunestyret har vedtatt seks måneders garanti" in shown


def test_r18_a_refused_policy_form_says_why_and_saves_nothing(
        service: AllocationService, clock: ManualClock, browser: Browser) -> None:
    admin = _admin(browser)
    today = local_date(clock.now())
    for changes, words in (
            ({"guarantee_months": "13", "reason": "r"}, "Skriv et helt tall fra 1 til 12."),
            ({"w_end_of_life": "0", "reason": "r"}, "særskilt vekt"),
            ({"effective_from": str(today - timedelta(days=1)), "reason": "r"},
             "Datoen må være i dag eller senere"),
            ({"reason": ""}, "Skriv hvorfor tildelingsreglene endres.")):
        data = _policy_form(service, **{"effective_from": str(today), **changes})
        refused = admin.post_form(POLICY, POLICY, data)
        assert refused.status_code == 422, (changes, refused.status_code)
        assert words in visible(refused.text), changes
    assert service.policy(M).current_version == 1


def test_the_settings_pages_are_for_the_municipal_admin_only(browser: Browser) -> None:
    for username in ("saksbehandler", "leder", "klagebehandler"):
        browser.sign_in(username)
        for url in (PROFILE, POLICY):
            assert browser.get(url).status_code == 403, (username, url)
