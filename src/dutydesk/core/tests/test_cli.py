import pytest

from dutydesk.accounts.models import ApiToken
from dutydesk.accounts.services import api_token_authenticate
from dutydesk.cli import build_parser, main


@pytest.mark.django_db
def test_token_create_prints_only_a_working_token(capsys, l1_agent):
    assert main(["token", "create", "--user", "LENA@support.test", "--name", "ci"]) == 0
    out, _err = capsys.readouterr()
    raw = out.strip()
    assert out == raw + "\n" and raw.startswith("dd_")
    assert api_token_authenticate(raw) == l1_agent
    assert ApiToken.objects.get().name == "ci"


@pytest.mark.django_db
def test_token_create_for_an_unknown_user_fails_with_nothing_on_stdout(capsys):
    assert main(["token", "create", "--user", "nobody@support.test"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "nobody@support.test" in err
    assert not ApiToken.objects.exists()


def test_manage_passes_arguments_through(capsys):
    assert main(["manage", "check", "--fail-level", "ERROR"]) == 0
    assert "System check identified no issues" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["demo", "--port", "0"], ["demo", "--port", "70000"], ["serve", "--workers", "0"]],
)
def test_bad_options_are_refused(argv):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
