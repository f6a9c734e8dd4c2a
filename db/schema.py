"""The tables (SQLAlchemy Core). Alembic migrations in db/migrations create and change them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from db.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# A registered mother, father or carer. The id is the Telegram user id (= private chat id).
users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("language", String(2), nullable=False),
    Column("name", String(64), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("region", String(24), nullable=False),
    # A code from bot/content/polyclinics.toml, or NULL with polyclinic_unlisted when hers is not listed.
    Column("polyclinic", String(24), nullable=True),
    Column("polyclinic_unlisted", Boolean, nullable=False, server_default=text("false")),
    Column("planning", Boolean, nullable=False, server_default=text("false")),
    Column("consent_at", UTCDateTime, nullable=False),
    Column("paused", Boolean, nullable=False, server_default=text("false")),
    Column("unreachable_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

pregnancies = Table(
    "pregnancies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("dating_method", String(16), nullable=False),
    Column("lmp_date", Date, nullable=True),
    Column("status", String(8), nullable=False),  # active | born | lost
    Column("ended_on", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_pregnancies_user_id", "user_id"),
    # At most one active pregnancy per woman.
    Index(
        "uq_pregnancies_one_active",
        "user_id",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
)

children = Table(
    "children",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("sex", String(8), nullable=False),
    Column("pregnancy_id", Integer, ForeignKey("pregnancies.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_children_user_id", "user_id"),
)

# Things a nurse must hear about once nurses exist (Step 3): a pregnancy lost, a baby born.
life_events = Table(
    "life_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("pregnancy_id", Integer, ForeignKey("pregnancies.id", ondelete="SET NULL"), nullable=True),
    Column("occurred_on", Date, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("staff_notified_at", UTCDateTime, nullable=True),
    Index("ix_life_events_user_id", "user_id"),
)

# aiogram FSM state and data, so a half-finished flow survives a restart.
fsm_states = Table(
    "fsm_states",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("state", String(200), nullable=True),
    Column("data", Text, nullable=False, server_default="{}"),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_fsm_states_updated_at", "updated_at"),
)

# What survives /delete_me: counts with no person behind them.
anonymous_counters = Table(
    "anonymous_counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# --- Step 2: what the bot sends on its own initiative ------------------------------------------

# Everything the bot starts (reminders, guidance, alerts, broadcasts) is a row here before it is
# sent, and stays as the record of what was sent. `unique_key` makes planning idempotent: the same
# (track, item, occurrence) can be written any number of times and exists once.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("priority", Integer, nullable=False),  # 0 urgent safety, 1 nurse alert, 2 reminder, 3 broadcast
    Column("kind", String(24), nullable=False),
    Column("message_key", String(48), nullable=False),
    Column("params", Text, nullable=False, server_default="{}"),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(12), nullable=False),  # pending | sending | sent | failed | unreachable
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("telegram_message_id", BigInteger, nullable=True),
    Column("last_error", String(200), nullable=True),
    Column("unique_key", String(160), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    # The claim query: due pending rows by priority, then age.
    Index("ix_outbox_due", "status", "priority", "due_at"),
    Index("ix_outbox_chat", "chat_id", "status"),
)

# When each family next needs planning: the planner's sweep reads only the rows that are due, so its
# cost follows what is due, not how many families are registered.
plan_state = Table(
    "plan_state",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("next_plan_at", UTCDateTime, nullable=False),
    Index("ix_plan_state_next_plan_at", "next_plan_at"),
)

# What she said about a calendar item: done, not for me, or a date she has.
care_states = Table(
    "care_states",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("track", String(12), nullable=False),  # pregnancy | child | planning
    Column("ref_id", Integer, nullable=False),  # the pregnancy's or child's id; 0 for planning
    Column("item_id", String(32), nullable=False),
    Column("status", String(12), nullable=False),  # done | not_for_me | appointment | snoozed
    Column("snoozed_until", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("uq_care_states_item", "user_id", "track", "ref_id", "item_id", unique=True),
)

# Her own appointments (typed by her, or "I have an appointment on…" for a calendar item).
appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("what", String(120), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("at_time", String(5), nullable=True),  # "HH:MM" local, or none
    Column("place", String(120), nullable=True),
    Column("care_item", String(80), nullable=True),  # "track:ref:item" when it stands for a calendar item
    Column("cancelled", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_appointments_user_id", "user_id"),
)
