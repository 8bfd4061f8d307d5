"""Word lists the analyser uses to put different spellings of one thing under one term.

Plain data, kept apart from the code that applies it. Two kinds, applied in different places:

- The text's own words, for passages and questions alike: American spellings to British ones,
  the irregular forms the stemmer cannot reach ("spent" → "spend"), country names and their
  adjectives ("Japanese" → "japan"), abbreviations news writes beside the full form. Only
  mappings that hold wherever the word appears in ordinary news: "won" (the Korean currency),
  "met" (the Met), "pole" (the North Pole), "check" (a background check), "head" (a head injury)
  and "military" (a military coup) are not here.
- What a question may mean beyond its words (QUESTION_WORDS: synonyms, chat shorthand, the
  ambiguous irregular forms): applied to questions only, and added beside the question's own
  term, never instead of it, so nothing the articles say is rewritten.

Every entry maps a folded, lower-case word to the word it counts as; the result is then stemmed
like any other word.
"""

AMERICAN_TO_BRITISH = {
    "defense": "defence", "defenses": "defences", "offense": "offence", "offenses": "offences",
    "license": "licence", "center": "centre", "centers": "centres", "centered": "centred",
    "theater": "theatre", "meter": "metre", "meters": "metres", "liter": "litre", "liters": "litres",
    "fiber": "fibre", "caliber": "calibre", "color": "colour", "colors": "colours", "labor": "labour",
    "favor": "favour", "favorite": "favourite", "honor": "honour", "harbor": "harbour",
    "neighbor": "neighbour", "neighbors": "neighbours", "neighboring": "neighbouring",
    "behavior": "behaviour", "rumor": "rumour", "endeavor": "endeavour", "armor": "armour",
    "armored": "armoured", "vapor": "vapour", "program": "programme", "programs": "programmes",
    "catalog": "catalogue", "dialog": "dialogue", "analog": "analogue", "gray": "grey",
    "aluminum": "aluminium", "jewelry": "jewellery", "plow": "plough",
    "skeptic": "sceptic", "skeptical": "sceptical", "maneuver": "manoeuvre", "maneuvers": "manoeuvres",
    "pediatric": "paediatric", "fetus": "foetus", "estrogen": "oestrogen",
    "artifact": "artefact", "artifacts": "artefacts", "kilometer": "kilometre",
    "kilometers": "kilometres", "centimeter": "centimetre", "centimeters": "centimetres",
    "millimeter": "millimetre", "millimeters": "millimetres", "tumor": "tumour", "tumors": "tumours",
    "humor": "humour", "odor": "odour", "flavor": "flavour", "flavors": "flavours", "vigor": "vigour",
    "savior": "saviour", "parlor": "parlour", "valor": "valour", "favorable": "favourable",
    "honorable": "honourable", "colored": "coloured", "labored": "laboured", "harbors": "harbours",
    "favored": "favoured", "favors": "favours", "honored": "honoured", "honors": "honours",
    "neighborhood": "neighbourhood", "neighborhoods": "neighbourhoods", "behaviors": "behaviours",
    "rumors": "rumours", "airplane": "aeroplane", "airplanes": "aeroplanes", "anemia": "anaemia",
    "anesthesia": "anaesthesia", "leukemia": "leukaemia", "orthopedic": "orthopaedic",
    "encyclopedia": "encyclopaedia", "cozy": "cosy", "mustache": "moustache", "pajamas": "pyjamas",
    "practiced": "practised", "practicing": "practising", "pretense": "pretence",
    "plows": "ploughs", "skeptics": "sceptics",
}  # fmt: skip

# "-ize" words that are not the American spelling of an "-ise" word.
IZE_EXCEPTIONS = frozenset(
    "size sizes sized prize prizes seize seized seizes seizing capsize capsized maize baize downsize".split()
)

IRREGULAR_FORMS = {
    "spent": "spend", "paid": "pay", "lost": "lose", "led": "lead", "sold": "sell",
    "bought": "buy", "built": "build", "brought": "bring", "thought": "think", "made": "make",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "went": "go", "gone": "go",
    "came": "come", "saw": "see", "seen": "see", "knew": "know", "known": "know", "grew": "grow",
    "grown": "grow", "fell": "fall", "fallen": "fall", "risen": "rise",
    "held": "hold", "kept": "keep", "felt": "feel", "ran": "run", "began": "begin",
    "begun": "begin", "chose": "choose", "chosen": "choose", "drove": "drive", "driven": "drive",
    "flew": "fly", "flown": "fly", "fought": "fight", "wrote": "write", "written": "write",
    "spoke": "speak", "spoken": "speak", "struck": "strike", "sent": "send",
    "stood": "stand", "sought": "seek", "taught": "teach", "caught": "catch", "froze": "freeze",
    "frozen": "freeze", "broke": "break", "broken": "break", "drawn": "draw",
    "lent": "lend", "dealt": "deal", "meant": "mean", "found": "find", "hid": "hide", "hidden": "hide",
    "wore": "wear", "worn": "wear", "threw": "throw", "thrown": "throw", "forgave": "forgive",
    "withdrew": "withdraw", "withdrawn": "withdraw", "undertook": "undertake", "overtook": "overtake",
    "sank": "sink", "sunk": "sink", "swore": "swear", "sworn": "swear", "woke": "wake",
    "spender": "spend", "spenders": "spend", "buyer": "buy", "buyers": "buy", "seller": "sell",
    "sellers": "sell", "winner": "win", "winners": "win", "voter": "vote", "voters": "vote",
    "payer": "pay", "payers": "pay", "taxpayer": "tax", "taxpayers": "tax",
    "hacker": "hack", "hackers": "hack", "children": "child", "weight": "weigh", "weights": "weigh",
}  # fmt: skip

# Countries: the name, its adjective and its people count as one term.
PLACES = {
    "america": "usa", "american": "usa", "americans": "usa", "usa": "usa",
    "britain": "uk", "british": "uk", "brit": "uk", "brits": "uk", "uk": "uk",
    "japanese": "japan", "chinese": "china", "russian": "russia", "russians": "russia",
    "polish": "poland", "german": "germany", "germans": "germany",
    "french": "france", "ukrainian": "ukraine", "ukrainians": "ukraine", "european": "europe",
    "europeans": "europe", "canadian": "canada", "canadians": "canada", "dutch": "netherlands",
    "norwegian": "norway", "norwegians": "norway", "danish": "denmark",
    "danes": "denmark", "swedish": "sweden", "swedes": "sweden",
    "lithuanian": "lithuania", "estonian": "estonia", "latvian": "latvia", "italian": "italy",
    "italians": "italy", "spanish": "spain", "indian": "india", "taiwanese": "taiwan",
    "korean": "korea", "koreans": "korea", "israeli": "israel", "israelis": "israel",
    "iranian": "iran", "turkish": "turkey", "scottish": "scotland", "scots": "scotland",
    "welsh": "wales", "irish": "ireland", "australian": "australia", "australians": "australia",
    "filipino": "philippines", "philippine": "philippines", "finnish": "finland",
    "greek": "greece", "swiss": "switzerland", "austrian": "austria", "belgian": "belgium",
    "mexican": "mexico", "brazilian": "brazil", "egyptian": "egypt", "saudi": "saudi",
    "pakistani": "pakistan", "afghan": "afghanistan", "syrian": "syria", "iraqi": "iraq",
    "palestinian": "palestine", "palestinians": "palestine", "hungarian": "hungary",
    "romanian": "romania", "czech": "czechia", "slovak": "slovakia", "portuguese": "portugal",
    "nigerian": "nigeria", "kenyan": "kenya", "vietnamese": "vietnam", "indonesian": "indonesia",
}  # fmt: skip

# Multi-word names, matched on folded text before it is split into words.
PHRASES = {
    "united states of america": "usa", "united states": "usa", "united kingdom": "uk",
    "great britain": "uk", "the netherlands": "netherlands", "south korea": "korea",
    "northern ireland": "ni", "new zealand": "nz",
    "united arab emirates": "uae", "european union": "eu",
}  # fmt: skip

# Abbreviations of titles and words that news uses beside the full form.
ABBREVIATIONS = {
    "govt": "government", "sen": "senator", "prof": "professor",
    "dept": "department", "natl": "national",
    "corp": "corporation",
    # currency codes, in capitals or not
    "usd": "dollars", "aud": "dollars", "cad": "dollars", "nzd": "dollars", "eur": "euros",
    "gbp": "pounds", "quid": "pounds",
}  # fmt: skip

# The shorthand people type in a chat, taken only in lower case: "Max Verstappen", "COP28", "HR"
# and "85 dB" are other things.
SHORTHAND = {
    "uni": "university", "unis": "universities", "ppl": "people", "info": "information",
    "max": "maximum", "approx": "approximately", "avg": "average", "stats": "statistics",
    "mgmt": "management", "exec": "executive", "execs": "executives", "admin": "administration",
    "econ": "economy", "biz": "business", "yr": "year", "yrs": "years", "hr": "hour", "hrs": "hours",
    "mins": "minutes", "wk": "week", "wks": "weeks", "tech": "technology", "meds": "medication",
    "hosp": "hospital", "vax": "vaccine", "cop": "police", "cops": "police", "db": "database",
    "ambo": "ambulance", "amt": "amount",
}  # fmt: skip

# Question only, added beside the question's own term: words a question may use for what the
# articles say otherwise. Never applied to passages (a "military coup" is not "defence").
SYNONYMS = {
    "military": "defence", "militaries": "defence", "soldier": "troop", "soldiers": "troop",
    "troops": "troop", "boss": "chief", "bosses": "chief", "nation": "country", "nations": "country",
    "country": "nation", "countries": "nation",
    "ceo": "chief", "kid": "child", "kids": "child",
    "car": "vehicle", "cars": "vehicle",
    "dems": "democrats", "gop": "republican", "wildfire": "fire",
    "wildfires": "fire", "bushfire": "fire", "bushfires": "fire", "axe": "cut", "axed": "cut",
    "axing": "cut", "gov": "governor", "gen": "general",
    # irregular forms that are also other words in news: "the Korean won", "the Met", "left-wing"
    "won": "win", "met": "meet", "left": "leave", "rose": "rise", "drew": "draw", "shot": "shoot",
    "check": "cheque", "pole": "poland", "poles": "poland", "tire": "tyre", "tires": "tyre",
    "armed forces": "military",
}  # fmt: skip

# What an answer to a kind of question tends to contain, though the question does not say it:
# "how tall is the lander?" is answered by "the 7.5-feet lander". Keys are phrases of a folded
# question; the words are analysed like any other, and reorder the passages the question's own
# words find (the library never looks them up alone: many are common, "year", "Monday").
_LEADER = (
    "chief executive founder director chair chairman chairwoman leader president secretary governor"
    " chancellor principal commissioner"
)
ANSWER_WORDS = {
    "how tall": "height high feet foot ft metres",
    "how high": "height tall feet foot ft metres altitude",
    "how long": "length km kilometres miles metres hours days weeks months years",
    "how far": "distance km kilometres miles metres",
    "how fast": "speed mph km per hour second",
    "how old": "age aged",
    "how big": "size large area hectares acres square",
    "how large": "size big area hectares acres square",
    "how heavy": "weigh tonnes kg kilograms pounds",
    "how deep": "depth metres feet",
    "how much": "pounds euros dollars",
    "who runs": _LEADER,
    "who leads": _LEADER,
    "who heads": _LEADER,
    "who owns": "owner owned",
    "why": "because reason due caused blamed",
    "in charge": _LEADER,
    "worth": "value valued",
    # the same measure in other units
    "acres": "hectares", "hectares": "acres", "miles": "km kilometres", "km": "miles",
    "kilometres": "miles", "kilometers": "miles", "feet": "metres", "metres": "feet",
    "meters": "feet", "fahrenheit": "celsius", "celsius": "fahrenheit",
}  # fmt: skip
