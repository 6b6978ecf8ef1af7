"""Demo brand content: the home page, the story index and a dozen stories with drawn images."""

import datetime

from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from hub.accounts.models import User
from hub.content_languages import DEMO_LANGUAGES, translate_page
from hub.demo import register_seeder
from hub.imagegen import landscape

from .models import BrandSettings, HomePage, StoryIndexPage, StoryPage

BRAND = "Trailmark"

STORIES = [
    (
        "How our community shaped the Ridge 2 backpack",
        "product,community",
        "Three hundred members tested prototypes on real trails. Here is what changed because of them.",
        "chen",
    ),
    (
        "A beginner's guide to packing light",
        "guides",
        "Carry less, enjoy more: the ten-item checklist our most experienced members swear by.",
        "ana",
    ),
    (
        "Announcing the Trailmark Advocates programme",
        "announcements,community",
        "Earn points for helping others, unlock early access and meet the team behind the gear.",
        None,
    ),
    (
        "1,000 miles on the Pacific Crest with Ana",
        "community,stories",
        "Ana wore out two pairs of shoes and one very loyal rain shell. She told us everything.",
        "ana",
    ),
    (
        "Repair, don't replace: our lifetime repair service",
        "sustainability,announcements",
        "Send us anything we made. We will fix it for free, for as long as you own it.",
        None,
    ),
    (
        "Five dawn hikes chosen by members",
        "guides,community",
        "Members voted for the sunrises worth setting an alarm for. The winners surprised us.",
        "ben",
    ),
    (
        "New recycled fabrics across the 2027 range",
        "product,sustainability",
        "Every shell and fleece now starts life as bottles and fishing nets. Performance stays the same.",
        None,
    ),
    (
        "Inside the test lab",
        "product,stories",
        "Rain towers, abrasion rigs and a freezer at minus forty: a morning with our test engineers.",
        "chen",
    ),
    (
        "The layering guide for winter",
        "guides",
        "Base, mid, shell: how to stay warm without overheating on the climb.",
        "ben",
    ),
    (
        "Community meetups are back",
        "announcements,community",
        "From Bristol to Boulder, members are hosting trail days again. Find one near you.",
        None,
    ),
    (
        "What we learned from 4,000 reviews",
        "community,product",
        "Your reviews changed three zips, two hip belts and one very unpopular colour.",
        "chen",
    ),
    (
        "Leave no trace: a field guide",
        "guides,sustainability",
        "Seven principles, explained by rangers and the members who volunteer with them.",
        "ana",
    ),
]

PARAGRAPHS = [
    "We build gear for people who would rather be outside, and the people who know best what that gear "
    "needs are the ones using it every weekend. That is why so much of what we make starts as a "
    "conversation in this community.",
    "Over the past season, members shared photos, field notes and honest reviews. Our designers read all "
    "of it. Some ideas were small, a longer zip pull for gloved hands; others changed a product entirely.",
    "None of this happens without the people who take the time to write, test and help each other. If "
    "you are new here, say hello in the community: someone has almost certainly asked your question "
    "before, and someone will be glad to answer it.",
]


def _image(title: str, seed: int):
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60]
    from io import BytesIO

    return Image.objects.create(
        title=title, file=ImageFile(BytesIO(landscape(seed)), name=f"{slug}.jpg")
    )


def _body(story_title: str, image, index: int):
    blocks = [
        ("paragraph", RichText(f"<p>{PARAGRAPHS[0]}</p>")),
        ("heading", {"text": "What we heard", "level": "h2"}),
        ("paragraph", RichText(f"<p>{PARAGRAPHS[1]}</p>")),
        (
            "quote",
            {
                "quote": "The best feedback comes from a wet, muddy trail at six in the morning.",
                "attribution": "Chen Wei, community guide",
            },
        ),
        ("image", {"image": image, "caption": story_title, "alt_text": ""}),
        ("heading", {"text": "What comes next", "level": "h2"}),
        ("paragraph", RichText(f"<p>{PARAGRAPHS[2]}</p>")),
    ]
    if index % 3 == 0:
        blocks.append(
            (
                "call_to_action",
                {
                    "text": "Join the community",
                    "page": None,
                    "url": "http://127.0.0.1:8000/accounts/signup/",
                    "style": "primary",
                },
            )
        )
    return blocks


def _publish(page) -> None:
    page.save_revision().publish()


def seed_content(log) -> None:
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        hero = _image("Hero: mountains at dawn", 100)
        home = HomePage(
            title=BRAND,
            slug="home",
            seo_title=f"{BRAND} community: stories, help and rewards",
            search_description="Where Trailmark's customers share stories, help each other and shape what we make next.",
            hero_title="Made better by the people who use it",
            hero_text="Share your trips, ask the community, review your gear and earn rewards for helping others.",
            hero_image=hero,
            hero_cta_text="Read the stories",
            body=[],
        )
        # Replace Wagtail's placeholder "Welcome" page as the site root.
        placeholder = (
            Page.objects.filter(depth=2, slug="home")
            .exclude(content_type__model="homepage")
            .first()
        )
        if placeholder:
            # Delete it before anything saves it again, so no background index update is queued
            # for a page that will be gone when the worker gets to it. (Its Site goes with it.)
            placeholder.delete()
            root = Page.get_first_root_node()
        root.add_child(instance=home)
        _publish(home)
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        site.root_page = home
        site.hostname, site.port, site.site_name = "localhost", 80, BRAND
        site.save()
        log("created home page")

    settings_obj = BrandSettings.for_site(Site.objects.get(is_default_site=True))
    if not settings_obj.tagline:
        settings_obj.brand_name = BRAND
        settings_obj.tagline = "Gear for the people who would rather be outside"
        settings_obj.footer_text = (
            "Trailmark's community hub: stories from the team, help from fellow members, and "
            "rewards for everyone who makes it better."
        )
        settings_obj.contact_email = "community@example.com"
        settings_obj.save()

    index = StoryIndexPage.objects.first()
    if index is None:
        index = StoryIndexPage(
            title="Stories",
            slug="stories",
            intro="<p>Guides, announcements and adventures from the team and the community.</p>",
            search_description="Guides, announcements and member adventures from Trailmark.",
        )
        home.add_child(instance=index)
        _publish(index)
        log("created story index")
    if not home.hero_cta_page_id:
        home.hero_cta_page = index
        _publish_field(home)

    authors = {
        u.username: u for u in User.objects.filter(username__in=["ana", "ben", "chen", "editor"])
    }
    today = timezone.localdate()
    existing = set(StoryPage.objects.child_of(index).values_list("title", flat=True))
    for number, (title, tags, intro, author) in enumerate(STORIES):
        if title in existing:
            continue
        cover = _image(f"Cover: {title}", number + 1)
        story = StoryPage(
            title=title,
            date=today - datetime.timedelta(days=9 * number + 2),
            author=authors.get(author or "editor"),
            cover_image=cover,
            intro=intro,
            body=_body(title, cover, number),
        )
        story.tags.add(*tags.split(","))
        index.add_child(instance=story)
        _publish(story)
        log(f"published story: {title}")


# The home page, the story index and two stories in the demo's other languages (English is the
# source): (field values per language).
HOME_TRANSLATIONS = {
    "ka": {
        "hero_title": "უკეთესი მათი წყალობით, ვინც მას იყენებს",
        "hero_text": "გაგვიზიარეთ თქვენი მოგზაურობები, ჰკითხეთ საზოგადოებას, შეაფასეთ თქვენი აღჭურვილობა და მიიღეთ ჯილდოები სხვების დახმარებისთვის.",
        "hero_cta_text": "წაიკითხეთ ისტორიები",
        "featured_stories_title": "ბოლო ისტორიები",
        "seo_title": "Trailmark-ის საზოგადოება: ისტორიები, დახმარება და ჯილდოები",
        "search_description": "სადაც Trailmark-ის მომხმარებლები ისტორიებს უზიარებენ ერთმანეთს, ეხმარებიან ერთმანეთს და ქმნიან იმას, რასაც შემდეგ გავაკეთებთ.",
    },
    "af": {
        "hero_title": "Beter gemaak deur die mense wat dit gebruik",
        "hero_text": "Deel jou uitstappies, vra die gemeenskap, resenseer jou toerusting en verdien belonings deur ander te help.",
        "hero_cta_text": "Lees die stories",
        "featured_stories_title": "Nuutste stories",
        "seo_title": "Die Trailmark-gemeenskap: stories, hulp en belonings",
        "search_description": "Waar Trailmark se klante stories deel, mekaar help en saam vorm wat ons volgende maak.",
    },
    "he": {
        "hero_title": "משתפר בזכות האנשים שמשתמשים בו",
        "hero_text": "שתפו את הטיולים שלכם, שאלו את הקהילה, כתבו ביקורות על הציוד וצברו תגמולים על עזרה לאחרים.",
        "hero_cta_text": "לקריאת הסיפורים",
        "featured_stories_title": "הסיפורים האחרונים",
        "seo_title": "קהילת Trailmark: סיפורים, עזרה ותגמולים",
        "search_description": "המקום שבו לקוחות Trailmark משתפים סיפורים, עוזרים זה לזה ומעצבים את מה שנייצר בהמשך.",
    },
    "hy": {
        "hero_title": "Ավելի լավը՝ այն օգտագործողների շնորհիվ",
        "hero_text": "Կիսվեք ձեր ճամփորդություններով, հարցրեք համայնքին, գնահատեք ձեր հանդերձանքը և պարգևներ վաստակեք՝ օգնելով ուրիշներին։",
        "hero_cta_text": "Կարդալ պատմությունները",
        "featured_stories_title": "Վերջին պատմությունները",
        "seo_title": "Trailmark համայնք․ պատմություններ, օգնություն և պարգևներ",
        "search_description": "Այստեղ Trailmark-ի հաճախորդները կիսվում են պատմություններով, օգնում են միմյանց և ձևավորում այն, ինչ կստեղծենք հետո։",
    },
    "fi": {
        "hero_title": "Käyttäjiensä ansiosta parempi",
        "hero_text": "Jaa retkesi, kysy yhteisöltä, arvioi varusteesi ja ansaitse palkintoja muiden auttamisesta.",
        "hero_cta_text": "Lue tarinat",
        "featured_stories_title": "Uusimmat tarinat",
        "seo_title": "Trailmark-yhteisö: tarinoita, apua ja palkintoja",
        "search_description": "Täällä Trailmarkin asiakkaat jakavat tarinoita, auttavat toisiaan ja muovaavat sitä, mitä teemme seuraavaksi.",
    },
}

INDEX_TRANSLATIONS = {
    "ka": ("ისტორიები", "გზამკვლევები, განცხადებები და თავგადასავლები გუნდისა და საზოგადოებისგან."),
    "af": ("Stories", "Gidse, aankondigings en avonture van die span en die gemeenskap."),
    "he": ("סיפורים", "מדריכים, הודעות והרפתקאות מהצוות ומהקהילה."),
    "hy": ("Պատմություններ", "Ուղեցույցներ, հայտարարություններ և արկածներ թիմից ու համայնքից։"),
    "fi": ("Tarinat", "Oppaita, tiedotteita ja seikkailuja tiimiltä ja yhteisöltä."),
}

# The first paragraph every demo story opens with, translated.
OPENING = {
    "ka": "ჩვენ ვქმნით აღჭურვილობას მათთვის, ვისაც გარეთ ყოფნა ურჩევნია, და ყველაზე კარგად ის იცის, რა სჭირდება ამ აღჭურვილობას, ვინც მას ყოველ შაბათ-კვირას იყენებს. სწორედ ამიტომ იწყება ჩვენი ნამუშევრის დიდი ნაწილი საუბრით ამ საზოგადოებაში.",
    "af": "Ons bou toerusting vir mense wat eerder buite sou wees, en die mense wat die beste weet wat daardie toerusting nodig het, is dié wat dit elke naweek gebruik. Daarom begin so baie van wat ons maak as 'n gesprek in hierdie gemeenskap.",
    "he": "אנחנו מייצרים ציוד לאנשים שמעדיפים להיות בחוץ, ומי שיודעים הכי טוב מה הציוד הזה צריך הם אלה שמשתמשים בו בכל סוף שבוע. לכן כל כך הרבה ממה שאנחנו מייצרים מתחיל כשיחה בקהילה הזאת.",
    "hy": "Մենք հանդերձանք ենք ստեղծում այն մարդկանց համար, ովքեր նախընտրում են լինել դրսում, և ամենից լավ գիտեն, թե ինչ է պետք այդ հանդերձանքին, նրանք, ովքեր այն օգտագործում են ամեն հանգստյան օր։ Ահա թե ինչու մեր ստեղծածի մեծ մասը սկսվում է որպես զրույց այս համայնքում։",
    "fi": "Teemme varusteita ihmisille, jotka viihtyvät mieluiten ulkona, ja parhaiten varusteiden tarpeet tuntevat ne, jotka käyttävät niitä joka viikonloppu. Siksi niin moni tuotteemme saa alkunsa keskustelusta tässä yhteisössä.",
}

STORY_TRANSLATIONS = {
    "A beginner's guide to packing light": {
        "ka": ("დამწყებთა გზამკვლევი: როგორ ჩავალაგოთ მსუბუქად", "ნაკლები ტვირთი, მეტი სიამოვნება: ათპუნქტიანი სია, რომელსაც ჩვენი ყველაზე გამოცდილი წევრები ენდობიან."),
        "af": ("'n Beginnersgids tot lig pak", "Dra minder, geniet meer: die kontrolelys van tien items waarby ons mees ervare lede sweer."),
        "he": ("מדריך למתחילים: לארוז קל", "לסחוב פחות וליהנות יותר: רשימת עשרת הפריטים שהחברים המנוסים ביותר שלנו נשבעים בה."),
        "hy": ("Սկսնակի ուղեցույց՝ ինչպես հավաքել թեթև ուսապարկ", "Քիչ բեռ, շատ հաճույք․ տասը կետից բաղկացած ցուցակը, որին վստահում են մեր ամենափորձառու անդամները։"),
        "fi": ("Aloittelijan opas kevyeen pakkaamiseen", "Kanna vähemmän, nauti enemmän: kymmenen kohdan lista, johon kokeneimmat jäsenemme luottavat."),
    },
    "The layering guide for winter": {
        "ka": ("ფენების გზამკვლევი ზამთრისთვის", "საბაზო, შუა და გარე ფენა: როგორ დარჩეთ თბილად ისე, რომ აღმართზე არ გადახურდეთ."),
        "af": ("Die laaggids vir die winter", "Basis-, middel- en buitelaag: hoe om warm te bly sonder om op die klim te oorverhit."),
        "he": ("מדריך השכבות לחורף", "שכבת בסיס, שכבת ביניים ומעטפת: איך להישאר חמים בלי להתחמם יתר על המידה בעלייה."),
        "hy": ("Ձմեռային շերտավորման ուղեցույց", "Հիմնական, միջին և արտաքին շերտ․ ինչպես մնալ տաք՝ առանց վերելքին գերտաքանալու։"),
        "fi": ("Talven kerrospukeutumisen opas", "Alus-, väli- ja kuorikerros: näin pysyt lämpimänä hikoilematta nousussa."),
    },
}  # fmt: skip

BRAND_TRANSLATIONS = {
    "ka": ("აღჭურვილობა მათთვის, ვისაც გარეთ ყოფნა ურჩევნია", "Trailmark-ის საზოგადოების ცენტრი: ისტორიები გუნდისგან, დახმარება სხვა წევრებისგან და ჯილდოები ყველასთვის, ვინც მას უკეთესს ხდის."),
    "af": ("Toerusting vir mense wat eerder buite sou wees", "Trailmark se gemeenskapsentrum: stories van die span, hulp van mede-lede en belonings vir almal wat dit beter maak."),
    "he": ("ציוד לאנשים שמעדיפים להיות בחוץ", "מרכז הקהילה של Trailmark: סיפורים מהצוות, עזרה מחברי הקהילה ותגמולים לכל מי שתורם לשיפור."),
    "hy": ("Հանդերձանք նրանց համար, ովքեր նախընտրում են լինել դրսում", "Trailmark-ի համայնքային կենտրոն․ պատմություններ թիմից, օգնություն այլ անդամներից և պարգևներ բոլորի համար, ովքեր այն ավելի լավն են դարձնում։"),
    "fi": ("Varusteita niille, jotka viihtyvät mieluiten ulkona", "Trailmarkin yhteisökeskus: tarinoita tiimiltä, apua muilta jäseniltä ja palkintoja kaikille, jotka tekevät siitä paremman."),
}  # fmt: skip


def _translated_body(story, language: str):
    """The story's body with its opening paragraph in ``language`` and its picture kept."""
    blocks = [("paragraph", RichText(f"<p>{OPENING[language]}</p>"))]
    for block in story.body:
        if block.block_type == "image":
            blocks.append(("image", block.value))
    return blocks


def seed_content_translations(log) -> None:
    """The home page, the story index, two stories and the brand settings in the demo's other
    languages, as editors make them with wagtail-localize."""
    home = HomePage.objects.filter(locale__language_code="en").first()
    index = StoryIndexPage.objects.filter(locale__language_code="en").first()
    if home is None or index is None:
        return
    stories = {
        s.title: s
        for s in StoryPage.objects.child_of(index).filter(title__in=list(STORY_TRANSLATIONS))
    }
    for language in DEMO_LANGUAGES:
        home_translation, created = translate_page(home, language, **HOME_TRANSLATIONS[language])
        title, intro = INDEX_TRANSLATIONS[language]
        index_translation, _created = translate_page(
            index, language, title=title, intro=f"<p>{intro}</p>", search_description=intro
        )
        if created:
            # The button leads to the stories in the same language. (Fetched again: adding the
            # index changed the home page's tree fields, which a stale copy would overwrite.)
            home_translation = HomePage.objects.get(pk=home_translation.pk)
            home_translation.hero_cta_page = index_translation
            _publish(home_translation)
        for english_title, translations in STORY_TRANSLATIONS.items():
            story = stories.get(english_title)
            if story is not None:
                title, intro = translations[language]
                translate_page(
                    story,
                    language,
                    title=title,
                    intro=intro,
                    body=_translated_body(story, language),
                )
        if created:
            log(f"translated the home page, the story index and two stories into {language}")

    brand = BrandSettings.for_site(Site.objects.get(is_default_site=True))
    changed = False
    for language, (tagline, footer) in BRAND_TRANSLATIONS.items():
        if not getattr(brand, f"tagline_{language}"):
            setattr(brand, f"tagline_{language}", tagline)
            setattr(brand, f"footer_text_{language}", footer)
            changed = True
    if changed:
        brand.save()
        log("translated the brand settings")


def _publish_field(page) -> None:
    page.save_revision().publish()


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
register_seeder("content", seed_content, order=20)
register_seeder("content translations", seed_content_translations, order=95)
