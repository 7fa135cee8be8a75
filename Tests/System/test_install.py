"""install.sh into a temporary root creates the layout; the systemd unit passes systemd-analyze verify."""
import os
import re
import shutil
import stat
import subprocess

from conftest import BIN, ROOT


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def install(root, *extra):
    return subprocess.run(
        [os.path.join(ROOT, "install.sh"), "--root", str(root), "--binaries", BIN, *extra],
        capture_output=True, text=True, check=True,
    )


def test_install_into_a_temporary_root(tmp_path):
    install(tmp_path)
    for program in ("psc", "psc-admin"):
        assert os.access(tmp_path / "usr/local/bin" / program, os.X_OK)
    assert mode(tmp_path / "var/lib/psc") == 0o750
    assert mode(tmp_path / "etc/psc") == 0o750
    assert mode(tmp_path / "etc/psc/psc.toml") == 0o640
    assert mode(tmp_path / "var/lib/psc/keyring.json") == 0o600
    assert (tmp_path / "etc/systemd/system/psc.service").exists()
    version = subprocess.run([tmp_path / "usr/local/bin/psc", "version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("psc ")


def test_install_is_idempotent_and_uninstall_keeps_data(tmp_path):
    install(tmp_path)
    config = tmp_path / "etc/psc/psc.toml"
    keyring = tmp_path / "var/lib/psc/keyring.json"
    config.write_text(config.read_text() + "\n# edited by the operator\n")
    ring = keyring.read_text()
    second = install(tmp_path)
    assert "kept the existing" in second.stdout
    assert config.read_text().endswith("# edited by the operator\n")
    assert keyring.read_text() == ring
    install(tmp_path, "--uninstall")
    assert not (tmp_path / "usr/local/bin/psc").exists()
    assert not (tmp_path / "etc/systemd/system/psc.service").exists()
    assert config.exists() and keyring.exists()


def test_installed_config_is_accepted_by_psc_check_once_configured(tmp_path):
    install(tmp_path)
    config = tmp_path / "etc/psc/psc.toml"
    text = config.read_text().replace('data_dir = "/var/lib/psc"', f'data_dir = "{tmp_path}/var/lib/psc"')
    text = text.replace("# public_origin", "public_origin").replace("# smtp_host", "smtp_host")
    config.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PSC_")}
    checked = subprocess.run([tmp_path / "usr/local/bin/psc", "check", "--config", str(config)], capture_output=True, text=True, env=env)
    assert "configuration: ok" in checked.stdout, checked.stdout + checked.stderr


def test_unit_passes_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        raise AssertionError("systemd-analyze is missing; .ci/run installs systemd")
    install(tmp_path)
    # Point ExecStart at the binary installed under the temporary root, since /usr/local/bin/psc is not there.
    unit = (tmp_path / "etc/systemd/system/psc.service").read_text()
    unit = unit.replace("/usr/local/bin/psc", str(tmp_path / "usr/local/bin/psc"))
    checked_unit = tmp_path / "psc.service"
    checked_unit.write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(checked_unit)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    for directive in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                      "ReadWritePaths=/var/lib/psc", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                      "Restart=on-failure", "User=psc", "StateDirectory=psc", "RuntimeDirectory=psc"):
        assert directive in unit


def test_unit_exposure_is_ok(tmp_path):
    """systemd's own exposure score: 2.0 or lower ("OK"), with what the server needs still allowed."""
    if shutil.which("systemd-analyze") is None:
        raise AssertionError("systemd-analyze is missing; .ci/run installs systemd")
    unit = os.path.join(ROOT, "systemd", "psc.service")
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", unit],
                            capture_output=True, text=True)
    match = re.search(r"Overall exposure level for psc\.service: (\d+\.\d+) (\w+)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0 and match.group(2) == "OK", match.group(0)
    text = open(unit).read()
    for needed in ("StateDirectory=psc", "RuntimeDirectory=psc", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                   "SupplementaryGroups=psc-admin", "CapabilityBoundingSet=\n"):
        assert needed in text, needed
    assert "PrivateUsers=yes" not in text, "the admin socket's group and peers are the host's"
