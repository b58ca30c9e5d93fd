"""Sweeps as Slurm array jobs on a one-node cluster started on this machine.

The fixture installs Slurm and MUNGE from Debian if they are missing (root
only), writes a slurm.conf for localhost in a temporary folder, and starts
munged, slurmctld and slurmd on loopback with free ports. The tests submit
`scripts/slurm/sweep.sbatch` as array jobs and check the result with DuckDB.
"""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))
SBATCH = REPO / "scripts" / "slurm" / "sweep.sbatch"
FIT_SBATCH = REPO / "scripts" / "slurm" / "fit.sbatch"
SMOKE = REPO / "configs" / "sweeps" / "smoke.toml"
WAIT_SECONDS = 600


def ensure_slurm_installed():
    if all(shutil.which(tool) for tool in ("sbatch", "slurmctld", "slurmd", "munged")):
        return
    if os.geteuid() != 0:
        pytest.skip("Slurm is not installed and installing it needs root (apt-get install slurm-wlm munge)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"], check=True, env=env)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_line():
    """This machine as slurmd sees it (CPUs, sockets, cores, memory)."""
    text = subprocess.run(["slurmd", "-C"], check=True, capture_output=True, text=True).stdout
    first = text.splitlines()[0]
    fields = dict(part.split("=", 1) for part in first.split())
    return fields["NodeName"], first.replace(f"NodeName={fields['NodeName']}", "").strip()


def wait_for(condition, what, timeout=WAIT_SECONDS, every=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    ensure_slurm_installed()
    root = tmp_path_factory.mktemp("slurm")
    for folder in ("state", "spool"):
        (root / folder).mkdir()
    node, hardware = node_line()
    conf = root / "slurm.conf"
    conf.write_text(f"""ClusterName=moatsim-test
SlurmctldHost={node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
NodeName={node} NodeAddr=127.0.0.1 {hardware} State=UNKNOWN
PartitionName=test Nodes={node} Default=YES MaxTime=INFINITE State=UP
""")
    env = dict(os.environ, SLURM_CONF=str(conf))
    started = []
    if subprocess.run("munge -n | unmunge", shell=True, capture_output=True).returncode != 0:
        Path("/run/munge").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        started.append(subprocess.Popen(["munged", "--foreground", "--force"], stderr=subprocess.DEVNULL))
        wait_for(lambda: subprocess.run("munge -n | unmunge", shell=True, capture_output=True).returncode == 0,
                 "munged", timeout=30)
    started.append(subprocess.Popen(["slurmctld", "-D", "-i", "-f", conf], env=env))
    time.sleep(1)
    started.append(subprocess.Popen(["slurmd", "-D", "-f", conf], env=env))

    def node_ready():
        out = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True).stdout
        return out.strip() in ("idle", "mix", "alloc")

    try:
        wait_for(node_ready, "the node to come up", timeout=60)
    except AssertionError:
        logs = "\n".join((root / f).read_text() for f in ("slurmctld.log", "slurmd.log") if (root / f).exists())
        raise AssertionError(f"Slurm did not start:\n{logs[-4000:]}")
    yield env, root
    for process in reversed(started):
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def submit(env, root, spec, out, shards, script=SBATCH):
    result = subprocess.run(
        ["sbatch", "--parsable", f"--array=0-{shards - 1}", "--chdir", REPO,
         f"--output={root}/sweep-%A_%a.out", script, spec, out],
        env=dict(env, MOATSIM=str(BIN)), check=True, capture_output=True, text=True)
    return result.stdout.strip().split(";")[0]


def queued(env, job):
    out = subprocess.run(["squeue", "-h", "-j", job, "-o", "%i %T"], env=env, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines() if line.strip()]


def wait_until_done(env, job):
    wait_for(lambda: not queued(env, job), f"array job {job} to finish")


def planned(spec):
    plan = json.loads(subprocess.run([BIN, "sweep", "plan", spec, "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    return {run["run_id"] for run in plan["runs"]}


def tree(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_array_job_runs_every_planned_run_exactly_once(cluster, tmp_path):
    env, root = cluster
    out = tmp_path / "sweep"
    job = submit(env, root, SMOKE, out, shards=4)
    wait_until_done(env, job)
    subprocess.run([BIN, "sweep", "status", SMOKE, "--out", out], check=True)
    con = duckdb.connect()
    runs = dict(con.sql(f"""
        SELECT run_id, count(*) FROM read_parquet('{out}/**/world.parquet', hive_partitioning = true)
        GROUP BY run_id""").fetchall())
    ids = planned(SMOKE)
    assert set(runs) == ids, "every planned run is present"
    quarters = con.sql(f"SELECT DISTINCT quarters FROM read_json('{out}/**/manifest.json')").fetchall()
    assert all(count == quarters[0][0] for count in runs.values()), "each run once, every quarter once"
    statuses = con.sql(f"SELECT status, count(*) FROM '{out}/runs.parquet' GROUP BY ALL").fetchall()
    assert statuses == [("complete", len(ids))]
    # Results join to parameters in one query.
    joined = con.sql(f"""
        SELECT r."cloud.rent_cash_share", count(DISTINCT w.run_id)
        FROM read_parquet('{out}/**/world.parquet', hive_partitioning = true) AS w
        JOIN '{out}/runs.parquet' AS r USING (run_id) GROUP BY ALL""").fetchall()
    assert sum(n for _, n in joined) == len(ids)


def test_a_cancelled_task_is_redone_by_resubmitting_and_matches_a_clean_sweep(cluster, tmp_path):
    env, root = cluster
    # Runs slow enough (a few seconds each) to cancel a task in the middle of one.
    spec = tmp_path / "slow.toml"
    spec.write_text(f"""[sweep]
name = "slow"
scenario = "{REPO / 'configs' / 'baseline.toml'}"
set = {{ "scenario.quarters" = 12, "app_builders.count" = 150000 }}

[seeds]
list = [11, 12]

[grid]
"cloud.rent_cash_share" = [0.03, 0.06]
""")
    out = tmp_path / "sweep"
    job = submit(env, root, spec, out, shards=2)

    def task_one_mid_run():
        running = any(task == f"{job}_1" and state == "RUNNING" for task, state in queued(env, job))
        staging = any(p.name.startswith(".staging-") for p in out.glob("run_id=*/scenario=*/*"))
        return running and staging

    wait_for(task_one_mid_run, "task 1 to be in the middle of a run", every=0.1)
    subprocess.run(["scancel", f"{job}_1"], env=env, check=True)
    wait_until_done(env, job)
    status = subprocess.run([BIN, "sweep", "status", spec, "--out", out], check=True,
                            capture_output=True, text=True).stdout
    assert "4 complete" not in status, f"the cancelled task left work undone:\n{status}"

    again = submit(env, root, spec, out, shards=2)
    wait_until_done(env, again)
    subprocess.run([BIN, "sweep", "status", spec, "--out", out], check=True)

    clean = tmp_path / "clean"
    subprocess.run([BIN, "sweep", "run", spec, "--out", clean, "--quiet"], check=True)
    assert tree(out) == tree(clean), "the resubmitted sweep equals a clean one, byte for byte"
    con = duckdb.connect()
    per_run = con.sql(f"""
        SELECT run_id, count(DISTINCT tick) AS quarters, count(*) AS rows
        FROM read_parquet('{out}/**/world.parquet', hive_partitioning = true) GROUP BY run_id""").fetchall()
    assert len(per_run) == 4 and all(q == 12 and r == 12 for _, q, r in per_run), per_run


def test_a_fit_as_an_array_job_matches_one_process_byte_for_byte(cluster, tmp_path):
    env, root = cluster
    # A range no point reaches (the baseline lands the published 5-40x), so
    # both generations run instead of stopping at a landed point.
    spec = tmp_path / "fit.toml"
    spec.write_text(f"""[fit]
name = "fit-slurm"
scenario = "{REPO / 'configs' / 'baseline.toml'}"
set = {{ "scenario.quarters" = 8 }}
targets = ["inference_price_decline_fixed_capability"]
target_ranges = {{ "inference_price_decline_fixed_capability" = [30.0, 40.0] }}
parameters = ["world.algorithmic_efficiency_halving_months"]
particles = 4
generations = 2

[seeds]
list = [1, 2]
""")
    out = tmp_path / "fit"
    job = submit(env, root, spec, out, shards=2, script=FIT_SBATCH)
    wait_until_done(env, job)
    logs = "\n".join(p.read_text() for p in root.glob(f"sweep-{job}_*.out"))
    assert (out / "fitted.toml").exists(), f"the array job finished the fit:\n{logs}"
    clean = tmp_path / "clean"
    subprocess.run([BIN, "calibrate", "--fit", spec, "--out", clean, "--quiet"], check=True,
                   capture_output=True)
    assert tree(out) == tree(clean), "the array job's fit equals one process's, byte for byte"
    tried = duckdb.connect().sql(f"SELECT count(*), count(DISTINCT generation) FROM '{out}/fit.parquet'").fetchall()[0]
    assert tried == (8, 2)
