"""The Spark session of ``--engine spark``: checked before it starts, quiet, on loopback.

pyspark is an optional extra (``pip install 'newsspan[spark]'``) and needs a Java runtime; both are
checked before Spark starts, so a missing one is one sentence naming the install line, not a Java
gateway traceback. A local master (``local[N]``) binds to 127.0.0.1 only, keeps its scratch files
in a temporary folder removed at exit, shows no UI and logs errors only; ``[engine]`` in
``newsspan.toml`` names a cluster's master URL and any further Spark settings instead.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsspan.dataset.errors import ConfigError, NewsspanError

if TYPE_CHECKING:
    from newsspan.dataset.config import EngineOptions

__all__ = ["INSTALL", "JAVA_VERSIONS", "java_version", "require_spark", "spark_running", "spark_session"]

INSTALL = (
    "`--engine spark` needs pyspark and a Java 17 or 21 runtime: pip install 'newsspan[spark]' "
    "and, on Debian or Ubuntu, apt-get install openjdk-17-jre-headless (or set JAVA_HOME)"
)
JAVA_VERSIONS = (17, 21)  # what Spark 4.1 runs on (Java 25 fails at the first task)
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def java_version() -> tuple[int, str]:
    """The major version and path of the Java runtime Spark would start (JAVA_HOME, else PATH)."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if java is None or not Path(java).is_file():
        where = f"JAVA_HOME={home} has no bin/java" if home else "no `java` on PATH and JAVA_HOME is not set"
        raise NewsspanError(f"{where}; {INSTALL}")
    try:
        shown = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False).stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NewsspanError(f"{java} -version failed ({exc}); {INSTALL}") from None
    found = _JAVA_VERSION.search(shown)
    if found is None:
        raise NewsspanError(f"{java} -version printed no version ({shown.strip()[:200]!r}); {INSTALL}")
    major = int(found.group(1))
    return (int(found.group(2) or 0) if major == 1 else major), java  # "1.8.0" is Java 8


def require_spark() -> None:
    """Raise a :class:`NewsspanError` naming the install line when pyspark or Java is missing."""
    try:
        import pyspark
    except ImportError:
        raise NewsspanError(f"pyspark is not installed; {INSTALL}") from None
    if not pyspark.__version__.startswith("4.1."):
        raise NewsspanError(f"pyspark {pyspark.__version__} is installed, newsspan runs on 4.1; {INSTALL}")
    major, java = java_version()
    if major not in JAVA_VERSIONS:
        raise NewsspanError(f"{java} is Java {major}; Spark 4.1 runs on Java 17 or 21. {INSTALL}")


def spark_session(options: EngineOptions) -> Any:
    """A SparkSession for ``options`` (``[engine]``): checked first, quiet, loopback for a local master."""
    require_spark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter (its packages)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    local = options.master.startswith("local")
    scratch = Path(tempfile.mkdtemp(prefix="newsspan-spark-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    log4j = resources.files("newsspan.dataset.spark") / "log4j2.properties"
    settings: dict[str, str] = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": options.driver_memory,
        "spark.sql.shuffle.partitions": str(options.partitions),
        "spark.default.parallelism": str(options.partitions),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        # the default INT96 reads back as timestamp[ns]; the schemas say milliseconds
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MILLIS",
        "spark.sql.catalogImplementation": "in-memory",  # no metastore_db/ or derby.log in the cwd
        "spark.jars.ivy": str(scratch / "ivy"),  # never ~/.ivy2; nothing is downloaded
        "spark.local.dir": str(scratch / "local"),
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log4j} -Djava.io.tmpdir={scratch}",
    }
    if local:  # a local session listens on loopback only
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    clash = sorted(set(options.conf) & {"spark.sql.parquet.outputTimestampType", "spark.sql.session.timeZone"})
    if clash:
        raise ConfigError(f"[engine] conf sets {', '.join(clash)}, which newsspan's tables rely on; remove it")
    builder = SparkSession.builder.master(options.master).appName("newsspan")
    for key, value in (settings | dict(options.conf)).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own errors (PySparkRuntimeError, Py4JJavaError)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NewsspanError(f"Spark did not start with master {options.master!r}: {first}; {INSTALL}") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextmanager
def spark_running(options: EngineOptions) -> Iterator[Any]:
    """The session for ``options``, stopped at the end unless it was running before (a caller's)."""
    running = _running()
    spark = spark_session(options)  # checks pyspark and Java first
    try:
        yield spark
    finally:
        if not running:
            spark.stop()


def _running() -> bool:
    """Whether this process already has a SparkContext (no pyspark: none)."""
    try:
        from pyspark import SparkContext
    except ImportError:
        return False
    return SparkContext._active_spark_context is not None
