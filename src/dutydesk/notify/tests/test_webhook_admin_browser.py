"""The webhook subscription form in Django admin, in a real browser (1280 and 390 px,
English and Russian): pick events, save, see the secret once."""

import pytest

from dutydesk.accounts.models import Role
from dutydesk.notify.models import WebhookSubscription
from dutydesk.testing.browser import chromium, screenshots_at_both_widths
from dutydesk.testing.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_admin_subscribes_a_url_to_events(live_server, language):
    UserFactory(email="root@support.test", role=Role.ADMIN, is_superuser=True)
    base = live_server.url
    with chromium() as browser:
        page = browser.new_page(locale=language, viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/admin/login/?next=/admin/notify/webhooksubscription/add/")
        page.fill("#id_username", "root@support.test")
        page.fill("#id_password", "secret")
        page.click("input[type=submit]")
        page.wait_for_url("**/webhooksubscription/add/")
        screenshots_at_both_widths(page, f"webhooks-{language}-add")
        page.fill("#id_name", "CRM")
        page.fill("#id_url", "ftp://crm.test/hook")
        page.check("input[value='ticket.created']")
        with page.expect_navigation():
            page.click("input[name=_save]")
        assert page.locator(".errorlist").count() == 1  # the URL, next to its field
        screenshots_at_both_widths(page, f"webhooks-{language}-bad-url")
        page.fill("#id_url", "https://crm.test/hooks/dutydesk")
        page.click("input[name=_save]")
        page.wait_for_url("**/webhooksubscription/")
        assert "whsec_" in page.locator(".messagelist").inner_text()
        screenshots_at_both_widths(page, f"webhooks-{language}-saved")
    assert WebhookSubscription.objects.get().events == ["ticket.created"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_admin_sends_a_test_event_from_the_list(live_server, language):
    from dutydesk.notify.models import Delivery
    from dutydesk.notify.webhooks.services import webhook_create

    admin = UserFactory(email="root@support.test", role=Role.ADMIN, is_superuser=True)
    created = webhook_create(
        by=admin, name="CRM", url="https://crm.test/hooks/dutydesk", events=["sla.breach"]
    )
    base = live_server.url
    with chromium() as browser:
        page = browser.new_page(locale=language, viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/admin/login/?next=/admin/notify/webhooksubscription/")
        page.fill("#id_username", "root@support.test")
        page.fill("#id_password", "secret")
        page.click("input[type=submit]")
        page.wait_for_url("**/webhooksubscription/")
        page.check(f"input[name=_selected_action][value='{created.subscription.pk}']")
        page.select_option("select[name=action]", "send_test_event")
        screenshots_at_both_widths(page, f"webhooks-{language}-test-action")
        with page.expect_navigation():
            page.click("button[name=index]")
        delivery = Delivery.objects.get(kind="webhook.test")
        message = page.locator(".messagelist").inner_text()
        assert f"#{delivery.pk}" in message
        screenshots_at_both_widths(page, f"webhooks-{language}-test-sent")
