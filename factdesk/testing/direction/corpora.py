"""The direction suite's corpora: a few dated paragraphs per topic, unrelated distractors, and
the claims checked against them (issue 23, part 0).

Written for this suite, once, before any run; places, people and firms are made up so that
the stance model judges the passage, not what it remembers. Each corpus is
``(name, documents, claims)``: a document is ``(published, publisher, title, text)``, a claim
``(category, text)``; the category decides the expected direction (`EXPECTED`).
"""

from __future__ import annotations

Doc = tuple[str, str, str, str]
Case = tuple[str, str]

CITY: tuple[str, list[Doc], list[Case]] = (
    "city",
    [
        (
            "2019-09-12",
            "Dunmore City Council",
            "East tram line opens",
            "The Dunmore East tram line opened to passengers on 9 September 2019. The 11-kilometre line has "
            "14 stops and links the central station with the university campus. Construction cost 310 million "
            "euros, and the line was built by the Spanish firm Vialtra.",
        ),
        (
            "2020-03-02",
            "Dunmore Transport Authority",
            "Six months of the East line",
            "In its first six months the Dunmore East tram line carried 2.1 million passengers, the transport "
            "authority said. Trams run every six minutes at peak times.",
        ),
        (
            "2021-05-20",
            "Dunmore Courier",
            "Central library reopens",
            "Dunmore's central library reopened on 18 May 2021 after a two-year renovation. The renovated "
            "building, designed by the architect Maria Okafor, has 400 reading seats and a new children's wing.",
        ),
        (
            "2022-11-30",
            "Dunmore Courier",
            "Water charges to rise",
            "The Dunmore council voted 23 to 8 to raise household water charges by 6 percent from January 2023, "
            "citing the cost of replacing lead pipes.",
        ),
        (
            "2020-07-01",
            "Food Facts",
            "Bananas",
            "Bananas are botanically berries. A medium banana contains about 105 calories and 422 milligrams "
            "of potassium.",
        ),
        (
            "2018-04-10",
            "Travel Notes",
            "The Eiffel Tower",
            "The Eiffel Tower in Paris was completed in 1889 and is 330 metres tall including its antennas.",
        ),
        (
            "2021-08-15",
            "Valmont Gazette",
            "Chess",
            "A regional chess tournament in Valmont was won by 14-year-old Tomas Reyes, who scored 7.5 points "
            "from nine rounds.",
        ),
    ],
    [
        ("restated", "The Dunmore East tram line opened to passengers in September 2019."),
        ("restated", "Dunmore's central library was designed by the architect Maria Okafor."),
        ("restated", "Dunmore council voted to raise household water charges by 6 percent."),
        ("negated", "Dunmore council voted against raising household water charges."),
        ("negated", "The Dunmore East tram line has never opened to passengers."),
        ("number", "The Dunmore East tram line is 25 kilometres long."),
        ("date", "Dunmore's central library reopened in May 2015 after a renovation."),
        ("entity", "The Dunmore East tram line was built by the French firm Alstom."),
        ("off_topic", "The Golden Gate Bridge opened in 1937."),
        ("off_topic", "Dunmore's football club won the national cup in 2020."),
    ],
)

HEALTH: tuple[str, list[Doc], list[Case]] = (
    "health-science",
    [
        (
            "2023-03-14",
            "Lorendale Regional Health Office",
            "Measles campaign",
            "A measles vaccination campaign in the Lorendale region reached 92 percent of children aged one to "
            "five by the end of February 2023, the regional health office said. The campaign began in October "
            "2022 after an outbreak of 340 cases.",
        ),
        (
            "2023-06-01",
            "Lorendale Regional Health Office",
            "No new cases",
            "Lorendale recorded no new measles cases in May 2023, the first month without a case since the "
            "outbreak began.",
        ),
        (
            "2022-01-20",
            "Lorendale Herald",
            "Cancer centre",
            "St Brigid's Hospital in Lorendale opened a new cancer treatment centre with two radiotherapy "
            "machines. The centre was funded by a 45 million euro grant from the national government.",
        ),
        (
            "2024-02-08",
            "Science Weekly",
            "First light at Alta Sierra",
            "The Alta Sierra observatory's new 4-metre telescope saw first light on 2 February 2024. It was "
            "built by a consortium of Chilean and Dutch universities.",
        ),
        (
            "2022-05-05",
            "Westbrook News",
            "Cycling lane",
            "The town of Westbrook painted a 2-kilometre protected cycling lane along Harbour Road.",
        ),
        (
            "2019-10-10",
            "Kitchen Table",
            "Sourdough",
            "Sourdough bread is made with a starter of wild yeast and lactic acid bacteria; it takes about 24 "
            "hours to prepare.",
        ),
    ],
    [
        ("restated", "The measles vaccination campaign in Lorendale reached 92 percent of children aged one to five."),
        ("restated", "The Alta Sierra observatory's new telescope saw first light in February 2024."),
        (
            "restated",
            "St Brigid's Hospital opened a new cancer treatment centre funded by a grant from the national government.",
        ),
        ("negated", "Lorendale recorded new measles cases in May 2023."),
        ("negated", "The Alta Sierra observatory's new telescope has not yet seen first light."),
        ("number", "The measles outbreak in Lorendale had 3,400 cases."),
        ("date", "The Lorendale measles vaccination campaign began in October 2019."),
        ("entity", "The Alta Sierra telescope was built by a consortium of Japanese and Canadian universities."),
        ("off_topic", "Mount Everest is 8,849 metres high."),
        ("off_topic", "Westbrook's cycling lane cost 3 million euros."),
    ],
)

ECONOMY: tuple[str, list[Doc], list[Case]] = (
    "economy",
    [
        (
            "2021-06-17",
            "Varosia Business Daily",
            "Rate rise",
            "The central bank of Varosia raised its main interest rate from 1.5 percent to 2.25 percent on "
            "Thursday, its first increase in four years, to slow inflation, which reached 5.8 percent in May.",
        ),
        (
            "2022-02-03",
            "Varosia Statistics Office",
            "Labour market",
            "Varosia's unemployment rate fell to 4.1 percent in the fourth quarter of 2021, the national "
            "statistics office said, down from 5.3 percent a year earlier.",
        ),
        (
            "2020-09-22",
            "Varosia Business Daily",
            "Battery factory",
            "Northwind Motors opened a battery factory in Kessel, Varosia, employing 1,800 workers. The factory "
            "can produce batteries for 150,000 electric cars a year.",
        ),
        (
            "2023-01-12",
            "Varosia Statistics Office",
            "Trade",
            "Varosia's exports grew 7 percent in 2022, led by machinery and chemicals; Germany remained its "
            "largest trading partner.",
        ),
        (
            "2019-03-03",
            "Nature Notes",
            "Penguins",
            "Emperor penguins breed during the Antarctic winter; males incubate the egg for about 65 days.",
        ),
        (
            "2021-12-12",
            "Tamsin Film Festival",
            "Awards",
            "The film 'Silent Harbour' won the audience award at the Tamsin film festival.",
        ),
    ],
    [
        ("restated", "Varosia's central bank raised its main interest rate to 2.25 percent in June 2021."),
        ("restated", "Varosia's unemployment rate fell to 4.1 percent in the fourth quarter of 2021."),
        ("restated", "Northwind Motors' battery factory in Kessel employs 1,800 workers."),
        ("negated", "Varosia's exports fell in 2022."),
        ("negated", "Varosia's central bank cut its main interest rate in June 2021."),
        ("number", "Inflation in Varosia reached 9.5 percent in May 2021."),
        ("date", "Northwind Motors opened its battery factory in Kessel in 2015."),
        ("entity", "France remained Varosia's largest trading partner in 2022."),
        ("off_topic", "Bitcoin's price passed 60,000 dollars in 2021."),
        ("off_topic", "The Tamsin film festival is held every October."),
    ],
)

CULTURE: tuple[str, list[Doc], list[Case]] = (
    "sport-culture",
    [
        (
            "2022-10-17",
            "Halden Post",
            "Marathon",
            "Kenyan runner Amos Kiprotich won the Halden City Marathon on Sunday in 2 hours 5 minutes 41 "
            "seconds, a course record. More than 12,000 runners finished the race.",
        ),
        (
            "2023-04-02",
            "Halden Post",
            "Ilse Brandt exhibition",
            "The Halden Museum of Modern Art opened an exhibition of 120 works by the painter Ilse Brandt, on "
            "loan from private collections. The exhibition runs until September.",
        ),
        (
            "2019-11-25",
            "Halden Symphony Orchestra",
            "New principal conductor",
            "The Halden Symphony Orchestra appointed Yuki Tanaka as its principal conductor, the first woman to "
            "hold the post in the orchestra's 90-year history.",
        ),
        (
            "2024-07-08",
            "Halden Post",
            "Stadium",
            "Halden's new football stadium, with 32,000 seats, hosted its first match on 6 July 2024.",
        ),
        (
            "2020-02-02",
            "Geography Today",
            "Amazon",
            "The Amazon river carries more water than any other river in the world.",
        ),
        (
            "2022-06-06",
            "Nature Notes",
            "Bees",
            "Honeybees communicate the location of flowers to each other through a 'waggle dance'.",
        ),
    ],
    [
        ("restated", "Amos Kiprotich won the Halden City Marathon in a course record time."),
        ("restated", "The Halden Symphony Orchestra appointed Yuki Tanaka as its principal conductor."),
        ("restated", "Halden's new football stadium has 32,000 seats."),
        ("negated", "Amos Kiprotich did not win the Halden City Marathon."),
        (
            "negated",
            "Yuki Tanaka is not the first woman to be principal conductor of the Halden Symphony Orchestra.",
        ),
        ("number", "The Halden Museum of Modern Art's exhibition shows 450 works by Ilse Brandt."),
        ("date", "Halden's new football stadium hosted its first match in July 2018."),
        ("entity", "Ethiopian runner Haile Gebre won the Halden City Marathon in a course record time."),
        ("off_topic", "The Tour de France was first held in 1903."),
        ("off_topic", "Halden's airport handled 3 million passengers in 2023."),
    ],
)

ENERGY: tuple[str, list[Doc], list[Case]] = (
    "environment-energy",
    [
        (
            "2022-08-25",
            "Corran Water",
            "Reservoir at record low",
            "The Lake Corran reservoir fell to 31 percent of capacity in August 2022, its lowest level since "
            "records began in 1976, after the driest summer in the region for 50 years. The water company "
            "imposed a hosepipe ban.",
        ),
        (
            "2023-05-10",
            "Energy Monitor",
            "Breck Bank",
            "The Breck Bank offshore wind farm, with 84 turbines and a capacity of 1.1 gigawatts, began full "
            "operation in May 2023. It was built by the Danish company Nordvind.",
        ),
        (
            "2021-11-04",
            "Tarland Government",
            "Coal",
            "The government of Tarland pledged to close its last coal power station, at Mossford, by 2028.",
        ),
        (
            "2024-01-15",
            "Tarland Grid",
            "Renewables share",
            "Tarland generated 46 percent of its electricity from renewable sources in 2023, up from 38 percent "
            "in 2022, the grid operator said.",
        ),
        (
            "2023-02-20",
            "Museum News",
            "Louvre",
            "The Louvre in Paris received 7.8 million visitors in 2022.",
        ),
        (
            "2019-09-09",
            "Kitchen Table",
            "Pizza",
            "A classic margherita pizza is topped with tomato, mozzarella and basil.",
        ),
    ],
    [
        ("restated", "The Lake Corran reservoir fell to 31 percent of capacity in August 2022."),
        ("restated", "Tarland generated 46 percent of its electricity from renewable sources in 2023."),
        ("restated", "The Breck Bank offshore wind farm has 84 turbines."),
        ("negated", "No hosepipe ban was imposed during the 2022 drought at Lake Corran."),
        ("negated", "Tarland's share of electricity from renewable sources fell in 2023."),
        ("number", "The Breck Bank offshore wind farm has a capacity of 3.5 gigawatts."),
        ("date", "Tarland pledged to close its last coal power station by 2040."),
        ("entity", "The Breck Bank offshore wind farm was built by the Spanish company Iberwind."),
        ("off_topic", "Greenland's ice sheet lost about 270 billion tonnes of ice a year between 2002 and 2016."),
        ("off_topic", "Tarland has a population of 5 million people."),
    ],
)

# A corpus in Russian (issue 23: the claims the desk exists for are made in Russian and
# Belarusian): made-up region, town and firms; Russian and English distractors beside it.
OBLAST: tuple[str, list[Doc], list[Case]] = (
    "oblast_ru",
    [
        (
            "2021-06-15",
            "Верхнедольские вести",
            "Новый мост через Дольку",
            "Новый мост через реку Долька в Верхнедольске открыли 14 июня 2021 года. Длина моста составляет "
            "820 метров, строительство обошлось в 4,2 миллиарда рублей. Мост построила компания «Севстроймост».",
        ),
        (
            "2022-03-10",
            "Заречное информагентство",
            "Население области",
            "По данным статистического управления, на 1 января 2022 года в Заречной области проживали "
            "1 240 000 человек. За год население области сократилось на 1,8 процента.",
        ),
        (
            "2022-10-05",
            "Верхнедольские вести",
            "Химкомбинат остановлен",
            "Дольский химкомбинат в сентябре 2022 года остановил производство удобрений. Без работы остались "
            "около 2 300 сотрудников, сообщил профсоюз.",
        ),
        (
            "2023-01-20",
            "Заречное информагентство",
            "Беженцы в области",
            "В 2022 году в Заречную область прибыли 15 тысяч беженцев, сообщило миграционное ведомство. "
            "Большинство из них разместили в Верхнедольске.",
        ),
        (
            "2022-07-02",
            "Верхнедольские вести",
            "Погода",
            "В выходные в Верхнедольске ожидается жара до 31 градуса, синоптики советуют пить больше воды.",
        ),
        (
            "2020-11-11",
            "Кулинарный журнал",
            "Борщ",
            "Классический борщ варят из свёклы, капусты, картофеля и моркови и подают со сметаной.",
        ),
        (
            "2018-04-10",
            "Travel Notes",
            "The Eiffel Tower",
            "The Eiffel Tower in Paris was completed in 1889 and is 330 metres tall including its antennas.",
        ),
    ],
    [
        ("restated", "Новый мост через реку Долька в Верхнедольске открыли в июне 2021 года."),
        ("restated", "Дольский химкомбинат остановил производство удобрений в сентябре 2022 года."),
        ("restated", "В 2022 году в Заречную область прибыли 15 тысяч беженцев."),
        ("negated", "Дольский химкомбинат не останавливал производство удобрений."),
        ("negated", "Население Заречной области за год выросло."),
        ("number", "Длина нового моста через Дольку составляет 1 500 метров."),
        ("number", "В 2022 году в Заречную область прибыли 50 тысяч беженцев."),
        ("date", "Новый мост через Дольку в Верхнедольске открыли в 2018 году."),
        ("entity", "Мост через Дольку в Верхнедольске построила китайская компания."),
        ("off_topic", "В Заречной области построят новый международный аэропорт."),
        ("off_topic", "Президент Франции посетил Минск в 2020 году."),
    ],
)

CORPORA = (CITY, HEALTH, ECONOMY, CULTURE, ENERGY, OBLAST)
