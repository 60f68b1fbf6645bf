"""Seeded raw material for the demo world, generated once and then picked from.

Faker costs tens of microseconds a call, too slow for a million members, so a few thousand
names and streets are drawn up front and the builder picks from them with its own seeded
random generator. The same seed (and Faker version) gives the same pools.
"""

import random

from faker import Faker

# Real places, so that city, county, ZIP prefix and area code agree; no person lives in a list.
PLACES = {
    "CA": [
        ("Sacramento", "Sacramento", "958", "916"),
        ("Fresno", "Fresno", "937", "559"),
        ("Oakland", "Alameda", "946", "510"),
        ("San Jose", "Santa Clara", "951", "408"),
        ("Riverside", "Riverside", "925", "951"),
        ("San Diego", "San Diego", "921", "619"),
        ("Santa Rosa", "Sonoma", "954", "707"),
        ("Bakersfield", "Kern", "933", "661"),
        ("Pasadena", "Los Angeles", "911", "626"),
        ("Irvine", "Orange", "926", "949"),
    ],
    "NV": [
        ("Reno", "Washoe", "895", "775"),
        ("Las Vegas", "Clark", "891", "702"),
        ("Carson City", "Carson City", "897", "775"),
    ],
    "OR": [
        ("Portland", "Multnomah", "972", "503"),
        ("Salem", "Marion", "973", "503"),
        ("Eugene", "Lane", "974", "541"),
    ],
}
# Most of the book is in the home state.
STATE_WEIGHTS = {"CA": 80, "NV": 10, "OR": 10}

LANGUAGES = ["English", "Spanish", "Chinese", "Vietnamese", "Tagalog", "Korean", "Armenian"]
LANGUAGE_WEIGHTS = [78, 13, 3, 2, 2, 1, 1]


class Pools:
    def __init__(self, seed: int):
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.female_first = [fake.first_name_female() for _ in range(600)]
        self.male_first = [fake.first_name_male() for _ in range(600)]
        self.last = [fake.last_name() for _ in range(1500)]
        self.street_names = [fake.street_name() for _ in range(500)]
        self.company_words = [fake.last_name() for _ in range(300)]

    def first_name(self, rng: random.Random, gender: str) -> str:
        return rng.choice(self.female_first if gender == "F" else self.male_first)

    def street(self, rng: random.Random) -> str:
        street = f"{rng.randint(100, 9999)} {rng.choice(self.street_names)}"
        if rng.random() < 0.15:
            street += f" Apt. {rng.randint(1, 40)}"
        return street

    def place(self, rng: random.Random, state: str):
        """(city, county, zip code, area code) in `state`."""
        city, county, zip3, area = rng.choice(PLACES[state])
        return city, county, f"{zip3}{rng.randint(1, 99):02d}", area

    @staticmethod
    def phone(rng: random.Random, area: str) -> str:
        # 555-0100 to 555-0199 are reserved for fiction in every area code.
        return f"({area}) 555-01{rng.randint(0, 99):02d}"

    @staticmethod
    def ssn(rng: random.Random) -> str:
        # Area numbers 900-999 are never issued as SSNs, and with group numbers under 50 they
        # are not valid ITINs either.
        return f"{rng.randint(900, 999)}{rng.randint(1, 49):02d}{rng.randint(1, 9999):04d}"

    @staticmethod
    def state(rng: random.Random) -> str:
        return rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]

    @staticmethod
    def language(rng: random.Random) -> str:
        return rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
