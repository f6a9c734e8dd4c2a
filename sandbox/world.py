"""The sandbox world: the real application, the Bot API emulator, the people and the clock.

One World runs at a time. Every change (a message, a tap, a new person, the time machine, a
reset) goes through one lock, and answers only once the bot has handled it (`settle`), so the
page shows the bot's reply together with her action. What the bot sends on its own (an alert to
the nurse, a reminder) arrives through the production delivery loop and scheduler, and the page
learns of it by waiting on `changes()`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.app import Application, build_application
from bot.config import load_settings
from bot.logging_setup import log_event
from emulator import BotAPIEmulator, SimUser
from sandbox.clock import SandboxClock
from sandbox.config import SandboxSettings
from sandbox.render import message_view
from sandbox.seed import ADMIN, seed_demo
from scheduler.setup import JOBS

# A well-formed token that only the embedded emulator accepts, new at every start: the emulator listens
# on loopback, and a page elsewhere must not be able to guess its way in (send, read updates) by it.
TOKEN_BOT_ID = 700000000


def _token() -> str:
    return f"{TOKEN_BOT_ID}:SANDBOX-{secrets.token_urlsafe(24)}"
BOT_USERNAME = "anabala_sandbox_bot"
LANGUAGES = ("kk", "ru", "en")
# A person needs a few seconds to read and tap; Telegram's per-chat limits assume so. A quicker
# tap on the page moves the sandbox clock on instead of making the bot wait (see human_pause).
HUMAN_PAUSE = timedelta(seconds=3)
# The time machine: how far, and how often the production jobs run on the way.
TRAVEL: dict[str, tuple[timedelta, timedelta]] = {
    "hour": (timedelta(hours=1), timedelta(minutes=15)),
    "day": (timedelta(days=1), timedelta(hours=1)),
    "week": (timedelta(weeks=1), timedelta(hours=6)),
}
DEMO_ADMIN_ID = ADMIN[0]  # the sandbox's ADMIN_IDS
FIRST_NEW_ID = 700_000_101
STATE_VERSION = 1
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME = 64
MAX_TEXT = 4096


class SandboxError(Exception):
    """A request the sandbox cannot do (unknown person, no such button ...): a 4xx for the page."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Person:
    """Someone the page can be: a simulated Telegram user. `demo` names the seeded ones."""

    id: int
    name: str
    lang: str  # her Telegram app's language
    demo: str | None = None  # admin | nurse | head | pregnant | mother; None: created on the page


class World:
    def __init__(
        self,
        settings: SandboxSettings,
        *,
        start: datetime | None = None,
        bot_settings: dict[str, Any] | None = None,
        save_every: float = 2.0,
    ) -> None:
        """start: the sandbox clock's first moment on a fresh world (default: now).
        bot_settings: extra bot configuration (e.g. {"_env_file": None} in tests)."""
        self.settings = settings
        self._start = start
        self._bot_settings = dict(bot_settings or {})
        self._save_every = save_every
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self.generation = 0  # grows at every reset: the page forgets what it showed
        self._mutations = 0
        self.ready = False
        self.people: dict[int, Person] = {}
        self._last_action: dict[int, datetime] = {}
        self.clock: SandboxClock
        self.emulator: BotAPIEmulator
        self.app: Application
        self._task: asyncio.Task[None] | None = None
        self._saver: asyncio.Task[None] | None = None
        self._saved_at: tuple[int, int] | None = None

    # --- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Continue the saved world, or seed a fresh one."""
        async with self._lock:
            restored = self._load_saved()
            if restored is None:
                await self._fresh()
            else:
                state, clock = restored
                await self._boot(clock, state)
            self._save()
            self.ready = True
            self._saver = asyncio.create_task(self._save_periodically(), name="sandbox-save")
        self._pulse()

    async def close(self) -> None:
        async with self._lock:
            await self._shutdown(save=True)

    async def reset(self) -> None:
        """Forget everything (database and chats) and seed the demo people again."""
        async with self._lock:
            self.ready = False
            self._pulse()
            await self._shutdown(save=False)
            self.generation += 1
            await self._fresh()
            self._save()
            self.ready = True
            self._saver = asyncio.create_task(self._save_periodically(), name="sandbox-save")
        log_event("sandbox_reset", generation=self.generation)
        self._pulse()

    async def _fresh(self) -> None:
        """A new database and new chats, with the demo people seeded through the bot."""
        self._delete_files()
        await self._boot(SandboxClock(self._start), None)
        try:
            await self._seed()
        except BaseException:
            # Half a demo is no demo: the next start seeds again from nothing.
            await self._shutdown(save=False)
            self._delete_files()
            raise

    async def _boot(self, clock: SandboxClock, state: dict[str, Any] | None) -> None:
        self.clock = clock
        self.people = {}
        self._last_action = {}
        # The emulator's message dates and flood limits run on the sandbox clock too.
        token = _token()
        self.emulator = BotAPIEmulator(
            clock=clock.now,
            monotonic=lambda: clock.now().timestamp(),
            token=token,
            bot_username=BOT_USERNAME,
            record_calls=False,
        )
        if state is not None:
            self.emulator.restore(state["emulator"])
            self.people = {p["id"]: Person(**p) for p in state["people"]}
        await self.emulator.start()
        self.settings.database_path.parent.mkdir(parents=True, exist_ok=True)
        bot_settings = load_settings(
            **{
                **self._bot_settings,
                "BOT_TOKEN": token,
                "TELEGRAM_API_URL": self.emulator.api_url,
                "DATABASE_URL": self.settings.database_url,
                "ADMIN_IDS": str(DEMO_ADMIN_ID),
            }
        )
        self.app = build_application(bot_settings, clock=clock)
        self._task = asyncio.create_task(self.app.run_polling(handle_signals=False, background_jobs=True), name="bot")
        polling = asyncio.ensure_future(self.emulator.wait_for_polling(timeout=60))
        await asyncio.wait({polling, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if self._task.done():  # the application died while starting: say why
            polling.cancel()
            await self.emulator.stop()
            self._task.result()
        await polling
        log_event("sandbox_started", people=len(self.people), restored=int(state is not None))

    async def _shutdown(self, *, save: bool) -> None:
        if self._saver is not None:
            self._saver.cancel()
            self._saver = None
        if self._task is None:
            return
        if not self._task.done():
            await self.app.stop()
        try:
            await asyncio.wait_for(self._task, 30)
        finally:
            self._task = None
            if save:
                self._save()
            await self.emulator.stop()

    # --- persistence: the database is the bot's; the chats and people are saved beside it ---

    def _delete_files(self) -> None:
        path = self.settings.database_path
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                         path.with_name(path.name + "-journal"), self.settings.chats_path):  # fmt: skip
            leftover.unlink(missing_ok=True)

    def _load_saved(self) -> tuple[dict[str, Any], SandboxClock] | None:
        db, chats = self.settings.database_path, self.settings.chats_path
        if not (db.exists() and chats.exists()):
            return None
        try:
            state = json.loads(chats.read_text(encoding="utf-8"))
            if state.get("version") != STATE_VERSION:
                raise ValueError("unknown version")
            clock = SandboxClock(offset=timedelta(seconds=float(state["clock_offset_seconds"])))
        except (OSError, ValueError, KeyError, TypeError):
            log_event("sandbox_saved_state_unreadable")
            return None
        return state, clock

    def _state(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "saved_at": self.clock.now().isoformat(),
            "clock_offset_seconds": self.clock.offset_from_system.total_seconds(),
            "people": [asdict(p) for p in self.people.values()],
            "emulator": self.emulator.snapshot(),
        }

    def _save(self) -> None:
        path = self.settings.chats_path
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(self._state(), ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
        self._saved_at = (self.emulator.chat_changes, self._mutations)

    async def _save_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._save_every)
            if self.ready and self._saved_at != (self.emulator.chat_changes, self._mutations):
                try:
                    self._save()
                except OSError:
                    log_event("sandbox_save_failed")

    # --- waiting for the bot ----------------------------------------------------------------

    async def settle(self, timeout: float = 20.0) -> None:
        """Until the bot has taken every update sent so far and finished handling it."""
        await self.emulator.wait_until_confirmed(timeout=timeout)
        await asyncio.wait_for(self.app.in_flight.wait_idle(), timeout)

    def _pulse(self) -> None:
        self._mutations += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    @property
    def version(self) -> str:
        """Changes when anything the page shows may have changed."""
        if not self.ready:
            return f"{self.generation}:starting"
        return f"{self.generation}:{self.emulator.chat_changes}:{self._mutations}"

    async def changes(self, since: str, timeout: float = 25.0) -> str:
        """Wait until `version` differs from `since` (or the timeout); returns it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.version == since:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._changed.wait())]
            if self.ready:
                waits.append(asyncio.ensure_future(self.emulator.wait_for_chat_change(self.emulator.chat_changes, remaining)))
            _, pending = await asyncio.wait(waits, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        return self.version

    # --- acting as someone --------------------------------------------------------------------

    def person(self, person_id: int) -> Person:
        found = self.people.get(person_id)
        if found is None:
            raise SandboxError("no such person", 404)
        return found

    def user(self, person_id: int) -> SimUser:
        person = self.person(person_id)
        return self.emulator.user(person.id, first_name=person.name, language_code=person.lang)

    def human_pause(self, person_id: int) -> None:
        """At least HUMAN_PAUSE between two actions of one person, by moving the clock if need be."""
        last = self._last_action.get(person_id)
        if last is not None:
            self.clock.advance_to(last + HUMAN_PAUSE)
        self._last_action[person_id] = self.clock.now()

    async def _act(self, person_id: int, action: Callable[[SimUser], Awaitable[Any]]) -> Any:
        """One action of one person, answered once the bot has handled it. Call with the lock held."""
        user = self.user(person_id)
        if user.blocked:
            raise SandboxError("she has blocked the bot", 409)
        self.human_pause(person_id)
        try:
            result = await action(user)
        except AssertionError as exc:  # the simulator refused: no such button, no keyboard ...
            raise SandboxError("that button or keyboard is not in her chat (any more)", 409) from exc
        await self.settle()
        return result

    async def act(self, person_id: int, action: Callable[[SimUser], Awaitable[Any]]) -> Any:
        async with self._lock:
            if not self.ready:
                raise SandboxError("the sandbox is starting", 503)
            return await self._act(person_id, action)

    async def send_text(self, person_id: int, text: str) -> None:
        """What she typed or pasted; longer than one message, it goes in parts, as Telegram apps send it."""
        text = text.strip()
        if not text:
            raise SandboxError("a message is 1 to 4096 characters")
        if len(text) > 20 * MAX_TEXT:
            raise SandboxError("that is more than a Telegram app would send at once")
        for start in range(0, len(text), MAX_TEXT):
            part = text[start:start + MAX_TEXT]
            if part.strip():
                await self.act(person_id, functools.partial(SimUser.send, text=part))

    async def start(self, person_id: int, payload: str | None = None) -> None:
        """The "Start" button of a new chat (with the link's payload, as Telegram sends it)."""
        if payload is not None and not _PAYLOAD.match(payload):
            raise SandboxError("not a start payload")
        await self.act(person_id, lambda user: user.send(f"/start {payload}" if payload else "/start"))

    async def click(self, person_id: int, message_id: int, data: str) -> dict[str, Any] | None:
        """Press an inline button; returns the bot's answer to it (a toast), if any."""

        async def press(user: SimUser) -> dict[str, Any]:
            message = user.message(message_id)
            if message is None or message.deleted or not message.from_bot:
                raise SandboxError("no such message", 404)
            return await user.click(data=data, message=message)

        query = await self.act(person_id, press)
        user = self.user(person_id)
        answer = next((a for a in reversed(user.callback_answers) if a.get("query_id") == query.get("id")), None)
        if answer is None or not answer.get("text"):
            return None
        return {"text": answer["text"], "show_alert": answer["show_alert"]}

    async def press(self, person_id: int, text: str) -> None:
        """Press a button of the reply keyboard shown (share contact sends her own contact)."""
        await self.act(person_id, lambda user: user.press(text))

    async def send_photo(self, person_id: int, caption: str | None) -> None:
        from sandbox.media import SAMPLE_PHOTO

        caption = (caption or "").strip() or None
        await self.act(person_id, lambda user: user.send_photo(caption, data=SAMPLE_PHOTO))

    async def send_document(self, person_id: int, caption: str | None) -> None:
        from sandbox.media import SAMPLE_PDF

        caption = (caption or "").strip() or None
        await self.act(person_id, lambda user: user.send_document("scan.pdf", data=SAMPLE_PDF, caption=caption))

    async def set_blocked(self, person_id: int, blocked: bool) -> None:
        """She blocks (or unblocks) the bot: the bot gets a my_chat_member update."""
        async with self._lock:
            if not self.ready:
                raise SandboxError("the sandbox is starting", 503)
            user = self.user(person_id)
            if blocked:
                user.block()
            else:
                user.unblock()
            await self.settle()
            self._pulse()

    async def create_person(self, name: str, lang: str) -> Person:
        """A new Telegram user who has not written to the bot yet."""
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise SandboxError("a name is 1 to 64 characters")
        if lang not in LANGUAGES:
            raise SandboxError("language must be kk, ru or en")
        async with self._lock:
            if not self.ready:
                raise SandboxError("the sandbox is starting", 503)
            new_id = max([FIRST_NEW_ID - 1, *(p.id for p in self.people.values() if p.demo is None)]) + 1
            person = Person(new_id, name, lang)
            self.people[new_id] = person
            self.emulator.user(new_id, first_name=name, language_code=lang)
            log_event("sandbox_person_created", user_id=new_id)
        self._pulse()
        return person

    # --- the time machine -------------------------------------------------------------------

    async def travel(self, by: str) -> None:
        """Move the clock an hour, a day or a week, running the periodic jobs on the way as
        production would (every 15 minutes, hour or 6 hours), and sending what falls due."""
        if by not in TRAVEL:
            raise SandboxError("travel by hour, day or week")
        span, step = TRAVEL[by]
        async with self._lock:
            if not self.ready:
                raise SandboxError("the sandbox is starting", 503)
            scheduler = self.app.scheduler
            paused = scheduler.running
            if paused:
                scheduler.pause()  # the time machine runs the jobs itself, in order
            try:
                with self.clock.fast():
                    end = self.clock.now() + span
                    moment = self.clock.now()
                    while moment < end:
                        moment = min(moment + step, end)
                        self.clock.advance_to(moment)
                        await self.tick()
            finally:
                if paused:
                    scheduler.resume()
            log_event("sandbox_travelled", by=by)
        self._pulse()

    async def tick(self) -> int:
        """What the background jobs do at this moment, then send everything due."""
        context, bot = self.app.context, self.app.bot
        for job, _every, _grace in JOBS:
            await job(context, bot)
        sent = await self.app.delivery.drain()
        await self.settle()
        return sent

    # --- what the page shows ------------------------------------------------------------------

    @property
    def console_url(self) -> str | None:
        """The console's address (served beside the bot on CONSOLE_PORT), None when it is off."""
        if not self.ready:
            return None
        return self.app.context.console_url or None

    def chat(self, person_id: int) -> dict[str, Any]:
        user = self.user(person_id)
        messages = [message_view(m, BOT_USERNAME) for m in user.all_messages if not m.deleted]
        keyboard = user.reply_keyboard_markup
        rows = None
        if keyboard is not None:
            rows = [
                [{"text": b["text"], "contact": bool(b.get("request_contact")), "location": bool(b.get("request_location"))}
                 for b in row]  # fmt: skip
                for row in keyboard["keyboard"]
            ]
        return {
            "id": person_id,
            "version": user.version,
            "started": user.known_to_bot,
            "blocked": user.blocked,
            "messages": messages,
            "reply_keyboard": rows,
            "placeholder": (keyboard or {}).get("input_field_placeholder"),
            "commands": user.commands(),
        }

    async def people_view(self) -> list[dict[str, Any]]:
        """Who is who, read from the bot's own database, so it follows what happened (her week
        after a jump in time, a baby born, a nurse deactivated)."""
        from bot.domain.children import child_age
        from bot.domain.pregnancy import DatingMethod, PregnancyDating
        from db import families, staff

        today = self.app.context.today()
        people = sorted(self.people.values(), key=lambda p: (p.demo is None, p.id))
        views: list[dict[str, Any]] = []
        async with self.app.context.database.reading() as conn:
            for person in people:
                user = self.user(person.id)
                view: dict[str, Any] = {
                    "id": person.id,
                    "name": person.name,
                    "lang": person.lang,
                    "demo": person.demo,
                    "version": user.version,
                    "bot_messages": sum(1 for m in user.all_messages if m.from_bot and not m.deleted),
                    "blocked": user.blocked,
                    "role": "new" if not user.known_to_bot else "visitor",
                }
                member = await staff.active_staff(conn, person.id)
                family = None if member is not None else await families.load_family(conn, person.id)
                if member is not None:
                    # A national admin's row is made from ADMIN_IDS, without a name: her Telegram name.
                    view.update(role=member.role, name=person.name if member.region is None else member.name,
                                national=member.region is None,
                                polyclinic=member.polyclinic, ui_lang=member.language)  # fmt: skip
                elif family is not None:
                    view.update(name=family.user.name, polyclinic=family.user.polyclinic, ui_lang=family.user.language,
                                paused=family.user.paused)  # fmt: skip
                    pregnancy = family.pregnancy
                    if pregnancy is not None:
                        dating = PregnancyDating(pregnancy.due_date, DatingMethod(pregnancy.dating_method), pregnancy.lmp_date)
                        view.update(role="pregnant", week=dating.week(today))
                    elif family.children:
                        youngest = max(family.children, key=lambda c: c.birth_date)
                        age = child_age(youngest.birth_date, today) if youngest.birth_date <= today else None
                        view.update(role="parent", child_months=age.total_months if age else 0, children=len(family.children))
                    else:
                        view.update(role="planning" if family.user.planning else "registered")
                views.append(view)
        return views

    def file(self, file_id: str) -> tuple[bytes, dict[str, Any], str] | None:
        stored = self.emulator.file(file_id)
        if stored is None or stored.data is None:
            return None
        return stored.data, stored.api_object, stored.kind

    # --- demo data --------------------------------------------------------------------------

    async def _seed(self) -> None:
        with self.clock.fast():
            await seed_demo(self)
            await self.tick()
        log_event("sandbox_seeded", people=len(self.people))
