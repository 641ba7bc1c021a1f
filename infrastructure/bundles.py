"""The code each Lambda function runs: our code and exactly the packages its handlers import.

One bundle per kind of function, each with its dependencies in `requirements/<bundle>.txt` and
locked with hashes for the Lambda runtime in `requirements/<bundle>.lock` (`make lock`). A bundle
is built for Lambda (CPython 3.12, manylinux x86_64 wheels only), then:
- botocore keeps the models of the services we call, not the other ~400 (19 MB unpacked);
- every module is compiled to bytecode that Python trusts without checking the source
  (`unchecked-hash`): /var/task is read-only, so without it each cold start compiles every module.

Plain Python, no CDK: the tests and the benchmarks build and open the same bundles.
docs/decisions/0010-bundles.md says why these bundles, and why botocore is bundled at all.
"""

from __future__ import annotations

import compileall
import fcntl
import hashlib
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chalicelib.jobs import JOBS

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements"
CACHE = ROOT / ".bundles"  # built site-packages, one folder per lock and recipe (make clean)
MB = 1_000_000
LAMBDA_UNPACKED_LIMIT = 250 * 1024 * 1024  # Lambda's hard limit: function and layers, unzipped
# The services our code calls (boto3 clients and PynamoDB's DynamoDB), whose models botocore keeps.
AWS_SERVICES = ("dynamodb", "s3", "sqs", "ssm", "secretsmanager", "lambda")
BUILD_ONLY = frozenset({".h", ".hpp", ".c", ".cc", ".cpp", ".pyx", ".pxd", ".pxi"})
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries' time: the same code gives the same asset
# Lambda's Python 3.12 runs on Amazon Linux 2023 (glibc 2.34), x86_64 as the functions are.
PLATFORM = (
    "--platform=manylinux_2_28_x86_64",
    "--platform=manylinux2014_x86_64",
    "--implementation=cp",
    "--python-version=3.12",
    "--only-binary=:all:",
)


@dataclass(frozen=True)
class Bundle:
    name: str
    handlers: tuple[str, ...]  # module.function, as the functions name them
    limit_mb: int  # unpacked, below Lambda's 250 MB; a test and the benchmark check it
    boto: bool = True  # carries boto3 (most do; the rendering function calls no AWS service)

    @property
    def requirements(self) -> Path:
        return REQUIREMENTS / f"{self.name}.txt"

    @property
    def lock(self) -> Path:
        return REQUIREMENTS / f"{self.name}.lock"

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(sorted({handler.rsplit(".", 1)[0] for handler in self.handlers}))


BUNDLES = {
    bundle.name: bundle
    for bundle in (
        # Answers every request: kept small, as the issue on bundles asks (its cold start).
        Bundle("api", ("app.app",), limit_mb=60),
        # matplotlib, numpy, fpdf2, fontTools, Pillow: the PNG and PDF the API hands over.
        Bundle("render", ("functions.render.handler",), limit_mb=200, boto=False),
        Bundle(
            "jobs", tuple(f"functions.jobs.{job.handler}" for job in JOBS.values()), limit_mb=80
        ),
        Bundle("webhooks", ("functions.webhooks.handler",), limit_mb=60),
        Bundle("ingest", ("functions.ingest.handler",), limit_mb=140),  # numpy: the parser
        # pyarrow (Parquet): the history exports, in a function of their own.
        Bundle("export", ("functions.export.handler",), limit_mb=200),
    )
}


def site_packages(bundle: Bundle) -> Path:
    """The bundle's third-party packages, installed from its lock for Lambda, pruned and compiled.
    Built once per lock and recipe."""
    # This file is the recipe: a change to it builds afresh.
    recipe = hashlib.sha256(bundle.lock.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
    target = CACHE / f"{bundle.name}-{recipe}"
    with _building(bundle.name):
        if not target.is_dir():
            _install(bundle, target)
    return target


@contextmanager
def _building(name: str) -> Iterator[None]:
    """One build of a bundle at a time on this machine: parallel tests and benchmarks that need
    the same bundle wait for it rather than build it twice."""
    CACHE.mkdir(exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _install(bundle: Bundle, target: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"{bundle.name}-", dir=CACHE))
    site = work / "site"
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-deps", "--require-hashes", "--no-compile", *PLATFORM]
    command += ["--target", str(site), "-r", str(bundle.lock)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        raise RuntimeError(f"installing the {bundle.name} bundle failed:\n{done.stderr[-3000:]}")
    _prune(site)
    _compile(site)
    site.rename(target)
    shutil.rmtree(work, ignore_errors=True)


def _prune(site: Path) -> None:
    """What no handler imports: bytecode pip may have left, console scripts, packages' own test
    suites (20 MB of numpy's and matplotlib's), sources and headers, the models of services we
    never call."""
    for name in ("__pycache__", "tests"):
        for path in sorted(site.rglob(name)):
            if path.is_dir() and path.parent != site:
                shutil.rmtree(path)
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts: nothing runs them
    # C and Cython sources and headers, for building against a package (pyarrow's are 7 MB).
    for path in sorted(site.rglob("*")):
        if path.suffix in BUILD_ONLY and path.is_file():
            path.unlink()
    models = site / "botocore" / "data"
    if models.is_dir():
        for service in models.iterdir():
            if service.is_dir() and service.name not in AWS_SERVICES:
                shutil.rmtree(service)


def _compile(folder: Path, shown_as: str = "/var/task") -> None:
    """Bytecode beside each module, naming /var/task in tracebacks as Lambda unpacks it there."""
    compiled = compileall.compile_dir(
        str(folder),
        quiet=2,
        workers=0,
        stripdir=str(folder),
        prependdir=shown_as,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not compiled:
        raise RuntimeError(f"compiling {folder} failed")


def our_code(bundle: Bundle) -> list[tuple[str, Path]]:
    """(name in the zip, file): chalicelib; for the API app.py and Chalice's runtime module, as
    Chalice's packager adds them; for a function functions/ with its handler modules."""
    files = [
        (path.relative_to(ROOT).as_posix(), path)
        for path in sorted((ROOT / "chalicelib").rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]
    if bundle.name == "api":
        import chalice
        import chalice.app

        files += [("app.py", ROOT / "app.py")]
        files += [("chalice/__init__.py", Path(chalice.__file__))]
        files += [("chalice/app.py", Path(chalice.app.__file__))]
    else:
        modules = ["functions/__init__.py", *(m.replace(".", "/") + ".py" for m in bundle.modules)]
        files += [(name, ROOT / name) for name in modules]
    return files


def build(bundle: Bundle) -> Path:
    """The bundle as Lambda takes it: our code, compiled, and its packages at the root. Cached by
    what goes in; entries in order with fixed times, so the same input gives the same asset."""
    site = site_packages(bundle)
    code = our_code(bundle)
    digest = hashlib.sha256(site.name.encode())
    for name, path in code:
        digest.update(name.encode() + b"\0" + path.read_bytes())
    archive = CACHE / "zips" / f"{bundle.name}-{digest.hexdigest()[:16]}.zip"
    with _building(bundle.name):
        if not archive.is_file():
            _zip(site, code, archive)
    return archive


def _zip(site: Path, code: list[tuple[str, Path]], archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{archive.stem}-", dir=CACHE))
    staged = work / "code"
    for name, path in code:
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, staged / name)
    _compile(staged)
    entries = sorted(
        [(p.relative_to(staged).as_posix(), p) for p in staged.rglob("*") if p.is_file()]
        + [(p.relative_to(site).as_posix(), p) for p in site.rglob("*") if p.is_file()]
    )
    partial = work / "bundle.zip"
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as bundle_zip:
        for name, path in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle_zip.writestr(info, path.read_bytes())
    partial.replace(archive)
    shutil.rmtree(work, ignore_errors=True)


@dataclass(frozen=True)
class Size:
    zipped: int
    unpacked: int
    files: int


def size_of(archive: Path) -> Size:
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
    return Size(archive.stat().st_size, sum(i.file_size for i in infos), len(infos))
