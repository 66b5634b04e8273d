"""The words of the demo city: names, kinds of association, and the needs they post.

Pure data, kept apart from ``volunteer.demo.city`` (which turns it into rows) so that the texts can
be read and edited like the CSVs. Skill and cause slugs refer to ``volunteer/data/*.csv``; a test
checks that every slug used here exists.

Templates use ``{ort}`` (a local place name such as "Höntrop" or "Ehrenfeld"), ``{bezirk}`` (the
borough's short name, e.g. "Wattenscheid"), ``{jahr}`` (a founding year) and ``{patron}`` (a
church's patron saint).
"""

from dataclasses import dataclass

# --- people ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameGroup:
    """First names and surnames common in one of Bochum's communities, with their languages.

    ``weight`` is the share of demo volunteers drawn from the group; ``languages`` are the
    languages such a volunteer may speak besides German (the first is the most likely).
    """

    key: str
    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: tuple[str, ...]


def _group(
    key: str, weight: float, *, female: str, male: str, surnames: str, languages: str
) -> NameGroup:
    """Build a group from space-separated lists (compact to read and edit)."""
    return NameGroup(
        key,
        weight,
        tuple(female.split()),
        tuple(male.split()),
        tuple(surnames.split()),
        tuple(languages.split()),
    )


NAME_GROUPS: tuple[NameGroup, ...] = (
    _group(
        "german",
        0.58,
        female=(
            "Anna Lena Laura Julia Sarah Lea Hannah Marie Sophie Katharina Christina Sabine Petra "
            "Monika Ursula Gabriele Birgit Andrea Claudia Susanne Heike Karin Renate Ingrid Jutta "
            "Anke Nicole Stefanie Melanie Jana Mia Emma Clara Johanna Charlotte Greta Frieda Ida "
            "Helga Brigitte Doris"
        ),
        male=(
            "Jonas Lukas Leon Finn Paul Felix Maximilian Tim Jan Niklas Tobias Sebastian Michael "
            "Thomas Andreas Stefan Markus Frank Jürgen Klaus Wolfgang Dieter Uwe Rainer Peter "
            "Bernd Martin Christian Daniel Florian Moritz Ben Elias Noah Henrik Matthias Dirk "
            "Horst Günter Heinz"
        ),
        surnames=(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch "
            "Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange "
            "Schmitz Krause Meier Lehmann Schulte Köhler Herrmann König Walter Kaiser Fuchs "
            "Peters Scholz Möller Weiß Jung Hahn Vogel Keller Frank Berger Roth Beck Lorenz "
            "Baumann Franke Albrecht Winter Schumacher Krämer Vogt Stein Jäger Otto Sommer Brandt "
            "Haas Schreiber Kuhn Engel Horn Busch Bergmann Voigt Sauer Arnold Wolff Pohl Kemper "
            "Brinkmann Overbeck Hülsmann Tenbrink Wiesmann Sprenger Budde Hegemann"
        ),
        languages="en fr es",
    ),
    _group(
        "polish",
        0.06,
        female=("Agnieszka Katarzyna Magdalena Monika Joanna Ewa Zofia"),
        male=("Piotr Tomasz Krzysztof Paweł Marek Jakub Michał"),
        surnames=(
            "Kowalski Nowak Schimanski Szymański Kaminski Lewandowski Wisniewski Piotrowski "
            "Grabowski Sobczak Kuczera Wojcik"
        ),
        languages="pl en",
    ),
    _group(
        "turkish",
        0.1,
        female=("Ayşe Elif Zeynep Fatma Emine Aylin Derya Melike Selin"),
        male=("Mehmet Mustafa Ahmet Emre Murat Can Deniz Burak Kerem"),
        surnames=(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Arslan Doğan Koç Kılıç Polat Erdem"
        ),
        languages="tr en",
    ),
    _group(
        "arabic",
        0.06,
        female=("Fatima Amira Layla Rana Nour Yasmin Hiba Mariam"),
        male=("Mohammed Ahmad Omar Khaled Yousef Hassan Tarek Samir"),
        surnames=(
            "Al-Hassan Haddad Khalil Mansour Nasser Saleh Ibrahim Darwish Hamdan Suleiman Abdallah"
        ),
        languages="ar en ku",
    ),
    _group(
        "ukrainian",
        0.05,
        female=("Olena Iryna Oksana Natalia Tetiana Yulia Kateryna"),
        male=("Oleksandr Andrii Dmytro Serhii Mykola Taras Bohdan"),
        surnames=(
            "Kovalenko Bondarenko Shevchenko Tkachenko Melnyk Kravchenko Boyko Marchenko Lysenko"
        ),
        languages="uk ru en",
    ),
    _group(
        "russian",
        0.03,
        female=("Irina Svetlana Olga Tatjana Elena"),
        male=("Sergej Alexej Dmitrij Viktor Wladimir"),
        surnames=("Iwanow Petrow Smirnow Popow Wolkow Schmidtke Becker"),
        languages="ru en",
    ),
    _group(
        "southern_europe",
        0.04,
        female=("Maria Giulia Eleni Sofia Chiara Carmen Ana Ioana"),
        male=("Giuseppe Marco Nikolaos Georgios Antonio Javier Andrei"),
        surnames=(
            "Russo Esposito Romano Papadopoulos Georgiou Papadakis García Fernández Popescu Ionescu"
        ),
        languages="it el es ro",
    ),
    _group(
        "persian",
        0.03,
        female=("Zahra Maryam Fatemeh Shirin Parisa Soraya"),
        male=("Ali Reza Hamid Farid Ahmad Jawad"),
        surnames=("Ahmadi Hosseini Rahimi Karimi Mohammadi Sadeghi Noori"),
        languages="fa ps en",
    ),
    _group(
        "kurdish",
        0.02,
        female=("Berfin Rojda Dilan Helin Zilan"),
        male=("Baran Rojhat Azad Serhat Diyar"),
        surnames=("Aslan Yüksel Ekinci Baran Tekin Özer"),
        languages="ku tr ar",
    ),
    _group(
        "balkan",
        0.03,
        female=("Amela Lejla Ardita Jelena Vesna Mirela"),
        male=("Emir Adnan Arben Dragan Luka Besnik"),
        surnames=("Hodžić Berisha Krasniqi Jovanović Kovačević Hoxha Begić"),
        languages="sq bs hr sr",
    ),
)

ABOUT_TEXTS: tuple[str, ...] = (
    "Ich bin neu in Bochum und möchte Leute in meinem Viertel kennenlernen.",
    "Seit der Rente habe ich Zeit und möchte sie sinnvoll nutzen.",
    "Ich studiere an der Ruhr-Universität und suche etwas für die Abende.",
    "Ich arbeite Vollzeit, kann aber an Wochenenden gut mit anpacken.",
    "Früher war ich selbst im Verein aktiv – jetzt möchte ich etwas zurückgeben.",
    "Ich spreche mehrere Sprachen und helfe gern beim Übersetzen.",
    "Am liebsten arbeite ich draußen und mit den Händen.",
    "Ich habe Erfahrung mit Kindern und Jugendgruppen.",
    "",
    "",
)

# --- places ---------------------------------------------------------------------------------------

# The name people use for a statistical district, where it differs from the official one.
LOCAL_NAMES: dict[int, str] = {
    11: "Innenstadt",
    14: "Ehrenfeld",
    15: "Stahlhausen",
    36: "Hiltrop",
    38: "Harpen",
    39: "Kornharpen",
    49: "Langendreer-Alter Bahnhof",
    53: "Wiemelhausen",
    63: "Weitmar",
    64: "Weitmar-Mark",
}

STREETS: tuple[str, ...] = (
    "Hauptstraße",
    "Kirchstraße",
    "Bahnhofstraße",
    "Schulstraße",
    "Gartenstraße",
    "Dorfstraße",
    "Lindenstraße",
    "Am Stadtpark",
    "Marktplatz",
    "Friedhofstraße",
    "Zechenstraße",
    "Am Bergbaumuseum",
    "Steinstraße",
    "Wiesenstraße",
    "Parkstraße",
    "Mühlenstraße",
    "Ringstraße",
    "Am Sportplatz",
    "Hochstraße",
    "Vereinsstraße",
    "Waldstraße",
    "Rosenstraße",
    "Goethestraße",
    "Schillerstraße",
    "Amselweg",
)

PATRONS: tuple[str, ...] = (
    "St. Marien",
    "St. Joseph",
    "St. Georg",
    "St. Peter und Paul",
    "St. Franziskus",
    "St. Elisabeth",
    "Liebfrauen",
    "St. Antonius",
    "Herz Jesu",
    "St. Johannes",
)

# --- associations and what they need --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NeedTemplate:
    """An opportunity an association of some kind typically posts, with its shift pattern.

    ``weekday`` is 0 (Monday) to 6, or ``None`` to let the generator pick; times are Bochum local
    time. ``regular`` needs repeat weekly; the others are one-off events with one to three shifts.
    """

    title: str
    title_en: str
    description: str
    skills: tuple[str, ...]
    causes: tuple[str, ...]
    regular: bool
    start_hour: int
    hours: float
    capacity: int
    weekday: int | None = None
    minors_ok: bool = False
    step_free: bool = True
    conduct_certificate: bool = False
    is_remote: bool = False
    languages: tuple[str, ...] = ()
    nice_to_have: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgTemplate:
    """A kind of association found in every part of the city, and the needs it posts."""

    key: str
    name: str
    kind: str  # an OrganisationKind value
    causes: tuple[str, ...]
    description: str
    needs: tuple[NeedTemplate, ...]


ORG_TEMPLATES: tuple[OrgTemplate, ...] = (
    OrgTemplate(
        key="tafel",
        name="Tafel-Ausgabestelle {ort}",
        kind="verein",
        causes=("poverty-homelessness", "neighbourhood"),
        description=(
            "Wir retten Lebensmittel aus Supermärkten und Bäckereien in {ort} und geben sie "
            "einmal pro Woche an Menschen mit wenig Geld weiter. Ohne Ehrenamtliche läuft hier "
            "nichts: vom Abholen über das Sortieren bis zur Ausgabe."
        ),
        needs=(
            NeedTemplate(
                title="Lebensmittelausgabe in {ort}",
                title_en="Food distribution in {ort}",
                description=(
                    "Du gibst gemeinsam mit unserem Team Obst, Gemüse und Brot an unsere "
                    "Kundinnen und Kunden aus. Freundlichkeit ist wichtiger als Erfahrung; "
                    "wir arbeiten dich am ersten Tag ein."
                ),
                skills=("food-bank",),
                nice_to_have=("translate-arabic", "translate-ukrainian", "translate-turkish"),
                causes=("poverty-homelessness",),
                regular=True,
                weekday=3,
                start_hour=13,
                hours=3,
                capacity=6,
            ),
            NeedTemplate(
                title="Fahrerin oder Fahrer für die Lebensmittelabholung",
                title_en="Driver for food collection rounds",
                description=(
                    "Mit unserem Transporter holst du morgens Spenden bei Supermärkten im "
                    "Bezirk {bezirk} ab. Du brauchst den Führerschein Klasse B und etwas "
                    "Kraft zum Tragen der Kisten."
                ),
                skills=("driving-licence-b",),
                nice_to_have=("warehouse",),
                causes=("poverty-homelessness",),
                regular=True,
                weekday=1,
                start_hour=8,
                hours=3,
                capacity=2,
            ),
            NeedTemplate(
                title="Sortieren am Samstag",
                title_en="Saturday sorting shift",
                description=(
                    "Kisten auspacken, Haltbarkeit prüfen, Ware sortieren: Hier hilfst du "
                    "samstags vormittags im Lager. Auch für Jugendliche ab 16 geeignet."
                ),
                skills=("food-bank",),
                causes=("poverty-homelessness",),
                regular=False,
                weekday=5,
                start_hour=9,
                hours=3,
                capacity=8,
                minors_ok=True,
            ),
        ),
    ),
    OrgTemplate(
        key="grundschule",
        name="Förderverein Grundschule {ort} e.V.",
        kind="verein",
        causes=("children-youth", "education"),
        description=(
            "Wir unterstützen die Grundschule in {ort}: mit Lesepatenschaften, der "
            "Hausaufgabenhilfe im Offenen Ganztag und dem jährlichen Schulfest."
        ),
        needs=(
            NeedTemplate(
                title="Lesepatin oder Lesepate in der Grundschule {ort}",
                title_en="Reading mentor at {ort} primary school",
                description=(
                    "Einmal pro Woche liest du mit zwei oder drei Kindern der zweiten Klasse. "
                    "Ein erweitertes Führungszeugnis ist nötig; die Kosten übernimmt der Verein."
                ),
                skills=("reading-aloud",),
                causes=("children-youth", "education"),
                regular=True,
                start_hour=10,
                hours=1.5,
                capacity=4,
                conduct_certificate=True,
            ),
            NeedTemplate(
                title="Hausaufgabenhilfe im Offenen Ganztag",
                title_en="Homework help in the after-school club",
                description=(
                    "Nachmittags begleitest du Kinder bei den Hausaufgaben, vor allem in "
                    "Deutsch und Mathe. Geduld zählt mehr als Noten."
                ),
                skills=("homework-help",),
                nice_to_have=("tutoring-maths", "german-second-language"),
                causes=("children-youth", "education"),
                regular=True,
                start_hour=14,
                hours=2,
                capacity=3,
                conduct_certificate=True,
            ),
            NeedTemplate(
                title="Helferinnen und Helfer für das Schulfest",
                title_en="Helpers for the school fête",
                description=(
                    "Für unser Schulfest suchen wir Leute für Waffelstand, Spielstationen und "
                    "Aufbau. Jugendliche sind herzlich willkommen."
                ),
                skills=("event-organisation",),
                nice_to_have=("baking", "cafe-service", "first-aid"),
                causes=("children-youth",),
                regular=False,
                weekday=5,
                start_hour=11,
                hours=5,
                capacity=12,
                minors_ok=True,
            ),
        ),
    ),
    OrgTemplate(
        key="kleingarten",
        name="Kleingartenverein {ort} e.V.",
        kind="verein",
        causes=("environment", "neighbourhood"),
        description=(
            "Über 80 Parzellen, ein Vereinsheim und ein offener Lehrgarten für Schulklassen: "
            "Unsere Anlage in {ort} ist grüner Treffpunkt für das ganze Viertel."
        ),
        needs=(
            NeedTemplate(
                title="Gemeinschaftsarbeit im Lehrgarten",
                title_en="Community work in the teaching garden",
                description=(
                    "Beete anlegen, Hecken schneiden, Kompost umsetzen: Samstags pflegen wir "
                    "gemeinsam den Lehrgarten, den Schulklassen aus {ort} besuchen."
                ),
                skills=("gardening",),
                nice_to_have=("community-garden", "environmental-education"),
                causes=("environment",),
                regular=True,
                weekday=5,
                start_hour=10,
                hours=3,
                capacity=10,
                minors_ok=True,
                step_free=False,
            ),
            NeedTemplate(
                title="Hochbeete für das Vereinsheim bauen",
                title_en="Build raised beds for the clubhouse",
                description=(
                    "Wir bauen barrierefreie Hochbeete, damit auch Gärtnerinnen und Gärtner im "
                    "Rollstuhl mitmachen können. Holz und Werkzeug sind da."
                ),
                skills=("carpentry",),
                nice_to_have=("handiwork",),
                causes=("environment", "disability"),
                regular=False,
                weekday=5,
                start_hour=9,
                hours=5,
                capacity=5,
                step_free=False,
            ),
        ),
    ),
    OrgTemplate(
        key="ev_kirche",
        name="Ev. Kirchengemeinde {ort}",
        kind="church",
        causes=("seniors", "neighbourhood", "refugees-integration"),
        description=(
            "Die evangelische Gemeinde in {ort} lädt zu Seniorennachmittag, Sprachcafé und "
            "Mittagstisch ein – offen für alle, unabhängig von Konfession und Herkunft."
        ),
        needs=(
            NeedTemplate(
                title="Besuchsdienst für ältere Gemeindemitglieder",
                title_en="Visiting older members of the parish",
                description=(
                    "Du besuchst regelmäßig einen älteren Menschen in {ort} zu Hause: "
                    "Kaffee trinken, erzählen, vielleicht ein Spaziergang."
                ),
                skills=("senior-companionship",),
                nice_to_have=("listening", "dementia-care"),
                causes=("seniors",),
                regular=True,
                start_hour=15,
                hours=2,
                capacity=5,
            ),
            NeedTemplate(
                title="Kochen für den Mittagstisch",
                title_en="Cooking for the community lunch",
                description=(
                    "Jeden Mittwoch kochen wir für bis zu 40 Gäste ein warmes Mittagessen. "
                    "Du schnippelst, rührst und hilfst bei der Ausgabe."
                ),
                skills=("cooking-for-groups",),
                causes=("poverty-homelessness", "seniors"),
                regular=True,
                weekday=2,
                start_hour=10,
                hours=4,
                capacity=4,
            ),
            NeedTemplate(
                title="Sprachcafé: Deutsch üben bei Kaffee und Kuchen",
                title_en="Language café: practising German over coffee",
                description=(
                    "Im Sprachcafé sprechen Neuangekommene und Einheimische miteinander. "
                    "Du moderierst einen Tisch und hilfst beim Deutschsprechen."
                ),
                skills=("german-second-language",),
                nice_to_have=("translate-arabic", "translate-ukrainian", "translate-farsi"),
                causes=("refugees-integration", "education"),
                regular=True,
                weekday=3,
                start_hour=18,
                hours=2,
                capacity=6,
                languages=("de",),
            ),
        ),
    ),
    OrgTemplate(
        key="kath_kirche",
        name="Kath. Pfarrei {patron} {ort}",
        kind="church",
        causes=("seniors", "children-youth", "poverty-homelessness"),
        description=(
            "Die katholische Gemeinde {patron} in {ort} mit Jugendgruppen, Kleiderstube und "
            "einem offenen Seniorentreff."
        ),
        needs=(
            NeedTemplate(
                title="Kleiderstube: Spenden sortieren und ausgeben",
                title_en="Clothing store: sorting and handing out donations",
                description=(
                    "Unsere Kleiderstube gibt gut erhaltene Kleidung kostenlos ab. Du sortierst "
                    "Spenden und berätst die Besucherinnen und Besucher."
                ),
                skills=("clothing-store",),
                causes=("poverty-homelessness",),
                regular=True,
                weekday=1,
                start_hour=15,
                hours=3,
                capacity=4,
            ),
            NeedTemplate(
                title="Betreuung der Ferienfreizeit",
                title_en="Supervising the holiday camp",
                description=(
                    "Für unsere Ferienfreizeit suchen wir Betreuerinnen und Betreuer mit "
                    "Juleica. Ein erweitertes Führungszeugnis ist Pflicht."
                ),
                skills=("juleica",),
                nice_to_have=("first-aid", "holiday-camp"),
                causes=("children-youth",),
                regular=False,
                start_hour=9,
                hours=8,
                capacity=6,
                conduct_certificate=True,
            ),
        ),
    ),
    OrgTemplate(
        key="nachbarschaftshilfe",
        name="Nachbarschaftshilfe {ort}",
        kind="initiative",
        causes=("neighbourhood", "seniors"),
        description=(
            "Nachbarinnen und Nachbarn helfen sich in {ort} gegenseitig: beim Einkaufen, bei "
            "Formularen, beim Umzug oder einfach mit einem offenen Ohr."
        ),
        needs=(
            NeedTemplate(
                title="Einkaufshilfe für Nachbarinnen und Nachbarn",
                title_en="Shopping help for neighbours",
                description=(
                    "Einmal pro Woche gehst du für einen älteren oder kranken Menschen in "
                    "deiner Nähe einkaufen."
                ),
                skills=("shopping-help",),
                causes=("neighbourhood", "seniors"),
                regular=True,
                start_hour=17,
                hours=1.5,
                capacity=6,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Sprechstunde: Hilfe bei Anträgen",
                title_en="Drop-in: help with forms",
                description=(
                    "In unserer Sprechstunde im Stadtteilladen hilfst du beim Ausfüllen von "
                    "Anträgen (Wohngeld, Jobcenter, Kita-Platz) und beim Lesen von Behördenpost."
                ),
                skills=("forms-help",),
                nice_to_have=("translate-arabic", "translate-turkish", "translate-ukrainian"),
                causes=("poverty-homelessness", "refugees-integration"),
                regular=True,
                weekday=0,
                start_hour=17,
                hours=2,
                capacity=3,
            ),
            NeedTemplate(
                title="Umzugshilfe am Wochenende",
                title_en="Weekend moving help",
                description=(
                    "Eine Familie in {ort} zieht um und kann sich keine Umzugsfirma leisten. "
                    "Wir brauchen starke Hände und jemanden mit Führerschein."
                ),
                skills=("moving-help",),
                nice_to_have=("driving-licence-b",),
                causes=("neighbourhood",),
                regular=False,
                weekday=5,
                start_hour=9,
                hours=5,
                capacity=5,
                step_free=False,
            ),
            NeedTemplate(
                title="Smartphone-Sprechstunde für Ältere",
                title_en="Smartphone drop-in for older people",
                description=(
                    "WhatsApp, Fahrplan-App, Videotelefonie mit den Enkeln: Du erklärst "
                    "geduldig, was Seniorinnen und Senioren am Handy wissen wollen."
                ),
                skills=("digital-help-seniors",),
                causes=("seniors", "education"),
                regular=True,
                weekday=2,
                start_hour=10,
                hours=2,
                capacity=3,
                minors_ok=True,
            ),
        ),
    ),
    OrgTemplate(
        key="sportverein",
        name="SV {ort} {jahr} e.V.",
        kind="verein",
        causes=("sport", "children-youth"),
        description=(
            "Fußball, Turnen und Gesundheitssport für alle Altersgruppen: Der SV {ort} ist seit "
            "{jahr} im Viertel zu Hause und lebt vom Ehrenamt."
        ),
        needs=(
            NeedTemplate(
                title="Übungsleitung Kinderturnen",
                title_en="Instructor for children's gymnastics",
                description=(
                    "Du leitest eine Kinderturngruppe (6–10 Jahre). Eine Übungsleiterlizenz "
                    "ist erwünscht; die Ausbildung kann der Verein bezahlen."
                ),
                skills=("coach-licence",),
                nice_to_have=("first-aid",),
                causes=("sport", "children-youth"),
                regular=True,
                weekday=1,
                start_hour=16,
                hours=1.5,
                capacity=1,
                conduct_certificate=True,
            ),
            NeedTemplate(
                title="Co-Trainerin oder Co-Trainer für die E-Jugend",
                title_en="Assistant coach for the under-11s football team",
                description=(
                    "Unterstütze unser Trainerteam zweimal pro Woche auf dem Platz in {ort}. "
                    "Auch für engagierte Jugendliche ab 16 Jahren."
                ),
                skills=("assistant-coach",),
                causes=("sport", "children-youth"),
                regular=True,
                weekday=3,
                start_hour=17,
                hours=1.5,
                capacity=2,
                minors_ok=True,
                conduct_certificate=True,
            ),
            NeedTemplate(
                title="Kassenprüfung für die Jahreshauptversammlung",
                title_en="Auditing the accounts before the AGM",
                description=(
                    "Zwei Kassenprüferinnen oder Kassenprüfer prüfen vor der "
                    "Mitgliederversammlung die Kasse des Vereins. Zwei Abende Aufwand."
                ),
                skills=("cash-audit",),
                nice_to_have=("bookkeeping",),
                causes=("sport",),
                regular=False,
                weekday=2,
                start_hour=19,
                hours=2.5,
                capacity=2,
            ),
            NeedTemplate(
                title="Helfer für das Sommerturnier",
                title_en="Helpers for the summer tournament",
                description=(
                    "Grillstand, Kuchentheke, Platzaufbau und Sanitätsecke: Für unser Turnier "
                    "brauchen wir viele helfende Hände."
                ),
                skills=("event-organisation",),
                nice_to_have=("cafe-service", "medical-service"),
                causes=("sport",),
                regular=False,
                weekday=6,
                start_hour=10,
                hours=6,
                capacity=15,
                minors_ok=True,
            ),
        ),
    ),
    OrgTemplate(
        key="fluechtlingshilfe",
        name="Flüchtlingshilfe {ort}",
        kind="initiative",
        causes=("refugees-integration",),
        description=(
            "Wir begleiten geflüchtete Familien in {ort} beim Ankommen: Sprache, Behörden, "
            "Schule, Wohnungssuche und Freizeit."
        ),
        needs=(
            NeedTemplate(
                title="Dolmetschen bei Behördengängen (Arabisch)",
                title_en="Interpreting at appointments (Arabic)",
                description=(
                    "Du begleitest Familien zum Amt, zur Schule oder zum Arzt und übersetzt "
                    "zwischen Arabisch und Deutsch."
                ),
                skills=("translate-arabic",),
                nice_to_have=("refugee-guidance",),
                causes=("refugees-integration",),
                regular=False,
                start_hour=9,
                hours=3,
                capacity=2,
                languages=("ar", "de"),
            ),
            NeedTemplate(
                title="Sprachmittlung Ukrainisch für Neuankommende",
                title_en="Ukrainian interpreting for new arrivals",
                description=(
                    "Ukrainische Familien brauchen Hilfe bei Anmeldung, Jobcenter und Schule. "
                    "Du übersetzt und erklärst, wie Dinge hier laufen."
                ),
                skills=("translate-ukrainian",),
                nice_to_have=("forms-help",),
                causes=("refugees-integration",),
                regular=True,
                weekday=2,
                start_hour=16,
                hours=2,
                capacity=2,
                languages=("uk", "ru"),
            ),
            NeedTemplate(
                title="Deutschkurs für Mütter mit Kinderbetreuung",
                title_en="German class for mothers, with childcare",
                description=(
                    "Während die Mütter Deutsch lernen, betreust du die Kleinen im Nebenraum – "
                    "oder du unterrichtest selbst den Kurs."
                ),
                skills=("childcare",),
                nice_to_have=("german-second-language",),
                causes=("refugees-integration", "families"),
                regular=True,
                weekday=1,
                start_hour=9,
                hours=2.5,
                capacity=3,
                conduct_certificate=True,
            ),
        ),
    ),
    OrgTemplate(
        key="seniorentreff",
        name="AWO-Seniorentreff {ort}",
        kind="verein",
        causes=("seniors",),
        description=(
            "Im Seniorentreff {ort} gibt es Mittagstisch, Gymnastik, Spielenachmittage und "
            "Ausflüge – getragen von Ehrenamtlichen."
        ),
        needs=(
            NeedTemplate(
                title="Spielenachmittag begleiten",
                title_en="Hosting the games afternoon",
                description=(
                    "Rommé, Bingo, Gedächtnistraining: Du gestaltest den Spielenachmittag mit "
                    "und sorgst für gute Laune."
                ),
                skills=("senior-companionship",),
                nice_to_have=("dementia-care",),
                causes=("seniors",),
                regular=True,
                weekday=3,
                start_hour=14,
                hours=2.5,
                capacity=3,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Sitzgymnastik anleiten",
                title_en="Leading chair exercises",
                description=(
                    "Eine Stunde sanfte Bewegung im Sitzen für Menschen über 70. Eine "
                    "Übungsleiterlizenz Rehasport ist ideal, aber keine Bedingung."
                ),
                skills=("senior-exercise",),
                nice_to_have=("coach-licence",),
                causes=("seniors", "health-care"),
                regular=True,
                weekday=0,
                start_hour=10,
                hours=1,
                capacity=1,
            ),
            NeedTemplate(
                title="Fahrdienst zum Ausflug",
                title_en="Driving for the day trip",
                description=(
                    "Unser Ausflug geht zum Kemnader See. Wir suchen Fahrerinnen und Fahrer mit "
                    "eigenem Auto oder für den Vereinsbus."
                ),
                skills=("driving-service", "driving-licence-b"),
                causes=("seniors",),
                regular=False,
                start_hour=10,
                hours=6,
                capacity=4,
            ),
        ),
    ),
    OrgTemplate(
        key="jugendtreff",
        name="Jugendtreff {ort}",
        kind="public",
        causes=("children-youth", "education"),
        description=(
            "Offener Treff für Jugendliche von 10 bis 21 in {ort}: Kicker, Kochabende, "
            "Bewerbungshilfe und Projekte."
        ),
        needs=(
            NeedTemplate(
                title="Bewerbungstraining für Jugendliche",
                title_en="Job application coaching for teenagers",
                description=(
                    "Lebenslauf schreiben, Anschreiben verbessern, Vorstellungsgespräche üben: "
                    "Du teilst deine Berufserfahrung mit Jugendlichen."
                ),
                skills=("job-application-help",),
                nice_to_have=("mentoring",),
                causes=("children-youth", "education"),
                regular=True,
                weekday=2,
                start_hour=17,
                hours=2,
                capacity=3,
                conduct_certificate=True,
            ),
            NeedTemplate(
                title="Coding-Club: Programmieren mit Calliope",
                title_en="Coding club with Calliope boards",
                description=(
                    "Mit Calliope und Scratch bauen wir kleine Spiele und Roboter. Du brauchst "
                    "Spaß an Technik, kein Informatikstudium."
                ),
                skills=("coding-with-kids",),
                causes=("children-youth", "education"),
                regular=True,
                weekday=4,
                start_hour=16,
                hours=2,
                capacity=2,
                minors_ok=True,
                conduct_certificate=True,
            ),
            NeedTemplate(
                title="Kochabend mit Jugendlichen",
                title_en="Cooking night with teenagers",
                description=(
                    "Gemeinsam einkaufen, kochen und essen – günstig und gesund. Du bringst "
                    "Rezepte und Geduld mit."
                ),
                skills=("cooking-for-groups",),
                causes=("children-youth", "health-care"),
                regular=True,
                weekday=3,
                start_hour=18,
                hours=2.5,
                capacity=2,
                conduct_certificate=True,
            ),
        ),
    ),
    OrgTemplate(
        key="drk",
        name="DRK-Bereitschaft Bochum-{bezirk}",
        kind="verein",
        causes=("disaster-relief", "health-care"),
        description=(
            "Die Bereitschaft des Deutschen Roten Kreuzes im Bezirk {bezirk}: Sanitätsdienste "
            "bei Veranstaltungen, Blutspendetermine und Katastrophenschutz."
        ),
        needs=(
            NeedTemplate(
                title="Sanitätsdienst beim Stadtteilfest {ort}",
                title_en="First-aid cover at the {ort} street festival",
                description=(
                    "Du stellst mit uns die Erste Hilfe beim Stadtteilfest sicher. Eine "
                    "Sanitätsausbildung ist Voraussetzung."
                ),
                skills=("medical-service",),
                nice_to_have=("radio-operator",),
                causes=("health-care", "disaster-relief"),
                regular=False,
                weekday=5,
                start_hour=12,
                hours=8,
                capacity=6,
            ),
            NeedTemplate(
                title="Blutspendetermin betreuen",
                title_en="Supporting a blood donation drive",
                description=(
                    "Anmeldung, Imbiss und ein Auge auf die Spenderinnen und Spender nach der "
                    "Spende: Bei unseren Blutspendeterminen hilfst du nachmittags mit."
                ),
                skills=("blood-donation-service",),
                nice_to_have=("first-aid",),
                causes=("health-care",),
                regular=False,
                weekday=1,
                start_hour=15,
                hours=4,
                capacity=5,
            ),
            NeedTemplate(
                title="Grundausbildung Katastrophenschutz",
                title_en="Basic training for disaster relief",
                description=(
                    "Werde Teil unserer Einsatzeinheit: Die Ausbildung findet an Abenden und "
                    "Wochenenden statt, danach hilfst du bei Unwettern und Evakuierungen."
                ),
                skills=("first-aid",),
                nice_to_have=("disaster-relief", "driving-licence-c"),
                causes=("disaster-relief",),
                regular=True,
                weekday=1,
                start_hour=19,
                hours=2.5,
                capacity=8,
            ),
        ),
    ),
    OrgTemplate(
        key="nabu",
        name="Naturschutzgruppe {ort}",
        kind="initiative",
        causes=("environment",),
        description=(
            "Wir pflegen Streuobstwiesen, Kopfweiden und Amphibienzäune rund um {ort} und "
            "zeigen Kindern die Natur vor der Haustür."
        ),
        needs=(
            NeedTemplate(
                title="Biotoppflege: Kopfweiden schneiden",
                title_en="Habitat care: pollarding willows",
                description=(
                    "Mit Astschere und Säge pflegen wir Kopfweiden und Hecken. Feste Schuhe und "
                    "Arbeitshandschuhe mitbringen; Werkzeug stellen wir."
                ),
                skills=("nature-conservation",),
                nice_to_have=("gardening",),
                causes=("environment",),
                regular=False,
                weekday=5,
                start_hour=10,
                hours=4,
                capacity=12,
                minors_ok=True,
                step_free=False,
            ),
            NeedTemplate(
                title="Müllsammelaktion im Park",
                title_en="Litter pick in the park",
                description=(
                    "Gemeinsam befreien wir Grünflächen in {ort} von Müll. Greifzangen und "
                    "Säcke stellt der USB. Für Familien und Schulklassen geeignet."
                ),
                skills=("litter-picking",),
                causes=("environment", "neighbourhood"),
                regular=False,
                weekday=5,
                start_hour=10,
                hours=2.5,
                capacity=25,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Krötenzaun kontrollieren",
                title_en="Toad fence patrol",
                description=(
                    "Früh morgens sammelst du Kröten und Molche aus den Eimern am Zaun und "
                    "trägst sie sicher über die Straße."
                ),
                skills=("amphibian-protection",),
                causes=("environment", "animal-welfare"),
                regular=True,
                start_hour=7,
                hours=1,
                capacity=3,
                minors_ok=True,
                step_free=False,
            ),
        ),
    ),
    OrgTemplate(
        key="tierschutz",
        name="Tierschutzverein Bochum-{bezirk} e.V.",
        kind="verein",
        causes=("animal-welfare",),
        description=(
            "Wir vermitteln Hunde, Katzen und Kleintiere und betreiben eine Pflegestelle im "
            "Bezirk {bezirk}."
        ),
        needs=(
            NeedTemplate(
                title="Gassigehen mit Tierheimhunden",
                title_en="Walking shelter dogs",
                description=(
                    "Unsere Hunde freuen sich über Bewegung. Nach einer Einweisung gehst du "
                    "feste Runden am Wochenende."
                ),
                skills=("dog-walking",),
                causes=("animal-welfare",),
                regular=True,
                weekday=6,
                start_hour=10,
                hours=2,
                capacity=6,
            ),
            NeedTemplate(
                title="Katzenhaus: Pflege und Reinigung",
                title_en="Cat house: care and cleaning",
                description=(
                    "Füttern, Katzenklos reinigen, schmusen: Im Katzenhaus hilfst du unseren "
                    "Tierpflegerinnen."
                ),
                skills=("animal-care",),
                causes=("animal-welfare",),
                regular=True,
                weekday=2,
                start_hour=17,
                hours=2,
                capacity=3,
                minors_ok=True,
            ),
        ),
    ),
    OrgTemplate(
        key="heimatverein",
        name="Heimat- und Bürgerverein {ort} e.V.",
        kind="verein",
        causes=("culture", "neighbourhood", "democracy"),
        description=(
            "Wir bewahren die Geschichte von {ort} – Zechen, Siedlungen, Dorfkerne – und "
            "organisieren Stadtteilfest, Führungen und Bürgerdialoge."
        ),
        needs=(
            NeedTemplate(
                title="Organisationsteam Stadtteilfest {ort}",
                title_en="Organising team for the {ort} street festival",
                description=(
                    "Von Standplanung bis Bühnenprogramm: Hilf mit, das Stadtteilfest auf die "
                    "Beine zu stellen. Wir treffen uns abends im Vereinsheim."
                ),
                skills=("event-organisation",),
                nice_to_have=("event-tech", "social-media"),
                causes=("neighbourhood", "culture"),
                regular=True,
                weekday=1,
                start_hour=19,
                hours=2,
                capacity=6,
            ),
            NeedTemplate(
                title="Führungen durch die Zechensiedlung",
                title_en="Guided tours of the miners' housing estate",
                description=(
                    "Du führst Gäste durch die Siedlung und erzählst aus der Bergbaugeschichte "
                    "von {ort}. Wir stellen Material und Schulung."
                ),
                skills=("guided-tours",),
                causes=("culture",),
                regular=False,
                weekday=6,
                start_hour=14,
                hours=2,
                capacity=2,
                step_free=False,
            ),
            NeedTemplate(
                title="Webseite und Newsletter betreuen",
                title_en="Looking after the website and newsletter",
                description=(
                    "Termine eintragen, Fotos hochladen, den monatlichen Newsletter "
                    "zusammenstellen – gut von zu Hause aus möglich."
                ),
                skills=("website",),
                nice_to_have=("writing", "photography"),
                causes=("neighbourhood",),
                regular=True,
                weekday=2,
                start_hour=19,
                hours=2,
                capacity=1,
                is_remote=True,
            ),
        ),
    ),
    OrgTemplate(
        key="repaircafe",
        name="Repair-Café {ort}",
        kind="initiative",
        causes=("environment", "neighbourhood"),
        description=(
            "Reparieren statt wegwerfen: Einmal im Monat reparieren wir in {ort} gemeinsam "
            "Toaster, Fahrräder, Kleidung und Lampen."
        ),
        needs=(
            NeedTemplate(
                title="Reparateurin oder Reparateur für Elektrogeräte",
                title_en="Repairing electrical appliances",
                description=(
                    "Du schaust dir defekte Geräte an und reparierst sie mit den Besitzern. "
                    "Für Netzspannung brauchen wir eine Elektrofachkraft im Team."
                ),
                skills=("repair-cafe",),
                nice_to_have=("electrics",),
                causes=("environment",),
                regular=True,
                weekday=5,
                start_hour=14,
                hours=3,
                capacity=4,
            ),
            NeedTemplate(
                title="Fahrradwerkstatt für alle",
                title_en="Open bike workshop",
                description=(
                    "Platten flicken, Bremsen einstellen, Licht reparieren: Du hilfst "
                    "Besucherinnen und Besuchern, ihr Rad selbst zu reparieren."
                ),
                skills=("bike-repair",),
                causes=("environment", "neighbourhood"),
                regular=True,
                weekday=3,
                start_hour=17,
                hours=2.5,
                capacity=3,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Nähcafé: Kleidung ausbessern",
                title_en="Sewing café: mending clothes",
                description=(
                    "An unseren Nähmaschinen flicken wir Hosen, kürzen Vorhänge und zeigen, wie "
                    "es geht."
                ),
                skills=("sewing",),
                causes=("environment",),
                regular=False,
                weekday=5,
                start_hour=14,
                hours=3,
                capacity=3,
                minors_ok=True,
            ),
        ),
    ),
    OrgTemplate(
        key="chor",
        name="Chorgemeinschaft {ort} {jahr}",
        kind="verein",
        causes=("culture",),
        description=(
            "Gemischter Chor mit rund 40 Stimmen aus {ort}: Konzerte im Advent, Auftritte bei "
            "Stadtteilfesten, Singen im Altenheim."
        ),
        needs=(
            NeedTemplate(
                title="Singen im Seniorenheim",
                title_en="Singing at the care home",
                description=(
                    "Einmal im Monat singen wir mit Bewohnerinnen und Bewohnern alte Lieder. "
                    "Wer ein Instrument spielt, ist besonders willkommen."
                ),
                skills=("music",),
                causes=("culture", "seniors"),
                regular=False,
                weekday=6,
                start_hour=15,
                hours=1.5,
                capacity=10,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Kassenführung im Chorvorstand",
                title_en="Treasurer for the choir committee",
                description=(
                    "Beiträge verbuchen, Spendenquittungen ausstellen, den Jahresabschluss "
                    "vorbereiten: Du übernimmst die Kasse des Vereins."
                ),
                skills=("treasurer",),
                nice_to_have=("bookkeeping", "association-law"),
                causes=("culture",),
                regular=True,
                weekday=0,
                start_hour=19,
                hours=1.5,
                capacity=1,
                is_remote=True,
            ),
        ),
    ),
    OrgTemplate(
        key="inklusion",
        name="Lebenshilfe-Freizeittreff {ort}",
        kind="verein",
        causes=("disability", "sport", "culture"),
        description=(
            "Freizeitangebote für Menschen mit und ohne Behinderung in {ort}: Disco, Kochen, "
            "Ausflüge und inklusiver Sport."
        ),
        needs=(
            NeedTemplate(
                title="Freizeitassistenz beim inklusiven Ausflug",
                title_en="Leisure assistant on an inclusive outing",
                description=(
                    "Du begleitest Menschen mit Behinderung bei einem Ausflug, zum Beispiel "
                    "ins Bergbaumuseum oder zum Kemnader See."
                ),
                skills=("disability-assistance",),
                nice_to_have=("first-aid", "sign-language"),
                causes=("disability",),
                regular=False,
                weekday=5,
                start_hour=10,
                hours=6,
                capacity=6,
            ),
            NeedTemplate(
                title="Inklusives Sportangebot mitgestalten",
                title_en="Helping with inclusive sport",
                description=(
                    "Boccia, Tischtennis und Bewegungsspiele für alle: Du unterstützt unsere "
                    "Übungsleitung in der Halle."
                ),
                skills=("inclusive-sport",),
                nice_to_have=("assistant-coach",),
                causes=("disability", "sport"),
                regular=True,
                weekday=4,
                start_hour=17,
                hours=2,
                capacity=3,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Texte in Leichte Sprache übertragen",
                title_en="Translating texts into Easy Read German",
                description=(
                    "Einladungen, Programmhefte und unsere Webseite sollen für alle verständlich "
                    "sein. Du überträgst Texte in Leichte Sprache – gern von zu Hause."
                ),
                skills=("easy-language",),
                causes=("disability", "democracy"),
                regular=False,
                weekday=2,
                start_hour=18,
                hours=2,
                capacity=2,
                is_remote=True,
            ),
        ),
    ),
    OrgTemplate(
        key="hospiz",
        name="Ambulanter Hospizdienst Bochum-{bezirk}",
        kind="verein",
        causes=("health-care", "seniors"),
        description=(
            "Wir begleiten schwerkranke und sterbende Menschen und ihre Angehörigen zu Hause "
            "und im Pflegeheim. Ein Vorbereitungskurs ist Voraussetzung."
        ),
        needs=(
            NeedTemplate(
                title="Sterbebegleitung nach dem Befähigungskurs",
                title_en="Hospice companion (after the training course)",
                description=(
                    "Nach unserem Vorbereitungskurs besuchst du einmal pro Woche einen "
                    "schwerkranken Menschen. Supervision und Austausch sind Teil des Angebots."
                ),
                skills=("hospice-companion",),
                nice_to_have=("listening",),
                causes=("health-care",),
                regular=True,
                start_hour=15,
                hours=2,
                capacity=3,
            ),
            NeedTemplate(
                title="Fundraising und Förderanträge",
                title_en="Fundraising and grant applications",
                description=(
                    "Stiftungen recherchieren, Anträge schreiben, Spenderinnen und Spender "
                    "betreuen: Hilf uns, den Dienst langfristig zu finanzieren."
                ),
                skills=("fundraising",),
                nice_to_have=("writing",),
                causes=("health-care",),
                regular=True,
                weekday=3,
                start_hour=18,
                hours=2,
                capacity=1,
                is_remote=True,
            ),
        ),
    ),
    OrgTemplate(
        key="buergerzentrum",
        name="Stadtteilladen {ort}",
        kind="public",
        causes=("neighbourhood", "democracy", "culture"),
        description=(
            "Der Stadtteilladen ist Anlaufstelle für alle in {ort}: Beratung, Kurse, "
            "Nachbarschaftscafé und Raum für eigene Ideen."
        ),
        needs=(
            NeedTemplate(
                title="Thekendienst im Nachbarschaftscafé",
                title_en="Counter service in the neighbourhood café",
                description=(
                    "Kaffee kochen, Kuchen verkaufen, mit den Gästen ins Gespräch kommen: Das "
                    "Café lebt von Menschen wie dir."
                ),
                skills=("cafe-service",),
                nice_to_have=("baking",),
                causes=("neighbourhood",),
                regular=True,
                weekday=4,
                start_hour=14,
                hours=3,
                capacity=3,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Social Media für den Stadtteilladen",
                title_en="Social media for the neighbourhood centre",
                description=(
                    "Du postest Termine und Geschichten aus {ort} auf Instagram und Mastodon "
                    "und fotografierst bei Veranstaltungen."
                ),
                skills=("social-media",),
                nice_to_have=("photography", "graphic-design"),
                causes=("neighbourhood", "democracy"),
                regular=True,
                weekday=0,
                start_hour=18,
                hours=2,
                capacity=2,
                is_remote=True,
                minors_ok=True,
            ),
            NeedTemplate(
                title="Moderation beim Bürgerdialog",
                title_en="Facilitating a residents' dialogue",
                description=(
                    "Die Bezirksvertretung {bezirk} lädt zum Bürgerdialog ein. Du moderierst "
                    "einen Thementisch und hältst die Ergebnisse fest."
                ),
                skills=("moderation",),
                nice_to_have=("writing",),
                causes=("democracy",),
                regular=False,
                weekday=2,
                start_hour=18,
                hours=3,
                capacity=4,
            ),
        ),
    ),
    OrgTemplate(
        key="beratung",
        name="Sozialberatung {bezirk} e.V.",
        kind="verein",
        causes=("poverty-homelessness", "families"),
        description=(
            "Kostenlose Beratung zu Schulden, Miete und Sozialleistungen im Bezirk {bezirk}, "
            "getragen von Fachleuten im Ehrenamt."
        ),
        needs=(
            NeedTemplate(
                title="Rechtsberatung in der Mietersprechstunde",
                title_en="Legal advice at the tenants' drop-in",
                description=(
                    "Als Juristin oder Jurist beantwortest du Fragen zu Mieterhöhung, "
                    "Nebenkosten und Kündigung."
                ),
                skills=("legal-advice",),
                causes=("poverty-homelessness",),
                regular=True,
                weekday=1,
                start_hour=17,
                hours=2,
                capacity=1,
            ),
            NeedTemplate(
                title="Budgetberatung für Familien",
                title_en="Budget advice for families",
                description=(
                    "Du hilfst Familien, einen Haushaltsplan aufzustellen und Schulden zu "
                    "ordnen – nach einer Schulung durch unsere Schuldnerberatung."
                ),
                skills=("debt-counselling",),
                nice_to_have=("spreadsheets",),
                causes=("poverty-homelessness", "families"),
                regular=True,
                weekday=3,
                start_hour=16,
                hours=2,
                capacity=2,
            ),
        ),
    ),
)

# Templates that appear once per borough rather than per district (the name has {bezirk} only).
BOROUGH_TEMPLATE_KEYS: frozenset[str] = frozenset({"drk", "tierschutz", "hospiz", "beratung"})

# What volunteers' skill sets tend to look like: a few clusters, drawn with these weights.
PERSONAS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("student", 0.18, ("education", "media", "culture", "sport")),
    ("parent", 0.16, ("care", "education", "culture", "logistics")),
    ("retiree", 0.18, ("care", "admin", "crafts", "nature", "logistics")),
    ("professional", 0.20, ("admin", "media", "education")),
    ("handson", 0.14, ("crafts", "nature", "logistics")),
    ("carer", 0.08, ("health", "care")),
    ("newcomer", 0.06, ("languages", "logistics", "care")),
)
