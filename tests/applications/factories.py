"""Factories of the applications app: profiles, drafts, partners, budget lines, attachments, PDFs."""

import io
from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from applications.models import Application, Attachment, BudgetLine, Grade, PartnerTeam, ResearcherProfile
from tests.factories import CallFactory, ResearcherFactory


def pdf_bytes(pages=1, password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class ProfileFactory(factory.django.DjangoModelFactory):
    """A young CRCN, eligible to Tremplins."""

    class Meta:
        model = ResearcherProfile

    user = factory.SubFactory(ResearcherFactory)
    unit_code = factory.Sequence(lambda n: f"U{1000 + n}")
    team = "Neuro-immunology"
    grade = Grade.CRCN
    recruited_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365 * 2))
    atip_avenir_year = None
    erc_starting_grant_year = None
    orcid = "0000-0002-1825-0097"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    applicant = factory.SubFactory(ResearcherFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    abstract = "We study how neurons and immune cells talk in the ageing brain."
    keywords = "ageing, neuro-immunology"
    duration_months = 12


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerTeam

    application = factory.SubFactory(ApplicationFactory)
    institution = "University of Tokyo"
    city = "Tokyo"
    country = "JP"
    team_leader = "Dr Sato"
    email = "sato@u-tokyo.example"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    year = 1
    category = BudgetLine.Category.TRAVEL
    amount = Decimal("8000.00")


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    application = factory.SubFactory(ApplicationFactory)
    kind = Attachment.Kind.PROJECT
    file = factory.LazyFunction(lambda: ContentFile(pdf_bytes(), name="project.pdf"))
    original_name = "project.pdf"
    size = 1000
    sha256 = "0" * 64


def complete_application(applicant=None, call=None, amount=Decimal("8000.00"), **fields):
    """A Tremplin draft that may be submitted: eligible profile, one partner abroad, budget, PDF."""
    if applicant is None:
        applicant = ProfileFactory().user
    elif not ResearcherProfile.objects.filter(user=applicant).exists():
        ProfileFactory(user=applicant)
    fields.setdefault("collaboration_is_new", True)
    application = ApplicationFactory(applicant=applicant, call=call or CallFactory(), **fields)
    PartnerFactory(application=application)
    BudgetLineFactory(application=application, amount=amount)
    AttachmentFactory(application=application)
    return application


__all__ = [
    "ApplicationFactory",
    "AttachmentFactory",
    "BudgetLineFactory",
    "PartnerFactory",
    "ProfileFactory",
    "complete_application",
    "pdf_bytes",
]
