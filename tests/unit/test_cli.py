"""The command line in process: help, exit codes, one-line user errors."""

from __future__ import annotations

import pytest

from lifetools import errors
from lifetools.pipeline.cli import main


def test_cli_help_lists_commands_and_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("build", "run", "params", "validate", "synth", "link", "reproduce"):
        assert command in out
    assert "14  a notebook failed" in out


@pytest.mark.parametrize("command", ["build", "run", "params", "validate", "synth",
                                     "link", "reproduce"])
def test_cli_each_command_has_help(command, capsys):
    assert main([command, "--help"]) == 0
    assert "Usage: lifetools" in capsys.readouterr().out


def test_cli_version(capsys):
    assert main(["--version"]) == 0
    assert "lifetools, version" in capsys.readouterr().out


def test_cli_unknown_option_is_usage_error(capsys):
    assert main(["build", "--no-such-option"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_cli_unknown_parameter_exits_12_without_traceback(capsys):
    code = main(["run", "wellbeing", "-p", "colour", "blue"])
    err = capsys.readouterr().err
    assert code == errors.ParameterError.exit_code == 12
    assert "ParameterError: analysis 'wellbeing' has no parameter 'colour'" in err
    assert "HINT:" in err
    assert "Traceback" not in err


def test_cli_ill_typed_parameter_exits_12(capsys):
    assert main(["run", "time_to_discharge", "-p", "landmark_days", "soon"]) == 12
    assert "must be of type int" in capsys.readouterr().err


def test_cli_parameters_without_analysis_is_usage_error(capsys):
    assert main(["run", "-p", "locality", "all"]) == 2
    assert "-p needs an ANALYSIS" in capsys.readouterr().err


def test_cli_unknown_edition_exits_12(capsys):
    assert main(["run", "wellbeing", "--edition", "1999-00"]) == 12
    assert "no edition '1999-00'" in capsys.readouterr().err


def test_cli_params_lists_declared_parameters(capsys):
    assert main(["params", "emergency_care"]) == 0
    out = capsys.readouterr().out
    assert "window_days  int  default 365" in out
    assert "period_start" in out


def test_cli_reproduce_unpublished_edition_exits_12(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path))
    (tmp_path / "analyses").mkdir()
    assert main(["reproduce", "2024-25"]) == 12
    assert "is not published at" in capsys.readouterr().err


def test_cli_bug_keeps_its_traceback(monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("lifetools.pipeline.cli.load_series", explode)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["params", "wellbeing"])


def test_exit_codes_table_is_complete():
    assert errors.EXIT_CODES["DictionaryError"] == 10
    assert errors.EXIT_CODES["ReproducibilityError"] == 16
    err = errors.DataValidationError("bad", hint="fix it")
    assert err.render() == "DataValidationError: bad\nHINT: fix it"
