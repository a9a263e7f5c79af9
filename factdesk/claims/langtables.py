"""Word tables for Russian, Ukrainian, Belarusian and Polish: months, speech verbs, titles.

Everything language-specific that `factdesk.claims.dates` (dates written in words) and
`factdesk.claims.slavic` (speakers, quotes, reported speech) read is here, one table per
language, so adding a language is adding entries, not code. Forms are written out in full
(no stemming): "мая" is May, "лютий" is February only in Ukrainian, "maj" is May only in
Polish, and a stem would also match names (Maja) and adjectives (лютый, fierce).

>>> MONTH_FORMS["ru"]["декабря"], MONTH_FORMS["uk"]["листопаді"], MONTH_FORMS["pl"]["stycznia"]
(12, 11, 1)
>>> sorted(LANGS)
['be', 'pl', 'ru', 'uk']
"""

from __future__ import annotations

LANGS = ("ru", "uk", "be", "pl")


def _months(*rows: str) -> dict[str, int]:
    """One row per month, the forms separated by spaces (nominative, genitive, locative...)."""
    return {form: i for i, row in enumerate(rows, 1) for form in row.split()}


MONTH_FORMS: dict[str, dict[str, int]] = {
    "ru": _months(
        "январь января январе январю",
        "февраль февраля феврале",
        "март марта марте",
        "апрель апреля апреле",
        "май мая мае",
        "июнь июня июне",
        "июль июля июле",
        "август августа августе",
        "сентябрь сентября сентябре",
        "октябрь октября октябре",
        "ноябрь ноября ноябре",
        "декабрь декабря декабре",
    ),
    "uk": _months(
        "січень січня січні",
        "лютий лютого лютому",
        "березень березня березні",
        "квітень квітня квітні",
        "травень травня травні",
        "червень червня червні",
        "липень липня липні",
        "серпень серпня серпні",
        "вересень вересня вересні",
        "жовтень жовтня жовтні",
        "листопад листопада листопаді",
        "грудень грудня грудні",
    ),
    "be": _months(
        "студзень студзеня студзені",
        "люты лютага лютым",
        "сакавік сакавіка сакавіку",
        "красавік красавіка красавіку",
        "травень траўня траўні мая",
        "чэрвень чэрвеня чэрвені",
        "ліпень ліпеня ліпені",
        "жнівень жніўня жніўні",
        "верасень верасня верасні",
        "кастрычнік кастрычніка кастрычніку",
        "лістапад лістапада лістападзе",
        "снежань снежня снежні",
    ),
    "pl": _months(
        "styczeń stycznia styczniu",
        "luty lutego lutym",
        "marzec marca marcu",
        "kwiecień kwietnia kwietniu",
        "maj maja maju",
        "czerwiec czerwca czerwcu",
        "lipiec lipca lipcu",
        "sierpień sierpnia sierpniu",
        "wrzesień września wrześniu",
        "październik października październiku",
        "listopad listopada listopadzie",
        "grudzień grudnia grudniu",
    ),
}

# "2021 года", "2021 г.", "2021 року", "2021 р.", "2021 roku", "2021 r."
YEAR_WORDS: dict[str, str] = {
    "ru": r"(?:года|году|год|г\.|гг\.)",
    "uk": r"(?:року|році|рік|р\.)",
    "be": r"(?:года|годзе|год|г\.)",
    "pl": r"(?:roku|rok|r\.)",
}
# "в 2021 году", "у 2021 році", "w 2021 roku": a year with a preposition and a year word
IN_YEAR: dict[str, str] = {
    "ru": r"(?:в|во|с|до|к)\s+(?P<y>(?:19|20)\d\d)\s+(?:году|года|г\.)",
    "uk": r"(?:у|в|з|до)\s+(?P<y>(?:19|20)\d\d)\s+(?:році|року|р\.)",
    "be": r"(?:у|ў|з|да)\s+(?P<y>(?:19|20)\d\d)\s+(?:годзе|года|г\.)",
    "pl": r"(?:w|od|do)\s+(?P<y>(?:19|20)\d\d)\s+(?:roku|r\.)",
}

# Speech verbs: past (m, f, pl) and present (3sg, 3pl) forms. A claim is their complement.
SPEECH_VERBS: dict[str, tuple[str, ...]] = {
    "ru": tuple(
        """заявил заявила заявили заявило заявляет заявляют сообщил сообщила сообщили сообщило сообщает
        сообщают отметил отметила отметили отметило отмечает отмечают подчеркнул подчеркнула подчеркнули
        подчеркнуло подчеркивает подчёркивает сказал сказала сказали говорит говорят утверждает утверждают
        утверждал утверждала утверждали добавил добавила добавили пояснил пояснила пояснили указал указала
        указали указывает считает считают напомнил напомнила напомнили признал признала признали рассказал
        рассказала рассказали написал написала написали констатировал констатировала предупредил предупредила
        предупредили заверил заверила уверяет уверял уверяла настаивает настаивал настаивала опроверг
        опровергла подчеркнули обвинил обвинила обвинили пообещал пообещала пообещали""".split()
    ),
    "uk": tuple(
        """заявив заявила заявили заявляє заявляють повідомив повідомила повідомили повідомило повідомляє
        повідомляють зазначив зазначила зазначили зазначило зазначає наголосив наголосила наголосили
        наголошує сказав сказала сказали каже кажуть додав додала додали пояснив пояснила пояснили підкреслив
        підкреслила підкреслили вказав вказала вказали вважає вважають стверджує стверджують стверджував
        стверджувала нагадав нагадала нагадали написав написала написали визнав визнала визнали розповів
        розповіла розповіли запевнив запевнила попередив попередила попередили спростував спростувала
        звинуватив звинуватила пообіцяв пообіцяла пообіцяли""".split()
    ),
    "be": tuple(
        """заявіў заявіла заявілі заяўляе паведаміў паведаміла паведамілі паведамляе адзначыў адзначыла
        адзначылі адзначае падкрэсліў падкрэсліла падкрэслілі сказаў сказала сказалі кажа дадаў дадала
        дадалі растлумачыў растлумачыла лічыць сцвярджае сцвярджаў нагадаў нагадала напісаў напісала
        прызнаў прызнала расказаў расказала папярэдзіў папярэдзіла паабяцаў паабяцала""".split()
    ),
    "pl": tuple(
        """powiedział powiedziała powiedzieli powiedziały oświadczył oświadczyła oświadczyli stwierdził
        stwierdziła stwierdzili zaznaczył zaznaczyła zaznaczyli podkreślił podkreśliła podkreślili dodał
        dodała dodali mówi mówią twierdzi twierdzą twierdził twierdziła poinformował poinformowała
        poinformowali przekazał przekazała przekazali zapewnił zapewniła zapewnili napisał napisała napisali
        wyjaśnił wyjaśniła przypomniał przypomniała ocenił oceniła uważa uważają przyznał przyznała
        ostrzegł ostrzegła oznajmił oznajmiła zdementował zdementowała obiecał obiecała obiecali""".split()
    ),
}
# Verbs whose complement is a promise, not a checkable fact.
PROMISE_VERBS = frozenset(
    "пообещал пообещала пообещали пообіцяв пообіцяла пообіцяли паабяцаў паабяцала obiecał obiecała obiecali".split()
)
# The complementiser that opens reported speech: "заявил, что ...".
THAT: dict[str, str] = {"ru": r"что|чтобы", "uk": r"що", "be": r"што", "pl": r"że|iż"}
# "По словам X, ...", "Как заявил X, ...": the rest of the sentence is X's claim.
ACCORDING: dict[str, str] = {
    "ru": r"(?:[Пп]о словам|[Пп]о мнению|[Пп]о данным|[Пп]о информации|[Сс]огласно)",
    "uk": r"(?:[Зз]а словами|[Нн]а думку|[Зз]а даними|[Зз]а інформацією|[Зз]гідно з)",
    "be": r"(?:[Пп]а словах|[Пп]аводле|[Нн]а думку|[Пп]а звестках)",
    "pl": r"(?:[Ww]edług|[Zz]daniem|[Jj]ak podaje|[Ww] opinii)",
}
AS_SAID: dict[str, str] = {"ru": r"[Кк]ак", "uk": r"[Яя]к", "be": r"[Яя]к", "pl": r"[Jj]ak"}

# Job titles and roles (lower case, matched as word prefixes: "представител" covers every case).
TITLE_STEMS: dict[str, tuple[str, ...]] = {
    "ru": tuple(
        """президент премьер министр замминистр представител глав руководител начальник директор посол посл
        депутат спикер пресс-секретар секретар председател заместител советник эксперт аналитик губернатор
        мэр генерал командующ официальн сотрудник лидер политолог журналист корреспондент член сенатор
        уполномоченн канцлер госсекретар комиссар пресс-служб вице- дипломат политик""".split()
    ),
    "uk": tuple(
        """президент прем'єр прем’єр міністр представни речни голов керівни начальни директор посол посл
        депутат спікер прес-секретар секретар заступни радни експерт аналітик губернатор мер генерал
        командувач очільни лідер член уповноважен канцлер офіційн прес-служб віце- дипломат політик""".split()
    ),
    "be": tuple(
        """прэзідэнт прэм'ер прэм’ер міністр прадстаўні кіраўні старшын дырэктар пасол пасл дэпутат
        прэс-сакратар сакратар намесні дарадц эксперт генерал лідар афіцыйн спікер прэс-служб дыпламат палітык""".split()
    ),
    "pl": tuple(
        """prezydent premier wicepremier minister wiceminister rzeczni przedstawiciel szef przewodnicząc
        dyrektor ambasador pos sekretarz doradc ekspert analityk generał burmistrz wojewod marszał prezes
        lider członek kanclerz dowódc komendant dyplomat polityk""".split()
    ),
}
# Words that make a speaker an organisation, and names that are places or bodies, never people
# (a capitalised word before a person's name: "МИД Беларуси Анатолий Глаз").
ORG_STEMS: tuple[str, ...] = tuple(
    """мид министерств ведомств правительств кремл пресс-служб администраци посольств агентств служб комитет
    совет партия партии парламент дума госдеп минобороны мзс міністерств відомств уряд посольств агентств
    служб комітет рад партія адміністраці мзс міністэрств урад пасольств msz ministerstw rząd rzęd resort
    ambasad agencj służb komitet rad parti kancelari sejm senat""".split()
)
PLACE_STEMS: tuple[str, ...] = tuple(
    """беларус белорус білорус рэспублік республик росси россі росі расі украин україн украін польш польщ
    польск літв литв латв латві эстон естон европ європ еўроп сша америк герман германі нато натo минск
    мінск москв киев київ кіев варшав брюссел вильнюс вільнюс гродн grodn polsk polsc ukrain rosj białoru
    biało litw łotw europ niemc amery usa nato mińsk moskw kijow warszaw brukse wilno""".split()
)
# Subject pronouns: "он заявил" is the last person named.
PRONOUNS: dict[str, frozenset[str]] = {
    "ru": frozenset("он она".split()),
    "uk": frozenset("він вона".split()),
    "be": frozenset("ён яна".split()),
    "pl": frozenset("on ona".split()),
}

# Check-worthiness signals for the multilingual rule (`factdesk.claims.checkworthy.RuleScorer`):
# quantities, comparisons and trends make a sentence checkable; opinions, wishes, thanks,
# questions and the future make it less so.
QUANTITY = (
    r"%|\bпроцент|\bпроцэнт|\bпрацэнт|\bвідсот|\bprocent|\bтыс|\bтис|\bмлн|\bмлрд|\bмиллион|\bмільйон|\bмільён"
    r"|\bмиллиард|\bмільярд|\btys|\bmln|\bmld|\bmilion|\bmiliard|\bвдвое|\bвтрое|\bудвічі|\butroje|\bdwukrotnie"
    r"|\bв два раза|\bу два рази|\bу два разы"
)
COMPARATIVE = (
    r"\b(?:больше|меньше|более|менее|выше|ниже|самы\w+|крупнейш\w*|впервые|рекорд\w*|більше|менше|вище|нижче|"
    r"найбільш\w*|найменш\w*|вперше|рекорд\w*|больш|менш|вышэй|ніжэй|найбольш\w*|упершыню|więcej|mniej|wyżej|"
    r"niżej|najwięk\w*|najmniej\w*|rekord\w*|po raz pierwszy|"
    r"вырос\w*|выросл\w*|снизил\w*|сократил\w*|увеличил\w*|упал\w*|рост\w*|сниж\w*|паден\w*|зріс|зросл\w*|знизил\w*|"
    r"скоротил\w*|збільшил\w*|зростан\w*|скарач\w*|павялічы\w*|вырасл\w*|wzrósł|wzrosł\w*|spadł\w*|zmniejsz\w*|"
    r"zwiększ\w*|wzrost\w*|spad\w*)\b"
)
OPINION = (
    r"\b(?:будет|будут|будем|будемо|będziemy|станет|собирается|планирует|надеемся|надеюсь|считаю|думаю|должен|должны|нужно|надо|"
    r"необходимо|спасибо|благодар\w*|призыва\w*|призвал\w*|буде|будуть|стане|планує|сподіва\w*|вважаю|"
    r"повинен|повинні|треба|потрібно|необхідно|дякую|закликав\w*|закликає|будзе|будуць|спадзяю\w*|лічу|"
    r"павінен|павінны|трэба|дзякуй|będzie|będą|zamierza|planuje|nadziej\w*|uważam|myślę|powinien|powinni|"
    r"trzeba|należy|dziękuj\w*|wezwał\w*|apeluj\w*)\b"
)
FUTURE = (
    r"\b(?:будет|будут|будем|станет|буде|будуть|будемо|стане|будзе|будуць|будзем|będzie|będą|będziemy|zostanie|"
    r"zostaną)\b"
)
FIRST_PLURAL = r"\b(?:мы|нас|наш\w*|ми|нам|наш\w*|my|nas|nasz\w*)\b"
