"""Demo history of the quality system (SOSFS 2011:9): deviations, Lex Sarah, feedback, personal data
incidents, the routines register and the self-check plan with its results.

For each provider unit the steps below write the history through `bista.quality.services`, so every record
has its audit event and passed the same checks as one registered by hand:

- **Deviations** (25–45 a year at size 1): reported by the unit's own staff (demo users employed on the day
  who hold quality.report today; now and then by a manager), about one of the reporter's clients or none,
  occurring shortly before. Classified with the VB categories (mostly "Utförande av insats" and
  "Bemötande"), most identified by own staff, a few by an external partner, a few concerning another
  unit; analysed, with actions done by their owners, and closed by the unit manager or a deputy (by the
  system when none of today's managers worked there then). Those reported in the last weeks are open
  (reported or under investigation); one from some six weeks ago is overdue, so "Att göra" shows it.
- **Lex Sarah** (2–5 a year): reported by staff, some escalated from a deviation; each taken through its
  steps with plausible dates. Most are assessed as not serious; about one a year is serious and notified to
  IVO (reference like "3.1.2-12345/2024"). Open today: one overdue for investigation, one being
  investigated (escalated from a recent deviation), and a serious one notified to IVO awaiting the decision.
- **Feedback** (15–30 a year): synpunkter, klagomål and beröm from clients, relatives, anonymous senders,
  Patientnämnden and others; categorised, answered and acted on; about one complaint a year concerns another
  provider, is forwarded there and that provider's written answer is recorded. The last two weeks' may be
  open, and a complaint from the last days waits for its answer.
- **Personal data incidents** (0–2 a year): each with an IMY decision within 72 hours, one decided late;
  one discovered yesterday has no decision yet.
- **Routines** (9–12, the management system's processes) with owners and yearly reviews; one or two overdue.
- **The self-check plan** (6–8 items, some computed from the care records by `bista.care.selfchecks`, whose
  figures are then recorded as the result) with a result recorded each period by the person responsible.

History starts at the demo window's start, or when the VB categories (reference data) begin if that is later:
a deviation or complaint dated before its category was valid cannot be classified, so the unit's quality
register begins then.

Closing a deviation, closing feedback and escalating a deviation are given the historical moment
(`closed_at`, `reported_at`), so ten years of deviations are not all closed today.

Each step draws from its own random stream (see bista.demo.generator): the same arguments and `today` give
the same data.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bista.care import selfchecks
from bista.clients.models import ClientContact
from bista.core.access import SYSTEM, has_perm
from bista.core.clock import STOCKHOLM, local_date
from bista.core.deadlines import add_months
from bista.core.permissions import Perm
from bista.demo import identities as ids
from bista.demo.generator import (
    ASSISTANCE,
    CONTACT_PERSON,
    ESCORT,
    RESPITE,
    Context,
    DemoClient,
    DemoEmployee,
    DistrictData,
    step,
)
from bista.quality import services as quality
from bista.quality.models import (
    Concerns,
    DataIncident,
    Deviation,
    Feedback,
    IdentifiedBy,
    LexSarahReport,
    QualityCategory,
    SelfCheckPlanItem,
)
from bista.quality.rules import tertial_bounds

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

DEVIATION, FEEDBACK_STAFF, FEEDBACK_OTHER = (
    QualityCategory.Group.DEVIATION,
    QualityCategory.Group.FEEDBACK_STAFF,
    QualityCategory.Group.FEEDBACK_OTHER,
)

# --- Texts -----------------------------------------------------------------------------------------------

STAFF_WORD = {
    ASSISTANCE: "assistenten",
    ESCORT: "ledsagaren",
    RESPITE: "avlösaren",
    CONTACT_PERSON: "kontaktpersonen",
}
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
PLACES = ("simhallen", "biblioteket", "träffpunkten", "tandläkaren", "vårdcentralen", "bowlinghallen", "bion")


class DeviationText(NamedTuple):
    category: str  # the code of the deviation category
    what: str
    immediate: str
    analysis: str
    action: str  # the first action decided ("" for none)
    identified_by: str = IdentifiedBy.STAFF
    concerns: str = Concerns.OWN
    other_unit: str = ""


_S, _E = IdentifiedBy.STAFF, IdentifiedBy.EXTERNAL
_OWN, _OTHER = Concerns.OWN, Concerns.OTHER

# Identified by the unit's own staff, concerning the unit itself.
STAFF_DEVIATIONS: tuple[DeviationText, ...] = (
    DeviationText(
        "utforande",
        "{Personal} kom inte till passet kl. {klocka} hos {namn}. Passet hade fallit bort vid en schemaändring "
        "och ingen ersättare var inbokad.",
        "Biträdande enhetschef ringde in en vikarie som kom en timme senare. {Namn} och anhöriga informerades.",
        "Schemaändringen gjordes utan att ersättare bokades; kontrollen av bemanningen vid schemaändring gjordes inte.",
        "Inför dubbelkontroll av bemanningen vid varje schemaändring.",
    ),
    DeviationText(
        "utforande",
        "Kvällsmedicinen till {namn} var inte signerad på signeringslistan. Det gick inte att avgöra om den "
        "hade getts.",
        "Kontakt med sjuksköterskan, som bedömde att ingen extra dos skulle ges. {Namn} mådde bra under kvällen.",
        "Signeringen glömdes när {personal} blev avbruten av ett telefonsamtal mitt i läkemedelsgivningen.",
        "Repetera läkemedelsrutinen och signeringen på nästa arbetsplatsträff.",
    ),
    DeviationText(
        "utforande",
        "{Namn} fick inte hjälp med dusch enligt genomförandeplanen i {veckodag}s eftersom passet kortades.",
        "Duschen flyttades till nästa morgon efter samråd med {namn}.",
        "Passet kortades på grund av sjukfrånvaro utan att det planerade stödet prioriterades.",
        "Skriv in i rutinpärmen vilka moment som alltid prioriteras när ett pass kortas.",
    ),
    DeviationText(
        "utforande",
        "Ledsagningen till {plats} ställdes in med kort varsel eftersom {personal} var sjuk och ingen ersättare fanns.",
        "{Namn} erbjöds en ny tid samma vecka och tackade ja.",
        "Timvikarielistan var inte uppdaterad; flera av vikarierna hade slutat.",
        "Uppdatera timvikarielistan varje månad.",
    ),
    DeviationText(
        "utforande",
        "Nyckeln till {namns} lägenhet saknades i nyckelskåpet när passet skulle börja.",
        "Reservnyckeln hämtades från kontoret. Nyckeln fanns hos medarbetaren från föregående pass.",
        "Nyckeln kvitterades inte tillbaka enligt nyckelrutinen.",
        "Påminn all personal om kvittering av nycklar och gör stickprov en gång i månaden.",
    ),
    DeviationText(
        "utforande",
        "En vikarie hos {namn} hade inte fått introduktion och kände inte till hur liften används.",
        "En ordinarie medarbetare kom till passet och gick igenom förflyttningen med vikarien.",
        "Introduktionen hade inte bokats eftersom vikarien ringdes in samma dag.",
        "Ingen vikarie sätts in hos brukare med lift utan genomförd introduktion.",
    ),
    DeviationText(
        "utforande",
        "Överlämningen mellan passen hos {namn} uteblev; kvällspasset visste inte att {namn} haft feber under dagen.",
        "Informationen lämnades per telefon så fort det upptäcktes, och febern kontrollerades på kvällen.",
        "Det saknades en fast rutin för skriftlig överlämning mellan passen.",
        "Inför ett överlämningsblad i rutinpärmen.",
    ),
    DeviationText(
        "utforande",
        "{Namns} tid hos tandläkaren missades eftersom kallelsen inte hade förts in i kalendern.",
        "En ny tid bokades samma dag tillsammans med {namn}.",
        "Kallelsen kom med posten och lades åt sidan utan att någon förde in tiden.",
        "Alla kallelser förs in i kalendern samma dag som de kommer.",
    ),
    DeviationText(
        "utforande",
        "Avlösningen hos {namn} började 45 minuter för sent eftersom fel tid stod i schemat.",
        "Föräldrarna informerades och tiden togs igen i slutet av passet.",
        "Tiden hade skrivits in fel när schemat för perioden lades.",
        "Kontrollera schemat mot beställningen vid varje ny schemaperiod.",
    ),
    DeviationText(
        "utforande",
        "{Namn} fick vänta på hjälp till toaletten i över en halvtimme eftersom {personal} var upptagen med "
        "dokumentation.",
        "{Personal} bad om ursäkt och hjälpte {namn} direkt när det uppmärksammades.",
        "Dokumentationen gjordes under passet i stället för vid den planerade tiden i slutet.",
        "Gå igenom hur dokumentationen planeras in under passet.",
    ),
    DeviationText(
        "bemotande",
        "{Namn} berättade att {personal} hade höjt rösten när {namn} inte ville äta.",
        "Biträdande enhetschef pratade med {namn} och med {personal} samma dag.",
        "{Personal} var stressad och saknade kunskap om lågaffektivt bemötande.",
        "{Personal} går utbildningen i lågaffektivt bemötande.",
    ),
    DeviationText(
        "bemotande",
        "{Personal} pratade i telefon under en stor del av passet, vilket {namn} upplevde som respektlöst.",
        "Samtal med {personal} om vad som gäller under arbetstid.",
        "Rutinen om privata samtal under passen var inte känd för alla i teamet.",
        "Gå igenom rutinen på arbetsplatsträffen och skriv in den i introduktionen.",
    ),
    DeviationText(
        "bemotande",
        "Anhöriga upplevde att {personal} talade över huvudet på {namn} vid besöket på vårdcentralen.",
        "Biträdande enhetschef bad om ursäkt till {namn} och anhöriga.",
        "Bristande kunskap i teamet om hur {namn} kommunicerar med bildstöd.",
        "Utbildning i alternativ och kompletterande kommunikation för teamet.",
    ),
    DeviationText(
        "bemotande",
        "{Namn} kände sig inte lyssnad på när önskemålet om att själv välja kläder inte respekterades.",
        "{Personal} bad om ursäkt och {namn} valde själv.",
        "Arbetssättet i genomförandeplanen var inte känt av nya medarbetare.",
        "Gå igenom genomförandeplanen med alla i teamet.",
    ),
    DeviationText(
        "bemotande",
        "Två medarbetare diskuterade en annan brukare i {namns} hem så att {namn} hörde det.",
        "Samtal med båda medarbetarna om tystnadsplikten.",
        "Tystnadsplikten hade inte tagits upp sedan introduktionen.",
        "Ta upp tystnadsplikten på nästa arbetsplatsträff; alla skriver under förbindelsen på nytt.",
    ),
    DeviationText(
        "bemotande",
        "{Personal} skämtade om {namns} vikt på ett sätt som {namn} upplevde som kränkande.",
        "{Personal} bad om ursäkt. {Namn} ville inte byta personal.",
        "Bristande förståelse för hur skämt kan uppfattas av den som får stöd.",
        "Värdegrundssamtal i teamet med stöd av stadens värdegrund.",
    ),
    DeviationText(
        "bemotande",
        "{Namn} blev ledsen när {personal} bestämde vilken aktivitet de skulle göra utan att fråga.",
        "{Personal} pratade med {namn} och de valde aktivitet tillsammans nästa gång.",
        "Delaktigheten i vardagen var inte tydlig i genomförandeplanen.",
        "Förtydliga i genomförandeplanen hur {namn} väljer aktiviteter.",
    ),
    DeviationText(
        "fysisk_miljo",
        "Taklyften i {namns} sovrum fungerade inte; batteriet gick inte att ladda.",
        "Förflyttning med mobil lift och två personal. Felanmälan till hjälpmedelscentralen.",
        "Liften hade inte fått sin årliga service.",
        "Lägg in servicedatum för alla lyftar i kalendern.",
    ),
    DeviationText(
        "fysisk_miljo",
        "Trygghetslarmet hos {namn} gav ingen signal vid provlarmning.",
        "Larmleverantören bytte larmet samma dag.",
        "Batteriet i larmknappen var slut.",
        "Provlarma varje månad och anteckna det i rutinpärmen.",
    ),
    DeviationText(
        "fysisk_miljo",
        "Bromsen på {namns} rullstol hade lossnat och stolen rullade bakåt i en backe.",
        "Rullstolen lämnades in på reparation och en lånestol ordnades.",
        "Rullstolen hade inte kontrollerats sedan den levererades.",
        "Lägg in kontroll av hjälpmedel i månadsrutinen.",
    ),
    DeviationText(
        "fysisk_miljo",
        "Appen för tidrapportering låg nere under kvällen, så passen kunde inte registreras.",
        "Passen fördes på papper och registrerades i efterhand.",
        "Driftstörning hos leverantören; enheten saknade en reservrutin.",
        "Lägg en blankett för reservrutinen i varje hem.",
    ),
    DeviationText(
        "fysisk_miljo",
        "Brandvarnaren i {namns} hall saknade batteri.",
        "Nytt batteri sattes i direkt.",
        "Brandvarnaren hade inte provats enligt rutinen.",
        "Prova brandvarnaren vid varje månadsskifte.",
    ),
    DeviationText(
        "rattssakerhet",
        "{Namns} genomförandeplan hade inte följts upp inom ett år.",
        "Ett uppföljningsmöte bokades med {namn}.",
        "Påminnelsen om uppföljning uppmärksammades inte under semesterperioden.",
        "Gå igenom planer som ska följas upp i Att göra vid varje månadsmöte.",
    ),
    DeviationText(
        "rattssakerhet",
        "Anteckningar om {namn} hade förts i en anteckningsbok i hemmet i stället för i journalen.",
        "Anteckningarna fördes in i journalen och boken förstördes enligt rutinen.",
        "Nya medarbetare kände inte till dokumentationsrutinen.",
        "Lägg in dokumentationsrutinen i introduktionen.",
    ),
    DeviationText(
        "rattssakerhet",
        "En ändring av {namns} insats verkställdes innan beställningen hade kommit från beställarenheten.",
        "Kontakt med biståndshandläggaren; beställningen kom samma vecka.",
        "Otydligt vad som gäller när beställaren lämnar besked muntligt.",
        "Ingen ändring verkställs utan skriftlig beställning.",
    ),
    DeviationText(
        "rattssakerhet",
        "Loggkontrollen visade att en medarbetare hade öppnat {namns} journal utan att arbeta hos {namn}.",
        "Samtal med medarbetaren, som hade sökt fram fel brukare.",
        "Sökningen på namn gav flera träffar och fel person valdes.",
        "Påminn om att kontrollera personnumret innan en journal öppnas.",
    ),
    DeviationText(
        "annat",
        "{Namn} tappade sin plånbok under promenaden till {plats}.",
        "Korten spärrades tillsammans med {namn}; god man informerades.",
        "Plånboken låg i en öppen jackficka.",
        "Se över tillsammans med {namn} hur pengar och kort förvaras vid aktiviteter.",
    ),
    DeviationText(
        "annat",
        "{Personal} och {namn} kom inte in i porten eftersom portkoden hade ändrats utan att enheten informerats.",
        "Fastighetsvärden kontaktades och den nya koden skrevs in i rutinpärmen.",
        "Fastighetsvärden hade inte enhetens kontaktuppgifter.",
        "Lämna enhetens kontaktuppgifter till fastighetsvärden.",
    ),
    DeviationText(
        "annat",
        "Rutinpärmen i {namns} hem saknades när en ny vikarie skulle läsa in sig.",
        "Pärmen återfanns i en garderob; vikarien fick muntlig introduktion så länge.",
        "Pärmen hade flyttats vid storstädning utan att någon sa till.",
        "Märk upp var rutinpärmen ska stå och ta upp det med {namn} och anhöriga.",
    ),
)
STAFF_CATEGORY_WEIGHTS = {"utforande": 42, "bemotande": 26, "fysisk_miljo": 13, "rattssakerhet": 9, "annat": 10}

# Identified by an external partner (the unit's manager usually takes the call and registers it).
EXTERNAL_DEVIATIONS: tuple[DeviationText, ...] = (
    DeviationText(
        "utforande",
        "Hemsjukvården uppmärksammade att {namns} läkemedel i {veckodag}s inte var givna enligt signeringslistan.",
        "Sjuksköterskan gav kvällsdosen och läkaren informerades.",
        "Signeringslistan var inte uppdaterad efter en ändrad ordination.",
        "Inför en rutin för att uppdatera signeringslistan vid varje ändrad ordination.",
        _E,
    ),
    DeviationText(
        "utforande",
        "Daglig verksamhet meddelade att {namn} kom utan lunchlåda och utan sina mediciner.",
        "Anhöriga körde dit medicinen före lunch.",
        "Packlistan i rutinpärmen följdes inte vid morgonpasset.",
        "Sätt upp packlistan vid ytterdörren.",
        _E,
    ),
    DeviationText(
        "bemotande",
        "Skolan berättade att {namn} blev ledsen efter att {personal} skällt på hen vid hämtningen.",
        "Samtal med {personal} och med vårdnadshavarna.",
        "Hämtningen var stressig eftersom passet började för sent.",
        "Planera in mer tid vid hämtningen.",
        _E,
    ),
    DeviationText(
        "rattssakerhet",
        "Biståndshandläggaren påpekade att {namns} genomförandeplan inte hade skickats till beställarenheten.",
        "Planen skickades samma dag.",
        "Det fanns ingen rutin för att skicka planen efter underskrift.",
        "Skicka planen till beställaren i samband med underskriften.",
        _E,
    ),
    DeviationText(
        "fysisk_miljo",
        "Hjälpmedelscentralen uppmärksammade vid service att {namns} lift inte hade besiktigats på två år.",
        "Liften besiktigades på plats och godkändes.",
        "Besiktningen låg inte med i enhetens kalender.",
        "Lägg in besiktning av alla lyftar i enhetens årshjul.",
        _E,
    ),
)

# Concerning another unit or organisation (identified by the unit's own staff).
OTHER_UNIT_DEVIATIONS: tuple[DeviationText, ...] = (
    DeviationText(
        "utforande",
        "Färdtjänsten kom inte vid bokad tid och {namn} missade besöket på {plats}.",
        "En ny resa bokades och klagomål lämnades till färdtjänsten.",
        "Felet låg hos färdtjänsten; enhetens bokning var korrekt.",
        "",
        _S,
        _OTHER,
        "Färdtjänsten",
    ),
    DeviationText(
        "utforande",
        "{Namn} kom hem från korttidsboendet med fel läkemedel i dosetten.",
        "Sjuksköterskan kontaktades och rätt läkemedel gavs.",
        "Dosetten packades av korttidsboendet; avvikelsen skickades dit.",
        "",
        _S,
        _OTHER,
        "Korttidsboendet",
    ),
    DeviationText(
        "rattssakerhet",
        "Beställningen för {namn} saknade uppgift om en allvarlig allergi.",
        "Biståndshandläggaren kontaktades och uppgiften fördes in i rutinpärmen.",
        "Uppgiften fanns i utredningen men kom inte med i beställningen.",
        "",
        _S,
        _OTHER,
        "Beställarenheten funktionsnedsättning",
    ),
    DeviationText(
        "annat",
        "Matleveransen till {namn} uteblev och det fanns ingen mat hemma.",
        "{Personal} handlade mat till kvällen tillsammans med {namn}.",
        "Leverantören hade fel adress efter {namns} flytt.",
        "",
        _S,
        _OTHER,
        "Matleverantören",
    ),
    DeviationText(
        "utforande",
        "Daglig verksamhet berättade inte att {namn} hade slagit i huvudet under dagen.",
        "{Personal} kontaktade 1177 och följde råden; {namn} mådde bra.",
        "Överlämningen vid hämtning var muntlig och informationen kom inte med.",
        "",
        _S,
        _OTHER,
        "Daglig verksamhet",
    ),
    DeviationText(
        "utforande",
        "Hemsjukvården kom inte för att lägga om {namns} sår som planerat.",
        "{Personal} ringde hemsjukvården, som kom på kvällen.",
        "Besöket hade fallit bort i hemsjukvårdens planering.",
        "",
        _S,
        _OTHER,
        "Hemsjukvården",
    ),
)
EXTRA_ACTIONS = (
    "Ta upp händelsen på nästa arbetsplatsträff.",
    "Följ upp med {namn} om en månad hur det fungerar.",
    "Uppdatera rutinpärmen i hemmet.",
    "Gå igenom händelsen med berörd personal.",
    "Informera anhöriga om vad som har gjorts.",
)
CLOSING_NOTES = (
    "Åtgärderna är genomförda och uppföljda.",
    "Återkopplat till medarbetaren och till brukaren.",
    "Genomgånget på arbetsplatsträffen; inga fler åtgärder behövs.",
    "Åtgärden har gett effekt; inga nya händelser.",
    "",
)


class LexSarahText(NamedTuple):
    category: str  # the deviation category, when the report started as a deviation
    what: str
    remedy: str
    events: str
    client_view: str
    causes: str
    preventive: str
    serious: str | None  # the assessment if it is judged serious ("impropriety" or "risk"); None: never serious


LEX_SARAH: tuple[LexSarahText, ...] = (
    LexSarahText(
        "utforande",
        "{Namn} lämnades ensam i cirka två timmar under kvällen: {personal} gick när passet var slut och "
        "nästa pass kom inte.",
        "Biträdande enhetschef åkte hem till {namn} och stannade tills ersättaren kom. {Namn} var oskadd.",
        "Schemat hade ändrats utan att ersättare bokades, och {personal} ringde inte jourhavande chef innan hen gick.",
        "{Namn} var rädd och ledsen och vill inte att det händer igen.",
        "Brister i rutinen för schemaändringar och i kunskapen om vad som gäller när avlösningen uteblir.",
        "Ingen lämnar ett pass förrän nästa har kommit; jourhavande chef kontaktas alltid. Rutinen är genomgången "
        "med all personal.",
        "risk",
    ),
    LexSarahText(
        "utforande",
        "{Namn} fick dubbel dos av sin epilepsimedicin eftersom två medarbetare gav medicinen utan att signera.",
        "Kontakt med sjukvårdsrådgivningen; {namn} observerades under natten och mådde bra.",
        "Signeringslistan användes inte vid skiftbytet och ingen kontrollerade om dosen redan var given.",
        "{Namn} var trött dagen efter men tycker att personalen tog hand om det bra.",
        "Rutinen för läkemedelsgivning följdes inte; delegeringen hade inte förnyats för en av medarbetarna.",
        "Signering direkt vid given dos, kontroll vid varje skiftbyte och förnyade delegeringar för alla.",
        "risk",
    ),
    LexSarahText(
        "bemotande",
        "En kollega har sett att en medarbetare vid flera tillfällen har talat nedsättande till {namn} och hånat "
        "hens sätt att prata.",
        "Medarbetaren togs ur tjänst hos {namn} samma dag.",
        "Två kollegor bekräftar händelserna. Medarbetaren medger att hen har skämtat men förnekar att det var "
        "hånfullt.",
        "{Namn} har känt sig förnedrad och vill inte träffa medarbetaren igen.",
        "Bristande värdegrund och att ingen tidigare sagt ifrån.",
        "Värdegrundsarbete i teamet, tydligare rutin för att säga ifrån och arbetsrättsliga åtgärder.",
        "impropriety",
    ),
    LexSarahText(
        "annat",
        "Det saknas 1 200 kronor i {namns} kassa enligt kassaboken.",
        "Kassan räknades av två personal, god man informerades och en polisanmälan gjordes.",
        "Kassaboken hade inte stämts av på tre veckor, så det gick inte att avgöra när pengarna försvann.",
        "{Namn} är orolig för sina pengar och vill att god man tar hand om kassan.",
        "Avstämningen av kassan gjordes inte enligt rutinen.",
        "Kassan stäms av vid varje pass av två personer; god man gör stickprov varje månad.",
        "impropriety",
    ),
    LexSarahText(
        "utforande",
        "{Personal} låste kylskåpet för att hindra {namn} från att äta mellan måltiderna.",
        "Låset togs bort samma dag.",
        "Åtgärden var inte beslutad av någon och saknade stöd i lag. Den hade pågått i två veckor.",
        "{Namn} blev arg över att inte få ta mat själv.",
        "Oro för {namns} vikt och okunskap om att tvångs- och begränsningsåtgärder inte får användas.",
        "Utbildning om tvångs- och begränsningsåtgärder; kost och vikt tas upp med {namn} och dietist.",
        "impropriety",
    ),
    LexSarahText(
        "utforande",
        "{Namn} gled ur lyftselen vid förflyttning och fick ett blåmärke på armen.",
        "Läkarbesök samma dag; liften och selen kontrollerades.",
        "Selen var fel storlek och förflyttningen gjordes av en person i stället för två.",
        "{Namn} är rädd för liften och vill att två personal alltid är med.",
        "Fel sele hade levererats och bemanningen räckte inte för två personal vid förflyttningen.",
        "Rätt sele är utprovad; förflyttning med lift görs alltid av två personal.",
        "risk",
    ),
    LexSarahText(
        "utforande",
        "{Namn} fick ingen hjälp med mat och hygien under en helg eftersom passen inte var bemannade.",
        "Enhetschefen ordnade personal från måndag morgon och anhöriga kontaktades.",
        "Sjukfrånvaro och ett fel i schemat gjorde att helgpassen saknade personal utan att någon märkte det.",
        "{Namn} har varit utan hjälp och blev mycket illa berörd.",
        "Ingen kontroll av bemanningen inför helger; larmet från schemasystemet gick till en avslutad medarbetare.",
        "Bemanningen kontrolleras varje fredag av jourhavande chef; larmen går till en funktionsbrevlåda.",
        "impropriety",
    ),
    LexSarahText(
        "utforande",
        "{Namn} kom bort från {personal} på Centralstationen och var borta i en timme innan polisen hittade hen.",
        "Anhöriga och polis kontaktades; {namn} hittades oskadd.",
        "{Personal} var ny och kände inte till att {namn} behöver hållas i handen i folkmassor.",
        "{Namn} tyckte att det var spännande men var trött efteråt.",
        "Introduktionen hade inte tagit upp riskerna vid resor.",
        "Riskerna vid resor är inskrivna i genomförandeplanen och i introduktionen.",
        "risk",
    ),
    LexSarahText(
        "utforande",
        "{Namn} blev inte hämtad från skolan av avlösaren och väntade på skolgården i 40 minuter.",
        "Vårdnadshavarna och skolan kontaktades; avlösaren kom efter 40 minuter.",
        "Hämtningstiden hade ändrats utan att avlösaren fått veta det.",
        "{Namn} var ledsen men lugnade sig när avlösaren kom.",
        "Ändrade tider från skolan nådde inte enheten.",
        "Skolan meddelar ändringar direkt till enheten; tiderna stäms av varje vecka.",
        None,
    ),
    LexSarahText(
        "bemotande",
        "{Personal} lämnade {namn} i duschen och gick ut för att röka.",
        "Biträdande enhetschef pratade med {personal} samma dag.",
        "{Personal} var borta i cirka fem minuter; {namn} satt på duschstolen och kom inte till skada.",
        "{Namn} kände sig otrygg och vill inte vara ensam i badrummet.",
        "Bristande omdöme och okunskap om {namns} behov av tillsyn i badrummet.",
        "Tillsynsbehovet är förtydligat i rutinpärmen; rökning är inte tillåten under passet.",
        None,
    ),
)
ASSESSMENT_REASONS = {
    LexSarahReport.Assessment.NOT_IMPROPRIETY: (
        "Händelsen var en enstaka brist som rättades till direkt. Utredningen visar att den inte innebar ett "
        "missförhållande eller en påtaglig risk för ett missförhållande."
    ),
    LexSarahReport.Assessment.IMPROPRIETY: (
        "Händelsen är ett missförhållande men bedöms inte som allvarligt: brukaren kom inte till skada och "
        "bristen åtgärdades samma dag."
    ),
    LexSarahReport.Assessment.RISK: (
        "Det fanns en påtaglig risk för ett missförhållande, men den bedöms inte som allvarlig med hänsyn till "
        "de åtgärder som vidtogs direkt."
    ),
}
SERIOUS_REASONS = {
    LexSarahReport.Assessment.IMPROPRIETY: (
        "Händelsen är ett allvarligt missförhållande: brukarens säkerhet och hälsa påverkades och händelsen "
        "ska anmälas till IVO."
    ),
    LexSarahReport.Assessment.RISK: (
        "Det fanns en påtaglig risk för ett allvarligt missförhållande för brukarens liv och hälsa. Anmälan "
        "görs till IVO."
    ),
}
DECISIONS = (
    "Utredningen avslutas. De förebyggande åtgärderna följs upp på arbetsplatsträffen om tre månader.",
    "Utredningen avslutas. Enhetschefen följer upp åtgärderna med teamet och brukaren inom två månader.",
    "Utredningen avslutas; åtgärderna är genomförda och brukaren har fått information om resultatet.",
)


class FeedbackText(NamedTuple):
    description: str
    answer: str
    action: str  # "" when no action was taken


FEEDBACK_TEXTS: dict[tuple[str, str], tuple[FeedbackText, ...]] = {
    (FEEDBACK_STAFF, "bemotande"): (
        FeedbackText(
            "En av {personal_pl} är otrevlig mot {namn} och lyssnar inte.",
            "Vi har pratat med {namn} och med medarbetaren och bett om ursäkt. Vi följer upp om en månad.",
            "Samtal med medarbetaren; bemötande tas upp på arbetsplatsträffen.",
        ),
        FeedbackText(
            "Personalen pratar med varandra på ett språk som {namn} inte förstår.",
            "Vi har påmint personalen om att tala svenska när {namn} är med.",
            "Påminnelse till teamet och punkt i introduktionen.",
        ),
        FeedbackText(
            "{Personal} kommer ofta för sent och säger inte till.",
            "Vi har tagit upp det med medarbetaren och följer upp tiderna varje vecka.",
            "Uppföljning av passens starttider under en månad.",
        ),
    ),
    (FEEDBACK_STAFF, "utebliven_insats"): (
        FeedbackText(
            "Ledsagningen i {veckodag}s blev inställd utan att någon hörde av sig.",
            "Vi ber om ursäkt. Passet föll bort vid en schemaändring; en ny tid är bokad.",
            "Rutinen för schemaändringar är skärpt.",
        ),
        FeedbackText(
            "Avlösningen har ställts in tre gånger den senaste månaden.",
            "Vi har haft stor sjukfrånvaro. Nu finns en fast ersättare för {namn}.",
            "En fast ersättare är utsedd.",
        ),
        FeedbackText(
            "{Namn} har inte fått alla timmar som beslutet säger under sommaren.",
            "Vi har gått igenom timmarna; de som inte blev utförda erbjuds under hösten.",
            "Uppföljning av utförd tid mot beslut varje månad.",
        ),
    ),
    (FEEDBACK_STAFF, "information"): (
        FeedbackText(
            "Anhöriga vill få veta i förväg när ny personal ska komma till {namn}.",
            "Från och med nu skickar vi ett sms när ny personal introduceras.",
            "Sms-rutin vid ny personal införd.",
        ),
        FeedbackText(
            "Det är svårt att förstå schemat som skickas ut varje månad.",
            "Vi har gjort om schemat så att det visar namn och tider per dag.",
            "Nytt format på schemat.",
        ),
    ),
    (FEEDBACK_STAFF, "tillganglighet"): (
        FeedbackText(
            "Det är svårt att nå biträdande enhetschef per telefon.",
            "Telefontiden är utökad till varje vardag kl. 8–9.",
            "Utökad telefontid, publicerad på webben.",
        ),
        FeedbackText(
            "Kontoret har ingen ramp och är svårt att ta sig till med rullstol.",
            "Vi har anmält behovet till fastighetsförvaltningen och träffas tills vidare hemma hos {namn}.",
            "Ärende om ramp hos fastighetsförvaltningen.",
        ),
    ),
    (FEEDBACK_STAFF, "kompetens"): (
        FeedbackText(
            "Vikarierna kan inte använda liften och vet inte hur {namn} kommunicerar.",
            "Vi har bokat introduktion för alla vikarier hos {namn}.",
            "Introduktionen är obligatorisk före första passet.",
        ),
        FeedbackText(
            "Personalen behöver mer kunskap om autism.",
            "Hela teamet går stadens utbildning om autism under våren.",
            "Utbildning bokad för teamet.",
        ),
    ),
    (FEEDBACK_STAFF, "beslut"): (
        FeedbackText(
            "{Namn} är missnöjd med att antalet timmar har minskat.",
            "Beslutet fattas av beställarenheten. Vi har förklarat hur man överklagar och förmedlat kontakt med "
            "handläggaren.",
            "",
        ),
    ),
    (FEEDBACK_STAFF, "fraga_ide"): (
        FeedbackText(
            "Förslag: en gemensam aktivitetskalender för dem som har ledsagning.",
            "Tack för förslaget! Vi prövar en kalender under hösten.",
            "Aktivitetskalender införd.",
        ),
        FeedbackText(
            "Kan {namn} få träffa sina ledsagare innan de börjar?",
            "Ja, vi erbjuder ett första möte med ny personal före första passet.",
            "Presentationsmöte före första passet införs.",
        ),
    ),
    (FEEDBACK_STAFF, "halso_sjukvard"): (
        FeedbackText(
            "Anhöriga undrar varför hemsjukvården inte informerades när {namn} fick ett sår på foten.",
            "Vi beklagar. Rutinen säger att hemsjukvården ska kontaktas samma dag; det gjordes inte.",
            "Rutinen för kontakt med hemsjukvården är genomgången med teamet.",
        ),
    ),
    (FEEDBACK_STAFF, "annat"): (
        FeedbackText(
            "Personalen parkerar på gästplatsen utanför {namns} hus.",
            "Vi har påmint personalen om att parkera på gatan.",
            "Information till personalen.",
        ),
    ),
    (FEEDBACK_OTHER, "teknik_it"): (
        FeedbackText(
            "Sms-påminnelserna om passen kommer inte fram.",
            "Felet låg hos leverantören och är åtgärdat.",
            "Kontroll av sms-tjänsten varje månad.",
        ),
        FeedbackText(
            "Det går inte att se schemat i mobilen.",
            "Leverantören har rättat visningen i mobilen.",
            "Felanmälan till leverantören.",
        ),
    ),
    (FEEDBACK_OTHER, "annat"): (
        FeedbackText(
            "Det är svårt att hitta information om ledsagarservice på stadens webbplats.",
            "Vi har lämnat synpunkten till kommunikationsavdelningen.",
            "Texten på webben är uppdaterad.",
        ),
    ),
}
FEEDBACK_CATEGORY_WEIGHTS: dict[tuple[str, str], int] = {
    (FEEDBACK_STAFF, "bemotande"): 20,
    (FEEDBACK_STAFF, "utebliven_insats"): 20,
    (FEEDBACK_STAFF, "information"): 12,
    (FEEDBACK_STAFF, "tillganglighet"): 7,
    (FEEDBACK_STAFF, "kompetens"): 10,
    (FEEDBACK_STAFF, "beslut"): 6,
    (FEEDBACK_STAFF, "fraga_ide"): 8,
    (FEEDBACK_STAFF, "halso_sjukvard"): 4,
    (FEEDBACK_STAFF, "annat"): 4,
    (FEEDBACK_OTHER, "teknik_it"): 5,
    (FEEDBACK_OTHER, "annat"): 4,
}
PRAISE = (
    "{Namn} vill tacka {personal_pl} för en fantastisk sommar.",
    "Anhöriga vill berömma {personal}, som är så lugn och trygg med {namn}.",
    "Tack till {personal} som ordnade så att {namn} kunde gå på konserten.",
    "Skolan berömmer samarbetet kring {namns} hämtning.",
    "{Namn} är mycket nöjd med {personal} som började i våras och vill att det blir kvar så.",
    "Tack för att ni ställde upp med kort varsel när {namns} mamma blev sjuk.",
)
PRAISE_ANSWER = "Tack! Berömmet är vidarebefordrat till personalgruppen."
OTHER_BODIES = ("Patientnämnden, Region Stockholm", "Överförmyndarförvaltningen", "Beställarenheten (handläggare)")
OTHER_SENDERS = ("Granne till brukaren", "Personal på daglig verksamhet", "Skolans rektor", "Färdtjänstens kundtjänst")


class OtherProvider(NamedTuple):
    name: str
    complaint: str
    their_answer: str


# Fictitious providers ("Exempel"): complaints about them are forwarded, their written answer recorded.
OTHER_PROVIDERS = (
    OtherProvider(
        "Korttidsboendet Exempelgården (privat utförare)",
        "Klagomål på korttidsboendet: {namn} kom hem med smutsiga kläder och utan sina mediciner.",
        "Korttidsboendet har gått igenom packning och överlämning med sin personal och inför en checklista vid "
        "hemgång.",
    ),
    OtherProvider(
        "Exempel Omsorg AB (assistansanordnare)",
        "Klagomål på den andra assistansanordnaren hos {namn}: passen på helgerna bemannas inte.",
        "Assistansanordnaren har anställt två nya assistenter för helgerna och ber om ursäkt till familjen.",
    ),
    OtherProvider(
        "Daglig verksamhet Exempelverkstaden",
        "Klagomål på daglig verksamhet: {namn} får inte hjälp att äta lunch.",
        "Daglig verksamhet har avsatt en personal vid lunchen och följer upp med {namn} varje vecka.",
    ),
)


class IncidentText(NamedTuple):
    what: str
    data: str
    people: str
    how_many: int
    consequences: str
    actions: str
    notify: bool  # notified to IMY, or judged unlikely to create a risk
    reason: str


INCIDENTS = (
    IncidentText(
        "Ett e-postmeddelande med en brukares genomförandeplan skickades till fel mottagare utanför staden.",
        "Namn, personnummer, hälsouppgifter och uppgifter om insatsen.",
        "En brukare.",
        1,
        "Obehöriga kan ha tagit del av känsliga uppgifter om brukarens hälsa.",
        "Mottagaren ombads radera meddelandet och bekräftade det. Brukaren informerades.",
        True,
        "",
    ),
    IncidentText(
        "Ett schema med brukarnas namn och adresser delades i en privat chattgrupp.",
        "Namn och adresser.",
        "Brukarna i en ledsagargrupp.",
        14,
        "Uppgifterna kan ha spridits vidare utanför enheten.",
        "Meddelandet raderades och gruppen avslutades. Personalen påmindes om rutinen för schemautskick.",
        True,
        "",
    ),
    IncidentText(
        "En rutinpärm glömdes på bussen efter ett pass.",
        "Namn, adress, läkemedelslista och kontaktuppgifter till anhöriga.",
        "En brukare och två anhöriga.",
        3,
        "Känsliga uppgifter kan ha lästs av obehöriga.",
        "Pärmen efterlystes hos SL:s hittegods men kom inte tillbaka. En ny pärm är upprättad.",
        True,
        "",
    ),
    IncidentText(
        "Loggkontrollen visade att en medarbetare hade läst journaler för brukare hen inte arbetar med.",
        "Journalanteckningar.",
        "Fyra brukare.",
        4,
        "Intrång i brukarnas integritet.",
        "Samtal med medarbetaren, behörigheten begränsad och arbetsrättsliga åtgärder inledda.",
        True,
        "",
    ),
    IncidentText(
        "Ett brev med beslut om ändrade tider skickades till en gammal adress.",
        "Namn och tider för insatsen.",
        "En brukare.",
        1,
        "Ingen: brevet returnerades oöppnat.",
        "Adressen är rättad i verksamhetssystemet.",
        False,
        "Brevet kom tillbaka oöppnat och innehöll inga känsliga uppgifter; det är osannolikt att incidenten "
        "medför en risk.",
    ),
    IncidentText(
        "En krypterad usb-minne med tidrapporter tappades bort.",
        "Namn och arbetstider för medarbetare.",
        "Medarbetare i ett assistansteam.",
        9,
        "Ingen bedömd risk: minnet var krypterat.",
        "Rutinen om lagring av tidrapporter på minnen är upphävd; allt sparas i verksamhetssystemet.",
        False,
        "Minnet var krypterat med starkt lösenord; uppgifterna kan inte läsas av obehöriga.",
    ),
    IncidentText(
        "En journalanteckning skickades av misstag till en annan enhet inom staden, som raderade den direkt.",
        "En journalanteckning.",
        "En brukare.",
        1,
        "Mottagaren har tystnadsplikt och raderade anteckningen samma dag.",
        "Adressboken i e-posten är rensad från gamla funktionsbrevlådor.",
        False,
        "Mottagaren omfattas av samma sekretess och raderade uppgiften genast; osannolikt att det medför en risk.",
    ),
)


class RoutineText(NamedTuple):
    name: str
    process: str
    content: str


ROUTINES_REQUIRED = (
    RoutineText(
        "Avvikelsehantering",
        "Systematiskt kvalitetsarbete",
        "Hur en avvikelse rapporteras, klassificeras, utreds och avslutas; återkoppling till den som rapporterat "
        "och till brukaren. Enhetschefen går igenom avvikelserna varje månad.",
    ),
    RoutineText(
        "Lex Sarah",
        "Systematiskt kvalitetsarbete",
        "Skyldigheten att rapportera missförhållanden genast, registrering, åtgärder utan dröjsmål, utredning, "
        "bedömning och anmälan till IVO vid allvarligt missförhållande.",
    ),
    RoutineText(
        "Synpunkter och klagomål",
        "Systematiskt kvalitetsarbete",
        "Hur synpunkter, klagomål och beröm tas emot, registreras, besvaras inom två veckor och följs upp; "
        "klagomål på andra utförare vidarebefordras.",
    ),
    RoutineText(
        "Personuppgiftsincidenter",
        "Informationssäkerhet",
        "Alla incidenter registreras; beslut om anmälan till IMY inom 72 timmar efter upptäckt. Kontakt med "
        "dataskyddsombudet.",
    ),
    RoutineText(
        "Loggkontroll",
        "Informationssäkerhet",
        "Månatligt stickprov i åtkomstloggen av enhetschef eller biträdande enhetschef; avvikande läsningar utreds.",
    ),
    RoutineText(
        "Delegering av hälso- och sjukvårdsuppgifter",
        "Hälso- och sjukvård",
        "Delegering av läkemedelsgivning gäller ett år och förnyas efter genomgång med sjuksköterska; "
        "signeringslistor förvaras i rutinpärmen.",
    ),
    RoutineText(
        "Brand och krisberedskap",
        "Säkerhet",
        "Krispärm och kontinuitetsplan i varje hem; brandvarnare provas varje månad; jourhavande chef nås dygnet runt.",
    ),
    RoutineText(
        "Nyckelhantering",
        "Säkerhet",
        "Nycklar kvitteras i nyckelboken vid varje pass och förvaras i låst skåp; stickprov en gång i månaden.",
    ),
    RoutineText(
        "Introduktion av nya medarbetare",
        "Personalförsörjning",
        "Introduktion hos varje brukare under minst två pass tillsammans med ordinarie personal; rutinpärmen "
        "läses och signeras.",
    ),
)
ROUTINES_EXTRA = (
    RoutineText(
        "Läkemedelshantering",
        "Hälso- och sjukvård",
        "Givning enligt ordination, signering direkt efter given dos, kontroll vid skiftbyte.",
    ),
    RoutineText(
        "Hot och våld i brukarens hem",
        "Arbetsmiljö",
        "Riskbedömning, lågaffektivt bemötande, larm och stöd efter en händelse.",
    ),
    RoutineText(
        "Hantering av brukarens pengar",
        "Säkerhet",
        "Kassabok i varje hem, kvitton sparas, avstämning med god man varje månad.",
    ),
    RoutineText(
        "Social dokumentation",
        "Dokumentation",
        "Vad som dokumenteras i journalen, när och hur; rättelser som nya anteckningar.",
    ),
    RoutineText(
        "Basala hygienrutiner",
        "Hälso- och sjukvård",
        "Handhygien, arbetskläder och skyddsutrustning enligt Socialstyrelsens föreskrifter.",
    ),
)


class SelfCheckText(NamedTuple):
    what: str
    method: str
    frequency: str
    computed: str  # a code of bista.care.selfchecks, or ""


_MONTHLY, _TERTIAL, _YEARLY = (
    SelfCheckPlanItem.Frequency.MONTHLY,
    SelfCheckPlanItem.Frequency.TERTIAL,
    SelfCheckPlanItem.Frequency.YEARLY,
)
SELF_CHECKS_CORE = (
    SelfCheckText(
        "Aktiva brukare har en gällande genomförandeplan",
        "Beräknas ur registreringarna vid periodens slut; brukare som saknar plan gås igenom med ansvarig "
        "biträdande enhetschef.",
        _TERTIAL,
        selfchecks.Check.PLAN_CURRENT,
    ),
    SelfCheckText(
        "Första kontakt inom två veckor efter mottagen beställning",
        "Beräknas ur beställningarna som kommit in under perioden.",
        _TERTIAL,
        selfchecks.Check.FIRST_CONTACT,
    ),
    SelfCheckText(
        "Loggkontroll",
        "Stickprov i åtkomstloggen för tio slumpvis valda brukare.",
        _MONTHLY,
        "",
    ),
)
SELF_CHECKS_MORE = (
    SelfCheckText(
        "Genomförandeplaner följs upp inom ett år",
        "Beräknas ur registreringarna vid periodens slut.",
        _TERTIAL,
        selfchecks.Check.PLAN_REVIEWED,
    ),
    SelfCheckText(
        "Insatsen verkställd inom tre månader efter beslut",
        "Beräknas ur beställningarna som kommit in under perioden; ej verkställda beslut rapporteras till IVO.",
        _TERTIAL,
        selfchecks.Check.EXECUTION,
    ),
    SelfCheckText(
        "Aktuell risk- och konsekvensanalys i varje hem",
        "Beräknas ur registreringarna vid årets slut.",
        _YEARLY,
        selfchecks.Check.RISK_ASSESSMENT,
    ),
    SelfCheckText(
        "Krispärm och kontinuitetsplan aktuella",
        "Beräknas ur registreringarna vid årets slut.",
        _YEARLY,
        selfchecks.Check.CRISIS_BINDER,
    ),
    SelfCheckText(
        "Delegeringar för läkemedelsgivning är giltiga",
        "Genomgång av delegeringslistan mot schemat: ingen utan giltig delegering ger läkemedel.",
        _TERTIAL,
        "",
    ),
    SelfCheckText(
        "Avvikelser och synpunkter tas upp på arbetsplatsträffen",
        "Kontroll av minnesanteckningarna från arbetsplatsträffarna.",
        _MONTHLY,
        "",
    ),
    SelfCheckText(
        "Systematiskt brandskyddsarbete",
        "Genomgång av brandskyddet i hemmen och på kontoret enligt checklistan.",
        _YEARLY,
        "",
    ),
)
MANUAL_RESULTS: dict[str, tuple[tuple[str, str], ...]] = {
    "Loggkontroll": (
        ("Stickprov för tio brukare: inga läsningar utan koppling till arbetet.", ""),
        ("Stickprov för tio brukare: alla läsningar hade koppling till arbetet.", ""),
        (
            "Stickprov för tio brukare: en läsning utan koppling till arbetet.",
            "Samtal med medarbetaren; avvikelse registrerad.",
        ),
    ),
    "Delegeringar för läkemedelsgivning är giltiga": (
        ("Alla som ger läkemedel har giltig delegering.", ""),
        ("Två delegeringar hade gått ut.", "Medarbetarna ger inte läkemedel förrän delegeringen är förnyad."),
    ),
    "Avvikelser och synpunkter tas upp på arbetsplatsträffen": (
        ("Avvikelserna och synpunkterna var uppe på arbetsplatsträffen.", ""),
        ("Arbetsplatsträffen ställdes in; punkten flyttas till nästa.", "Tas upp på nästa arbetsplatsträff."),
    ),
    "Systematiskt brandskyddsarbete": (
        ("Brandvarnare och brandfiltar finns i alla hem.", ""),
        ("Brandvarnare saknade batteri i två hem.", "Batterierna är bytta; provning läggs in i månadsrutinen."),
    ),
}


# --- People, clients, dates -------------------------------------------------------------------------------


def _employed(demo: DemoEmployee, day: datetime.date) -> bool:
    employee = demo.employee
    return employee.start_date <= day and (employee.end_date is None or employee.end_date >= day)


@dataclass
class People:
    """The provider unit's users who act in the quality system, and the clients records may be about."""

    chef: DemoEmployee
    deputies: list[DemoEmployee]
    deputy_by_team: dict[int, DemoEmployee]
    staff: list[DemoEmployee]  # who may report today (quality.report), with teams
    clients: list[DemoClient]  # current provider clients (not those with protected identity)
    clients_by_team: dict[int, list[DemoClient]] = field(default_factory=dict)

    @property
    def managers(self) -> list[DemoEmployee]:
        return [self.chef, *self.deputies]

    def managers_on(self, day: datetime.date) -> list[DemoEmployee]:
        return [m for m in self.managers if _employed(m, day)]

    def staff_on(self, day: datetime.date) -> list[DemoEmployee]:
        return [e for e in self.staff if _employed(e, day)]

    def handler(self, rng: random.Random, day: datetime.date, demo: DemoClient | None = None) -> Any:
        """Who handles a record on `day`: the client's deputy, else a manager employed then, else SYSTEM."""
        preferred = self.deputy_by_team.get(demo.team.pk) if demo and demo.team else None
        if preferred is not None and _employed(preferred, day):
            return preferred.user
        present = self.managers_on(day)
        return rng.choice(present).user if present else SYSTEM

    def clients_for(self, reporter: DemoEmployee | None, day: datetime.date) -> list[DemoClient]:
        """The clients a reporter worked with on `day` (a manager: all of the unit's)."""
        if reporter is None or not reporter.teams:
            pool = self.clients
        else:
            pool = [c for team in reporter.teams for c in self.clients_by_team.get(team.pk, [])]
        return [c for c in pool if c.since <= day]


def _people(d: DistrictData) -> People:
    chef_user = d.managers["provider"]
    with_account = [e for e in d.employees if e.user is not None and e.employee.unit_id == d.provider.pk]
    chef = next(e for e in with_account if e.user.pk == chef_user.pk)
    managers = [e for e in with_account if not e.teams and has_perm(e.user, Perm.QUALITY_MANAGE, d.provider.pk)]
    deputies = sorted((e for e in managers if e is not chef), key=lambda e: e.user.username)
    staff = [e for e in with_account if e.teams and has_perm(e.user, Perm.QUALITY_REPORT, d.provider.pk)]
    # The deputy responsible for each team, as in bista.demo.care.
    teams = sorted((t for t in d.teams.values() if t.unit_id == d.provider.pk), key=lambda t: t.name)
    responsible = deputies or [chef]
    clients = [c for c in d.clients if c.service is not None and c.until is None and not c.client.protected_identity]
    by_team: dict[int, list[DemoClient]] = {}
    for demo in clients:
        if demo.team is not None:
            by_team.setdefault(demo.team.pk, []).append(demo)
    return People(
        chef=chef,
        deputies=deputies,
        deputy_by_team={team.pk: responsible[i % len(responsible)] for i, team in enumerate(teams)},
        staff=staff,
        clients=clients,
        clients_by_team=by_team,
    )


class Categories:
    """The quality categories (reference data) and the row valid on a day."""

    def __init__(self) -> None:
        self.rows = list(QualityCategory.objects.all())

    def get(self, group: str, code: str, day: datetime.date) -> QualityCategory | None:
        for row in self.rows:
            valid = row.valid_from <= day and (row.valid_to is None or day < row.valid_to)
            if row.group == group and row.code == code and valid:
                return row
        return None

    def first_day(self) -> datetime.date | None:
        """The first day every group has a category (the quality register can classify from then)."""
        firsts: dict[str, datetime.date] = {}
        for row in self.rows:
            firsts[row.group] = min(firsts.get(row.group, row.valid_from), row.valid_from)
        return max(firsts.values()) if firsts else None


def _history_start(ctx: Context, categories: Categories) -> datetime.date:
    first = categories.first_day()
    return max(ctx.window_start, first) if first else ctx.window_start


def _at(rng: random.Random, day: datetime.date, first_hour: int = 7, last_hour: int = 21) -> datetime.datetime:
    """A moment on `day` (Stockholm time) between `first_hour` and `last_hour`:59."""
    moment = datetime.time(rng.randint(first_hour, last_hour), rng.randint(0, 59))
    return datetime.datetime.combine(day, moment, tzinfo=STOCKHOLM)


def _prorated(rng: random.Random, expected: float) -> int:
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _days_by_year(
    rng: random.Random, start: datetime.date, end: datetime.date, per_year: tuple[int, int]
) -> list[list[datetime.date]]:
    """Event days from `start` to `end` (both included), `per_year` (low, high) a year, prorated for the
    first and last (partial) years; one sorted list per year."""
    years: list[list[datetime.date]] = []
    for year in range(start.year, end.year + 1):
        first, last = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
        if last < first:
            continue
        share = ((last - first).days + 1) / ((datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days)
        count = _prorated(rng, rng.randint(*per_year) * share)
        years.append(sorted(ids.random_date(rng, first, last) for _ in range(count)))
    return years


def _squeeze(days: Sequence[datetime.date | None], start: datetime.date, last: datetime.date) -> list[Any]:
    """`days` (on or after `start`) moved proportionally so that the latest falls on `last` at the latest."""
    latest = max((d for d in days if d is not None), default=start)
    if latest <= last:
        return list(days)
    span, total = (last - start).days, (latest - start).days
    return [None if d is None else start + datetime.timedelta(days=(d - start).days * span // total) for d in days]


def _values(rng: random.Random, demo: DemoClient | None) -> dict[str, str]:
    """The words a text template is filled with: the client's first name, the staff word, a time and a day."""
    name = demo.client.first_name if demo else "brukaren"
    genitive = name if name.endswith(("s", "x", "z")) else f"{name}s"
    staff = STAFF_WORD.get(demo.service or "", "medarbetaren") if demo else "medarbetaren"
    plural = {"assistenten": "assistenterna", "ledsagaren": "ledsagarna", "avlösaren": "avlösarna"}
    values = {
        "namn": name,
        "namns": genitive,
        "personal": staff,
        "personal_pl": plural.get(staff, "personalen"),
        "klocka": f"{rng.randint(7, 21)}.{rng.choice(('00', '15', '30', '45'))}",
        "veckodag": rng.choice(WEEKDAYS),
        "plats": rng.choice(PLACES),
    }
    return values | {key.capitalize(): value[0].upper() + value[1:] for key, value in values.items()}


def _fill(template: str, values: dict[str, str]) -> str:
    text = template.format(**values)
    return text[0].upper() + text[1:] if text else text


# --- Deviations ------------------------------------------------------------------------------------------


@dataclass
class _DeviationPlan:
    """The days of one deviation's handling (None: not done by today)."""

    classified: datetime.date | None
    analysed: datetime.date | None
    told_reporter: datetime.date | None
    told_client: datetime.date | None
    actions: list[tuple[datetime.date, datetime.date | None]]  # (due, done)
    closed: datetime.date | None


def _deviation_plan(
    rng: random.Random, day: datetime.date, today: datetime.date, *, with_client: bool, actions: int
) -> _DeviationPlan:
    """Classified within days, analysed within two weeks, actions within about a month, closed after them
    (some late). A deviation that would still be open today although reported four weeks ago or more is
    handled faster; the recent ones stay open at the step they have reached."""
    yesterday = today - DAY
    classified = day + DAY * rng.randint(0, 3)
    analysed = classified + DAY * rng.randint(1, 12)
    told_reporter = analysed + DAY * rng.randint(0, 6)
    told_client = analysed + DAY * rng.randint(0, 10) if with_client and rng.random() < 0.6 else None
    planned: list[tuple[datetime.date, datetime.date]] = []
    for _ in range(actions):
        due = analysed + DAY * rng.randint(7, 30)
        done = due + DAY * rng.randint(1, 20) if rng.random() < 0.1 else ids.random_date(rng, analysed, due)
        planned.append((due, done))
    closed = max([told_reporter, told_client or analysed, *(done for _, done in planned)]) + DAY * rng.randint(0, 5)
    if closed <= yesterday:
        return _DeviationPlan(classified, analysed, told_reporter, told_client, list(planned), closed)
    if day <= today - 28 * DAY:
        dues = [due for due, _ in planned]
        moved = _squeeze(
            [classified, analysed, told_reporter, told_client, *(done for _, done in planned), closed], day, yesterday
        )
        return _DeviationPlan(
            moved[0], moved[1], moved[2], moved[3], list(zip(dues, moved[4:-1], strict=True)), moved[-1]
        )
    # Recent and open: what is not done by yesterday is pending, and a pending action is not yet due.
    open_actions = [
        (due if done <= yesterday else max(due, today + DAY * rng.randint(3, 14)), done if done <= yesterday else None)
        for due, done in planned
    ]
    return _DeviationPlan(
        classified if classified <= yesterday else None,
        analysed if analysed <= yesterday else None,
        told_reporter if told_reporter <= yesterday else None,
        told_client if told_client and told_client <= yesterday else None,
        open_actions if analysed <= yesterday else [],
        None,
    )


def _pick_text(rng: random.Random, kind: str) -> DeviationText:
    if kind == "external":
        return rng.choice(EXTERNAL_DEVIATIONS)
    if kind == "other":
        return rng.choice(OTHER_UNIT_DEVIATIONS)
    codes = list(STAFF_CATEGORY_WEIGHTS)
    code = rng.choices(codes, weights=[STAFF_CATEGORY_WEIGHTS[c] for c in codes])[0]
    return rng.choice([t for t in STAFF_DEVIATIONS if t.category == code])


def _reporter(rng: random.Random, people: People, day: datetime.date, *, manager_share: float) -> DemoEmployee | None:
    """Who reports on `day`: mostly staff employed then; a manager now and then (or when no staff was)."""
    staff = people.staff_on(day)
    managers = people.managers_on(day)
    if managers and (not staff or rng.random() < manager_share):
        return rng.choice(managers)
    return rng.choice(staff) if staff else None


def _client_for(
    rng: random.Random, people: People, reporter: DemoEmployee | None, day: datetime.date, share: float
) -> DemoClient | None:
    pool = people.clients_for(reporter, day)
    return rng.choice(pool) if pool and rng.random() < share else None


def _reporter_and_client(
    rng: random.Random, people: People, day: datetime.date, *, manager_share: float, client_share: float
) -> tuple[DemoEmployee | None, DemoClient | None]:
    """Who reports on `day` and (with `client_share`) about which client: mostly staff employed then, about
    a client of their teams who is still with the unit; now and then (or when no such staff) a manager."""
    if rng.random() >= client_share:
        return _reporter(rng, people, day, manager_share=manager_share), None
    staff = [(e, pool) for e in people.staff_on(day) if (pool := people.clients_for(e, day))]
    managers, everyone = people.managers_on(day), people.clients_for(None, day)
    if staff and (not managers or not everyone or rng.random() >= manager_share):
        reporter, pool = rng.choice(staff)
        return reporter, rng.choice(pool)
    if managers and everyone:
        return rng.choice(managers), rng.choice(everyone)
    return _reporter(rng, people, day, manager_share=manager_share), None


@step("quality.deviations")
def create_deviations(ctx: Context) -> None:
    """Deviations through the years, mostly closed; the last weeks' open; one overdue today."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people, categories = _people(d), Categories()
    start = _history_start(ctx, categories)
    for days in _days_by_year(rng, start, today - DAY, ctx.plan.district.deviations_per_year):
        # A few a year identified by an external partner, a few concerning another unit; the rest own staff.
        n = len(days)
        kinds = ["external"] * max(1, round(n * 0.1)) + ["other"] * max(1, round(n * 0.06)) if n >= 4 else []
        kinds += ["staff"] * (n - len(kinds))
        rng.shuffle(kinds)
        for day, kind in zip(days, kinds, strict=True):
            _deviation(ctx, people, categories, day, kind)
    # One deviation reported some six weeks ago is still under investigation (its action is due soon), and
    # one or two from the last days have not been looked at yet.
    day = today - DAY * rng.randint(38, 45)
    if day >= start:
        overdue = _DeviationPlan(
            classified=day + DAY,
            analysed=day + DAY * rng.randint(3, 6),
            told_reporter=None,
            told_client=None,
            actions=[(today + DAY * rng.randint(2, 6), None)],
            closed=None,
        )
        _deviation(ctx, people, categories, day, "staff", plan=overdue)
    for _ in range(rng.randint(1, 2)):
        day = today - DAY * rng.randint(1, 3)
        if day >= start:
            _deviation(ctx, people, categories, day, "staff", plan=_DeviationPlan(None, None, None, None, [], None))


def _deviation(
    ctx: Context,
    people: People,
    categories: Categories,
    day: datetime.date,
    kind: str,
    *,
    plan: _DeviationPlan | None = None,
) -> Deviation:
    d, rng, today = ctx.current, ctx.rng, ctx.today
    text = _pick_text(rng, kind)
    reporter, demo = _reporter_and_client(
        rng, people, day, manager_share=0.7 if kind == "external" else 0.08, client_share=0.85
    )
    values = _values(rng, demo)
    reported_at = _at(rng, day)
    if rng.random() < 0.8:
        occurred_at = reported_at - datetime.timedelta(minutes=rng.randint(10, 600))
    else:
        occurred_at = reported_at - HOUR * rng.randint(12, 96)
    deviation = quality.deviation_report(
        actor=reporter.user if reporter else SYSTEM,
        unit=d.provider,
        what_happened=_fill(text.what, values),
        occurred_at=occurred_at,
        client=demo.client if demo else None,
        reported_at=reported_at,
    )
    n_actions = rng.choices((0, 1, 2), weights=(10, 70, 20))[0] if text.action else 0
    if plan is None:
        plan = _deviation_plan(rng, day, today, with_client=demo is not None, actions=n_actions)
    if plan.classified is None:
        return deviation
    handler = people.handler(rng, plan.classified, demo)
    deviation = quality.deviation_update(
        actor=handler,
        deviation=deviation,
        expected_version=None,
        category=categories.get(DEVIATION, text.category, day),
        identified_by=text.identified_by,
        concerns=text.concerns,
        concerned_unit_name=text.other_unit,
        immediate_action=_fill(text.immediate, values),
    )
    if plan.analysed is None:
        return deviation
    deviation = quality.deviation_update(
        actor=handler,
        deviation=deviation,
        expected_version=None,
        analysis=_fill(text.analysis, values),
        feedback_to_reporter_on=plan.told_reporter if reporter is not None else None,
        feedback_to_client_on=plan.told_client,
    )
    descriptions = [text.action, *rng.sample(EXTRA_ACTIONS, 2)] if text.action else rng.sample(EXTRA_ACTIONS, 2)
    for index, (due, done) in enumerate(plan.actions):
        owner = (
            reporter
            if index and reporter is not None and reporter.teams
            else (people.deputy_by_team.get(demo.team.pk) if demo and demo.team else None) or people.chef
        )
        action = quality.deviation_action_add(
            actor=handler,
            deviation=deviation,
            description=_fill(descriptions[index % len(descriptions)], values),
            owner=owner.user,
            due_on=due,
        )
        if done is not None:
            quality.deviation_action_done(actor=owner.user, action=action, done_on=done)
    if plan.closed is None:
        return deviation
    closer = people.handler(rng, plan.closed, demo)
    closed_at = max(_at(rng, plan.closed, 8, 17), reported_at + HOUR)
    return quality.deviation_close(
        actor=closer,
        deviation=deviation,
        expected_version=None,
        closing_note=rng.choice(CLOSING_NOTES),
        closed_at=closed_at,
    )


# --- Lex Sarah ------------------------------------------------------------------------------------------


@step("quality.lex_sarah")
def create_lex_sarah(ctx: Context) -> None:
    """Two to five reports a year, some escalated from a deviation, about one a year serious and notified to
    IVO; and three open today: one overdue for investigation, one being investigated, one awaiting the
    decision after IVO was notified."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people, categories = _people(d), Categories()
    start = _history_start(ctx, categories)
    history_end = today - DAY * 90  # the reports after that are the open ones below
    years = _days_by_year(rng, start, history_end, ctx.plan.district.lex_sarah_per_year)
    plans: list[tuple[datetime.date, bool]] = []  # (day, serious)
    for days in years:
        # About one serious report a year at size 1 (2–5 reports), fewer in a smaller unit.
        serious_index = rng.randrange(len(days)) if days and rng.random() < min(0.9, 0.28 * len(days)) else None
        plans += [(day, i == serious_index) for i, day in enumerate(days)]
    if plans and not any(serious for _, serious in plans):
        plans[0] = (plans[0][0], True)
    for day, serious in plans:
        _lex_sarah(ctx, people, categories, day, serious=serious, escalated=rng.random() < 0.3)
    # Open today.
    if today - DAY * 70 >= start:
        _lex_sarah(ctx, people, categories, today - DAY * rng.randint(50, 70), serious=True, stop_after="notified")
    if today - DAY * 25 >= start:
        _lex_sarah(ctx, people, categories, today - DAY * rng.randint(18, 25), serious=False, stop_after="remedied")
    if today - DAY * 6 >= start:
        _lex_sarah(
            ctx,
            people,
            categories,
            today - DAY * rng.randint(3, 6),
            serious=False,
            escalated=True,
            stop_after="remedied",
        )


def _lex_sarah(
    ctx: Context,
    people: People,
    categories: Categories,
    day: datetime.date,
    *,
    serious: bool,
    escalated: bool = False,
    stop_after: str | None = None,
) -> LexSarahReport:
    d, rng = ctx.current, ctx.rng
    text = rng.choice([t for t in LEX_SARAH if t.serious] if serious else LEX_SARAH)
    reporter, demo = _reporter_and_client(rng, people, day, manager_share=0.05, client_share=0.95)
    values = _values(rng, demo)
    reported_at = _at(rng, day)
    occurred_at = reported_at - datetime.timedelta(minutes=rng.randint(30, 60 * 30))
    actor = reporter.user if reporter else SYSTEM
    handler = people.handler(rng, day, demo)
    deviation: Deviation | None = None
    if escalated:
        # Reported as a deviation; the manager saw that it is a Lex Sarah matter and escalated it.
        deviation = quality.deviation_report(
            actor=actor,
            unit=d.provider,
            what_happened=_fill(text.what, values),
            occurred_at=occurred_at,
            client=demo.client if demo else None,
            reported_at=reported_at,
        )
        deviation = quality.deviation_update(
            actor=handler,
            deviation=deviation,
            expected_version=None,
            category=categories.get(DEVIATION, text.category, day),
            immediate_action=_fill(text.remedy, values),
        )
        reported_at = reported_at + HOUR * rng.randint(1, 5)
        report = quality.deviation_escalate(actor=handler, deviation=deviation, reported_at=reported_at)
    else:
        report = quality.lex_sarah_report(
            actor=actor,
            unit=d.provider,
            what_happened=_fill(text.what, values),
            occurred_at=occurred_at,
            client=demo.client if demo else None,
            reported_at=reported_at,
        )
    # The steps, each at its moment: registered genast, remedied without delay, investigated within about
    # two weeks (some later), assessed, notified to IVO within days if serious, decided.
    if stop_after is not None:  # open today: registered and remedied within hours
        registered = reported_at + HOUR * rng.randint(1, 6)
        remedied = registered + datetime.timedelta(minutes=rng.randint(20, 180))
    else:
        late = rng.random() < 0.1
        registered = reported_at + (HOUR * rng.randint(26, 60) if late else HOUR * rng.randint(1, 18))
        remedied = registered + datetime.timedelta(minutes=rng.randint(20, 600))
    investigated = _at(rng, registered.date() + DAY * rng.randint(6, 14 if rng.random() < 0.85 else 28), 8, 17)
    assessed = max(_at(rng, investigated.date() + DAY * rng.randint(0, 3), 8, 17), investigated + HOUR)
    notified = assessed.date() + DAY * rng.randint(1, 6)
    closed = _at(rng, (notified if serious else assessed.date()) + DAY * rng.randint(1, 10), 8, 17)
    informed = investigated.date() - DAY * rng.randint(0, 3) if demo else None

    def take(step_name: str, at: datetime.datetime, **step_values: Any) -> LexSarahReport:
        return quality.lex_sarah_step(
            actor=people.handler(rng, at.date(), demo),
            report=report,
            step=step_name,
            expected_version=None,
            at=at,
            **step_values,
        )

    steps = ["registered", "remedied", "investigated", "assessed", "notified", "closed"]
    for step_name in steps[: steps.index(stop_after) + 1] if stop_after else steps:
        if step_name == "registered":
            report = take("registered", registered)
        elif step_name == "remedied":
            report = take("remedied", remedied, remedy=_fill(text.remedy, values))
        elif step_name == "investigated":
            report = take(
                "investigated",
                investigated,
                investigation_events=_fill(text.events, values),
                client_view=_fill(text.client_view, values),
                causes=_fill(text.causes, values),
                preventive_actions=_fill(text.preventive, values),
                client_informed_on=informed,
            )
        elif step_name == "assessed":
            if serious:
                assessment = text.serious or LexSarahReport.Assessment.IMPROPRIETY
                reason = SERIOUS_REASONS[LexSarahReport.Assessment(assessment)]
            else:
                assessment = rng.choices(list(ASSESSMENT_REASONS), weights=(55, 25, 20))[0]
                reason = ASSESSMENT_REASONS[LexSarahReport.Assessment(assessment)]
            report = take("assessed", assessed, assessment=assessment, serious=serious, assessment_reason=reason)
        elif step_name == "notified":
            if serious:
                reference = f"3.1.2-{rng.randint(10000, 99999)}/{notified.year}"
                report = take(
                    "notified",
                    _at(rng, notified, 8, 17),
                    ivo_notified_on=notified,
                    ivo_reference=reference,
                )
        else:
            decision = rng.choice(DECISIONS)
            if serious:
                decision += f" Anmält till IVO ({report.ivo_reference})."
            report = take("closed", closed, decision=decision, decided_on=closed.date())
    if deviation is not None and report.investigated_at is not None:
        # The deviation is analysed by the Lex Sarah investigation and closed with it.
        deviation = quality.deviation_update(
            actor=handler,
            deviation=deviation,
            expected_version=None,
            analysis="Utreds som lex Sarah-rapport; orsaker och åtgärder finns i utredningen.",
            feedback_to_reporter_on=local_date(report.investigated_at) if reporter else None,
        )
        quality.deviation_close(
            actor=people.handler(rng, local_date(report.investigated_at), demo),
            deviation=deviation,
            expected_version=None,
            closing_note="Hanterad som lex Sarah-ärende.",
            closed_at=report.investigated_at + HOUR,
        )
    return report


# --- Feedback --------------------------------------------------------------------------------------------


@dataclass
class _FeedbackSpec:
    day: datetime.date
    kind: str
    source: str
    other_provider: OtherProvider | None = None
    pending: bool = False  # received lately and not yet answered


def _feedback_specs(rng: random.Random, years: list[list[datetime.date]]) -> list[_FeedbackSpec]:
    """Kind and source of each item, with every kind and source present and about one complaint a year about
    another provider."""
    specs: list[_FeedbackSpec] = []
    kinds = Feedback.Kind
    sources = Feedback.Source
    for days in years:
        year_specs = []
        for day in days:
            kind = rng.choices((kinds.OPINION, kinds.COMPLAINT, kinds.PRAISE), weights=(35, 40, 25))[0]
            if kind == kinds.PRAISE:
                source = rng.choices(
                    (sources.CLIENT, sources.RELATIVE, sources.OTHER, sources.OTHER_BODY), weights=(35, 45, 15, 5)
                )[0]
            else:
                source = rng.choices(
                    (sources.CLIENT, sources.RELATIVE, sources.ANONYMOUS, sources.OTHER_BODY, sources.OTHER),
                    weights=(25, 40, 12, 10, 13),
                )[0]
            year_specs.append(_FeedbackSpec(day, kind, source))
        # About one complaint a year concerns another provider (from the client or a relative).
        if len(year_specs) >= 4 and rng.random() < 0.8:
            spec = rng.choice(year_specs[: max(1, len(year_specs) - 2)])
            spec.kind, spec.source = kinds.COMPLAINT, rng.choice((sources.CLIENT, sources.RELATIVE))
            spec.other_provider = rng.choice(OTHER_PROVIDERS)
        specs += year_specs
    if len(specs) >= 10:
        settled = specs[:-3]  # the last ones may be open today
        if not any(s.other_provider for s in settled):
            spec = rng.choice(settled)
            spec.kind, spec.source = kinds.COMPLAINT, sources.RELATIVE
            spec.other_provider = rng.choice(OTHER_PROVIDERS)
        plain = [s for s in settled if s.other_provider is None]
        for missing_kind in kinds.values:
            if not any(s.kind == missing_kind for s in specs) and plain:
                spec = plain.pop(rng.randrange(len(plain)))
                spec.kind = missing_kind
                spec.source = sources.RELATIVE
        for missing_source in sources.values:
            if not any(s.source == missing_source for s in specs) and plain:
                spec = plain.pop(rng.randrange(len(plain)))
                spec.source = missing_source
                if missing_source == sources.ANONYMOUS and spec.kind == kinds.PRAISE:
                    spec.kind = kinds.OPINION
    return specs


@step("quality.feedback")
def create_feedback(ctx: Context) -> None:
    """Synpunkter, klagomål and beröm through the years: answered within about two weeks, acted on, closed;
    the last two weeks' still open."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people, categories = _people(d), Categories()
    start = _history_start(ctx, categories)
    years = _days_by_year(rng, start, today - DAY, ctx.plan.district.feedback_per_year)
    contacts: dict[int, list[str]] = {}
    for client_id, name, relation in ClientContact.objects.filter(
        client__in=[c.client for c in people.clients], is_active=True
    ).values_list("client_id", "name", "relation"):
        contacts.setdefault(client_id, []).append(f"{name} ({relation})" if relation else name)
    specs = _feedback_specs(rng, years)
    # A complaint from the last days waits for its answer (due within two weeks).
    day = today - DAY * rng.randint(2, 6)
    if day >= start:
        specs.append(_FeedbackSpec(day, Feedback.Kind.COMPLAINT, Feedback.Source.RELATIVE, pending=True))
    for spec in specs:
        _feedback(ctx, people, categories, spec, contacts)


def _feedback(
    ctx: Context, people: People, categories: Categories, spec: _FeedbackSpec, contacts: dict[int, list[str]]
) -> Feedback:
    d, rng, today = ctx.current, ctx.rng, ctx.today
    yesterday = today - DAY
    kinds, sources = Feedback.Kind, Feedback.Source
    day = spec.day
    actor = people.handler(rng, day)
    share: dict[str, float] = {sources.CLIENT: 0.9, sources.RELATIVE: 0.95, sources.OTHER_BODY: 0.5, sources.OTHER: 0.4}
    demo = _client_for(rng, people, None, day, share.get(spec.source, 0.0))
    if spec.other_provider is not None and demo is None:
        demo = _client_for(rng, people, None, day, 1.0)
    values = _values(rng, demo)
    if spec.source == sources.CLIENT:
        sender = demo.client.full_name if demo else ""
    elif spec.source == sources.RELATIVE:
        sender = rng.choice(contacts.get(demo.client.pk, ["Anhörig"])) if demo else "Anhörig"
    elif spec.source == sources.OTHER_BODY:
        sender = rng.choice(OTHER_BODIES)
    elif spec.source == sources.OTHER:
        sender = rng.choice(OTHER_SENDERS)
    else:
        sender = ""
    category = None
    text: FeedbackText | None = None
    if spec.kind == kinds.PRAISE:
        description = _fill(rng.choice(PRAISE), values)
    elif spec.other_provider is not None:
        category = categories.get(FEEDBACK_STAFF, "utebliven_insats", day)
        description = _fill(spec.other_provider.complaint, values)
    else:
        keys = list(FEEDBACK_CATEGORY_WEIGHTS)
        group, code = rng.choices(keys, weights=[FEEDBACK_CATEGORY_WEIGHTS[k] for k in keys])[0]
        category = categories.get(group, code, day)
        text = rng.choice(FEEDBACK_TEXTS[(group, code)])
        description = _fill(text.description, values)
    feedback = quality.feedback_register(
        actor=actor,
        unit=d.provider,
        kind=spec.kind,
        source=spec.source,
        received_on=day,
        description=description,
        sender_name=sender,
        client=demo.client if demo else None,
        category=category,
        other_provider=spec.other_provider.name if spec.other_provider else "",
    )
    if spec.pending:
        return feedback
    # The days: forwarded and answered by the other provider; our answer within about two weeks; the action.
    forwarded = day + DAY * rng.randint(1, 4) if spec.other_provider else None
    their_answer = forwarded + DAY * rng.randint(7, 25) if forwarded else None
    if spec.source == sources.ANONYMOUS:
        answered = None  # nobody to answer
    elif their_answer is not None:
        answered = their_answer + DAY * rng.randint(1, 5)
    else:
        answered = day + DAY * (rng.randint(1, 13) if rng.random() < 0.9 else rng.randint(15, 30))
    acted = None
    if spec.kind != kinds.PRAISE and (spec.other_provider or (text and text.action and rng.random() < 0.8)):
        acted = (answered or day) + DAY * rng.randint(0, 20)
    last = max(x for x in (day, forwarded, their_answer, answered, acted) if x is not None)
    closed_on = last + DAY * rng.randint(0, 7)
    closed: datetime.date | None = closed_on
    if closed_on > yesterday:
        if day <= today - 14 * DAY:
            forwarded, their_answer, answered, acted, closed = _squeeze(
                [forwarded, their_answer, answered, acted, closed], day, yesterday
            )
        else:  # received in the last two weeks: what is not done by yesterday is pending
            forwarded, their_answer, answered, acted = (
                x if x is not None and x <= yesterday else None for x in (forwarded, their_answer, answered, acted)
            )
            closed = None
    handler = people.handler(rng, day, demo)
    if forwarded is not None:
        feedback = quality.feedback_update(
            actor=handler, feedback=feedback, expected_version=None, forwarded_on=forwarded
        )
    if their_answer is not None and spec.other_provider is not None:
        feedback = quality.feedback_update(
            actor=handler,
            feedback=feedback,
            expected_version=None,
            other_provider_answer=_fill(spec.other_provider.their_answer, values),
            other_provider_answered_on=their_answer,
        )
    changes: dict[str, Any] = {}
    if answered is not None:
        if spec.kind == kinds.PRAISE:
            changes |= {"answer": PRAISE_ANSWER, "answered_on": answered}
        elif spec.other_provider is not None:
            changes |= {
                "answer": f"Vi har vidarebefordrat klagomålet till {spec.other_provider.name}, som har svarat: "
                + _fill(spec.other_provider.their_answer, values),
                "answered_on": answered,
            }
        elif text is not None:
            changes |= {"answer": _fill(text.answer, values), "answered_on": answered}
    if acted is not None:
        action = text.action if text and text.action else "Uppföljning med den andra utföraren om tre månader."
        changes |= {"action_taken": _fill(action, values), "action_taken_on": acted}
    if changes:
        feedback = quality.feedback_update(actor=handler, feedback=feedback, expected_version=None, **changes)
    if closed is not None:
        feedback = quality.feedback_close(
            actor=people.handler(rng, closed, demo),
            feedback=feedback,
            expected_version=None,
            closed_at=_at(rng, closed, 8, 17),
        )
    return feedback


# --- Personal data incidents -------------------------------------------------------------------------------


@step("quality.incidents")
def create_incidents(ctx: Context) -> None:
    """Rare incidents, each with an IMY decision within 72 hours (one late); one from yesterday undecided."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    start = _history_start(ctx, Categories())
    history_end = today - DAY * 14
    days: list[datetime.date] = []
    for year in range(start.year, history_end.year + 1):
        first, last = max(start, datetime.date(year, 1, 1)), min(history_end, datetime.date(year, 12, 31))
        if last < first:
            continue
        share = ((last - first).days + 1) / 365
        count = _prorated(rng, rng.choices((0, 1, 2), weights=(30, 50, 20))[0] * share)
        days += [ids.random_date(rng, first, last) for _ in range(count)]
    while len(days) < 2 and history_end > start:  # at least two, so the history shows both decisions
        days.append(ids.random_date(rng, start, history_end))
    days.sort()
    late = rng.randrange(len(days)) if days else -1
    texts = rng.sample(INCIDENTS, len(INCIDENTS))
    # Both decisions appear in the history: the second incident is of the other kind than the first.
    other = next(i for i, text in enumerate(texts) if text.notify != texts[0].notify)
    texts[1], texts[other] = texts[other], texts[1]
    for index, day in enumerate(days):
        _incident(ctx, people, _at(rng, day), texts[index % len(texts)], late=index == late)
    # Discovered yesterday afternoon: the 72 hours are running.
    discovered = _at(rng, today - DAY, 13, 16)
    _incident(ctx, people, discovered, rng.choice(INCIDENTS), decide=False)


def _incident(
    ctx: Context,
    people: People,
    discovered: datetime.datetime,
    text: IncidentText,
    *,
    late: bool = False,
    decide: bool = True,
) -> DataIncident:
    d, rng = ctx.current, ctx.rng
    day = discovered.date()
    actor = people.handler(rng, day)
    happened = discovered - HOUR * rng.randint(1, 240)
    incident = quality.incident_register(
        actor=actor,
        unit=d.provider,
        what_happened=text.what,
        happened_at=happened,
        discovered_at=discovered,
        ended_at=discovered + HOUR * rng.randint(0, 3) if decide else discovered,
        data_affected=text.data,
        people_affected=text.people,
        people_affected_count=text.how_many,
        consequences=text.consequences,
        actions=text.actions,
    )
    if not decide:
        return incident
    decided = discovered + (HOUR * rng.randint(80, 110) if late else HOUR * rng.randint(2, 60))
    if text.notify:
        notified = decided + datetime.timedelta(minutes=rng.randint(10, 240))
        incident = quality.incident_decide_imy(
            actor=actor,
            incident=incident,
            expected_version=None,
            decision=DataIncident.ImyDecision.NOTIFY,
            reason="Incidenten kan medföra risk för de registrerades rättigheter och friheter.",
            notified_at=notified,
            reference=f"IMY-{notified.year}-{rng.randint(1000, 19999)}",
            decided_at=decided,
        )
        incident = quality.incident_update(
            actor=actor,
            incident=incident,
            expected_version=None,
            people_informed_on=notified.date() + DAY * rng.randint(0, 5),
        )
    else:
        incident = quality.incident_decide_imy(
            actor=actor,
            incident=incident,
            expected_version=None,
            decision=DataIncident.ImyDecision.NO_RISK,
            reason=text.reason,
            decided_at=decided,
        )
    return incident


# --- Routines and the self-check plan ----------------------------------------------------------------------


@step("quality.routines")
def create_routines(ctx: Context) -> None:
    """The routines register: adopted when the quality history begins, reviewed about yearly by their owner;
    one or two overdue for review today."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    start = _history_start(ctx, Categories())
    chosen = list(ROUTINES_REQUIRED) + rng.sample(ROUTINES_EXTRA, rng.randint(0, 3))
    overdue = set(rng.sample(range(len(chosen)), rng.randint(1, 2)))
    for index, text in enumerate(chosen):
        owner = people.chef if index < 4 or not people.deputies else rng.choice(people.managers)
        adopted = min(today - DAY, start + DAY * rng.randint(0, 180))
        reviews: list[datetime.date] = []
        last = adopted
        while True:
            following = ids.random_date(rng, add_months(last, 10), add_months(last, 12) - DAY)
            if following >= today:
                break
            reviews.append(following)
            last = following
        if index in overdue:
            while reviews and add_months(reviews[-1], 12) >= today - DAY * 20:
                reviews.pop()
        routine = quality.routine_create(
            actor=owner.user,
            unit=d.provider,
            name=text.name,
            process=text.process,
            owner=owner.user,
            version_label="1.0",
            content=text.content,
            adopted_on=adopted,
            reviewed_on=adopted,
        )
        major, minor = 1, 0
        for review in reviews:
            if rng.random() < 0.12:
                major, minor = major + 1, 0
                content = f"{text.content}\nReviderad {review.isoformat()}: nya ansvarsfördelningen förtydligad."
            else:
                minor += 1
                content = routine.content
            routine = quality.routine_update(
                actor=owner.user,
                routine=routine,
                expected_version=None,
                reviewed_on=review,
                version_label=f"{major}.{minor}",
                content=content,
            )


@step("quality.self_checks")
def create_self_checks(ctx: Context) -> None:
    """The self-check plan with a result each period, recorded by the person responsible (or another manager
    employed then); computed checks record the figures `bista.care.selfchecks` computes for the period."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    start = _history_start(ctx, Categories())
    items = list(SELF_CHECKS_CORE) + rng.sample(SELF_CHECKS_MORE, rng.randint(3, 5))
    computed: dict[tuple[datetime.date, datetime.date], dict[str, selfchecks.SelfCheck]] = {}
    for text in items:
        responsible = rng.choice(people.deputies) if people.deputies and text.frequency != _YEARLY else people.chef
        item = quality.self_check_item_create(
            actor=people.chef.user,
            unit=d.provider,
            what=text.what,
            method=text.method,
            frequency=text.frequency,
            responsible=responsible.user,
            computed_check=text.computed,
        )
        for period_start, period_end in _periods(text.frequency, start, today):
            performed = period_end + DAY * rng.randint(1, 12)
            if performed >= today:
                continue
            recorder = responsible if _employed(responsible, performed) else None
            if recorder is None:
                present = people.managers_on(performed)
                if not present:
                    continue  # nobody who is in the system today did the check then
                recorder = rng.choice(present)
            if text.computed:
                key = (period_start, period_end)
                if key not in computed:
                    computed[key] = {
                        check.code: check
                        for check in selfchecks.self_checks(
                            SYSTEM, unit_id=d.provider.pk, start=period_start, end=period_end, today=today
                        )
                    }
                result, actions = _computed_result(computed[key][text.computed], period_end)
            else:
                result, actions = rng.choice(MANUAL_RESULTS[text.what])
            quality.self_check_result_record(
                actor=recorder.user, item=item, performed_on=performed, result=result, actions=actions
            )


def _periods(frequency: str, start: datetime.date, today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The whole periods of `frequency` that began on or after `start` and ended before `today`."""
    periods: list[tuple[datetime.date, datetime.date]] = []
    for year in range(start.year, today.year + 1):
        if frequency == _MONTHLY:
            bounds = [(datetime.date(year, m, 1), add_months(datetime.date(year, m, 1), 1) - DAY) for m in range(1, 13)]
        elif frequency == _TERTIAL:
            bounds = [tertial_bounds(year, t) for t in (1, 2, 3)]
        else:
            bounds = [(datetime.date(year, 1, 1), datetime.date(year, 12, 31))]
        periods += [(first, last) for first, last in bounds if first >= start and last < today]
    return periods


def _computed_result(check: selfchecks.SelfCheck, period_end: datetime.date) -> tuple[str, str]:
    if not check.denominator:
        return f"{check.name}: inget att räkna under perioden.", ""
    share = round(100 * check.numerator / check.denominator)
    women, men = check.by_gender[selfchecks.WOMEN], check.by_gender[selfchecks.MEN]
    result = (
        f"{check.name} (t.o.m. {period_end.isoformat()}): {check.numerator} av {check.denominator} "
        f"{check.unit} ({share} %). Kvinnor {women[0]} av {women[1]}, män {men[0]} av {men[1]}."
    )
    if check.numerator == check.denominator:
        return result, ""
    return result, "Genomgång med ansvariga biträdande enhetschefer; det som saknas åtgärdas inom en månad."
