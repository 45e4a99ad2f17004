"""``ivigmeta --help`` must not pay for numpy, scipy, statsmodels or matplotlib."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HEAVY = ("numpy", "scipy", "statsmodels", "matplotlib")


def modules_loaded_by(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from ivigmeta.cli import main\n"
        f"try:\n    main({args!r})\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.splitlines()[-1].split())


def test_help_imports_no_heavy_module():
    loaded = modules_loaded_by(["--help"])
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_batch_help_imports_no_heavy_module():
    loaded = modules_loaded_by(["batch", "--help"])
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_studies_list_imports_no_scipy_statsmodels_or_matplotlib():
    loaded = modules_loaded_by(["studies", "list"])
    assert "ivigmeta" in loaded  # the command ran in this process
    assert not loaded & {"scipy", "statsmodels", "matplotlib"}, loaded


def test_pool_imports_no_scipy_statsmodels_matplotlib_or_rich():
    # the 0.5 s budget of `ivigmeta pool`: scipy.special alone costs ~0.3 s to import
    code = (
        "import sys\n"
        "from ivigmeta.cli import main\n"
        "try:\n    main(['pool', '--outcome', 'mrss'])\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert "mrss" in run.stdout  # the command ran and printed its result
    loaded = set(run.stderr.split())
    heavy = {m for m in loaded if m.split(".")[0] in {"scipy", "statsmodels", "matplotlib", "rich"}}
    assert "ivigmeta.stats.numerics.distributions" in loaded
    assert not heavy, sorted(heavy)


def test_version_matches_package():
    import ivigmeta

    out = subprocess.run(
        [sys.executable, "-m", "ivigmeta", "--version"], capture_output=True, text=True
    ).stdout
    assert out.strip() == f"ivigmeta, version {ivigmeta.__version__}"
