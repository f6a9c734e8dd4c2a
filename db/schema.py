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
    SmallInteger,
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
    # Asked for a baby under one year (Step 6); NULL: not asked, or "I don't know".
    Column("gestation_weeks", Integer, nullable=True),
    Column("birth_weight_g", Integer, nullable=True),
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

# Secrets the application makes for itself at first start (the audit pepper: bot/domain/privacy.py).
app_secrets = Table(
    "app_secrets",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
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
    # Which worker claimed it (Step 10): its lease runs from claimed_at; only that worker, or anyone once the
    # lease has run out, returns it to the queue.
    Column("claimed_by", String(64), nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("telegram_message_id", BigInteger, nullable=True),
    Column("last_error", String(200), nullable=True),
    Column("unique_key", String(160), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    # A broadcast's rows (Step 3): paused ones wait as `held`, and progress is counted per batch.
    Column("batch_id", Integer, nullable=True),
    # A message to staff about a family (Step 3): rendered with her family, erased with her.
    Column("about", BigInteger, nullable=True),
    # The claim query: due pending rows by priority, then age.
    Index("ix_outbox_due", "status", "priority", "due_at"),
    Index("ix_outbox_chat", "chat_id", "status"),
    Index("ix_outbox_batch", "batch_id", "status"),
    Index("ix_outbox_about", "about"),
    # Statistics count what was delivered in a period.
    Index("ix_outbox_sent_at", "sent_at"),
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
    # Set by her nurse (Step 3): who, and her answer ("coming" or "other_time").
    Column("set_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("response", String(12), nullable=True),
    Column("responded_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_appointments_user_id", "user_id"),
)

# --- Step 3: staff, assignment and the nurse's work --------------------------------------------

# Nurses and admins. National admins are the ADMIN_IDS (kept in step here at every start); regional
# admins and nurses join by invitation. A deactivated row stays for the audit trail.
staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, nullable=False),  # Telegram user id (= private chat id)
    Column("role", String(8), nullable=False),  # nurse | admin
    Column("region", String(24), nullable=True),  # admin: NULL = national; nurse: her polyclinic's region
    Column("polyclinic", String(24), nullable=True),  # nurses: the polyclinic she works for
    Column("name", String(64), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("language", String(2), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("invited_by", BigInteger, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("deactivated_at", UTCDateTime, nullable=True),
    # She blocked the bot (a 403): alerts and questions skip her until she unblocks it (Step 6 review).
    Column("unreachable_at", UTCDateTime, nullable=True),
    # A national admin from ADMIN_IDS: her Telegram app's language until she chooses one; and whether she
    # has ever written to the bot (Telegram lets no bot write first) (Step 7).
    Column("language_chosen", Boolean, nullable=False, server_default=text("true")),
    Column("opened_at", UTCDateTime, nullable=True),
    # One active role per person.
    Index(
        "uq_staff_active_user",
        "user_id",
        unique=True,
        sqlite_where=text("active"),
        postgresql_where=text("active"),
    ),
    Index("ix_staff_polyclinic", "polyclinic", "active"),
)

# A t.me/<bot>?start=inv_<code> link. Only a hash of the code is kept: a copy of the database
# cannot be used to join as staff.
invitations = Table(
    "invitations",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("role", String(8), nullable=False),  # nurse | admin
    Column("region", String(24), nullable=True),
    Column("polyclinic", String(24), nullable=True),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_by", BigInteger, nullable=True),
    Column("used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# Her nurse. No row: nobody yet (her polyclinic has no nurse, or she did not choose one).
assignments = Table(
    "assignments",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    Column("assigned_by", BigInteger, nullable=True),  # Telegram id; NULL = the automatic rule
    Index("ix_assignments_staff_id", "staff_id"),
)

# Who did what to whom: ids, action names and counts only, never health data or message text.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", BigInteger, nullable=False),  # Telegram id of the person acting
    Column("action", String(32), nullable=False),
    Column("family_id", BigInteger, nullable=True),  # not a foreign key: the entry outlives /delete_me
    Column("staff_id", Integer, nullable=True),
    Column("details", Text, nullable=False, server_default="{}"),  # JSON: ids and counts
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_family_id", "family_id"),
)

# What the nurse decided about a family: universal or progressive patronage, and her note.
family_care = Table(
    "family_care",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("risk_level", String(12), nullable=False, server_default="universal"),  # universal | progressive
    Column("note", Text, nullable=True),
    Column("updated_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

# A home visit as the nurse recorded it.
home_visits = Table(
    "home_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("visited_on", Date, nullable=False),
    Column("assessed", Text, nullable=False, server_default="[]"),  # JSON list of codes
    Column("risks", Text, nullable=False, server_default="[]"),  # JSON list of codes
    Column("note", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_home_visits_user_id", "user_id"),
)

# The family support plan drawn up after a visit: a few goals, each with a next step and a date.
support_goals = Table(
    "support_goals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("goal", String(200), nullable=False),
    Column("next_step", String(200), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("done_at", UTCDateTime, nullable=True),
    Column("removed", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_support_goals_user_id", "user_id"),
)

# Messages between a family and the nurses: her questions ("Ask my nurse", or a reply to a nurse)
# and what staff wrote to her. A question is open until a nurse answers it.
family_messages = Table(
    "family_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("direction", String(4), nullable=False),  # in: from the family | out: from staff
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=True),  # out: the author; in: her nurse then
    Column("text", Text, nullable=True),
    Column("photo_file_id", String(200), nullable=True),
    Column("reply_to", Integer, nullable=True),  # the message this one answers
    Column("created_at", UTCDateTime, nullable=False),
    Column("answered_at", UTCDateTime, nullable=True),  # in: when a nurse answered
    Column("answered_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("reminded_at", UTCDateTime, nullable=True),  # in: her nurse was reminded after 24 h
    Column("escalated_at", UTCDateTime, nullable=True),  # in: sent on to the polyclinic's other nurses
    Index("ix_family_messages_user_id", "user_id", "id"),
    Index("ix_family_messages_open", "direction", "answered_at", "created_at"),
)

# A programme announcement to a chosen audience; each recipient is an outbox row with this batch id.
broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_by", BigInteger, nullable=False),
    Column("region", String(24), nullable=True),  # the admin's scope when it was sent (NULL: national)
    Column("audience", Text, nullable=False),  # JSON: the filters
    Column("texts", Text, nullable=False),  # JSON: language → text ("*" for one text for all)
    Column("photo_file_id", String(200), nullable=True),
    Column("status", String(10), nullable=False),  # sending | paused | cancelled | done
    Column("total", Integer, nullable=False, server_default=text("0")),
    Column("progress_chat_id", BigInteger, nullable=True),
    Column("progress_message_id", BigInteger, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
)

# A questionnaire she is answering or answered (Step 4). Answers are kept while she goes, so a
# half-finished one survives a restart; one row per stepped-into instrument (PHQ-2 → PHQ-9 is two).
screenings = Table(
    "screenings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("questionnaire", String(16), nullable=False),
    Column("track", String(12), nullable=True),  # pregnancy | child: whom it is about
    Column("ref_id", Integer, nullable=True),  # the pregnancy or the child
    # The scheduled check it answers (its outbox key base), None when she chose it in /check.
    Column("occurrence", String(120), nullable=True),
    Column("status", String(12), nullable=False),  # open | done | stopped | abandoned
    Column("answers", Text, nullable=False, server_default="{}"),  # JSON: question id → option ids
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
    Column("band", String(10), nullable=True),
    Column("total", Integer, nullable=True),
    Column("label", String(16), nullable=True),
    Column("triggers", Text, nullable=False, server_default="[]"),  # JSON [[question, option], …]
    Column("self_harm", Boolean, nullable=False, server_default=text("false")),
    Column("step_to", String(16), nullable=True),
    # Safety and habits: None = not asked, True = she agreed her nurse sees it, False = kept private.
    Column("shared", Boolean, nullable=True),
    Index("ix_screenings_user_id", "user_id", "id"),
    Index("ix_screenings_open", "status", "updated_at"),
    Index("ix_screenings_occurrence", "occurrence"),
)

# An alert to staff from a risky answer (Step 4): it has an owner once someone acknowledges it,
# and until then it climbs the tiers (her nurse → the polyclinic → the region → national).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("screening_id", Integer, ForeignKey("screenings.id", ondelete="CASCADE"), nullable=False),
    Column("band", String(10), nullable=False),  # urgent | high
    Column("created_at", UTCDateTime, nullable=False),
    Column("tier", Integer, nullable=False),  # the last tier it went to
    Column("rounds", Integer, nullable=False, server_default=text("1")),  # times sent out
    Column("escalate_at", UTCDateTime, nullable=True),  # None once acknowledged
    Column("acknowledged_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("outcome", String(16), nullable=True),  # called | visit | unreached
    Column("outcome_at", UTCDateTime, nullable=True),
    Index("ix_alerts_escalate_at", "escalate_at"),
    Index("ix_alerts_user_id", "user_id"),
    Index("ix_alerts_open", "acknowledged_at", "created_at"),
    # The console's live board (Step 9): alerts nobody has closed yet, without reading the closed ones.
    Index(
        "ix_alerts_unresolved",
        "created_at",
        sqlite_where=text("outcome IS NULL OR outcome = 'unreached'"),
        postgresql_where=text("outcome IS NULL OR outcome = 'unreached'"),
    ),
)

# Who was sent an alert (to tell them all who took it).
alert_recipients = Table(
    "alert_recipients",
    metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), primary_key=True),
    Column("tier", Integer, nullable=False),
    Column("sent_round", Integer, nullable=False),
)

# --- Step 9: the coordination console ----------------------------------------------------------

# A one-time login link from /console: only the SHA-256 of its code is kept; used once, within minutes.
console_links = Table(
    "console_links",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Index("ix_console_links_staff_id", "staff_id", "created_at"),
)

# A signed-in browser. The cookie carries the session's code; only its SHA-256 is kept. It ends after
# 12 hours, at logout, or at once when her staff row is no longer active (checked on every request).
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("csrf", String(64), nullable=False),  # every form carries it back
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Index("ix_console_sessions_staff_id", "staff_id"),
)

# The console reads families by place and by name (a polyclinic's, a region's, everyone's line list,
# sorted by name, paged) and counts new ones per week, without reading the rest.
Index("ix_users_polyclinic_name", users.c.polyclinic, users.c.name, users.c.id)
Index("ix_users_region_name", users.c.region, users.c.name, users.c.id)
Index("ix_users_name", users.c.name, users.c.id)
Index("ix_users_created_at", users.c.created_at)
# Figures over a period (the overview's weeks, the nurses' medians) read only that period.
Index("ix_alerts_created_at", alerts.c.created_at)
Index("ix_alerts_taken_by", alerts.c.acknowledged_by, alerts.c.acknowledged_at)
Index("ix_family_messages_answered_by", family_messages.c.answered_by, family_messages.c.answered_at)
Index("ix_screenings_started_at", screenings.c.started_at)
Index("ix_screenings_completed_at", screenings.c.completed_at)
Index("ix_care_states_updated_at", care_states.c.updated_at)
Index("ix_home_visits_user_visited", home_visits.c.user_id, home_visits.c.visited_on)
# "Did not answer a check": the nudges sent, per family.
Index(
    "ix_outbox_check_nudges",
    outbox.c.chat_id,
    outbox.c.sent_at,
    sqlite_where=text("kind = 'check' AND message_key = 'check.nudge' AND status = 'sent'"),
    postgresql_where=text("kind = 'check' AND message_key = 'check.nudge' AND status = 'sent'"),
)

# Updates Telegram posted to the webhook (Step 10), written before Telegram is answered: a worker that dies
# after the answer leaves them here for another. Handled rows keep only the update id (Telegram may post
# the same update again after a lost answer) and go after a day; her chat id and the payload go at once.
inbox = Table(
    "inbox",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=True),  # whose turn it is; NULL once handled
    Column("payload", Text, nullable=True),  # the update as Telegram sent it; NULL once handled
    Column("received_at", UTCDateTime, nullable=False),
    Column("handled_at", UTCDateTime, nullable=True),
    # How often a worker took it: 2 or more, a worker died handling it and it is handled again.
    Column("attempts", SmallInteger, nullable=False, server_default="0"),
    # A chat's next update, and the chats with updates waiting.
    Index("ix_inbox_waiting", "chat_id", "update_id", sqlite_where=text("handled_at IS NULL"),
          postgresql_where=text("handled_at IS NULL")),
    Index("ix_inbox_handled_at", "handled_at"),
)

# Each run of a periodic job that must run in one place at a time (Step 10): who ran it, from when to when.
job_runs = Table(
    "job_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(48), nullable=False),
    Column("worker", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Index("ix_job_runs_job_started", "job", "started_at"),
)
