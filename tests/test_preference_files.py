"""Each setting lives in one file: the router settings in cobalt-router.conf (which Open
Cobalt reads), the others in the INI. An old INI that still states a router setting never
wins, is said once in words, and loses that key at the next save."""

from __future__ import annotations

from pathlib import Path

from cobalt_setup.checks.preference_files import read_settings_for_diagnosis
from cobalt_setup.prefs.general_ini import read_general_ini
from cobalt_setup.prefs.router_conf import ROUTER_CONF_RELATIVE_PATH, render_router_conf
from cobalt_setup.prefs.store import PreferenceFiles, load_current, plan_write, write
from cobalt_setup.result import Status
from cobalt_setup.session import SetupSession
from cobalt_setup.settings import RouterMode, Settings

OLD_INI = ("[SpaceDirectory]\nHost = old.cobalt.test\n"
           "[Router]\nMode = upnp\nPorts = 6900-6909\nDispatcherPort = 6900\n")


def manual_conf(cobalt_dir: Path, port: int = 6905) -> Path:
    settings = Settings.from_texts({("Router", "Mode"): "manual",
                                    ("Router", "DispatcherPort"): str(port)})
    path = cobalt_dir / ROUTER_CONF_RELATIVE_PATH
    path.write_text(render_router_conf(None, settings.router))
    return path


def old_ini(ini_path: Path) -> Path:
    ini_path.parent.mkdir(parents=True, exist_ok=True)
    ini_path.write_text(OLD_INI)
    return ini_path


def test_the_router_settings_come_from_cobalt_router_conf_not_from_an_old_ini(
        ini_path: Path, cobalt_dir: Path) -> None:
    old_ini(ini_path)
    manual_conf(cobalt_dir)
    current = load_current(PreferenceFiles(ini_path, cobalt_dir))
    assert current.starting_texts()["Router", "Mode"] == "manual"
    assert current.starting_texts()["Router", "DispatcherPort"] == "6905"
    assert current.starting_texts()["SpaceDirectory", "Host"] == "old.cobalt.test"
    assert current.disagreements() == [
        "The INI says [Router] Mode = upnp, cobalt-router.conf says manual; Open Cobalt "
        "uses the latter.",
        "The INI says [Router] DispatcherPort = 6900, cobalt-router.conf says 6905; Open "
        "Cobalt uses the latter."]
    session = SetupSession(ini_path, cobalt_dir)
    assert session.form.settings().router.mode is RouterMode.MANUAL


def test_the_diagnosis_checks_what_open_cobalt_uses_and_says_the_files_disagree(
        ini_path: Path, cobalt_dir: Path) -> None:
    old_ini(ini_path)
    manual_conf(cobalt_dir)
    read = read_settings_for_diagnosis(ini_path, cobalt_dir)
    assert read.settings.router.mode is RouterMode.MANUAL
    found = {check.id: check for check in read.checks}
    assert found["settings.ini"].status is Status.OK
    assert found["settings.router_conf"].status is Status.OK
    agreement = [check for check in read.checks if check.id == "settings.agreement"]
    assert [check.status for check in agreement] == [Status.WARNING, Status.WARNING]
    assert "cobalt-router.conf says manual; Open Cobalt uses the latter." in (
        agreement[0].summary)


def test_a_save_drops_the_router_keys_from_the_ini_and_keeps_the_rest(
        ini_path: Path, cobalt_dir: Path) -> None:
    old_ini(ini_path)
    manual_conf(cobalt_dir)
    current = load_current(PreferenceFiles(ini_path, cobalt_dir))
    plan = plan_write(current, Settings.from_texts(current.starting_texts()))
    removed = [(change.field.key, change.old) for change in plan.ini_changes
               if change.new is None]
    assert removed == [("Mode", "upnp"), ("DispatcherPort", "6900")]
    write(plan)
    written = read_general_ini(ini_path)
    assert ("Router", "Mode") not in written.texts
    assert ("Router", "DispatcherPort") not in written.texts
    assert written.texts["Router", "Ports"] == "6900-6909"
    assert written.texts["SpaceDirectory", "Host"] == "old.cobalt.test"
    again = load_current(PreferenceFiles(ini_path, cobalt_dir))
    assert again.disagreements() == []
    assert again.starting_texts()["Router", "Mode"] == "manual"


def test_without_a_conf_the_router_settings_start_from_the_defaults(
        ini_path: Path, cobalt_dir: Path) -> None:
    """What Open Cobalt uses with no cobalt-router.conf is its default, whatever an old INI
    says."""
    old_ini(ini_path).write_text(OLD_INI.replace("Mode = upnp", "Mode = lan-only"))
    current = load_current(PreferenceFiles(ini_path, cobalt_dir))
    assert ("Router", "Mode") not in current.starting_texts()
    read = read_settings_for_diagnosis(ini_path, cobalt_dir)
    assert read.settings.router.mode is RouterMode.UPNP
    conf = next(check for check in read.checks if check.id == "settings.router_conf")
    assert conf.status is Status.SKIPPED and "does not exist yet" in conf.summary


def test_a_router_conf_that_cannot_be_used_is_one_failed_check(
        ini_path: Path, cobalt_dir: Path) -> None:
    (cobalt_dir / ROUTER_CONF_RELATIVE_PATH).write_text(
        "^ TRouterConfig new dispatcherConfigBlock: [ TUpnpDispatcherConfig new")
    read = read_settings_for_diagnosis(ini_path, cobalt_dir)
    conf = next(check for check in read.checks if check.id == "settings.router_conf")
    assert conf.status is Status.FAILED
    assert str(cobalt_dir / ROUTER_CONF_RELATIVE_PATH) in conf.summary
    assert conf.fix
    assert read.settings.router.mode is RouterMode.UPNP
