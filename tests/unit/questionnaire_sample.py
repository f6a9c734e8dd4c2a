"""A small valid questionnaires file (every kind of question and rule, in few lines), for the
loader's tests to vary."""

TINY = """
[self_harm.advice]
kk = "Көмек бар. 112."
ru = "Помощь есть. 112."
en = "Help is there. 112."

[[option_sets.yn]]
id = "yes"
label = { kk = "Иә", ru = "Да", en = "Yes" }
[[option_sets.yn]]
id = "no"
label = { kk = "Жоқ", ru = "Нет", en = "No" }

[[questionnaires]]
id = "tiny"
topic = "danger"
scoring = "flags"
status = "unconfirmed"
source = "test"
audience = { pregnancy = [0, 300] }
positive_band = "urgent"
title = { kk = "Тест", ru = "Тест", en = "Test" }
intro = { kk = "Кіріспе", ru = "Вступление", en = "Intro" }
advice.urgent = { kk = "Қазір 103", ru = "Сейчас 103", en = "Now 103" }
advice.none = { kk = "Жақсы", ru = "Хорошо", en = "Good" }

[[questionnaires.questions]]
id = "signs"
kind = "multi"
text = { kk = "Бар ма?", ru = "Есть?", en = "Any?" }
options = [
  { id = "bleed", positive = true, label = { kk = "Қан", ru = "Кровь", en = "Blood" } },
  { id = "harm", self_harm = true, label = { kk = "Зиян", ru = "Вред", en = "Harm" } },
  { id = "none", exclusive = true, label = { kk = "Жоқ", ru = "Нет", en = "None" } },
]

[[questionnaires]]
id = "short"
topic = "mood"
scoring = "sum"
status = "confirmed"
source = "test"
audience = { postpartum = [0, 365] }
step_to = "long"
step_at = 2
bands = [{ min = 0, max = 3, band = "none" }]
title = { kk = "Қысқа", ru = "Кратко", en = "Short" }
intro = { kk = "Кіріспе", ru = "Вступление", en = "Intro" }
advice.none = { kk = "Жақсы", ru = "Хорошо", en = "Good" }

[[questionnaires.questions]]
id = "q1"
text = { kk = "Бір", ru = "Один", en = "One" }
options = [
  { id = "0", score = 0, label = { kk = "Жоқ", ru = "Нет", en = "No" } },
  { id = "3", score = 3, label = { kk = "Иә", ru = "Да", en = "Yes" } },
]

[[questionnaires]]
id = "long"
topic = "mood"
scoring = "sum"
status = "confirmed"
source = "test"
audience = { postpartum = [0, 365] }
bands = [{ min = 0, max = 2, band = "none" }, { min = 3, max = 5, band = "high", label = "high" }]
title = { kk = "Ұзын", ru = "Длинно", en = "Long" }
intro = { kk = "Кіріспе", ru = "Вступление", en = "Intro" }
advice.none = { kk = "Жақсы", ru = "Хорошо", en = "Good" }
advice.high = { kk = "Мейірбике", ru = "Медсестра", en = "Nurse" }

[[questionnaires.questions]]
id = "q1"
text = { kk = "Бір", ru = "Один", en = "One" }
options = [
  { id = "0", score = 0, label = { kk = "Жоқ", ru = "Нет", en = "No" } },
  { id = "3", score = 3, label = { kk = "Иә", ru = "Да", en = "Yes" } },
]

[[questionnaires.questions]]
id = "q2"
text = { kk = "Екі", ru = "Два", en = "Two" }
options = [
  { id = "0", score = 0, label = { kk = "Жоқ", ru = "Нет", en = "No" } },
  { id = "2", score = 2, label = { kk = "Иә", ru = "Да", en = "Yes" } },
]

[[questionnaires]]
id = "yesno"
topic = "development"
scoring = "flags"
status = "unconfirmed"
source = "test"
audience = { child = [61, 121] }
positive_band = "high"
title = { kk = "Даму", ru = "Развитие", en = "Development" }
intro = { kk = "Кіріспе", ru = "Вступление", en = "Intro" }
advice.none = { kk = "Жақсы", ru = "Хорошо", en = "Good" }
advice.high = { kk = "Мейірбике", ru = "Медсестра", en = "Nurse" }

[[questionnaires.questions]]
id = "smile"
options = "yn"
positive = ["no"]
text = { kk = "Күле ме?", ru = "Улыбается?", en = "Smiles?" }

[[schedule]]
questionnaire = "tiny"
track = "pregnancy"
from_day = 196
to_day = 210
every_days = 7

[[schedule]]
questionnaire = "yesno"
track = "child"
days = [61]
"""
