"""Pages of the agent workspace (/desk/) and of the client portal (/portal/)."""

from django.urls import path

from dutydesk.tickets.views import agent, bulk, portal, presence, queue

desk_patterns = (
    [
        path("", queue.queue, name="queue"),
        path("dashboard/", bulk.dashboard, name="dashboard"),
        path("bulk/", bulk.bulk, name="bulk"),
        path("tickets/<int:number>/", agent.ticket_detail, name="ticket"),
        path("tickets/<int:number>/reply/", agent.reply, name="reply"),
        path("tickets/<int:number>/take/", agent.take, name="take"),
        path("tickets/<int:number>/assign/", agent.assign, name="assign"),
        path("tickets/<int:number>/update/", agent.update, name="update"),
        path("tickets/<int:number>/escalate/", agent.escalate, name="escalate"),
        path("tickets/<int:number>/merge/", agent.merge, name="merge"),
        path("tickets/<int:number>/link/", agent.link, name="link"),
        path("tickets/<int:number>/macro/", agent.macro, name="macro"),
        path("tickets/<int:number>/presence/", presence.presence, name="presence"),
        path("tickets/<int:number>/typing/", presence.typing, name="typing"),
    ],
    "desk",
)

portal_patterns = (
    [
        path("", portal.ticket_list, name="tickets"),
        path("new/", portal.ticket_new, name="new"),
        path("tickets/<int:number>/", portal.ticket_detail, name="ticket"),
        path("tickets/<int:number>/received/", portal.ticket_created, name="created"),
        path("tickets/<int:number>/reply/", portal.ticket_reply, name="reply"),
        path("tickets/<int:number>/close/", portal.ticket_close, name="close"),
    ],
    "portal",
)
