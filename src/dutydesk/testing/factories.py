"""factory-boy factories for the main models."""

from __future__ import annotations

import uuid

import factory

from dutydesk.accounts.models import Organization, Role, Team, User
from dutydesk.tickets.inbound import Inbound


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Client {n}")
    slug = factory.Sequence(lambda n: f"client-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    tier = "L1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", "secret")

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.add(*extracted)
        if create:
            self.save()


def customer(organization: Organization, email: str, **fields) -> User:
    return UserFactory(email=email, role=Role.CUSTOMER, organization=organization, **fields)


def inbound(**fields) -> Inbound:
    """An API-like inbound item with sensible defaults; override any field."""
    defaults = {
        "channel": "api",
        "source_id": uuid.uuid4().hex,
        "sender_email": "anna@acme.test",
        "sender_name": "Anna",
        "subject": "VPN does not connect",
        "body_text": "Since this morning the VPN client says timeout.",
    }
    defaults.update(fields)
    return Inbound(**defaults)
