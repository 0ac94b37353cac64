"""Routing: which team, tier, priority and type a new ticket gets."""

from __future__ import annotations

from dataclasses import dataclass

from dutydesk.accounts.models import Organization, Team
from dutydesk.tickets.models import RoutingRule


@dataclass(frozen=True)
class Route:
    team: Team | None
    tier: str
    priority: str
    type: str
    rule: RoutingRule | None


def rule_matches(
    rule: RoutingRule, *, organization: Organization, channel: str, category: str, subject: str
) -> bool:
    if rule.organization_id and rule.organization_id != organization.pk:
        return False
    if rule.channel and rule.channel != channel:
        return False
    if rule.category and rule.category.lower() != category.lower():
        return False
    keywords = rule.keyword_list
    return not keywords or any(k in subject.lower() for k in keywords)


def route(*, organization: Organization, channel: str, category: str, subject: str) -> Route:
    """The first matching active rule decides; the organisation's assigned team is the fallback."""
    rules = RoutingRule.objects.filter(is_active=True).select_related("set_team")
    for rule in rules:
        if rule_matches(
            rule, organization=organization, channel=channel, category=category, subject=subject
        ):
            team = rule.set_team or organization.default_team
            return Route(
                team=team,
                tier=rule.set_tier or (team.tier if team else ""),
                priority=rule.set_priority,
                type=rule.set_type,
                rule=rule,
            )
    team = organization.default_team
    return Route(team=team, tier=team.tier if team else "", priority="", type="", rule=None)
