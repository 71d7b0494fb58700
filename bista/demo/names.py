"""Names, places and contact details for fictitious people in the demo data.

Everything here is plain data. The first names and surnames are common in Sweden (and in Stockholm, so
they include names of people who came from elsewhere); combined at random they describe nobody in
particular. Streets are real streets in each district, used with made-up house numbers, so that an
address looks familiar without pointing at anyone.
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE_FIRST_NAMES = _words(
    """
    Anna Eva Maria Karin Sara Kristina Lena Emma Kerstin Ingrid Marie Malin Jenny Hanna Linda Annika
    Susanne Elin Monica Birgitta Sofia Johanna Carina Elisabeth Ulla Julia Katarina Linnéa Åsa Helena
    Camilla Ida Sandra Gunilla Anneli Cecilia Marianne Anette Therese Frida Josefin Lisa Ebba Maja Alice
    Elsa Wilma Astrid Alva Saga Ella Agnes Olivia Stina Signe Klara Matilda Vera Alma Ellen Tove Moa
    Amanda Emelie Louise Rebecka Petra Pia Ylva Viktoria Madeleine Yvonne Agneta Margareta Inger Siv
    Mona Fatima Amina Leila Yasmin Nadia Aisha Hodan Mariam Zeynep Dragana Agnieszka Päivi Sanna
    """
)

MALE_FIRST_NAMES = _words(
    """
    Lars Mikael Anders Johan Erik Per Karl Peter Thomas Jan Daniel Fredrik Hans Andreas Stefan Mohamed
    Bengt Mats Magnus Marcus Jonas Mattias Niklas Björn Martin Oskar Alexander Patrik Henrik Joakim
    Christer Göran Ulf Kent Leif Tommy Robert Sebastian Simon David Jakob Gustav Viktor Emil Filip Isak
    Axel Hugo Elias Lucas William Oliver Liam Noah Adam Theo Ludvig Nils Olle Vincent Arvid Melvin Albin
    Anton Linus Rasmus Tobias Kristoffer Jesper Pontus Sven Rolf Roger Kjell Åke Stig Gunnar Ahmed Ali
    Omar Hassan Yusuf Abdi Mehmet Goran Piotr Jukka Carlos Ibrahim Samir
    """
)

SURNAMES = _words(
    """
    Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson
    Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Lindström Olofsson Lindqvist
    Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson Berglund Fredriksson
    Sandberg Henriksson Forsberg Sjöberg Ali Wallin Mohamed Engström Eklund Danielsson Lundin Håkansson
    Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg
    Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson Nordström Mårtensson Lundström Ahmed Viklund
    Björklund Eliasson Pålsson Hassan Berggren Sandström Lund Nordin Ström Åberg Hermansson Ekström
    Holmgren Sundberg Hedlund Dahlberg Hellström Sjögren Abrahamsson Falk Öberg Andreasson Blom Ek
    Månsson Strand Jonasson Sundström Martinsson Åkesson Nordqvist Dahl Ivarsson Hosseini Yilmaz Nowak
    Virtanen Korhonen Omar Hussein Jovanović Rodríguez Nguyen Kaya Abdullahi
    """
)

# Relations as a relative would be described on a client's card.
PARENT_RELATIONS: tuple[str, ...] = ("mamma", "pappa")
ADULT_RELATIONS: tuple[str, ...] = (
    "mamma",
    "pappa",
    "syster",
    "bror",
    "dotter",
    "son",
    "make",
    "maka",
    "sambo",
    "moster",
    "farbror",
    "vän",
)

# Languages other than Swedish that clients speak; sign language always needs an interpreter.
OTHER_LANGUAGES: tuple[str, ...] = (
    "arabiska",
    "somaliska",
    "persiska",
    "tigrinja",
    "finska",
    "polska",
    "engelska",
    "turkiska",
    "spanska",
    "bosniska",
    "kurdiska",
    "dari",
)
SIGN_LANGUAGE = "svenskt teckenspråk"

# Mobile numbers that PTS has set aside for fiction (070-174 06 05 to 070-174 06 99), so that a demo
# number never rings anyone (PTS, 2020). The set is small; numbers repeat, which is harmless here.
FICTION_PHONE_FIRST, FICTION_PHONE_LAST = 5, 99

# Addresses: RFC 2606 reserves .example, so these addresses reach nobody.
EMAIL_DOMAIN = "stockholm.example"
PRIVATE_EMAIL_DOMAIN = "example.com"


@dataclass(frozen=True)
class Area:
    """A part of a district with its own postal town, postal-code prefix (three digits) and streets."""

    postal_town: str
    postal_prefix: str
    streets: tuple[str, ...]


@dataclass(frozen=True)
class DistrictGeography:
    name: str  # the district's name without "stadsdelsnämnd", e.g. "Hägersten-Älvsjö"
    areas: tuple[Area, ...]


# Stockholm's thirteen district committees (stadsdelsnämnder), one area per row:
# district | postal town | postal-code prefix | streets. The unit scale uses the first district, that of the seeds.
_DISTRICT_TABLE = """
Hägersten-Älvsjö | Hägersten | 126 | Hägerstensvägen, Personnevägen, Västertorpsvägen, Sedelvägen, Fruängsgatan
Hägersten-Älvsjö | Älvsjö | 125 | Älvsjövägen, Götalandsvägen, Långbrodalsvägen, Herrängsvägen, Solbergavägen
Rinkeby-Kista | Kista | 164 | Kistagången, Jyllandsgatan, Trondheimsgatan, Sibeliusgången, Edvard Griegsgången
Rinkeby-Kista | Spånga | 163 | Rinkebystråket, Skårbygränd, Hinderstorpsgränd, Kvarnbyplan
Spånga-Tensta | Spånga | 163 | Tensta allé, Spånga kyrkväg, Hjulstagränd, Elinsborgsbacken, Sörgårdsvägen
Hässelby-Vällingby | Vällingby | 162 | Vällingbyvägen, Kirunagatan, Råckstavägen, Grimstagatan
Hässelby-Vällingby | Hässelby | 165 | Hässelbygårdsvägen, Lövstavägen, Hässelby torg, Ängbyplan
Bromma | Bromma | 168 | Drottningholmsvägen, Bromma kyrkväg, Ulvsundavägen, Alviksvägen, Blackebergsvägen, Bällstavägen
Kungsholmen | Stockholm | 112 | Fleminggatan, Sankt Eriksgatan, Hantverkargatan, Fridhemsgatan, Norr Mälarstrand
Norrmalm | Stockholm | 113 | Odengatan, Sveavägen, Upplandsgatan, Västmannagatan, Dalagatan, Tegnérgatan
Östermalm | Stockholm | 114 | Karlavägen, Valhallavägen, Linnégatan, Storgatan, Narvavägen
Östermalm | Stockholm | 115 | Gärdesgatan, Lidingövägen, Tessinparken
Södermalm | Stockholm | 116 | Götgatan, Folkungagatan, Katarina Bangata, Bondegatan
Södermalm | Stockholm | 117 | Hornsgatan, Ringvägen, Zinkens väg, Lignagatan
Enskede-Årsta-Vantör | Årsta | 120 | Årstavägen, Sandfjärdsgatan, Årsta torg
Enskede-Årsta-Vantör | Enskede | 122 | Enskedevägen, Handelsvägen, Palmfeltsvägen
Enskede-Årsta-Vantör | Bandhagen | 124 | Trollesundsvägen, Bandhagsplan, Hagsätra torg
Skarpnäck | Skarpnäck | 128 | Skarpnäcks allé, Byälvsvägen, Ljusnevägen, Lagaplan
Skarpnäck | Johanneshov | 121 | Björkhagsplan, Kärrtorpsvägen, Hammarby allé
Farsta | Farsta | 123 | Farstavägen, Larsbodavägen, Tallkrogsplan, Farsta allé
Farsta | Sköndal | 128 | Sköndalsvägen, Hökarängsplan, Gubbängsvägen
Skärholmen | Skärholmen | 127 | Skärholmsgången, Bredängsvägen, Sätraängsvägen, Vårbergsvägen, Ekholmsvägen
"""


def _districts(table: str) -> tuple[DistrictGeography, ...]:
    areas: dict[str, list[Area]] = {}
    for line in table.strip().splitlines():
        district, town, prefix, streets = (part.strip() for part in line.split("|"))
        areas.setdefault(district, []).append(Area(town, prefix, tuple(s.strip() for s in streets.split(","))))
    return tuple(DistrictGeography(name, tuple(parts)) for name, parts in areas.items())


STOCKHOLM_DISTRICTS: tuple[DistrictGeography, ...] = _districts(_DISTRICT_TABLE)
