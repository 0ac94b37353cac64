from django import template

from dutydesk.tickets.models import TicketEvent
from dutydesk.tickets.views.present import event_sentence as _event_sentence

register = template.Library()


@register.filter
def event_sentence(event: TicketEvent) -> str:
    return _event_sentence(event)
