"""The command line in process: help, exit codes, one-line user errors."""

from __future__ import annotations

import logging

import pytest

from lifetools import errors
from lifetools.pipeline import cli as cli_module
from lifetools.pipeline.cli import main


def test_cli_help_lists_commands_and_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("build", "run", "params", "validate", "synth", "link", "reproduce"):
        assert command in out
    for row in errors.exit_code_table():
        assert f"  {row.code:<4}{row.meaning}" in out


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


def _user_error_rows():
    return [row for row in errors.exit_code_table() if row.error]


def test_exit_code_table_codes_unique_and_no_user_error_exits_1():
    codes = [row.code for row in errors.exit_code_table()]
    assert len(codes) == len(set(codes))
    assert {0, 1, 2, 130} <= set(codes)
    assert all(row.code not in (0, 1, 2, 130) for row in _user_error_rows())
    assert errors.UserError.exit_code != 1


def _raiser(error):
    def raise_it(*_args, **_kwargs):
        raise error
    return raise_it


def _error_class(name):
    found = [errors.UserError]
    for cls in found:
        found.extend(cls.__subclasses__())
    return next(cls for cls in found if cls.__name__ == name)


@pytest.mark.parametrize("row", _user_error_rows(), ids=lambda row: row.error)
def test_cli_exit_code_each_user_error_exits_with_its_code(row, monkeypatch, capsys):
    cls = _error_class(row.error)
    error = cls.__new__(cls)
    errors.UserError.__init__(error, "something the user can fix", hint="do this")
    monkeypatch.setattr("lifetools.pipeline.cli.load_series", _raiser(error))
    assert main(["params", "wellbeing"]) == row.code
    err = capsys.readouterr().err
    assert err == f"{row.error}: something the user can fix\nHINT: do this\n"


def test_cli_exit_code_0_on_success(capsys):
    assert main(["params", "wellbeing"]) == 0


def test_cli_exit_code_1_bug_propagates_for_a_traceback(monkeypatch):
    monkeypatch.setattr("lifetools.pipeline.cli.load_series", _raiser(KeyError("bug")))
    with pytest.raises(KeyError):
        main(["params", "wellbeing"])


def test_cli_exit_code_2_usage_error(capsys):
    assert main(["params"]) == 2


def test_cli_exit_code_130_ctrl_c_prints_one_line(monkeypatch, capsys):
    monkeypatch.setattr("lifetools.pipeline.cli.load_series", _raiser(KeyboardInterrupt()))
    assert main(["params", "wellbeing"]) == errors.EXIT_INTERRUPTED == 130
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("Interrupted: nothing was published")
    assert "Aborted" not in captured.err
    assert "Traceback" not in captured.err


def test_cli_exit_code_143_on_sigterm_like_ctrl_c(monkeypatch, capsys):
    monkeypatch.setattr("lifetools.pipeline.cli.load_series",
                        _raiser(cli_module._Terminated()))
    assert main(["params", "wellbeing"]) == 143
    assert capsys.readouterr().err.startswith("Terminated: nothing was published")


def test_cli_link_without_key_is_a_user_error_not_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LIFETOOLS_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("LIFETOOLS_PSEUDONYM_KEY_FILE", raising=False)
    code = main(["link", str(tmp_path / "raw"), str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code != 1
    assert code == errors.LinkageError.exit_code
    assert "no pseudonymisation key" in err
    assert "Traceback" not in err


def _log_twice(*_args, **_kwargs):
    logging.getLogger("lifetools.pipeline.series").info("info line")
    logging.getLogger("lifetools.pipeline.series").debug("debug line")
    raise errors.ParameterError("stop here")


@pytest.mark.parametrize(("flags", "shown", "hidden"), [
    ([], [], ["info line", "debug line"]),
    (["-v"], ["INFO lifetools.pipeline.series: info line"], ["debug line"]),
    (["-vv"], ["info line", "DEBUG lifetools.pipeline.series: debug line"], []),
    (["-q"], [], ["info line", "debug line"]),
])
def test_cli_verbosity_flags_set_the_log_level(flags, shown, hidden, monkeypatch, capsys):
    monkeypatch.setattr("lifetools.pipeline.cli.load_series", _log_twice)
    assert main([*flags, "params", "wellbeing"]) == 12
    err = capsys.readouterr().err
    assert all(line in err for line in shown)
    assert not any(line in err for line in hidden)


def test_cli_quiet_silences_progress(capsys):
    context = cli_module.Context(-1)
    context.say("progress")
    assert capsys.readouterr().err == ""
    cli_module.Context(0).say("progress")
    assert capsys.readouterr().err == "progress\n"


def test_cli_link_unreadable_key_file_is_a_user_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LIFETOOLS_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("LIFETOOLS_PSEUDONYM_KEY_FILE", str(tmp_path / "no-such-key"))
    code = main(["link", str(tmp_path / "raw"), str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == errors.LinkageError.exit_code
    assert "cannot be read" in err
    assert str(tmp_path) not in err
    assert "Traceback" not in err


def test_cli_synth_out_under_a_file_is_a_user_error(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code = main(["synth", "--people", "10", "--out", str(tmp_path / "afile" / "data")])
    assert code == errors.OutputPathError.exit_code
    assert "a file is in the way" in capsys.readouterr().err


def test_cli_validate_report_in_missing_folder_is_a_user_error(tmp_path, capsys):
    code = main(["validate", str(tmp_path), "--report", str(tmp_path / "no" / "r.csv")])
    assert code == errors.OutputPathError.exit_code
    assert "folder of the report file does not exist" in capsys.readouterr().err


def test_errors_page_generated_from_the_exit_code_table(tmp_path):
    from lifetools.pipeline.book import _reference_pages

    _reference_pages(tmp_path)
    page = (tmp_path / "reference" / "errors.md").read_text()
    for row in errors.exit_code_table():
        name = f"`{row.error}`" if row.error else ""
        assert f"| {row.code} | {name} | {row.meaning} |" in page


# reST inline markup a terminal would print raw: ``literal``, `interpreted`, :role:`x`
_REST_MARKUP = __import__("re").compile(r"``|:[a-z]+:`|`[^`\n]+`")


def _commands():
    """The group and each of its subcommands, as the words that call them."""
    return [[], *([name] for name in sorted(cli_module.cli.commands))]


@pytest.mark.parametrize("words", _commands(), ids=lambda w: " ".join(w) or "lifetools")
def test_cli_help_reads_as_plain_text_without_rest_markup(words, capsys):
    # the exit codes read "``report`` holds every problem" on the terminal
    assert main([*words, "--help"]) == 0
    out = capsys.readouterr().out
    assert not _REST_MARKUP.findall(out), _REST_MARKUP.findall(out)


def test_cli_exit_code_meanings_are_plain_text():
    for row in errors.exit_code_table():
        assert not _REST_MARKUP.search(row.meaning), row


@pytest.mark.parametrize("words", _commands(), ids=lambda w: " ".join(w) or "lifetools")
def test_cli_help_still_renders_in_the_docs_without_warnings(words):
    # sphinx-click reads the same help as reST (reference/cli): its description and
    # epilog must parse cleanly
    import click
    from docutils.core import publish_doctree
    from sphinx_click import ext

    command = cli_module.cli
    ctx = click.Context(command, info_name="lifetools")
    for word in words:
        command = cli_module.cli.commands[word]
        ctx = click.Context(command, info_name=word, parent=ctx)
    text = "\n".join([*ext._format_description(ctx), "", *ext._format_epilog(ctx)])
    tree = publish_doctree(text, settings_overrides={"halt_level": 2,
                                                     "report_level": 5})
    assert command.help.split("\n")[0].strip()[:20] in tree.astext()
