"""Italian (and English) words for common second-hand items → the Vinted catalog for each audience.

The taxonomy is English and differs per root ("Jumpers & sweaters" for adults, "Jumpers & hoodies" for
kids), so each entry names the path for women (W), men (M), girls (G), boys (B), or a single path for
any audience (A). A keyword ending in ``*`` matches any word starting with it (giacc* → giacca, giacche,
giacchetto). Multi-word keywords beat single words, so "giacca di jeans" is a denim jacket, not jeans.
``tests/ai`` checks that every path here exists in ``taxonomy/catalogs.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

WOMEN, MEN, GIRLS, BOYS = "Women > ", "Men > ", "Kids > Girls clothing > ", "Kids > Boys clothing > "


@dataclass(frozen=True)
class Keyword:
    words: tuple[str, ...]
    targets: dict[str, str]  # audience ("women", "men", "girls", "boys", "any") → catalog path


def _k(
    words: str, *, w: str = "", m: str = "", g: str = "", b: str = "", a: str = "", kids: str = ""
) -> Keyword:
    """``w``/``m``/``g``/``b`` are relative to their root; ``a`` (any audience), ``kids`` are full paths."""
    relative = {"women": (WOMEN, w), "men": (MEN, m), "girls": (GIRLS, g), "boys": (BOYS, b)}
    targets = {audience: root + path for audience, (root, path) in relative.items() if path}
    if kids:
        targets["girls"] = targets["boys"] = kids
    if a:
        targets["any"] = a
    return Keyword(tuple(word.strip() for word in words.split("|")), targets)


def _clothes(words: str, w: str = "", m: str = "", kids: str = "", *, g: str = "", b: str = "") -> Keyword:
    """Most clothes sit at the same place under "Clothes" for adults and directly under the kids roots;
    ``g``/``b`` override ``kids`` when girls and boys differ."""
    return _k(words, w=w and "Clothes > " + w, m=m and "Clothes > " + m, g=g or kids, b=b or kids)


JACKETS = "Outerwear > Jackets"

KEYWORDS: tuple[Keyword, ...] = (
    # Outerwear
    _clothes(
        "giacca di jeans|giacca in jeans|giacca jeans|giubbotto di jeans|giubbotto jeans|giubbino di jeans"
        "|giubbino jeans|jeans jacket|denim jacket",
        f"{JACKETS} > Denim jackets",
        f"{JACKETS} > Denim jackets",
        f"{JACKETS} > Denim jackets",
    ),
    _clothes(
        "piumin*|puffer*|down jacket",
        f"{JACKETS} > Puffer jackets",
        f"{JACKETS} > Puffer jackets",
        f"{JACKETS} > Puffer jackets",
    ),
    _clothes(
        "bomber", f"{JACKETS} > Bomber jackets", f"{JACKETS} > Bomber jackets", f"{JACKETS} > Bomber jackets"
    ),
    _clothes(
        "giacca di pelle|giacca in pelle|giubbotto di pelle|giubbotto in pelle|chiodo|biker jacket"
        "|leather jacket",
        f"{JACKETS} > Biker & racer jackets",
        f"{JACKETS} > Biker & racer jackets",
        JACKETS,
    ),
    _clothes("giacc*|giubbott*|giubbin*|giubbett*|jacket*|windbreaker|k way|kway", JACKETS, JACKETS, JACKETS),
    _clothes(
        "blazer*",
        "Suits & blazers > Blazers",
        "Suits & blazers > Suit jackets & blazers",
        f"{JACKETS} > Blazers",
    ),
    _clothes(
        "trench*",
        "Outerwear > Coats > Trench coats",
        "Outerwear > Coats > Trench coats",
        "Outerwear > Coats > Trench coats",
    ),
    _clothes(
        "parka*", "Outerwear > Coats > Parkas", "Outerwear > Coats > Parkas", "Outerwear > Coats > Parkas"
    ),
    _clothes(
        "cappott*|montgomery|coat|coats|overcoat*|pelliccia",
        "Outerwear > Coats",
        "Outerwear > Coats",
        "Outerwear > Coats",
    ),
    _clothes(
        "gilet|smanicat*|body warmer",
        "Outerwear > Gilets & body warmers",
        "Outerwear > Gilets & body warmers",
        "Outerwear > Gilets & body warmers",
    ),
    # Tops
    _clothes(
        "t shirt*|tshirt*|magliett*|tee",
        "Tops & t-shirts > T-shirts",
        "Tops & t-shirts > T-shirts",
        "Tops & T-shirts > T-shirts",
    ),
    _clothes(
        "polo",
        "Tops & t-shirts > T-shirts",
        "Tops & t-shirts > T-shirts > Polo shirts",
        "Tops & T-shirts > Polo shirts",
    ),
    _clothes(
        "camicett*|blusa|blouse*",
        "Tops & t-shirts > Blouses",
        "Tops & t-shirts > Shirts",
        "Tops & T-shirts > Shirts",
    ),
    _clothes(
        "camicia|camicie|shirt|shirts",
        "Tops & t-shirts > Shirts",
        "Tops & t-shirts > Shirts",
        "Tops & T-shirts > Shirts",
    ),
    _clothes(
        "canott*|tank top|vest top",
        "Tops & t-shirts > Vest tops",
        "Tops & t-shirts > Vests & sleeveless t-shirts",
        "Tops & T-shirts > Sleeveless tops",
    ),
    _clothes("top|crop top", "Tops & t-shirts", "Tops & t-shirts", "Tops & T-shirts"),
    # Jumpers
    _clothes(
        "felp*|hoodie*|sweatshirt*|sweat shirt",
        "Jumpers & sweaters > Hoodies & sweatshirts",
        "Jumpers & sweaters > Hoodies & sweatshirts",
        "Jumpers & hoodies > Hoodies & sweatshirts",
    ),
    _clothes(
        "cardigan*|golfino",
        "Jumpers & sweaters > Cardigans",
        "Jumpers & sweaters > Cardigans",
        "Jumpers & hoodies",
    ),
    _clothes(
        "dolcevita|turtleneck*",
        "Jumpers & sweaters > Jumpers > Turtleneck jumpers",
        "Jumpers & sweaters > Turtle-neck jumpers",
        "Jumpers & hoodies > Turtleneck jumpers",
    ),
    _clothes(
        "maglion*|maglia|maglie|pullover|jumper*|sweater*|golf",
        "Jumpers & sweaters > Jumpers",
        "Jumpers & sweaters > Jumpers",
        "Jumpers & hoodies > Jumpers",
    ),
    # Bottoms
    _clothes("jeans", "Jeans", "Jeans", "Trousers, shorts & dungarees > Jeans"),
    _clothes(
        "leggings|leggins|fuseaux",
        "Trousers & leggings > Leggings",
        "Trousers",
        "Trousers, shorts & dungarees > Leggings",
    ),
    _clothes(
        "shorts|pantaloncin*|bermuda",
        "Shorts & cropped trousers",
        "Shorts",
        "Trousers, shorts & dungarees > Shorts & cropped trousers",
    ),
    _clothes(
        "pantalon*|trousers|pants|chino*|cargo",
        "Trousers & leggings",
        "Trousers",
        "Trousers, shorts & dungarees",
    ),
    _clothes("gonn*|minigonn*|skirt*", "Skirts", "", "", g="Skirts"),
    _clothes(
        "salopette|tuta intera|jumpsuit*|playsuit*|dungarees",
        "Jumpsuits & playsuits",
        "",
        "Trousers, shorts & dungarees > Jumpsuits & dungarees",
    ),
    _clothes(
        "tuta|tute|tracksuit*|tuta da ginnastica",
        "Activewear > Tracksuits",
        "Activewear > Tracksuits",
        "Activewear",
    ),
    # Dresses and suits ("abito da uomo" is a suit)
    _clothes(
        "abito da sposa|vestito da sposa|wedding dress*",
        "Dresses > Special-occasion dresses > Wedding dresses",
        "Suits & blazers",
        "",
        g="Formal wear & special occasion clothing",
        b="Formal wear & special occasion clothing",
    ),
    _clothes(
        "vestit*|abit*|dress|dresses|tubino",
        "Dresses",
        "Suits & blazers",
        "",
        g="Dresses",
        b="Formal wear & special occasion clothing",
    ),
    _clothes(
        "completo|tailleur|suit|suits",
        "Suits & blazers",
        "Suits & blazers",
        "",
        g="Formal wear & special occasion clothing",
        b="Formal wear & special occasion clothing",
    ),
    # Underwear, nightwear, swimwear, costumes
    _clothes(
        "costume di carnevale|costumi di carnevale|travestimento|fancy dress",
        "Costumes & special outfits",
        "Costumes & special outfits",
        "Fancy dress & costumes",
    ),
    _clothes(
        "costume da bagno|costume*|bikini|swimsuit*|swimwear|boxer mare", "Swimwear", "Swimwear", "Swimwear"
    ),
    _clothes(
        "pigiam*|pyjama*|pajama*|camicia da notte",
        "Lingerie & nightwear > Nightwear",
        "Socks & underwear",
        "",
        g="Sleepwear & nightwear",
        b="Sleepwear",
    ),
    _clothes(
        "reggiseno|reggiseni|bra|lingerie|intimo|mutand*|slip",
        "Lingerie & nightwear",
        "Socks & underwear > Pants & boxers",
        "Underwear & socks",
    ),
    _clothes(
        "calzin*|calze|socks|collant*",
        "Lingerie & nightwear > Socks",
        "Socks & underwear > Socks",
        "Underwear & socks",
    ),
    # Shoes
    _k(
        "scarpe da ginnastica|scarpa da ginnastica|scarpe sportive|sneaker*|trainer*|scarpe da tennis",
        w="Shoes > Trainers",
        m="Shoes > Trainers",
        g="Shoes > Trainers",
        b="Shoes > Trainers",
    ),
    _k(
        "scarpe da corsa|running shoes|scarpe running",
        w="Shoes > Sports shoes",
        m="Shoes > Sports shoes > Running shoes",
        g="Shoes > Sports shoes",
        b="Shoes > Sports shoes",
    ),
    _k(
        "stival*|boot|boots|anfibi|scarponcin*|polacchin*",
        w="Shoes > Boots",
        m="Shoes > Boots",
        g="Shoes > Boots",
        b="Shoes > Boots",
    ),
    _k(
        "sandal*|infradito|ciabatt*|flip flop*|slides",
        w="Shoes > Flip-flops, flat sandals & slides",
        m="Shoes > Flip-flops, sandals & slides",
        g="Shoes > Flip-flops, sandals & slides",
        b="Shoes > Flip-flops, sandals & slides",
    ),
    _k(
        "pantofol*|slipper*",
        w="Shoes > Slippers",
        m="Shoes > Slippers",
        g="Shoes > Slippers",
        b="Shoes > Slippers",
    ),
    _k("decollete|tacchi|tacco|scarpe col tacco|heels|pumps", w="Shoes > Heels", g="Shoes > Heels"),
    _k("ballerin*", w="Shoes > Flat shoes > Ballerinas", g="Shoes > Flat shoes"),
    _k(
        "mocassin*|loafer*",
        w="Shoes > Flat shoes > Boat shoes, loafers & moccasins",
        m="Shoes > Boat shoes, loafers & moccasins",
        g="Shoes > Flat shoes",
        b="Shoes > Boat shoes, loafers & moccasins",
    ),
    _k("scarp*|shoe|shoes|calzatur*", w="Shoes", m="Shoes", g="Shoes", b="Shoes"),
    # Bags and accessories
    _k(
        "zain*|backpack*",
        w="Bags > Backpacks",
        m="Accessories > Bags & backpacks > Backpacks",
        g="Bags & backpacks",
        b="Bags & backpacks",
    ),
    _k(
        "borsa a tracolla|borsa tracolla|tracolla|shoulder bag",
        w="Bags > Shoulder Bags",
        m="Accessories > Bags & backpacks > Shoulder Bags",
        g="Bags & backpacks",
        b="Bags & backpacks",
    ),
    _k("pochette|clutch", w="Bags > Clutches", m="Accessories > Bags & backpacks > Other"),
    _k(
        "portafogli*|borsellin*|portamonete|wallet*|purse",
        w="Bags > Purses & wallets",
        m="Accessories > Bags & backpacks > Wallets",
    ),
    _k(
        "valigi*|trolley|suitcase|luggage",
        w="Bags > Luggage & suitcases",
        m="Accessories > Bags & backpacks > Luggage",
    ),
    _k("marsupi*|bum bag|belt bag", w="Bags > Bum bags", m="Accessories > Bags & backpacks > Bum bags"),
    _k(
        "shopper|tote bag|tote|borsa di tela",
        w="Bags > Tote bags",
        m="Accessories > Bags & backpacks > Other",
    ),
    _k(
        "bors*|bag|bags|handbag*",
        w="Bags > Handbags",
        m="Accessories > Bags & backpacks > Handbags",
        g="Bags & backpacks",
        b="Bags & backpacks",
    ),
    _k(
        "cintur*|cinta|belt",
        w="Accessories > Belts",
        m="Accessories > Belts",
        g="Accessories",
        b="Accessories",
    ),
    _k(
        "cappell*|berrett*|cappellin*|cuffia|hat|hats|cap|beanie",
        w="Accessories > Hats & caps",
        m="Accessories > Hats & caps",
        g="Accessories",
        b="Accessories",
    ),
    _k(
        "sciarp*|foulard|stola|scarf|scarves|pashmina",
        w="Accessories > Scarves & shawls",
        m="Accessories > Scarves & shawls",
        g="Accessories",
        b="Accessories",
    ),
    _k("guant*|gloves", w="Accessories > Gloves", m="Accessories > Gloves", g="Accessories", b="Accessories"),
    _k("orologio da polso|orologi*|watch|watches", w="Accessories > Watches", m="Accessories > Watches"),
    _k("occhiali da sole|sunglasses", w="Accessories > Sunglasses", m="Accessories > Sunglasses"),
    _k(
        "collan*|ciondol*|necklace*",
        w="Accessories > Jewellery > Necklaces, beads & pendants",
        m="Accessories > Jewellery > Necklaces & Pendants",
    ),
    _k(
        "braccial*|bracelet*",
        w="Accessories > Jewellery > Bracelets",
        m="Accessories > Jewellery > Bracelets",
    ),
    _k("orecchin*|earring*", w="Accessories > Jewellery > Earrings", m="Accessories > Jewellery > Other"),
    _k("anell*|ring|rings", w="Accessories > Jewellery > Rings", m="Accessories > Jewellery > Rings"),
    _k("gioiell*|bigiotteria|jewellery|jewelry", w="Accessories > Jewellery", m="Accessories > Jewellery"),
    _k("cravatt*|papillon|tie", m="Accessories > Ties & pocket squares"),
    _k("profum*|perfume|fragrance|eau de", w="Beauty > Perfume", m="Grooming > Aftershave & cologne"),
    _k("trucc*|rossett*|mascara|make up|makeup|cosmetic*", w="Beauty > Make-up", m="Grooming > Make-up"),
    # Home
    _k(
        "servizio di piatti|servizio piatti|set di piatti|servizio da tavola|dinner set",
        a="Home > Tableware > Dinnerware > Dinner sets",
    ),
    _k("piatt*|plate|plates", a="Home > Tableware > Dinnerware > Plates"),
    _k("ciotol*|scodell*|insalatier*|bowl|bowls", a="Home > Tableware > Dinnerware > Bowls"),
    _k("vassoi*|tray|trays", a="Home > Tableware > Dinnerware > Trays"),
    _k("tazz*|mug|mugs|cup|cups", a="Home > Tableware > Drinkware > Cups & mugs"),
    _k("teiera|caffettiera|moka|teapot", a="Home > Tableware > Drinkware > Coffeepots & teapots"),
    _k("calic*|flute", a="Home > Tableware > Drinkware > Stemmed glasses"),
    _k("bicchier*|glasses|tumbler*", a="Home > Tableware > Drinkware > Tumblers"),
    _k("posate|forchett*|cucchia*|coltell*|cutlery", a="Home > Tableware > Cutlery"),
    _k("vaso|vasi|vase|vases", a="Home > Home accessories > Vases"),
    _k("candel*|portacandel*|candle*", a="Home > Home accessories > Candles & candle holders"),
    _k("specchi*|mirror*", a="Home > Home accessories > Mirrors"),
    _k("cornic*|portafoto|photo frame|picture frame", a="Home > Home accessories > Picture & photo frames"),
    _k("orologio da parete|sveglia|clock", a="Home > Home accessories > Clocks"),
    _k("cuscin*|cushion*|pillow*", a="Home > Textiles > Cushions"),
    _k("copert*|plaid|blanket*", a="Home > Textiles > Blankets"),
    _k("tende|tenda|curtain*", a="Home > Textiles > Curtains & drapes"),
    _k("tappet*|rug|rugs|carpet", a="Home > Textiles > Rugs & mats"),
    _k("lenzuol*|piumone|copripiumino|biancheria da letto|bedding", a="Home > Textiles > Bedding"),
    _k("asciugaman*|accappatoio|towel*", a="Home > Textiles > Towels"),
    _k("tovagli*|tablecloth", a="Home > Textiles > Table linen"),
    # Entertainment
    _k(
        "fumett*|manga|comic*|graphic novel",
        a="Entertainment > Books > Literature & fiction > Comics & graphic novels",
    ),
    _k(
        "libr*|book|books|romanz*",
        a="Entertainment > Books",
        kids="Entertainment > Books > Kids & young adults",
    ),
    _k("gioco da tavolo|giochi da tavolo|board game*", a="Entertainment > Games & puzzles > Board games"),
    _k("puzzle", a="Entertainment > Games & puzzles > Jigsaw puzzles"),
    _k("carte da gioco|card game*", a="Entertainment > Games & puzzles > Card games"),
    _k(
        "videogioc*|video game*|console|playstation|xbox|nintendo", a="Entertainment > Video games & consoles"
    ),
    _k("vinile|vinili|vinyl|lp", a="Entertainment > Music & video > Music > Vinyl"),
    _k("cd", a="Entertainment > Music & video > Music > CDs"),
    _k("dvd", a="Entertainment > Music & video > Video > DVD"),
    # Kids
    _k(
        "peluche|pupazz*|orsacchiott*|teddy|plush|stuffed animal",
        a="Kids > Toys & games > Soft toys & stuffed animals",
    ),
    _k("bambol*|barbie|doll|dolls", a="Kids > Toys & games > Dolls"),
    _k("lego|costruzioni|mattoncini|building blocks", a="Kids > Toys & games > Construction toys"),
    _k("action figure*|personaggi*", a="Kids > Toys & games > Action figures"),
    _k("giocattol*|gioco|giochi|toy|toys", a="Kids > Toys & games"),
    _k("passeggin*|buggy|stroller|pram", a="Kids > Buggies"),
    _k("seggiolino auto|seggiolone|car seat|high chair", a="Kids > Car chairs & feeding chairs"),
)
