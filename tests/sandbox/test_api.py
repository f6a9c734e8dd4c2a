"""The sandbox's JSON API without a browser: the demo people, the time machine, reset, a restart,
safe HTML, attachments and the guard against other sites."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from db import outbox
from sandbox.seed import ADMIN, HEAD, MOTHER, NURSE, PREGNANT
from tests.sandbox.conftest import RunningSandbox, sandbox_settings, start_sandbox, stop_sandbox


class Client:
    def __init__(self, sandbox: RunningSandbox, session: aiohttp.ClientSession) -> None:
        self.sandbox, self.session = sandbox, session

    async def get(self, path: str, status: int = 200) -> Any:
        async with self.session.get(self.sandbox.url + path) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def post(self, path: str, body: Any = None, status: int = 200, **kwargs: Any) -> Any:
        async with self.session.post(self.sandbox.url + path, json={} if body is None else body, **kwargs) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def people(self) -> dict[int, dict[str, Any]]:
        return {p["id"]: p for p in (await self.get("/api/state"))["people"]}

    async def chat(self, person: int) -> dict[str, Any]:
        return await self.get(f"/api/people/{person}/chat")

    async def texts(self, person: int) -> list[str]:
        return [m["html"] for m in (await self.chat(person))["messages"] if m["from_bot"]]

    async def wait_for(self, person: int, fragment: str, timeout: float = 10.0) -> list[str]:
        """Her bot messages once one contains `fragment` (what the delivery loop sends arrives a
        moment after the action that queued it), waiting on /api/events like the page."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        version = (await self.get("/api/state"))["version"]
        while True:
            texts = await self.texts(person)
            if any(fragment in text for text in texts):
                return texts
            assert loop.time() < deadline, f"{fragment!r} did not reach {person}: {texts[-3:]}"
            version = (await self.get(f"/api/events?since={version}"))["version"]

    async def tap(self, person: int, label: str) -> dict[str, Any]:
        """The newest inline button with this label in her chat."""
        chat = await self.chat(person)
        for message in reversed(chat["messages"]):
            for row in message["buttons"]:
                for button in row:
                    if button["text"] == label:
                        return await self.post(f"/api/people/{person}/click", {"message_id": message["id"], "data": button["data"]})
        raise AssertionError(f"no button {label!r} in the chat of {person}")


@pytest.fixture
async def client(sandbox: RunningSandbox) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(sandbox, session)


async def test_the_demo_people_are_made_through_the_bot(client: Client) -> None:
    people = await client.people()
    assert set(people) == {ADMIN[0], NURSE[0], HEAD[0], PREGNANT[0], MOTHER[0]}
    admin, nurse, head, pregnant, mother = (people[p[0]] for p in (ADMIN, NURSE, HEAD, PREGNANT, MOTHER))
    assert head["role"] == "head" and head["polyclinic"] == "almaty_pc1" and head["name"] == "Saule Nurova"
    assert admin["role"] == "admin" and admin["national"] and admin["ui_lang"] == "en"
    assert nurse["role"] == "nurse" and nurse["polyclinic"] == "almaty_pc1" and nurse["name"] == "Gulnara Serikova"
    assert pregnant["role"] == "pregnant" and pregnant["week"] == 27 and pregnant["ui_lang"] == "kk"
    assert mother["role"] == "parent" and mother["child_months"] == 2 and mother["ui_lang"] == "ru"
    # Both mothers were assigned to the nurse, who was told, in English.
    notices = [t for t in await client.texts(NURSE[0]) if "A new family in your care" in t]
    assert len(notices) == 2
    # The nurse's and the head's invitations came from the admin's /invite, and they joined with them.
    assert sum("t.me/anabala_sandbox_bot?start=inv_" in t for t in await client.texts(ADMIN[0])) == 2
    # The head's way in is the console, beside the sandbox: /console gives her a link to it.
    console = client.sandbox.world.console_url
    assert console is not None and (await client.get("/api/state"))["console"] == console
    await client.post(f"/api/people/{HEAD[0]}/send", {"text": "/console"})
    link = next(m for m in reversed((await client.chat(HEAD[0]))["messages"]) if m["from_bot"])["html"]
    assert re.search(rf'<a href="{re.escape(console)}/login/[A-Za-z0-9_-]+" target="_blank" rel="noopener noreferrer nofollow">', link), link
    assert client.sandbox.world.app.context.errors == 0


async def test_an_hour_later_an_alert_nobody_took_has_reached_the_national_admin(client: Client) -> None:
    sandbox = client.sandbox
    t = sandbox.t
    pregnant = PREGNANT[0]
    await client.post(f"/api/people/{pregnant}/send", {"text": "/check"})
    from bot.content.questionnaires import questionnaire

    q = questionnaire("danger_preg")
    assert q is not None
    bleed = q.questions[0].option("bleed")
    assert bleed is not None
    await client.tap(pregnant, q.title("kk"))
    await client.tap(pregnant, "◻️ " + bleed.label("kk"))
    answer = await client.tap(pregnant, t("📨 Send", "kk"))
    assert "103" in answer["chat"]["messages"][-1]["html"]
    before = (await client.get("/api/state"))["now"]
    assert not any("URGENT" in text for text in await client.texts(ADMIN[0]))

    moved = await client.post("/api/time", {"by": "hour"})
    assert moved["now"] > before
    # 15 minutes for her nurse, then the region (no admin there), then the national admin.
    assert any("URGENT" in text and "Айгерім" in text for text in await client.texts(ADMIN[0]))
    await client.wait_for(NURSE[0], "URGENT")


async def test_a_day_later_her_unanswered_question_reminds_the_nurse_and_nothing_due_is_left(client: Client) -> None:
    sandbox = client.sandbox
    mother = MOTHER[0]
    await client.post(f"/api/people/{mother}/send", {"text": "/nurse"})
    await client.tap(mother, sandbox.t("✍️ Ask a question", "ru"))
    await client.post(f"/api/people/{mother}/send", {"text": "Можно ли гулять с малышом при -15?"})
    nurse_before = await client.wait_for(NURSE[0], "Можно ли гулять")
    start = sandbox.world.clock.now()

    await client.post("/api/time", {"by": "day"})
    now = sandbox.world.clock.now()
    assert timedelta(days=1) <= now - start < timedelta(days=1, minutes=5)
    new = (await client.texts(NURSE[0]))[len(nurse_before) :]
    assert new, "the nurse should be reminded of the question after 24 hours"
    async with sandbox.world.app.context.database.reading() as conn:
        next_due = await outbox.next_due_at(conn)
    assert next_due is None or next_due > now - timedelta(minutes=1)


async def test_reset_starts_the_demo_afresh(client: Client) -> None:
    created = await client.post("/api/people", {"name": "Zhanna", "lang": "ru"})
    zhanna = created["person"]["id"]
    assert created["chat"]["started"] is False and created["chat"]["messages"] == []
    await client.post(f"/api/people/{zhanna}/start")
    assert (await client.chat(zhanna))["messages"]
    await client.post("/api/time", {"by": "week"})
    generation = (await client.get("/api/state"))["generation"]

    await client.post("/api/reset")
    state = await client.get("/api/state")
    assert state["ready"] and state["generation"] == generation + 1
    assert {p["id"] for p in state["people"]} == {ADMIN[0], NURSE[0], HEAD[0], PREGNANT[0], MOTHER[0]}
    assert state["console"] is not None and state["console"] == client.sandbox.world.console_url  # beside the new bot
    people = await client.people()
    assert people[PREGNANT[0]]["week"] == 27  # the clock is back at the start
    assert len([t for t in await client.texts(NURSE[0]) if "A new family in your care" in t]) == 2
    await client.get(f"/api/people/{zhanna}/chat", status=404)


async def test_what_she_types_is_shown_as_text_never_as_html(client: Client) -> None:
    created = await client.post("/api/people", {"name": "<img src=x onerror=alert(1)>", "lang": "en"})
    person = created["person"]["id"]
    await client.post(f"/api/people/{person}/start")
    typed = "<script>alert('x')</script> & <b>bold?</b>"
    reply = await client.post(f"/api/people/{person}/send", {"text": typed})
    mine = [m for m in reply["chat"]["messages"] if not m["from_bot"]][-1]["html"]
    assert mine.startswith("&lt;script&gt;alert(&#x27;x&#x27;)&lt;") and "&amp; &lt;b&gt;bold?" in mine
    # Only our own markup (the "/script" the client shows as a command) around the escaped text.
    assert set(re.findall(r"<(\w+)", mine)) <= {"button"}
    assert html.unescape(re.sub(r"<[^>]+>", "", mine)) == typed
    people = await client.people()
    assert people[person]["name"] == "<img src=x onerror=alert(1)>"  # JSON; the page sets it as text
    for message in reply["chat"]["messages"]:
        assert "<script" not in message["html"] and "<img" not in message["html"]


async def test_share_contact_photos_and_documents(client: Client) -> None:
    created = await client.post("/api/people", {"name": "Saule", "lang": "en"})
    person = created["person"]["id"]
    await client.post(f"/api/people/{person}/start")
    await client.tap(person, "English")
    await client.tap(person, client.sandbox.t("✅ I agree"))
    await client.tap(person, "▫️ " + client.sandbox.t("🌱 I am planning a pregnancy"))
    await client.tap(person, client.sandbox.t("Continue ➡️"))
    chat = (await client.post(f"/api/people/{person}/send", {"text": "Saule"}))["chat"]
    assert chat["reply_keyboard"] == [[{"text": client.sandbox.t("📱 Share my phone number"), "contact": True, "location": False}]]
    chat = (await client.post(f"/api/people/{person}/press", {"text": client.sandbox.t("📱 Share my phone number")}))["chat"]
    shared = [m for m in chat["messages"] if not m["from_bot"]][-1]
    assert shared["media"]["type"] == "contact" and shared["media"]["phone_number"].startswith("+7701")
    assert chat["reply_keyboard"] is None

    chat = (await client.post(f"/api/people/{person}/photo", {"caption": "my scan"}))["chat"]
    photo = [m for m in chat["messages"] if not m["from_bot"]][-1]
    assert photo["media"]["type"] == "photo" and photo["html"] == "my scan"
    async with client.session.get(client.sandbox.url + "/api/files/" + photo["media"]["file_id"]) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert (await response.read()).startswith(b"\x89PNG")
    chat = (await client.post(f"/api/people/{person}/document", {}))["chat"]
    document = [m for m in chat["messages"] if not m["from_bot"]][-1]
    async with client.session.get(client.sandbox.url + "/api/files/" + document["media"]["file_id"]) as response:
        assert response.status == 200 and response.headers["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    await client.get("/api/files/nonsense", status=404)


async def test_changes_need_json_from_the_same_origin(client: Client) -> None:
    url = client.sandbox.url
    async with client.session.post(url + "/api/reset", data="{}", headers={"Content-Type": "text/plain"}) as response:
        assert response.status == 415
    await client.post("/api/reset", {}, status=403, headers={"Origin": "https://example.org"})
    await client.post("/api/time", {"by": "year"}, status=400)
    await client.post("/api/people/123/send", {"text": "hi"}, status=404)
    await client.post(f"/api/people/{PREGNANT[0]}/click", {"message_id": 99999, "data": "x"}, status=404)
    await client.post(f"/api/people/{PREGNANT[0]}/press", {"text": "no such key"}, status=409)
    await client.post("/api/people", {"name": "", "lang": "en"}, status=400)
    await client.post("/api/people", {"name": "Ann", "lang": "de"}, status=400)
    assert (await client.get("/api/state"))["ready"]


async def test_blocking_the_bot(client: Client) -> None:
    mother = MOTHER[0]
    await client.post(f"/api/people/{mother}/block", {"blocked": True})
    assert (await client.chat(mother))["blocked"]
    await client.post(f"/api/people/{mother}/send", {"text": "/help"}, status=409)
    await client.post(f"/api/people/{mother}/block", {"blocked": False})
    reply = await client.post(f"/api/people/{mother}/send", {"text": "/help"})
    assert reply["chat"]["messages"][-1]["from_bot"]


async def test_a_restart_keeps_the_chats_the_people_and_the_clock(tmp_path: Path) -> None:
    settings = sandbox_settings(tmp_path)
    first = await start_sandbox(settings)
    async with aiohttp.ClientSession() as session:
        client = Client(first, session)
        created = await client.post("/api/people", {"name": "Dina", "lang": "ru"})
        dina = created["person"]["id"]
        await client.post(f"/api/people/{dina}/start")
        await client.post("/api/time", {"by": "week"})
        before_chat = await client.chat(PREGNANT[0])
        moment = first.world.clock.now()
    await stop_sandbox(first)

    second = await start_sandbox(settings)
    try:
        async with aiohttp.ClientSession() as session:
            client = Client(second, session)
            people = await client.people()
            assert dina in people and people[PREGNANT[0]]["week"] == 28
            assert second.world.clock.now() >= moment
            after_chat = await client.chat(PREGNANT[0])
            assert [m["id"] for m in after_chat["messages"]] == [m["id"] for m in before_chat["messages"]]
            # The bot goes on in the same chats: a button from before the restart still works.
            reply = await client.tap(dina, "Русский")
            assert reply["chat"]["messages"][-1]["from_bot"]
            assert second.world.app.context.errors == 0
    finally:
        await stop_sandbox(second)


async def test_pasted_text_longer_than_a_message_goes_in_parts_and_is_not_cut(client: Client) -> None:
    """Step 7: the composer cut pasted text at 4,096 characters without a word; now it goes in parts,
    as a Telegram app sends it, and the bot's own limits answer."""
    pregnant = PREGNANT[0]
    before = len((await client.chat(pregnant))["messages"])
    await client.post(f"/api/people/{pregnant}/send", {"text": "Ж" * 5000})
    chat = (await client.chat(pregnant))["messages"][before:]
    mine = [m for m in chat if not m.get("from_bot")]
    assert [m["html"].count("Ж") for m in mine] == [4096, 904]
    assert client.sandbox.world.app.context.errors == 0
