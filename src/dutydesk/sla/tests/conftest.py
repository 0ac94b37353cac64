import pytest

from dutydesk.sla import paging


@pytest.fixture(autouse=True)
def no_oncall_pager():
    """SLA tests see the SLA's own fallback; the on-call app's pager is tested in oncall."""
    installed = paging.pager_current()
    paging.pager_unregister()
    yield
    if installed is not None:
        paging.pager_register(installed)
