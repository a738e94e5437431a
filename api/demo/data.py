"""The demo data set: plain data, no database code.

The governance structure (groups, remits, Places) and the organisations are the public ones
described in the source documents. The PEOPLE ARE FICTIONAL: invented names drawn with a fixed
seed, and email addresses only at example.org / example.com / example.net. The set is the same
on every run (nothing here depends on the clock or on hash ordering).
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

# The nine Places (ONS GSS codes, as seeded by migration 0001).
CHESHIRE_EAST = "E06000049"
CHESHIRE_WEST = "E06000050"
HALTON = "E06000006"
KNOWSLEY = "E08000011"
LIVERPOOL = "E08000012"
SEFTON = "E08000014"
ST_HELENS = "E08000013"
WARRINGTON = "E06000007"
WIRRAL = "E08000015"
PLACES = (CHESHIRE_EAST, CHESHIRE_WEST, HALTON, KNOWSLEY, LIVERPOOL, SEFTON, ST_HELENS, WARRINGTON, WIRRAL)
# The two Active Partnership areas.
CHESHIRE_PLACES = (CHESHIRE_EAST, CHESHIRE_WEST, WARRINGTON)
MERSEYSIDE_PLACES = (HALTON, KNOWSLEY, LIVERPOOL, SEFTON, ST_HELENS, WIRRAL)


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    sector: str
    place_code: str | None = None


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name: str
    kind: str
    remit: str
    parent_code: str | None = None
    place_code: str | None = None


@dataclass(frozen=True)
class PersonSpec:
    name: str
    email: str
    job_title: str
    organisation: str
    place_code: str | None
    system_leader_level: str | None = None


@dataclass(frozen=True)
class MembershipSpec:
    email: str
    group_code: str
    role: str
    start_date: date
    end_date: date | None = None


# Organisations -------------------------------------------------------------------------------

_LOCAL_AUTHORITIES = (
    OrganisationSpec("Cheshire East Council", "public", CHESHIRE_EAST),
    OrganisationSpec("Cheshire West and Chester Council", "public", CHESHIRE_WEST),
    OrganisationSpec("Halton Borough Council", "public", HALTON),
    OrganisationSpec("Knowsley Council", "public", KNOWSLEY),
    OrganisationSpec("Liverpool City Council", "public", LIVERPOOL),
    OrganisationSpec("Sefton Council", "public", SEFTON),
    OrganisationSpec("St Helens Borough Council", "public", ST_HELENS),
    OrganisationSpec("Warrington Borough Council", "public", WARRINGTON),
    OrganisationSpec("Wirral Council", "public", WIRRAL),
)

ICB = "NHS Cheshire and Merseyside"
ACTIVE_CHESHIRE = "Active Cheshire"
MSP = "Merseyside Sport Partnership"

_SUBREGIONAL_PUBLIC = (
    OrganisationSpec(ICB, "health_care"),
    OrganisationSpec("Liverpool City Region Combined Authority", "public", LIVERPOOL),
    OrganisationSpec("Champs Public Health Collaborative", "public"),
    OrganisationSpec("Office for Health Improvement and Disparities North West", "public"),
    OrganisationSpec("Department for Work and Pensions", "public"),
    OrganisationSpec("Merseytravel", "public", LIVERPOOL),
    OrganisationSpec("Merseyside Police", "public"),
    OrganisationSpec("Cheshire Constabulary", "public"),
    OrganisationSpec("Merseyside Fire and Rescue Service", "public"),
    OrganisationSpec("Cheshire Fire and Rescue Service", "public"),
)

_SPORT = (
    OrganisationSpec(ACTIVE_CHESHIRE, "sport"),
    OrganisationSpec(MSP, "sport"),
    OrganisationSpec("Sport England", "sport"),
    OrganisationSpec("Warrington Wolves Foundation", "sport", WARRINGTON),
    OrganisationSpec("Saints Community Development Foundation", "sport", ST_HELENS),
    OrganisationSpec("Everton in the Community", "sport", LIVERPOOL),
    OrganisationSpec("LFC Foundation", "sport", LIVERPOOL),
    OrganisationSpec("Cheshire FA", "sport"),
)

_NHS_TRUSTS = (
    OrganisationSpec("Alder Hey Children's NHS Foundation Trust", "health_care", LIVERPOOL),
    OrganisationSpec("Bridgewater Community Healthcare NHS Foundation Trust", "health_care", WARRINGTON),
    OrganisationSpec("Cheshire and Wirral Partnership NHS Foundation Trust", "health_care", CHESHIRE_WEST),
    OrganisationSpec("Countess of Chester Hospital NHS Foundation Trust", "health_care", CHESHIRE_WEST),
    OrganisationSpec("East Cheshire NHS Trust", "health_care", CHESHIRE_EAST),
    OrganisationSpec("Liverpool Heart and Chest Hospital NHS Foundation Trust", "health_care", LIVERPOOL),
    OrganisationSpec("Liverpool University Hospitals NHS Foundation Trust", "health_care", LIVERPOOL),
    OrganisationSpec("Liverpool Women's NHS Foundation Trust", "health_care", LIVERPOOL),
    OrganisationSpec("Mersey Care NHS Foundation Trust", "health_care", KNOWSLEY),
    OrganisationSpec("Mersey and West Lancashire Teaching Hospitals NHS Trust", "health_care", ST_HELENS),
    OrganisationSpec("Mid Cheshire Hospitals NHS Foundation Trust", "health_care", CHESHIRE_EAST),
    OrganisationSpec("North West Ambulance Service NHS Trust", "health_care"),
    OrganisationSpec("The Clatterbridge Cancer Centre NHS Foundation Trust", "health_care", LIVERPOOL),
    OrganisationSpec("The Walton Centre NHS Foundation Trust", "health_care", LIVERPOOL),
    OrganisationSpec("Warrington and Halton Teaching Hospitals NHS Foundation Trust", "health_care", WARRINGTON),
    OrganisationSpec("Wirral Community Health and Care NHS Foundation Trust", "health_care", WIRRAL),
    OrganisationSpec("Wirral University Teaching Hospital NHS Foundation Trust", "health_care", WIRRAL),
)

_LEISURE = (
    OrganisationSpec("Brio Leisure", "leisure", CHESHIRE_WEST),
    OrganisationSpec("Everybody Health and Leisure", "leisure", CHESHIRE_EAST),
    OrganisationSpec("LiveWire Warrington", "leisure", WARRINGTON),
)

_VCFSE = (
    OrganisationSpec("Age UK Cheshire", "vcfse"),
    OrganisationSpec("Age UK Mid Mersey", "vcfse", ST_HELENS),
    OrganisationSpec("Age UK Liverpool and Sefton", "vcfse", LIVERPOOL),
    OrganisationSpec("Age UK Wirral", "vcfse", WIRRAL),
    OrganisationSpec("Liverpool CVS", "vcfse", LIVERPOOL),
    OrganisationSpec("Sefton CVS", "vcfse", SEFTON),
    OrganisationSpec("Halton and St Helens VCA", "vcfse", HALTON),
    OrganisationSpec("Knowsley CVS", "vcfse", KNOWSLEY),
    OrganisationSpec("Cheshire West Voluntary Action", "vcfse", CHESHIRE_WEST),
    OrganisationSpec("Warrington Voluntary Action", "vcfse", WARRINGTON),
    OrganisationSpec("Voluntary Sector North West", "vcfse"),
    OrganisationSpec("Health Equalities Group", "vcfse", LIVERPOOL),
    OrganisationSpec("Torus Foundation", "vcfse", ST_HELENS),
    OrganisationSpec("Sustrans", "vcfse"),
    OrganisationSpec("Living Streets", "vcfse"),
    OrganisationSpec("Royal Society for Public Health", "vcfse"),
)

_EDUCATION = (
    OrganisationSpec("Liverpool John Moores University", "academic", LIVERPOOL),
    OrganisationSpec("University of Liverpool", "academic", LIVERPOOL),
    OrganisationSpec("University of Chester", "academic", CHESHIRE_WEST),
    OrganisationSpec("Wirral Metropolitan College", "education", WIRRAL),
    OrganisationSpec("Warrington and Vale Royal College", "education", WARRINGTON),
)

# Housing providers are recorded as community organisations. The last four are invented.
_COMMUNITY_AND_PRIVATE = (
    OrganisationSpec("Torus Housing Group", "community", ST_HELENS),
    OrganisationSpec("Magenta Living", "community", WIRRAL),
    OrganisationSpec("Halton Housing", "community", HALTON),
    OrganisationSpec("Kirkby Community Walkers", "community", KNOWSLEY),
    OrganisationSpec("Bootle Seniors Movement Club", "community", SEFTON),
    OrganisationSpec("Mersey Workplace Wellbeing Ltd", "private", LIVERPOOL),
    OrganisationSpec("Weaver Valley Physiotherapy", "private", CHESHIRE_WEST),
)

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    _LOCAL_AUTHORITIES + _SUBREGIONAL_PUBLIC + _SPORT + _NHS_TRUSTS + _LEISURE + _VCFSE + _EDUCATION
    + _COMMUNITY_AND_PRIVATE
)

# Groups --------------------------------------------------------------------------------------
# Hierarchy as the source documents describe it: the Health and Care Partnership (the ICP) at
# the top; the Population Health Board commissions the strategy; the All Together Active Board
# (the Physical Activity Board, successor of the Population Health Board's Physical Activity
# Sub-Group) leads it, with its thematic and working groups and the Place groups below it.

ATA_BOARD = "ATA"

GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        "HCP", "Cheshire and Merseyside Health and Care Partnership", "partnership",
        "The Integrated Care Partnership for Cheshire and Merseyside, a statutory committee since "
        "November 2023: a forum for leaders from local authorities, the NHS and other key partners "
        "from across the region to come together and take collective action on health, public health "
        "and social care needs, with All Together Fairer as its plan.",
    ),
    GroupSpec(
        "PHB", "Population Health Board", "board",
        "Leads the population health programme of the Integrated Care System; commissioned the All "
        "Together Active strategy, whose accountable body is the Board's Physical Activity Sub-Group.",
        parent_code="HCP",
    ),
    GroupSpec(
        ATA_BOARD, "All Together Active Board", "board",
        "To work with stakeholders from across the subregion to strategically implement the Cheshire "
        "and Merseyside All Together Active physical activity strategy for health and social care, "
        "focusing on supporting those facing the greatest health inequalities, as per the region's All "
        "Together Fairer ambitions.",
        parent_code="PHB",
    ),
    GroupSpec(
        "PWG", "Place Working Group", "working",
        "To reduce health inequalities by improving physical activity levels (at a Place and "
        "subregional level) through understanding lived experience.",
        parent_code=ATA_BOARD,
    ),
    GroupSpec(
        "EWG", "Evaluation Working Group", "working",
        "To finalise the core outcomes for All Together Active and produce the evaluation framework, "
        "which includes the outcomes and proposed methodology to evaluate the strategy (with "
        "Liverpool John Moores University).",
        parent_code=ATA_BOARD,
    ),
    GroupSpec(
        "SW", "Start Well Thematic Group", "thematic",
        "To facilitate change, remove barriers and sustain change to enable expectant parents and 0- to "
        "18-year-olds across Cheshire and Merseyside to enjoy physical activity and have a better "
        "quality of life.",
        parent_code=ATA_BOARD,
    ),
    GroupSpec(
        "LWW", "Live Well and Workplace Thematic Group", "thematic",
        "Change perceptions, remove barriers and sustain change to enable all 18-65 year olds across "
        "Cheshire and Merseyside to enjoy physical activity and have a better quality of life.",
        parent_code=ATA_BOARD,
    ),
    GroupSpec(
        "AW", "Age Well Thematic Group", "thematic",
        "To create places where older people are both inspired and empowered to move more, with "
        "physical activity assets and opportunities taking a person-centred and inclusive approach to "
        "enable people to have the choice and freedom to participate in things that they enjoy and "
        "benefit from the physical and mental wellbeing benefits that being more physically active bring.",
        parent_code=ATA_BOARD,
    ),
    GroupSpec(
        "AT", "Active Travel Thematic Group", "thematic",
        "To create a modal shift in Cheshire and Merseyside where active travel is an accessible and "
        "inclusive first choice of transport for everyone every day.",
        parent_code=ATA_BOARD,
    ),
    GroupSpec(
        "WF", "Workforce Thematic Group", "thematic",
        "To support health and social care colleagues (and other professionals) from across Cheshire and "
        "Merseyside to increase their understanding and confidence about talking to people/patients "
        "about physical activity.",
        parent_code=ATA_BOARD,
    ),
    GroupSpec(
        "CE", "Cheshire East Physical Activity Plan Implementation Group", "place",
        "Develops the Physical Activity Plan for Cheshire East with partners across the Council, the ICB, "
        "the community and voluntary sector and provider trusts, from mapping of current provision.",
        ATA_BOARD, CHESHIRE_EAST,
    ),
    GroupSpec(
        "CWAC", "Cheshire West and Chester Eat Well Be Active Physical Activity Sub-Group", "place",
        "Leads the All Together Active strategy locally within the Eat Well Be Active partnership, "
        "which reports to the Health and Wellbeing Board.",
        ATA_BOARD, CHESHIRE_WEST,
    ),
    GroupSpec(
        "HAL", "Halton Physical Activity Steering Group", "place",
        "Place-based steering group developing Halton's physical activity action plan: mapping "
        "facilities and provision and gathering residents' views.",
        ATA_BOARD, HALTON,
    ),
    GroupSpec(
        "KNO", "Knowsley Physical Activity Implementation Group", "place",
        "Implements Knowsley's contribution to All Together Active as part of the Knowsley 2030 offer.",
        ATA_BOARD, KNOWSLEY,
    ),
    GroupSpec(
        "LIV", "Liverpool Physical Activity Group", "place",
        "Brings physical activity, sport, leisure, culture and public health together to develop and "
        "deliver a new physical activity strategy for Liverpool.",
        ATA_BOARD, LIVERPOOL,
    ),
    GroupSpec(
        "SEF", "Physical Activity for Sefton Network", "place",
        "Implements the Physical Activity for Sefton strategy across the life course, working with "
        "neighbourhoods and the Sefton system.",
        ATA_BOARD, SEFTON,
    ),
    GroupSpec(
        "STH", "St Helens Active Lives Strategy Group", "place",
        "Oversees the St Helens Active Lives Strategy: increasing physical activity across the borough "
        "while maximising opportunities for people experiencing inequality.",
        ATA_BOARD, ST_HELENS,
    ),
    GroupSpec(
        "WAR", "Active Warrington Strategy Steering Group", "place",
        "Steers the development of the Active Warrington Strategy with multi-sectoral partners of "
        "Warrington Together, alongside the Healthy Weight Declaration.",
        ATA_BOARD, WARRINGTON,
    ),
    GroupSpec(
        "WIR", "Active Wirral COLLABOR8 Network", "place",
        "The network of community organisations and individuals using sport and physical activity to "
        "achieve better health and social outcomes for people who live and work in Wirral.",
        ATA_BOARD, WIRRAL,
    ),
)

# Sign-ins (API.md): all with the demo password.
ADMIN_EMAIL = "admin@example.org"
CHAIR_EMAIL = "chair@example.org"
MEMBER_EMAIL = "member@example.org"
ACCOUNTS: tuple[tuple[str, bool], ...] = ((ADMIN_EMAIL, True), (CHAIR_EMAIL, False), (MEMBER_EMAIL, False))

PARTNER_CLIENT_ID = "demo-partner"
PARTNER_CLIENT_NAME = "Demo Partner"
PARTNER_SCOPES = "indicators:read outcomes:read"

# People (fictional) --------------------------------------------------------------------------

_CONTRACT_PEOPLE = (
    PersonSpec("Priya Halloran", ADMIN_EMAIL, "ATA Programme and Systems Officer", MSP, LIVERPOOL),
    PersonSpec("Gwen Ashdown", CHAIR_EMAIL, "Head of Active Ageing", "Age UK Cheshire", CHESHIRE_WEST,
               "local_champion"),
    PersonSpec("Tomasz Whitfield", MEMBER_EMAIL, "Health Improvement Practitioner", "Knowsley Council", KNOWSLEY),
)

_CONTRACT_SEATS = (
    MembershipSpec(ADMIN_EMAIL, ATA_BOARD, "secretary", date(2023, 12, 5)),
    MembershipSpec(CHAIR_EMAIL, "AW", "chair", date(2023, 12, 5)),
    MembershipSpec(CHAIR_EMAIL, ATA_BOARD, "member", date(2023, 12, 5)),
    MembershipSpec(MEMBER_EMAIL, "LWW", "member", date(2024, 1, 16)),
    MembershipSpec(MEMBER_EMAIL, "AT", "member", date(2024, 3, 5)),
)

_FIRST_NAMES = (
    "Aisha", "Alun", "Amara", "Anika", "Bethan", "Bronwen", "Callum", "Carys", "Ciaran", "Dafydd", "Deepa",
    "Declan", "Eilidh", "Elena", "Farah", "Fergus", "Freya", "Gemma", "Hamza", "Harriet", "Imogen", "Ivan",
    "Jasmin", "Joel", "Kamal", "Keira", "Kwame", "Leona", "Lowri", "Maeve", "Malik", "Marcus", "Meera", "Niamh",
    "Nikhil", "Oona", "Orla", "Owain", "Piotr", "Rhian", "Rohan", "Saoirse", "Shona", "Tariq", "Tegan", "Thea",
    "Tobias", "Una", "Wren", "Yasmin", "Zainab", "Zofia", "Abdul", "Bryony", "Cormac", "Delyth", "Emeka",
    "Fenella", "Griff", "Hollie", "Idris", "Jolene", "Kasia", "Lachlan", "Mirela", "Nadia", "Oskar", "Priyanka",
)
_LAST_NAMES = (
    "Abernethy", "Achebe", "Ainscough", "Balogun", "Barraclough", "Blundell", "Brindley", "Cadwallader",
    "Carrow", "Chaudhry", "Culshaw", "Dainty", "Delahunty", "Eccleston", "Fairclough", "Fazakerley",
    "Gill-Reid", "Garside", "Golightly", "Haughton", "Hesketh", "Hindley", "Ibbotson", "Jardine", "Kavanagh",
    "Kinsella", "Lathom", "Leatherbarrow", "Lomax", "Maddocks", "Mawdsley", "Mensah-Hart", "Nolan-Price",
    "Nuttall", "Okoro", "Ollerton", "Pemberton", "Pilkington", "Quayle", "Rafferty", "Rimmer", "Rostron",
    "Sandiford", "Sephton", "Shacklady", "Stananought", "Tattersall", "Threlfall", "Twiss", "Unsworth",
    "Varley", "Wolstenholme", "Whiteside", "Winstanley", "Woodcock", "Yates-Moore", "Ziolkowski", "Ashurst",
    "Birtwistle", "Crank", "Dwerryhouse", "Entwistle", "Formby", "Gaskell", "Halsall", "Ince", "Jolley",
    "Kershaw", "Lunt", "Melling", "Norcross", "Orrell", "Prescott-Lyle",
)
_EMAIL_DOMAINS = ("example.org", "example.org", "example.com", "example.net")

_TITLES = {
    "public": (
        "Director of Public Health", "Consultant in Public Health", "Public Health Programme Manager",
        "Health Improvement Officer", "Active Travel Officer", "Sport and Physical Activity Manager",
        "Head of Adult Social Care Commissioning", "Cabinet Member for Health and Wellbeing",
        "Neighbourhood Services Manager", "Parks and Green Spaces Manager",
    ),
    "health_care": (
        "Consultant Physiotherapist", "Health and Wellbeing Lead", "Prevention Pledge Lead",
        "Clinical Lead for Falls Prevention", "Head of Staff Wellbeing", "Occupational Therapist",
        "Clinical Lead for Prehabilitation", "Consultant in Public Health Medicine", "Healthy Lifestyle Coach",
        "Associate Director of Nursing", "Dietetics and Lifestyle Services Manager",
    ),
    "emergency": (
        "Prevention Manager", "Community Safety Partnership Manager", "Health and Wellbeing Advisor",
        "Station Manager - Community Risk",
    ),
    "transport": ("Active Travel Programme Manager", "Transport Policy Officer", "Head of Walking and Cycling"),
    "system": (
        "Associate Director of Population Health", "Population Health Programme Manager",
        "Senior Public Health Specialist", "Place Director", "Associate Director of Transformation and Partnerships",
        "Health Inequalities Lead",
    ),
    "dwp": ("Work and Health Partnership Manager", "Employer and Partnership Manager"),
    "national_sport": ("Strategic Lead - Place Partnerships", "Relationship Manager"),
    "sport": (
        "Chief Executive", "Head of Insight", "Physical Activity and Health Lead",
        "Strategic Lead - Children and Young People", "System Partnerships Manager",
        "Community Engagement Manager", "Health Programmes Manager", "Strategic Lead - Active Environments",
    ),
    "leisure": (
        "Head of Health and Wellbeing", "Active Ageing Coordinator", "Exercise Referral Coordinator",
        "Leisure Services Manager", "Inclusive Leisure Manager",
    ),
    "vcfse": (
        "Chief Officer", "Community Development Worker", "Volunteer Coordinator", "Services Manager",
        "Active Ageing Programme Lead", "Partnership Manager", "Policy and Campaigns Officer",
    ),
    "academic": (
        "Professor of Physical Activity and Public Health", "Senior Lecturer in Sport and Exercise Science",
        "Research Fellow", "Reader in Behaviour Change",
    ),
    "education": ("Head of Sport", "Curriculum Manager - Health and Social Care", "Student Wellbeing Lead"),
    "private": ("Managing Director", "Workplace Wellbeing Consultant", "Clinical Director"),
    "community": (
        "Tenant Engagement Manager", "Community Investment Lead", "Health and Wellbeing Officer",
        "Group Coordinator",
    ),
}
# Organisations whose people have titles of their own rather than their sector's.
_TITLE_KIND = {
    "Merseyside Police": "emergency", "Cheshire Constabulary": "emergency",
    "Merseyside Fire and Rescue Service": "emergency", "Cheshire Fire and Rescue Service": "emergency",
    "Liverpool City Region Combined Authority": "transport", "Merseytravel": "transport",
    ICB: "system", "Champs Public Health Collaborative": "system",
    "Office for Health Improvement and Disparities North West": "system",
    "Department for Work and Pensions": "dwp", "Sport England": "national_sport",
}
# Titles fit to chair or vice-chair a board or the partnership.
_SENIOR_WORDS = ("Director", "Chief", "Cabinet Member", "Head of", "Professor", "Managing")
# Organisations covering one Active Partnership area: their people work in one of its Places.
_AREA_OF = {
    ACTIVE_CHESHIRE: CHESHIRE_PLACES, "Cheshire Constabulary": CHESHIRE_PLACES,
    "Cheshire Fire and Rescue Service": CHESHIRE_PLACES, "Cheshire FA": CHESHIRE_PLACES,
    "Age UK Cheshire": CHESHIRE_PLACES, MSP: MERSEYSIDE_PLACES, "Merseyside Police": MERSEYSIDE_PLACES,
    "Merseyside Fire and Rescue Service": MERSEYSIDE_PLACES,
}
_HONORIFIC_FOR = {"Cabinet Member for Health and Wellbeing": "Cllr", "Director of Public Health": "Dr",
                  "Professor of Physical Activity and Public Health": "Prof", "Reader in Behaviour Change": "Dr"}
# Who takes part more than the others, for the second round of people.
_BUSY_ORGANISATIONS = {ICB: 4, ACTIVE_CHESHIRE: 4, MSP: 5} | {o.name: 3 for o in _LOCAL_AUTHORITIES}
_LEADER_CHANCE = {"sport": 0.6, "public": 0.35, "health_care": 0.3}
PEOPLE_COUNT = 135


def _email(first: str, last: str, rng: random.Random) -> str:
    local = f"{first}.{last}".lower().replace("-", "").replace("'", "")
    return f"{local}@{rng.choice(_EMAIL_DOMAINS)}"


def _home_place(organisation: str, rng: random.Random) -> str | None:
    """Where someone at an organisation without a Place of its own works (None: subregion-wide)."""
    if organisation in _AREA_OF:
        return rng.choice(_AREA_OF[organisation])
    return rng.choice(PLACES) if rng.random() < 0.75 else None


def _leader_level(sector: str, rng: random.Random) -> str | None:
    if rng.random() >= _LEADER_CHANCE.get(sector, 0.15):
        return None
    return rng.choices(("subregional_champion", "local_champion", "ambassador"), weights=(1, 2, 3))[0]


def _organisation_order(rng: random.Random, count: int) -> list[OrganisationSpec]:
    """Every organisation once (shuffled), then the busier ones more often."""
    order = list(ORGANISATIONS)
    rng.shuffle(order)
    weights = [_BUSY_ORGANISATIONS.get(o.name, 1) for o in ORGANISATIONS]
    order += rng.choices(ORGANISATIONS, weights=weights, k=max(0, count - len(order)))
    return order[:count]


def _make_people(rng: random.Random) -> tuple[PersonSpec, ...]:
    count = PEOPLE_COUNT - len(_CONTRACT_PEOPLE)
    names = {p.name for p in _CONTRACT_PEOPLE}
    used_titles: dict[str, set[str]] = {}
    people = []
    for org in _organisation_order(rng, count):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        while f"{first} {last}" in names:
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        names.add(f"{first} {last}")
        taken = used_titles.setdefault(org.name, set())
        kind_titles = _TITLES[_TITLE_KIND.get(org.name, org.sector)]
        titles = [t for t in kind_titles if t not in taken] or list(kind_titles)
        title = rng.choice(titles)
        taken.add(title)
        honorific = _HONORIFIC_FOR.get(title)
        place = org.place_code or _home_place(org.name, rng)
        people.append(PersonSpec(
            name=f"{honorific} {first} {last}" if honorific else f"{first} {last}",
            email=_email(first, last, rng), job_title=title, organisation=org.name, place_code=place,
            system_leader_level=_leader_level(org.sector, rng),
        ))
    return (*_CONTRACT_PEOPLE, *people)


# Memberships ---------------------------------------------------------------------------------

MAX_SEATS = 3
LAST_END_DATE = date(2025, 12, 31)  # every ended seat ended before this (and so in the past)

# (first possible start, last possible start) of seats by group.
_WINDOWS = {
    "HCP": (date(2022, 7, 1), date(2024, 6, 30)),
    "PHB": (date(2022, 7, 1), date(2024, 12, 31)),
    ATA_BOARD: (date(2022, 10, 4), date(2025, 3, 31)),
    "thematic": (date(2023, 12, 5), date(2025, 6, 30)),
    "working": (date(2023, 12, 5), date(2025, 6, 30)),
    "place": (date(2023, 1, 9), date(2025, 6, 30)),
}
_SIZES = {"HCP": 14, "PHB": 11, ATA_BOARD: 12, "thematic": 15, "working": 11, "place": 8}
_NO_VICE_CHAIR = {"WF", "HAL", "KNO"}
_NO_SECRETARY = {"HCP", "SEF", "WIR"}
# A chair who stepped down (their seat ended) and handed over to the current chair.
_FORMER_CHAIR = {"PHB": date(2023, 9, 30), ATA_BOARD: date(2024, 3, 31), "SW": date(2024, 10, 31),
                 "LIV": date(2024, 6, 30), "WAR": date(2025, 1, 31)}
# A member who later became vice chair (two seats: the member one ended).
_PROMOTED_VICE_CHAIR = {"LWW": date(2024, 9, 1), "EWG": date(2024, 7, 1), "CE": date(2024, 4, 1)}
_SENIOR_SECTORS = {"public", "health_care", "vcfse", "community", "sport"}
_COUNCILS = {o.name for o in _LOCAL_AUTHORITIES}
# As in the source documents: the ATA Board is chaired from one of the two Active Partnerships,
# the Partnership and the Population Health Board from the councils.
_CHAIRED_FROM = {ATA_BOARD: (ACTIVE_CHESHIRE, MSP), "HCP": tuple(_COUNCILS), "PHB": tuple(_COUNCILS)}
_CONTRACT_EMAILS = {p.email for p in _CONTRACT_PEOPLE}


class _Allocator:
    """Hands out seats so that nobody holds more than MAX_SEATS and nobody sits twice on a group."""

    def __init__(self, rng: random.Random, people: tuple[PersonSpec, ...]) -> None:
        self.rng = rng
        self.people = [p for p in people if p.email not in _CONTRACT_EMAILS]
        self.orgs = {o.name: o for o in ORGANISATIONS}
        self.seats: list[MembershipSpec] = list(_CONTRACT_SEATS)
        self.count = {p.email: 0 for p in people}
        self.members: dict[str, list[str]] = {g.code: [] for g in GROUPS}
        for seat in _CONTRACT_SEATS:
            self._note(seat)

    def _note(self, seat: MembershipSpec) -> None:
        self.count[seat.email] += 1
        if seat.email not in self.members[seat.group_code]:
            self.members[seat.group_code].append(seat.email)

    def add(self, email: str, group: GroupSpec, role: str, start: date, end: date | None = None) -> None:
        seat = MembershipSpec(email, group.code, role, start, end)
        self.seats.append(seat)
        self._note(seat)

    def window(self, group: GroupSpec) -> tuple[date, date]:
        return _WINDOWS.get(group.code) or _WINDOWS[group.kind]

    def random_start(self, group: GroupSpec) -> date:
        first, last = self.window(group)
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def pool(self, group: GroupSpec, *, room: int = 1) -> list[PersonSpec]:
        taken = self.members[group.code]
        pool = [p for p in self.people if self.count[p.email] + room <= MAX_SEATS and p.email not in taken]
        if group.kind == "place":
            pool = [p for p in pool if p.place_code == group.place_code]
        elif group.kind in ("partnership", "board"):
            pool = [p for p in pool if self.orgs[p.organisation].sector in _SENIOR_SECTORS]
        return pool

    def leads(self, group: GroupSpec, role: str, pool: list[PersonSpec]) -> list[PersonSpec]:
        """Who would plausibly hold this office: people from the Place's own organisations (its
        council for the chair); senior people for the boards and the partnership."""
        if group.kind == "place":
            local = [p for p in pool if self.orgs[p.organisation].place_code == group.place_code]
            council = [p for p in local if p.organisation in _COUNCILS]
            return (council if role == "chair" else []) or local or pool
        if group.kind in ("partnership", "board"):
            senior = [p for p in pool if any(w in p.job_title for w in _SENIOR_WORDS)] or pool
            if role == "chair" and group.code in _CHAIRED_FROM:
                from_ = [p for p in senior if p.organisation in _CHAIRED_FROM[group.code]]
                return from_ or [p for p in pool if p.organisation in _CHAIRED_FROM[group.code]] or senior
            return senior
        return pool

    def pick(self, group: GroupSpec, *, room: int = 1, role: str = "member") -> PersonSpec:
        pool = self.pool(group, room=room)
        if role in ("chair", "vice_chair"):
            pool = self.leads(group, role, pool)
        # People without a seat yet are far likelier to be picked, so that everyone gets one.
        weights = [4 if self.count[p.email] == 0 else 1 for p in pool]
        return self.rng.choices(pool, weights=weights)[0]

    def officers(self, group: GroupSpec) -> None:
        first, _ = self.window(group)
        founded = first + timedelta(days=self.rng.randint(0, 20))
        already = {s.role for s in _CONTRACT_SEATS if s.group_code == group.code}
        skip = already | ({"vice_chair"} if group.code in _NO_VICE_CHAIR else set()) | (
            {"secretary"} if group.code in _NO_SECRETARY else set())
        for role in (r for r in ("chair", "vice_chair", "secretary") if r not in skip):
            if role == "chair" and group.code in _FORMER_CHAIR:
                handover = _FORMER_CHAIR[group.code]
                self.add(self.pick(group, role="chair").email, group, "chair", founded, handover)
                self.add(self.pick(group, role="chair").email, group, "chair", handover)
            elif role == "vice_chair" and group.code in _PROMOTED_VICE_CHAIR:
                person = self.pick(group, room=2, role="vice_chair")
                self.add(person.email, group, "member", founded, _PROMOTED_VICE_CHAIR[group.code])
                self.add(person.email, group, "vice_chair", _PROMOTED_VICE_CHAIR[group.code])
            else:
                self.add(self.pick(group, role=role).email, group, role, founded)

    def ordinary_members(self, group: GroupSpec) -> None:
        wanted = _SIZES.get(group.code) or _SIZES[group.kind]
        while len(self.members[group.code]) < wanted and self.pool(group):
            start = self.random_start(group)
            end = None
            if self.rng.random() < 0.12:
                candidate = start + timedelta(days=self.rng.randint(120, 600))
                end = candidate if candidate <= LAST_END_DATE else None
            self.add(self.pick(group).email, group, "member", start, end)

    def chairs_on_the_board(self) -> None:
        """The thematic and working groups' chairs sit on the ATA Board."""
        board = _group(ATA_BOARD)
        for seat in list(self.seats):
            group = _group(seat.group_code)
            if (seat.role == "chair" and seat.end_date is None and group.parent_code == ATA_BOARD
                    and group.kind != "place" and self.count[seat.email] < MAX_SEATS
                    and seat.email not in self.members[ATA_BOARD]):
                self.add(seat.email, board, "member", max(seat.start_date, self.window(board)[0]))

    def seat_everyone(self) -> None:
        """Anyone still without a seat joins their Place's group, or else a thematic group."""
        thematic = [g for g in GROUPS if g.kind == "thematic"]
        for person in self.people:
            if self.count[person.email]:
                continue
            home = [g for g in GROUPS if g.kind == "place" and g.place_code == person.place_code]
            group = home[0] if home else self.rng.choice(thematic)
            self.add(person.email, group, "member", self.random_start(group))


def _group(code: str) -> GroupSpec:
    return next(g for g in GROUPS if g.code == code)


def _make_memberships(rng: random.Random, people: tuple[PersonSpec, ...]) -> tuple[MembershipSpec, ...]:
    allocator = _Allocator(rng, people)
    for group in GROUPS:
        allocator.officers(group)
    allocator.chairs_on_the_board()
    for group in GROUPS:
        allocator.ordinary_members(group)
    allocator.seat_everyone()
    return tuple(allocator.seats)


def build() -> tuple[tuple[PersonSpec, ...], tuple[MembershipSpec, ...]]:
    """The people and their seats, drawn afresh (always the same)."""
    rng = random.Random(20231205)  # the day the new governance structure began
    people = _make_people(rng)
    return people, _make_memberships(rng, people)


PEOPLE, MEMBERSHIPS = build()
