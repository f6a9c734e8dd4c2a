// AnaBala sandbox page: people side by side, chatting with the real bot through the emulator.
// Plain JS, no build step. Bubble HTML comes from the server (sandbox/render.py, built from the
// text and Telegram's entities, everything escaped); everything else is set with textContent.
"use strict";

const T = {
  en: {
    title: "AnaBala sandbox", skip: "Skip to the chats",
    note: "Everything runs on this computer: the real bot talks to a simulated Telegram. Nobody receives anything.",
    sandbox_time: "Sandbox time", plus_hour: "+1 hour", plus_day: "+1 day", plus_week: "+1 week",
    reset: "Reset the demo", reset_confirm: "Delete every chat and all data, and create the demo people again?",
    page_language: "Page language", people: "People", new_person: "➕ New person",
    new_person_title: "A new Telegram user", open_link_title: "Open the link", who_opens: "Who opens the link?",
    a_new_person: "A new person", name: "First name in Telegram", app_language: "Telegram app language",
    cancel: "Cancel", create: "Create", open: "Open", name_needed: "Please type a name.",
    link_note: "The link opens the bot with: /start {payload}",
    menu: "☰ Menu", menu_label: "Commands of {name}", close: "Close the chat with {name}",
    chat_with: "Chat with {name}", message: "Message", send: "Send", attach: "Attach a file",
    photo: "🖼 Sample photo", document: "📄 Sample document", start: "START",
    start_hint: "A new chat, as in Telegram: press START.", edited: "edited",
    you: "You", bot: "AnaBala", keyboard: "Keyboard from the bot",
    block: "🚫 Block the bot", unblock: "Unblock the bot", blocked_note: "{name} has blocked the bot.",
    contact: "📱 Contact: {phone}", photo_alt: "Photo", document_file: "📄 {name}", location: "📍 Location",
    media: "[{kind}]", open_chat: "Open the chat with {name}", unread: "{n} new",
    travelling: "Moving time forward by {span}…", travelled: "Done: it is now {time}.",
    span_hour: "an hour", span_day: "a day", span_week: "a week",
    resetting: "Creating the demo afresh…", starting: "The sandbox is starting…",
    offline: "No connection to the sandbox. Trying again…", error: "That did not work: {error}",
    role_admin_national: "National admin", role_admin: "Regional admin", role_nurse: "Patronage nurse",
    role_head: "Polyclinic head", console: "The coordination console ↗",
    role_pregnant: "Pregnant, week {week}", role_parent: "Mother of a {months}-month-old",
    role_parent_older: "Mother of a {years}-year-old", role_planning: "Planning a pregnancy",
    role_registered: "Registered", role_new: "Has not written to the bot yet", role_visitor: "Not registered yet",
    paused: "paused", demo: "demo", command_hint: "Send {command}",
  },
  ru: {
    title: "Песочница AnaBala", skip: "К чатам",
    note: "Всё работает на этом компьютере: настоящий бот общается с имитацией Telegram. Никому ничего не отправляется.",
    sandbox_time: "Время песочницы", plus_hour: "+1 час", plus_day: "+1 день", plus_week: "+1 неделя",
    reset: "Сбросить демо", reset_confirm: "Удалить все переписки и данные и создать демо-пользователей заново?",
    page_language: "Язык страницы", people: "Люди", new_person: "➕ Новый человек",
    new_person_title: "Новый пользователь Telegram", open_link_title: "Открыть ссылку", who_opens: "Кто открывает ссылку?",
    a_new_person: "Новый человек", name: "Имя в Telegram", app_language: "Язык приложения Telegram",
    cancel: "Отмена", create: "Создать", open: "Открыть", name_needed: "Пожалуйста, введите имя.",
    link_note: "Ссылка открывает бота с командой: /start {payload}",
    menu: "☰ Меню", menu_label: "Команды: {name}", close: "Закрыть чат: {name}",
    chat_with: "Чат: {name}", message: "Сообщение", send: "Отправить", attach: "Прикрепить файл",
    photo: "🖼 Пример фото", document: "📄 Пример документа", start: "ЗАПУСТИТЬ",
    start_hint: "Новый чат, как в Telegram: нажмите «Запустить».", edited: "изменено",
    you: "Вы", bot: "AnaBala", keyboard: "Клавиатура бота",
    block: "🚫 Заблокировать бота", unblock: "Разблокировать бота", blocked_note: "{name} заблокировала бота.",
    contact: "📱 Контакт: {phone}", photo_alt: "Фото", document_file: "📄 {name}", location: "📍 Геопозиция",
    media: "[{kind}]", open_chat: "Открыть чат: {name}", unread: "новых: {n}",
    travelling: "Перематываем время на {span}…", travelled: "Готово: сейчас {time}.",
    span_hour: "час", span_day: "день", span_week: "неделю",
    resetting: "Демо создаётся заново…", starting: "Песочница запускается…",
    offline: "Нет связи с песочницей. Пробую снова…", error: "Не получилось: {error}",
    role_admin_national: "Национальный администратор", role_admin: "Региональный администратор",
    role_nurse: "Патронажная медсестра", role_pregnant: "Беременная, {week} неделя",
    role_head: "Заведующая поликлиникой", console: "Консоль координации ↗",
    role_parent: "Мама ребёнка {months} мес.", role_parent_older: "Мама ребёнка {years} г.",
    role_planning: "Планирует беременность", role_registered: "Зарегистрирована",
    role_new: "Ещё не писала боту", role_visitor: "Ещё не зарегистрирована",
    paused: "на паузе", demo: "демо", command_hint: "Отправить {command}",
  },
  kk: {
    title: "AnaBala сынақ алаңы", skip: "Чаттарға өту",
    note: "Бәрі осы компьютерде жұмыс істейді: нағыз бот жасанды Telegram-мен сөйлеседі. Ешкімге ештеңе жіберілмейді.",
    sandbox_time: "Сынақ уақыты", plus_hour: "+1 сағат", plus_day: "+1 күн", plus_week: "+1 апта",
    reset: "Демоны қайта бастау", reset_confirm: "Барлық хат-хабар мен деректер өшіріліп, демо адамдар қайта жасалсын ба?",
    page_language: "Бет тілі", people: "Адамдар", new_person: "➕ Жаңа адам",
    new_person_title: "Telegram-ның жаңа пайдаланушысы", open_link_title: "Сілтемені ашу", who_opens: "Сілтемені кім ашады?",
    a_new_person: "Жаңа адам", name: "Telegram-дағы аты", app_language: "Telegram қолданбасының тілі",
    cancel: "Болдырмау", create: "Қосу", open: "Ашу", name_needed: "Атын жазыңыз.",
    link_note: "Сілтеме ботты мына командамен ашады: /start {payload}",
    menu: "☰ Мәзір", menu_label: "Командалар: {name}", close: "Чатты жабу: {name}",
    chat_with: "Чат: {name}", message: "Хабарлама", send: "Жіберу", attach: "Файл тіркеу",
    photo: "🖼 Фото үлгісі", document: "📄 Құжат үлгісі", start: "БАСТАУ",
    start_hint: "Telegram-дағыдай жаңа чат: «Бастау» түймесін басыңыз.", edited: "өңделді",
    you: "Сіз", bot: "AnaBala", keyboard: "Боттың пернетақтасы",
    block: "🚫 Ботты бұғаттау", unblock: "Бұғаттан шығару", blocked_note: "{name} ботты бұғаттады.",
    contact: "📱 Байланыс: {phone}", photo_alt: "Фото", document_file: "📄 {name}", location: "📍 Орналасқан жер",
    media: "[{kind}]", open_chat: "Чатты ашу: {name}", unread: "жаңа: {n}",
    travelling: "Уақыт алға жылжуда: {span}…", travelled: "Дайын: қазір {time}.",
    span_hour: "бір сағат", span_day: "бір күн", span_week: "бір апта",
    resetting: "Демо қайта жасалуда…", starting: "Сынақ алаңы іске қосылуда…",
    offline: "Сынақ алаңымен байланыс жоқ. Қайта қосыламын…", error: "Болмады: {error}",
    role_admin_national: "Ұлттық әкімші", role_admin: "Өңірлік әкімші", role_nurse: "Патронаж мейірбикесі",
    role_head: "Емхана меңгерушісі", console: "Үйлестіру консолі ↗",
    role_pregnant: "Жүкті, {week}-апта", role_parent: "{months} айлық баланың анасы",
    role_parent_older: "{years} жасар баланың анасы", role_planning: "Жүктілікті жоспарлап жүр",
    role_registered: "Тіркелген", role_new: "Ботқа әлі жазбаған", role_visitor: "Әлі тіркелмеген",
    paused: "үзілісте", demo: "демо", command_hint: "{command} жіберу",
  },
};
const LANG_SHORT = { kk: "ҚАЗ", ru: "РУС", en: "ENG" };

const S = {
  lang: pickLanguage(),
  version: "",
  generation: null,
  ready: false,
  people: [],
  open: loadList("sandbox.open"),
  active: null,
  chats: {},          // id -> last chat payload
  columns: {},        // id -> column element
  seen: loadMap("sandbox.seen"),  // id -> bot messages seen
  skew: 0,            // sandbox now - Date.now(), ms
  timezone: "Asia/Almaty",
  busy: false,
  dialogLink: null,   // the /start payload the person dialog opens with
};

// Phone numbers as the bot writes them (bot/domain/phone.py): +7 701 000 00 03.
function formatPhone(raw) {
  const digits = String(raw || "").replace(/\D/g, "");
  const national = digits.length === 11 && (digits[0] === "7" || digits[0] === "8") ? digits.slice(1) : digits;
  if (national.length !== 10) return String(raw || "");
  return `+7 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6, 8)} ${national.slice(8)}`;
}

function pickLanguage() {
  const saved = localStorage.getItem("sandbox.lang");
  if (saved && T[saved]) return saved;
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (fromUrl && T[fromUrl]) return fromUrl;
  const nav = (navigator.language || "en").slice(0, 2);
  return T[nav] ? nav : "en";
}
function loadList(key) { try { const v = JSON.parse(localStorage.getItem(key)); return Array.isArray(v) ? v : null; } catch { return null; } }
function loadMap(key) { try { const v = JSON.parse(localStorage.getItem(key)); return v && typeof v === "object" ? v : {}; } catch { return {}; } }
function save() {
  localStorage.setItem("sandbox.open", JSON.stringify(S.open || []));
  localStorage.setItem("sandbox.seen", JSON.stringify(S.seen));
  localStorage.setItem("sandbox.lang", S.lang);
}

function t(key, params) {
  let text = (T[S.lang] && T[S.lang][key]) || T.en[key] || key;
  for (const [name, value] of Object.entries(params || {})) text = text.split("{" + name + "}").join(String(value));
  return text;
}
const $ = (selector, root = document) => root.querySelector(selector);
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value; else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- talking to the sandbox ---------------------------------------------------------------

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
  const response = await fetch(path, options);
  let payload = null;
  try { payload = await response.json(); } catch { payload = null; }
  if (!response.ok) {
    const error = new Error((payload && payload.error) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return payload;
}

function status(text) { $("#status").textContent = text || ""; }
function fail(error) { status(t("error", { error: error.message || String(error) })); }

async function refresh() {
  let state;
  try { state = await api("GET", "/api/state"); } catch (error) { status(t("offline")); throw error; }
  S.version = state.version;
  if (!state.ready) { S.ready = false; status(S.busy ? t("resetting") : t("starting")); setControls(); return; }
  const wasReady = S.ready;
  S.ready = true;
  if (S.generation !== null && state.generation !== S.generation) {
    // A reset: everything shown belongs to the old world.
    for (const id of Object.keys(S.columns)) { S.columns[id].remove(); delete S.columns[id]; }
    S.chats = {}; S.seen = {};
  }
  S.generation = state.generation;
  S.timezone = state.timezone;
  // The console, beside the bot: staff sign in with the link /console sends them.
  const consoleLink = $("#console-link");
  if (state.console) consoleLink.href = state.console;
  consoleLink.hidden = !state.console;
  S.skew = Date.parse(state.now) - Date.now();
  S.people = state.people;
  if (!wasReady && !S.busy) status("");
  if (S.open === null) S.open = defaultOpen();
  S.open = S.open.filter((id) => S.people.some((p) => p.id === id));
  renderPeople();
  renderColumns();
  await Promise.all(S.open.map((id) => {
    const person = S.people.find((p) => p.id === id);
    const chat = S.chats[id];
    return !chat || chat.version !== person.version ? loadChat(id) : null;
  }));
  setControls();
  tickClock();
}

function defaultOpen() {
  const order = ["pregnant", "nurse", "admin"];
  return order.map((demo) => S.people.find((p) => p.demo === demo)).filter(Boolean).map((p) => p.id);
}

async function loadChat(id) {
  const chat = await api("GET", `/api/people/${id}/chat`);
  showChat(id, chat);
}

async function watch() {
  // Long polling: the server answers when anything changed (or after 25 s).
  for (;;) {
    try {
      const { version } = await api("GET", "/api/events?since=" + encodeURIComponent(S.version));
      if (version !== S.version) await refresh();
    } catch (error) {
      status(t("offline"));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      try { await refresh(); if (S.ready && !S.busy) status(""); } catch { /* still offline */ }
    }
  }
}

// --- the clock and the time machine -----------------------------------------------------------

// Dates in the sandbox's time zone, with our own names: browsers' built-in Kazakh data is often
// incomplete ("M11"), and the page must read the same everywhere.
const DATES = {
  en: { months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
        short: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        days: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        dshort: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        moment: (p) => `${p.dshort} ${p.day} ${p.short} ${p.year}, ${p.time}`,
        long: (p) => `${p.dlong}, ${p.day} ${p.month} ${p.year}` },
  ru: { months: ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"],
        short: ["янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.", "нояб.", "дек."],
        days: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
        dshort: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
        moment: (p) => `${p.dshort}, ${p.day} ${p.short} ${p.year}, ${p.time}`,
        long: (p) => `${p.dlong}, ${p.day} ${p.month} ${p.year}` },
  kk: { months: ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"],
        short: ["қаң.", "ақп.", "нау.", "сәу.", "мам.", "мау.", "шіл.", "там.", "қыр.", "қаз.", "қар.", "жел."],
        days: ["жексенбі", "дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі"],
        dshort: ["жс", "дс", "сс", "ср", "бс", "жм", "сб"],
        moment: (p) => `${p.year} ж. ${p.day} ${p.short}, ${p.dshort}, ${p.time}`,
        long: (p) => `${p.year} ж. ${p.day} ${p.month}, ${p.dlong}` },
};
const formatters = {};
function dateParts(ms) {
  const parts = {};
  const format = formatters[S.timezone] || (formatters[S.timezone] = new Intl.DateTimeFormat("en-GB", {
    timeZone: S.timezone, year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }));
  for (const part of format.formatToParts(new Date(ms))) parts[part.type] = part.value;
  const year = Number(parts.year), month = Number(parts.month), day = Number(parts.day);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const names = DATES[S.lang] || DATES.en;
  return { year, day, key: `${year}-${month}-${day}`, time: `${parts.hour}:${parts.minute}`,
           month: names.months[month - 1], short: names.short[month - 1], dlong: names.days[weekday], dshort: names.dshort[weekday] };
}
function formatMoment(ms, withDate = true) {
  const parts = dateParts(ms);
  return withDate ? (DATES[S.lang] || DATES.en).moment(parts) : parts.time;
}
function dayKey(ms) { return dateParts(ms).key; }
function tickClock() {
  if (!S.ready) return;
  const now = Date.now() + S.skew;
  const clock = $("#clock");
  clock.textContent = formatMoment(now);
  clock.dateTime = new Date(now).toISOString();
}

function setControls() {
  for (const button of document.querySelectorAll("[data-travel], #reset, #new-person")) button.disabled = S.busy || !S.ready;
}

async function travel(by) {
  if (S.busy) return;
  S.busy = true; setControls();
  status(t("travelling", { span: t("span_" + by) }));
  try {
    const result = await api("POST", "/api/time", { by });
    S.skew = Date.parse(result.now) - Date.now();
    await refresh();
    status(t("travelled", { time: formatMoment(Date.parse(result.now)) }));
  } catch (error) { fail(error); }
  S.busy = false; setControls();
}

async function resetDemo() {
  if (S.busy || !window.confirm(t("reset_confirm"))) return;
  S.busy = true; setControls(); status(t("resetting"));
  try { await api("POST", "/api/reset", {}); S.open = null; await refresh(); status(""); } catch (error) { fail(error); }
  S.busy = false; setControls();
}

// --- people -------------------------------------------------------------------------------

function roleText(person) {
  switch (person.role) {
    case "admin": return person.national ? t("role_admin_national") : t("role_admin");
    case "nurse": return t("role_nurse");
    case "head": return t("role_head");
    case "pregnant": return t("role_pregnant", { week: person.week });
    case "parent": return person.child_months >= 24
      ? t("role_parent_older", { years: Math.floor(person.child_months / 12) })
      : t("role_parent", { months: person.child_months });
    case "planning": return t("role_planning");
    case "registered": return t("role_registered");
    case "new": return t("role_new");
    default: return t("role_visitor");
  }
}
function personLine(person) {
  const parts = [roleText(person), LANG_SHORT[person.ui_lang || person.lang] || ""];
  if (person.paused) parts.push(t("paused"));
  return parts.filter(Boolean).join(" · ");
}

function renderPeople() {
  const list = $("#people-list");
  const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".person") : null;
  const refocus = focused ? focused.dataset.person : null;
  list.replaceChildren();
  for (const person of S.people) {
    const isOpen = S.open.includes(person.id);
    const unread = isOpen ? 0 : Math.max(0, person.bot_messages - (S.seen[person.id] || 0));
    const button = el("button", {
      type: "button", class: "person" + (person.id === S.active ? " active" : ""),
      "aria-pressed": isOpen ? "true" : "false", dataset: { person: String(person.id) },
    });
    button.append(el("span", { class: "person-name" }, person.name));
    button.append(el("span", { class: "person-role" }, personLine(person)));
    if (unread > 0) button.append(el("span", { class: "badge" }, t("unread", { n: unread })));
    button.addEventListener("click", () => openPerson(person.id));
    const item = el("li");
    item.append(button);
    list.append(item);
    if (refocus === String(person.id)) button.focus();
  }
}

async function openPerson(id, focus = true) {
  if (!S.open.includes(id)) { S.open.push(id); save(); }
  S.active = id;
  renderColumns();
  renderPeople();
  const chat = S.chats[id];
  const person = S.people.find((p) => p.id === id);
  if (!chat || (person && chat.version !== person.version)) {
    try { await loadChat(id); } catch (error) { fail(error); }
  }
  const column = S.columns[id];
  if (column && focus) {
    column.scrollIntoView({ block: "nearest", inline: "nearest" });
    const target = column.querySelector(".start-area:not([hidden]) button")
      || column.querySelector(".composer:not([hidden]) .composer-input")
      || column.querySelector(".messages");
    target.focus();
  }
}

function closePerson(id) {
  S.open = S.open.filter((x) => x !== id);
  if (S.active === id) S.active = S.open[S.open.length - 1] || null;
  save();
  renderColumns();
  renderPeople();
  const button = document.querySelector(`.person[data-person="${id}"]`);
  if (button) button.focus();
}

// --- columns ------------------------------------------------------------------------------

function renderColumns() {
  const main = $("#columns");
  for (const id of Object.keys(S.columns)) {
    if (!S.open.includes(Number(id))) { S.columns[id].remove(); delete S.columns[id]; }
  }
  if (S.active === null || !S.open.includes(S.active)) S.active = S.open[0] || null;
  let previous = null;
  for (const id of S.open) {
    if (!S.columns[id]) S.columns[id] = buildColumn(id);
    // In the order of S.open; a column already in place is not moved (moving resets its scroll).
    place(main, S.columns[id], previous);
    previous = S.columns[id];
    S.columns[id].classList.toggle("active", id === S.active);
    labelColumn(S.columns[id], S.people.find((p) => p.id === id));
  }
}

function buildColumn(id) {
  const column = $("#column-template").content.firstElementChild.cloneNode(true);
  column.dataset.person = String(id);
  const nameId = `name-${id}`, inputId = `text-${id}`;
  $(".name", column).id = nameId;
  column.setAttribute("aria-labelledby", nameId);
  $(".composer-input", column).id = inputId;
  $(".message-label", column).htmlFor = inputId;
  column.addEventListener("focusin", () => { if (S.active !== id) { S.active = id; for (const c of Object.values(S.columns)) c.classList.toggle("active", c === column); renderPeople(); } });
  $(".close", column).addEventListener("click", () => closePerson(id));
  $(".menu-button", column).addEventListener("click", () => toggle($(".menu", column), $(".menu-button", column)));
  $(".attach", column).addEventListener("click", () => toggle($(".attach-menu", column), $(".attach", column)));
  $(".block-toggle", column).addEventListener("click", () => {
    const chat = S.chats[id];
    act(id, "block", { blocked: !(chat && chat.blocked) });
  });
  for (const button of column.querySelectorAll("[data-attach]")) {
    button.addEventListener("click", () => {
      const input = $(".composer-input", column);
      const caption = input.value;
      input.value = "";
      toggle($(".attach-menu", column), $(".attach", column), false);
      act(id, button.dataset.attach, { caption });
    });
  }
  $(".start", column).addEventListener("click", () => act(id, "start", {}));
  $(".alert-ok", column).addEventListener("click", () => { $(".alert-box", column).hidden = true; $(".composer-input", column).focus(); });
  $(".composer", column).addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $(".composer-input", column);
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    act(id, "send", { text }).then((ok) => { if (!ok) input.value = text; });
  });
  $(".messages", column).addEventListener("click", (event) => onMessageClick(id, event));
  $(".messages", column).setAttribute("aria-busy", "true"); // no announcing the whole history on opening
  column.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (!$(".menu", column).hidden) { toggle($(".menu", column), $(".menu-button", column), false); $(".menu-button", column).focus(); }
    if (!$(".attach-menu", column).hidden) { toggle($(".attach-menu", column), $(".attach", column), false); $(".attach", column).focus(); }
  });
  return column;
}

function labelColumn(column, person) {
  if (!person) return;
  $(".name", column).textContent = person.name;
  $(".role", column).textContent = personLine(person);
  $(".close", column).setAttribute("aria-label", t("close", { name: person.name }));
  $(".menu-button", column).textContent = t("menu");
  $(".menu", column).setAttribute("aria-label", t("menu_label", { name: person.name }));
  $(".messages", column).setAttribute("aria-label", t("chat_with", { name: person.name }));
  $(".message-label", column).textContent = t("message");
  $(".send", column).textContent = t("send");
  $(".attach", column).setAttribute("aria-label", t("attach"));
  $("[data-attach=photo]", column).textContent = t("photo");
  $("[data-attach=document]", column).textContent = t("document");
  $(".start", column).textContent = t("start");
  $(".start-hint", column).textContent = t("start_hint");
  $(".reply-keyboard", column).setAttribute("aria-label", t("keyboard"));
  const chat = S.chats[person.id];
  $(".block-toggle", column).textContent = chat && chat.blocked ? t("unblock") : t("block");
  $(".blocked-note", column).textContent = t("blocked_note", { name: person.name });
}

function toggle(panel, button, force) {
  const show = force === undefined ? panel.hidden : force;
  panel.hidden = !show;
  button.setAttribute("aria-expanded", show ? "true" : "false");
  if (show) { const first = panel.querySelector("button"); if (first) first.focus(); }
}

// One action of one person; the answer carries her chat after the bot replied.
async function act(id, action, body) {
  const column = S.columns[id];
  if (column) column.classList.add("waiting");
  const hadFocus = column && column.contains(document.activeElement);
  const onButton = hadFocus && document.activeElement.matches(".inline-kb button, .reply-keyboard button, .start");
  const newestBefore = newestBotMessage(column);
  try {
    const result = await api("POST", `/api/people/${id}/${action}`, body);
    if (result && result.chat) showChat(id, result.chat);
    if (result && result.answer) showAnswer(id, result.answer);
    const focused = document.activeElement;
    const lost = !focused || !focused.isConnected || !column.contains(focused) || focused.getClientRects().length === 0;
    // Pressed a button and the bot asked the next question: go there, as the eye would.
    const moved = onButton && newestBotMessage(column) !== newestBefore;
    if (hadFocus && column && (lost || moved)) focusNext(column);
    return true;
  } catch (error) {
    fail(error);
    if (error.status === 409) loadChat(id).catch(() => {});
    return false;
  } finally {
    if (column) column.classList.remove("waiting");
  }
}

function newestBotMessage(column) {
  const newest = column ? [...column.querySelectorAll("li.msg.bot")].pop() : null;
  return newest ? newest.dataset.id : null;
}

// After a tap whose button went away (the message was edited, the keyboard closed), keyboard
// users continue where a person would look next: the newest buttons, else the message box.
function focusNext(column) {
  const newest = [...column.querySelectorAll("li.msg.bot")].pop();
  const target = (newest && newest.querySelector(".inline-kb button"))
    || column.querySelector(".reply-keyboard:not([hidden]) button")
    || column.querySelector(".start-area:not([hidden]) button")
    || column.querySelector(".composer:not([hidden]) .composer-input")
    || column.querySelector(".messages");
  if (target) target.focus();
}

function showAnswer(id, answer) {
  const column = S.columns[id];
  if (!column) return;
  if (answer.show_alert) {
    $(".alert-text", column).textContent = answer.text;
    $(".alert-box", column).hidden = false;
    $(".alert-ok", column).focus();
    return;
  }
  const toast = $(".toast", column);
  toast.textContent = answer.text;
  toast.classList.add("shown");
  clearTimeout(toast._timer);
  toast._timer = setTimeout(() => { toast.classList.remove("shown"); toast.textContent = ""; }, 4000);
}

function onMessageClick(id, event) {
  const inline = event.target.closest("button[data-callback]");
  if (inline) {
    act(id, "click", { message_id: Number(inline.dataset.message), data: inline.dataset.callback });
    return;
  }
  const command = event.target.closest("button[data-command]");
  if (command) { act(id, "send", { text: command.dataset.command }); return; }
  const link = event.target.closest("a[data-start]");
  if (link) { event.preventDefault(); openPersonDialog(link.dataset.start); }
}

// --- drawing a chat -------------------------------------------------------------------------

function showChat(id, chat) {
  S.chats[id] = chat;
  const column = S.columns[id];
  if (!column) return;
  const person = S.people.find((p) => p.id === id);
  if (person) {
    person.version = chat.version;
    S.seen[id] = chat.messages.filter((m) => m.from_bot).length;
    save();
    labelColumn(column, person);
  }
  const list = $(".messages", column);
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const existing = new Map([...list.querySelectorAll("li.msg")].map((li) => [li.dataset.id, li]));
  let lastDay = null;
  let cursor = null; // the node after which the next one goes
  const keep = new Set();
  for (const message of chat.messages) {
    const day = dayKey(message.date * 1000);
    if (day !== lastDay) {
      lastDay = day;
      const key = "day-" + day + "-" + S.lang;
      let separator = list.querySelector(`li[data-day="${key}"]`);
      if (!separator) separator = el("li", { class: "day", dataset: { day: key } }, formatDay(message.date * 1000));
      keep.add(separator);
      place(list, separator, cursor);
      cursor = separator;
    }
    const signature = JSON.stringify([message.edits, message.html, message.buttons, message.media, S.lang]);
    let node = existing.get(String(message.id));
    if (!node || node.dataset.signature !== signature) {
      const fresh = bubble(message);
      fresh.dataset.signature = signature;
      if (node) node.replaceWith(fresh);
      node = fresh;
    }
    keep.add(node);
    place(list, node, cursor);
    cursor = node;
  }
  for (const child of [...list.children]) if (!keep.has(child)) child.remove();
  if (atBottom || list.dataset.filled !== "1") list.scrollTop = list.scrollHeight;
  list.dataset.filled = "1";
  list.removeAttribute("aria-busy");

  // Below the chat: START for a new chat, else the reply keyboard and the composer.
  $(".start-area", column).hidden = chat.started || chat.blocked;
  $(".composer", column).hidden = !chat.started || chat.blocked;
  $(".blocked-note", column).hidden = !chat.blocked;
  $(".composer-input", column).placeholder = chat.placeholder || t("message");
  const keyboard = $(".reply-keyboard", column);
  const focusedKey = keyboard.contains(document.activeElement) ? document.activeElement.textContent : null;
  keyboard.replaceChildren();
  keyboard.hidden = !chat.reply_keyboard || chat.blocked;
  for (const row of chat.reply_keyboard || []) {
    const line = el("div", { class: "kb-row" });
    for (const key of row) {
      const button = el("button", { type: "button", class: "kb" + (key.contact ? " contact" : "") }, key.text);
      button.addEventListener("click", () => act(id, "press", { text: key.text }));
      line.append(button);
      if (focusedKey === key.text) queueMicrotask(() => button.focus());
    }
    keyboard.append(line);
  }
  const commands = $(".commands", column);
  commands.replaceChildren();
  for (const command of chat.commands || []) {
    const button = el("button", { type: "button", class: "command", title: t("command_hint", { command: "/" + command.command }) });
    button.append(el("span", { class: "command-name" }, "/" + command.command), el("span", { class: "command-description" }, command.description));
    button.addEventListener("click", () => {
      toggle($(".menu", column), $(".menu-button", column), false);
      act(id, "send", { text: "/" + command.command });
    });
    const item = el("li");
    item.append(button);
    commands.append(item);
  }
}

function place(list, node, after) {
  const wanted = after ? after.nextSibling : list.firstChild;
  if (wanted !== node) list.insertBefore(node, wanted);
}

function formatDay(ms) { return (DATES[S.lang] || DATES.en).long(dateParts(ms)); }

function bubble(message) {
  const item = el("li", { class: "msg " + (message.from_bot ? "bot" : "me"), dataset: { id: String(message.id) } });
  const box = el("div", { class: "bubble" });
  box.append(el("span", { class: "sr-only" }, (message.from_bot ? t("bot") : t("you")) + ": "));
  const media = message.media;
  if (media) {
    if (media.type === "photo") {
      box.append(el("img", { src: "/api/files/" + encodeURIComponent(media.file_id), alt: t("photo_alt"), loading: "lazy", class: "photo" }));
    } else if (media.type === "document") {
      box.append(el("a", { href: "/api/files/" + encodeURIComponent(media.file_id), download: media.file_name, class: "document" }, t("document_file", { name: media.file_name })));
    } else if (media.type === "contact") {
      box.append(el("p", { class: "contact" }, t("contact", { phone: formatPhone(media.phone_number) })));
    } else if (media.type === "location") {
      box.append(el("p", { class: "contact" }, t("location")));
    } else {
      box.append(el("p", {}, t("media", { kind: media.type })));
    }
  }
  if (message.html) {
    const text = el("div", { class: "text" });
    text.innerHTML = message.html; // built by the server from escaped text + entities
    box.append(text);
  }
  const meta = el("div", { class: "meta" });
  if (message.edits) meta.append(el("span", { class: "edited" }, t("edited")));
  const moment = message.date * 1000;
  meta.append(el("time", { datetime: new Date(moment).toISOString() }, formatMoment(moment, false)));
  box.append(meta);
  item.append(box);
  if (message.buttons && message.buttons.length) {
    const keyboard = el("div", { class: "inline-kb" });
    for (const row of message.buttons) {
      const line = el("div", { class: "kb-row" });
      for (const key of row) {
        if (key.data !== null && key.data !== undefined) {
          line.append(el("button", { type: "button", class: "kb", dataset: { callback: key.data, message: String(message.id) } }, key.text));
        } else if (key.url) {
          line.append(el("a", { class: "kb link", href: key.url, target: "_blank", rel: "noopener noreferrer nofollow" }, key.text + " ↗"));
        }
      }
      keyboard.append(line);
    }
    item.append(keyboard);
  }
  return item;
}

// --- the person dialog: a new Telegram user, or opening a t.me link as someone -----------------

function openPersonDialog(payload) {
  S.dialogLink = payload || null;
  const dialog = $("#person-dialog");
  $("#person-dialog-title").textContent = payload ? t("open_link_title") : t("new_person_title");
  $("#link-note").hidden = !payload;
  $("#link-note").textContent = payload ? t("link_note", { payload }) : "";
  const who = $("#who");
  who.replaceChildren(el("option", { value: "" }, t("a_new_person")));
  for (const person of S.people) who.append(el("option", { value: String(person.id) }, `${person.name} — ${roleText(person)}`));
  who.value = "";
  $("#who-row").hidden = !payload;
  $("#new-fields").hidden = false;
  $("#person-name").value = "";
  $("#person-lang").value = S.lang;
  $("#person-error").textContent = "";
  $("#person-create").textContent = payload ? t("open") : t("create");
  dialog.showModal();
  (payload ? who : $("#person-name")).focus();
}

async function submitPersonDialog(event) {
  event.preventDefault();
  const payload = S.dialogLink;
  const chosen = $("#who").value;
  let id = chosen ? Number(chosen) : null;
  if (id === null) {
    const name = $("#person-name").value.trim();
    if (!name) { $("#person-error").textContent = t("name_needed"); $("#person-name").focus(); return; }
    try {
      const result = await api("POST", "/api/people", { name, lang: $("#person-lang").value });
      id = result.person.id;
    } catch (error) { $("#person-error").textContent = t("error", { error: error.message }); return; }
  }
  $("#person-dialog").close();
  await refresh().catch(() => {});
  openPerson(id);
  if (payload) await act(id, "start", { payload });
}

// --- start --------------------------------------------------------------------------------

function translatePage() {
  document.documentElement.lang = S.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("#page-lang").value = S.lang;
}

document.addEventListener("DOMContentLoaded", () => {
  translatePage();
  $("#page-lang").addEventListener("change", (event) => {
    S.lang = event.target.value;
    save();
    translatePage();
    renderPeople();
    for (const [id, chat] of Object.entries(S.chats)) if (S.columns[id]) showChat(Number(id), chat);
    tickClock();
  });
  for (const button of document.querySelectorAll("[data-travel]")) button.addEventListener("click", () => travel(button.dataset.travel));
  $("#reset").addEventListener("click", resetDemo);
  $("#new-person").addEventListener("click", () => openPersonDialog(null));
  $("#person-form").addEventListener("submit", submitPersonDialog);
  $("#person-cancel").addEventListener("click", () => $("#person-dialog").close());
  $("#who").addEventListener("change", () => { $("#new-fields").hidden = $("#who").value !== ""; });
  setInterval(tickClock, 1000);
  setControls();
  refresh().catch(() => {}).finally(watch);
});
